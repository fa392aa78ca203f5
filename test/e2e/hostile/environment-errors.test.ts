// Environment errors are errors, not bugs: a full disk, a read-only file system, a missing permission or a
// directory where a file belongs say what failed, on which path and what to do, with exit 2. The file systems
// are real: tmpfs mounts in a private mount namespace (unshare -m; CI runs as root), and an unprivileged user
// (setpriv) for EACCES.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, type CliResult, ensureBuilt, type Workspace, workspace } from "../engine/harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
afterEach(() => ws?.cleanup());

const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: envy, title: Environment }
sections:
  - id: s
    title: S
    items:
      - id: a
        title: A
        steps:
          - id: x
            run: head -c 40000 /dev/zero | tr '\\\\0' a
`;

function setup(): void {
  ws = workspace("dc-enverr-");
  ws.file("c.yaml", CHECKLIST);
  ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
}

/** The CLI run by `sh -c PREFIX "$@"` so a test can mount or drop privileges first. */
function shCli(prelude: string, args: string[], wrap: string[] = []): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(
      "unshare",
      [
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        `${prelude}\nexec "$@"`,
        "sh",
        ...wrap,
        process.execPath,
        BIN,
        ...args,
      ],
      { cwd: ws.dir, env: ws.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const RUN = ["run", "c.yaml", "--answers", "answers.yaml"];

function expectEnvironmentError(r: CliResult, message: string | RegExp, hint: RegExp): void {
  expect(r.stderr).not.toMatch(/internal error|This is a bug/);
  if (typeof message === "string") expect(r.stderr).toContain(`deploycheck: ${message}\n`);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(hint);
  expect(r.code).toBe(2);
}

describe("environment errors", () => {
  it("a working directory deleted under the shell is an error, not a process spinning on mkdir forever", async () => {
    setup();
    const r = await shCli('mkdir gone && cd gone && rmdir "$PWD"', RUN);
    expectEnvironmentError(
      r,
      "the current directory no longer exists (it was deleted or moved after this shell entered it)",
      /cd to an existing directory/,
    );
  });

  it("a read-only state directory is EROFS with its path, not ENOENT", async () => {
    setup();
    const ro = join(ws.dir, "ro");
    mkdirSync(ro);
    const r = await shCli(`mount -t tmpfs -o ro tmpfs ${ro}`, [...RUN, "--state-dir", join(ro, "state")]);
    expectEnvironmentError(
      r,
      `cannot create the directory ${join(ro, "state", "locks")}: the file system is read-only (EROFS)`,
      /--state-dir/,
    );
  });

  it("a full disk while appending to the journal says which journal and to free space", async () => {
    setup();
    const full = join(ws.dir, "full");
    mkdirSync(full);
    const r = await shCli(`mount -t tmpfs -o size=12k tmpfs ${full}`, [
      ...RUN,
      "--state-dir",
      join(full, "state"),
    ]);
    expectEnvironmentError(
      r,
      /deploycheck: cannot append to the run journal .*\/full\/state\/runs\/envy-[^/]+\/journal\.jsonl: no space left on the device \(ENOSPC\)\n/,
      /Free some space on the file system that holds .*journal\.jsonl \(df -h\), then try again\. What was recorded before is kept: resume with deploycheck resume envy-/,
    );
  });

  it("a read-only config directory when the first key is made", async () => {
    setup();
    const ro = join(ws.dir, "rocfg");
    mkdirSync(ro);
    ws.env["XDG_CONFIG_HOME"] = ro;
    const r = await shCli(`mount -t tmpfs -o ro tmpfs ${ro}`, RUN);
    expectEnvironmentError(
      r,
      `cannot create the directory ${join(ro, "deploycheck")}: the file system is read-only (EROFS)`,
      /XDG_CONFIG_HOME/,
    );
  });

  it("a directory where the lock or the signing key belongs", async () => {
    setup();
    mkdirSync(join(ws.stateDir, "locks", "envy.lock"), { recursive: true });
    const lock = await shCli("", RUN);
    // The state layer refuses anything but a regular file at a state path (a link, a directory...).
    expectEnvironmentError(
      lock,
      `${join(ws.stateDir, "locks", "envy.lock")} is not a regular file; deploycheck refuses to use it as the lock file`,
      /Move it out of the state directory and try again/,
    );
    setup();
    const key = join(ws.env["XDG_CONFIG_HOME"]!, "deploycheck", "signing-key.pem");
    mkdirSync(key, { recursive: true });
    const signing = await shCli("", RUN);
    expectEnvironmentError(
      signing,
      `cannot read the signing key ${key}: it is a directory, a file belongs there (EISDIR)`,
      /Move the directory/,
    );
  });

  it("a state directory the user may not write is EACCES with its path", async () => {
    setup();
    // Another user (nobody) runs deploycheck against a state directory only root may write.
    chmodSync(ws.dir, 0o755);
    mkdirSync(ws.stateDir, { mode: 0o755 });
    ws.env["XDG_CONFIG_HOME"] = join(ws.dir, "nobody-config");
    const r = await shCli("", RUN, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
    expectEnvironmentError(
      r,
      `cannot create the directory ${join(ws.stateDir, "locks")}: permission denied (EACCES)`,
      /Check the owner and mode of .*locks and of its parent directories/,
    );
  });
});
