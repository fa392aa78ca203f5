// @ts-nocheck
// Durability as the kernel sees it: the real CLI under strace. A step's result is written to the journal
// and fdatasync'd before the next step's command is started; record.json is written to a temp file,
// fsync'd, renamed into place, then its directory fsync'd; and a write that fails half-way (the file-size
// limit, EFBIG) leaves the old record whole.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ensureBuilt, ROOT } from "./helpers/built.js";

let dir: string;
beforeAll(() => {
  ensureBuilt();
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" });
  } catch {
    throw new Error("strace is needed for this test (CI installs Debian's strace)");
  }
  dir = mkdtempSync(join(tmpdir(), "dc-durable-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: durable, title: Durability }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: first
            run: echo marker-one
            mutating: false
          - id: second
            run: echo marker-two
            mutating: false
`;

interface Call {
  pid: number;
  name: string;
  args: string;
  result: string;
}

function parse(log: string): Call[] {
  const calls: Call[] = [];
  for (const line of log.split("\n")) {
    const m = /^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+.*)$/.exec(line);
    if (m) calls.push({ pid: Number(m[1]), name: m[2]!, args: m[3]!, result: m[4]! });
  }
  return calls;
}

function traced(args: string[], cwd: string) {
  const log = join(dir, `trace-${Date.now()}.log`);
  const r = spawnSync(
    "strace",
    [
      "-f",
      "-qq",
      "-s",
      "4096",
      "-e",
      "trace=openat,write,fdatasync,fsync,rename,renameat,renameat2,execve,close",
      "-o",
      log,
      process.execPath,
      BIN,
      ...args,
    ],
    {
      cwd,
      env: {
        ...process.env,
        NO_COLOR: "1",
        CI: "1",
        XDG_CONFIG_HOME: join(dir, "config"),
        DEPLOYCHECK_NO_CACHE: "1",
      },
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { ...r, calls: parse(readFileSync(log, "utf8")) };
}

describe("durability under strace", () => {
  it("a step's result is on disk (fdatasync) before the next step's command starts; the record is written temp, fsync, rename, dir fsync", () => {
    const work = mkdtempSync(join(dir, "run-"));
    writeFileSync(join(work, "durable.yaml"), CHECKLIST);
    writeFileSync(
      join(work, "answers.yaml"),
      "signoff/engineer: Ann Example\nsignoff/ready: yes\nsignoff/notes: ''\nsignoff/blockers: ''\n",
    );
    const r = traced(["run", "durable.yaml", "--answers", "answers.yaml", "--state-dir", "state"], work);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const calls = r.calls;

    // The journal's descriptor in the main process.
    const open = calls.find(
      (c) => c.name === "openat" && c.args.includes("journal.jsonl") && /^\d+$/.test(c.result),
    );
    expect(open, "the journal was opened").toBeDefined();
    const fd = Number(open!.result);
    const main = open!.pid;
    const index = (pred: (c: Call) => boolean) => calls.findIndex(pred);

    const secondExec = index((c) => c.name === "execve" && c.args.includes("marker-two"));
    expect(secondExec).toBeGreaterThan(0);
    const firstResult = index(
      (c) =>
        c.pid === main &&
        c.name === "write" &&
        c.args.startsWith(`${fd},`) &&
        c.args.includes("step-finished") &&
        c.args.includes("first"),
    );
    expect(firstResult, "the first step's result was written").toBeGreaterThan(0);
    const synced = calls.findIndex(
      (c, i) =>
        i > firstResult &&
        c.pid === main &&
        (c.name === "fdatasync" || c.name === "fsync") &&
        c.args === String(fd),
    );
    expect(synced, "fdatasync of the journal after the result").toBeGreaterThan(firstResult);
    expect(synced, "... and before the second step's command starts").toBeLessThan(secondExec);

    // record.json: write to a temp file, fsync it, rename over record.json, fsync the directory.
    const tmpOpen = index(
      (c) => c.name === "openat" && /record\.json\.[^"]*\.tmp/.test(c.args) && /^\d+$/.test(c.result),
    );
    expect(tmpOpen).toBeGreaterThan(0);
    const tmpFd = tmpOpen >= 0 ? calls[tmpOpen]!.result : "";
    const nextAfter = (from: number, pred: (c: Call) => boolean) =>
      calls.findIndex((c, i) => i > from && pred(c));
    const write = nextAfter(tmpOpen, (c) => c.name === "write" && c.args.startsWith(`${tmpFd},`));
    const fsync = nextAfter(write, (c) => (c.name === "fsync" || c.name === "fdatasync") && c.args === tmpFd);
    const rename = nextAfter(
      fsync,
      (c) =>
        c.name.startsWith("rename") &&
        /record\.json\.[^"]*\.tmp/.test(c.args) &&
        /record\.json"/.test(c.args),
    );
    const dirOpen = nextAfter(
      rename,
      (c) =>
        c.name === "openat" &&
        c.args.includes(join("runs")) &&
        /^\d+$/.test(c.result) &&
        !c.args.includes(".json"),
    );
    const dirSync = nextAfter(dirOpen, (c) => c.name === "fsync" && c.args === calls[dirOpen]?.result);
    expect(
      [write, fsync, rename, dirOpen, dirSync].every((i) => i > 0),
      JSON.stringify([tmpOpen, write, fsync, rename, dirOpen, dirSync]),
    ).toBe(true);
    expect(write).toBeLessThan(fsync);
    expect(fsync).toBeLessThan(rename);
    expect(rename).toBeLessThan(dirSync);
  });

  it("a record write that fails half-way (EFBIG) leaves the old record whole and no temp file", () => {
    const target = join(dir, "record-dir");
    rmSync(target, { recursive: true, force: true });
    execFileSync("mkdir", ["-p", target]);
    writeFileSync(join(target, "record.json"), '{"old":true}\n');
    const script = `import { writeFileAtomic } from ${JSON.stringify(join(ROOT, "dist/record/finalize.js"))};
try { await writeFileAtomic(${JSON.stringify(join(target, "record.json"))}, "x".repeat(64 * 1024)); console.log("written"); }
catch (e) { console.log("failed " + e.code); }`;
    const out = execFileSync(
      "bash",
      [
        "-c",
        `ulimit -f 8; exec "${process.execPath}" --input-type=module -e '${script.replace(/'/g, "'\\''")}'`,
      ],
      {
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("failed EFBIG");
    expect(readFileSync(join(target, "record.json"), "utf8")).toBe('{"old":true}\n');
    expect(readdirSync(target)).toEqual(["record.json"]);
  });
});
