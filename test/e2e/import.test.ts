// `deploycheck import` through the built binary: file and stdin, -o with and without --force, and the
// imported seed validating with `deploycheck validate`.

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadChecklist } from "../../src/checklist/load.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/start.js";
import { ensureBuilt } from "./helpers/built.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "bin/deploycheck.js");
const seed = join(root, "test/fixtures/import/seed.txt");

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    input: input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DEPLOYCHECK_DEBUG: "", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: the in-process sandbox has to answer the CLI meanwhile. */
function cliAsync(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DEPLOYCHECK_DEBUG: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), "deploycheck-import-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("deploycheck import", () => {
  it("imports the seed to a file that `deploycheck validate` accepts, with the summary on stdout", async () => {
    const out = join(dir, "checklists/staging.yaml");
    const r = cli(["import", seed, "-o", out, "--name", "staging"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("6 sections, 23 items");
    expect(r.stdout).toMatch(/automated: .*kube \(context 1, namespace 1/);
    expect(r.stdout).toContain('line 93: "error rate > 10%"');
    expect(r.stdout).toContain("lines not placed: none");

    const v = cli(["validate", out]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("23 items");

    const { checklist } = await loadChecklist(out);
    const items = checklist.sections.flatMap((s) => s.items);
    expect(items).toHaveLength(23);
    expect(items.filter((i) => i.steps.some((s) => s.kube)).map((i) => i.number)).toEqual([4, 6, 7, 14]);
  });

  it("imports a plan that `deploycheck show` lists: the 23 items, with kube steps where kubectl was", () => {
    const out = join(dir, "show.yaml");
    expect(cli(["import", seed, "-o", out]).code).toBe(0);
    const text = cli(["show", out]);
    expect(text.code).toBe(0);
    const headings = [...text.stdout.matchAll(/\[(\d+)\/23\] (.+)/g)].map((m) => Number(m[1]));
    expect(headings).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(text.stdout).toContain("[7/23] Deployment Validation");
    expect(text.stdout).toContain("kube: rollout status deployment/buywhere-api -n staging");

    const json = cli(["show", out, "--json"]);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      sections: { items: { number: number; steps: { kind: string }[] }[] }[];
    };
    const planned = plan.sections.flatMap((s) => s.items);
    expect(planned).toHaveLength(23);
    const kubeItems = planned.filter((i) => i.steps.some((s) => s.kind === "kube")).map((i) => i.number);
    expect(kubeItems).toEqual([4, 6, 7, 14]);
  });

  it("reads standard input with -, writes YAML to stdout and the summary to stderr", () => {
    const r = cli(["import", "-"], "# Ship it\n- [ ] Pods: `kubectl get pods -n web -l app=web`\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Imported by `deploycheck import` from standard input\./);
    expect(r.stdout).toContain("name: ship-it");
    expect(r.stdout).toContain("selector: app=web");
    expect(r.stderr).toContain("1 section, 1 item, 1 step");
    expect(r.stderr).toContain("1 kube (pods 1)");
  });

  it("a runbook with a Rollback (only if needed) section: --dry-run runs no change, a real run skips the rollback unless asked", async () => {
    const work = await mkdtemp(join(tmpdir(), "deploycheck-import-rollback-"));
    try {
      const runbook = [
        "# Deploy web",
        "",
        "## Deploy",
        "",
        "Run the migration:",
        "",
        "```bash",
        "touch migrated.marker",
        "```",
        "",
        "Check the runbook is here: `ls deploy.md`",
        "",
        "## Rollback (only if needed)",
        "",
        "Restore the backup:",
        "",
        "```bash",
        "touch restored.marker",
        "```",
        "",
      ].join("\n");
      await writeFile(join(work, "deploy.md"), runbook);
      await writeFile(join(work, "answers.yaml"), "signoff/ready: yes\nsignoff/engineer: e2e\n");
      const inWork = (args: string[]) => {
        const r = spawnSync(process.execPath, [bin, ...args], {
          cwd: work,
          input: "",
          encoding: "utf8",
          env: { ...process.env, NO_COLOR: "1", DEPLOYCHECK_DEBUG: "" },
        });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const markers = async () => (await readdir(work)).filter((f) => f.endsWith(".marker")).sort();
      const imported = inWork(["import", "deploy.md", "-o", "deploy.yaml"]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('runRollback: "Rollback (only if needed)" runs only when asked');
      const run = (...extra: string[]) => [
        "run",
        "deploy.yaml",
        "--non-interactive",
        "--answers",
        "answers.yaml",
        "--new",
        ...extra,
      ];

      // A dry run executes no mutating command, even with the rollback asked for.
      expect(inWork([...run("--dry-run", "--state-dir", "s1")]).code).toBe(0);
      expect(inWork([...run("--dry-run", "--var", "runRollback=true", "--state-dir", "s2")]).code).toBe(0);
      expect(await markers()).toEqual([]);

      // A real run migrates but does not enter the rollback section.
      const real = inWork([...run("--state-dir", "s3")]);
      expect(real.code).toBe(0);
      expect(real.stdout).toMatch(/Rollback \(only if needed\)\s+n\/a/);
      expect(await markers()).toEqual(["migrated.marker"]);

      // Only when the engineer says so.
      expect(inWork([...run("--var", "runRollback=true", "--state-dir", "s4")]).code).toBe(0);
      expect(await markers()).toEqual(["migrated.marker", "restored.marker"]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses to write a checklist over the 4 MiB that validate and run accept, and writes nothing", async () => {
    const file = join(dir, "huge.md");
    const items = Array.from(
      { length: 700 },
      (_, i) => `- [ ] Confirm item ${i}: ${"calibrated and verified ".repeat(160)}`,
    );
    await writeFile(file, ["# Huge", "", ...items, ""].join("\n"));
    const out = join(dir, "huge.yaml");
    const r = cli(["import", file, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /the checklist imported from huge\.md would be \d+\.\d MiB; a checklist may be at most 4\.0 MiB/,
    );
    expect(r.stderr).toContain("Split the document");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses binary input with a clear error, no stack", async () => {
    const file = join(dir, "image.png");
    await writeFile(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    const r = cli(["import", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not a text document");
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("refuses to overwrite a file unless --force", async () => {
    const out = join(dir, "exists.yaml");
    await writeFile(out, "keep me\n");
    const r = cli(["import", seed, "-o", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${out} already exists`);
    expect(r.stderr).toContain("--force");
    expect(await readFile(out, "utf8")).toBe("keep me\n");

    const forced = cli(["import", seed, "-o", out, "--force"]);
    expect(forced.code).toBe(0);
    expect(await readFile(out, "utf8")).toContain("name: seed");
  });

  it("says what is wrong, without a stack, for a missing file or a bad --name", () => {
    const missing = cli(["import", "nope.md"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read nope.md: no such file");
    expect(missing.stderr).not.toMatch(/\n\s+at /);

    const badName = cli(["import", seed, "--name", "Staging Env"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("--name staging-env");
  });
});

describe("an imported checklist, run against the sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rolloutStepMs: 20 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("passes its kube and http steps for real", async () => {
    const out = join(dir, "smoke.yaml");
    const fixture = join(root, "test/fixtures/import/kube-smoke.txt");
    expect(cli(["import", fixture, "-o", out]).code).toBe(0);
    const answers = join(dir, "answers.yaml");
    await writeFile(answers, "signoff/ready: yes\nsignoff/engineer: e2e\n");
    const stateDir = join(dir, "state");
    const args = ["run", out, "--non-interactive", "--answers", answers, "--state-dir", stateDir];
    const r = await cliAsync([...args, "--var", `apiUrl=${sandbox.service.url}`], {
      KUBECONFIG: sandbox.kubeconfigPath,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const runs = await readdir(join(stateDir, "runs"));
    const record = JSON.parse(await readFile(join(stateDir, "runs", runs[0]!, "record.json"), "utf8")) as {
      sections: { items: { steps: { kind: string; status: string }[] }[] }[];
    };
    const steps = record.sections.flatMap((s) => s.items.flatMap((i) => i.steps));
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ["kube.context", "passed"],
      ["kube.namespace", "passed"],
      ["kube.rolloutStatus", "passed"],
      ["kube.pods", "passed"],
      ["kube.history", "passed"],
      ["kube.image", "passed"],
      ["http", "passed"],
      ["http", "passed"],
      ["http", "passed"],
    ]);
  }, 120_000);
});
