// @ts-nocheck
// The state directory is untrusted input, end to end with the built CLI: a tampered journal (issue 12
// point 5), bad events, symlinks, run ids of the wrong shape and damaged unfinished runs (issue 14 item 1).
import { createHash } from "node:crypto";
import { readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, onlyRunId, type Workspace, workspace } from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
afterEach(() => ws?.cleanup());

/** a/x fails until ok exists; b/y passes. */
const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: demo, title: Demo checklist }
sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Gate
        steps:
          - id: x
            run: test -f ok
      - id: b
        title: After
        steps:
          - id: y
            run: echo after >> after.txt
`;
const ANSWERS = "signoff/ready: yes\nsignoff/engineer: Ann\n";

const sha = (line: string) => createHash("sha256").update(line, "utf8").digest("hex");

/** A run stopped at the failing required step a/x (non-interactive: the run stops there). */
async function stoppedRun(): Promise<{ id: string; journal: string }> {
  ws = workspace();
  ws.file("c.yaml", CHECKLIST);
  ws.file("answers.yaml", ANSWERS);
  const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
  expect(r.code, r.stderr + r.stdout).not.toBe(0);
  const id = onlyRunId(ws.stateDir);
  return { id, journal: join(ws.stateDir, "runs", id, "journal.jsonl") };
}

function editFailedToPassed(journal: string, rechain: boolean): number {
  const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
  const n = lines.findIndex((l) => l.includes('"type":"step-finished"') && l.includes('"status":"failed"'));
  expect(n).toBeGreaterThan(0);
  lines[n] = lines[n]!.replace('"status":"failed"', '"status":"passed"');
  if (rechain) {
    for (let i = n + 1; i < lines.length; i++) {
      const e = JSON.parse(lines[i]!);
      e.prev = sha(lines[i - 1]!);
      lines[i] = JSON.stringify(e);
    }
  }
  writeFileSync(journal, `${lines.join("\n")}\n`);
  return n + 1;
}

describe("a tamper-evident journal", () => {
  it("resume refuses a failed step edited to passed: exit 2, journal.jsonl:N, nothing run or signed", async () => {
    const { id, journal } = await stoppedRun();
    const n = editFailedToPassed(journal, false);
    const r = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${journal}:${n + 1}: the hash chain is broken`);
    expect(r.stderr).not.toMatch(/internal error|This is a bug/);
    expect(() => readFileSync(join(ws.dir, "after.txt"))).toThrow();
    expect(() => readFileSync(join(ws.stateDir, "runs", id, "record.json"))).toThrow();
    // `run` of the same checklist says a damaged run exists, where, and what to do.
    const again = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `run ${id} may be unfinished, but it cannot be resumed: its journal is damaged`,
    );
    expect(again.stderr).toContain(join(ws.stateDir, "runs", id));
    expect(again.stderr).toContain("deploycheck run c.yaml --new");
    const resume = await cli(ws, ["resume"]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain(`run ${id} may be unfinished`);
    expect(resume.stderr).not.toContain("no unfinished run");
    // --new starts a fresh run and leaves the damaged one alone.
    const fresh = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--new"]);
    expect(fresh.stderr + fresh.stdout).toContain(`Run ${id} has a damaged journal and is left as it is`);
  });

  it("the record carries the chain head, which verify reports; the journal lines are chained", async () => {
    ws = workspace();
    ws.file("c.yaml", CHECKLIST);
    ws.file("answers.yaml", ANSWERS);
    ws.file("ok", "");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const id = onlyRunId(ws.stateDir);
    const dir = join(ws.stateDir, "runs", id);
    const lines = readFileSync(join(dir, "journal.jsonl"), "utf8").trimEnd().split("\n");
    for (const [i, l] of lines.entries())
      expect(JSON.parse(l).prev).toBe(i === 0 ? "0".repeat(64) : sha(lines[i - 1]!));
    const record = JSON.parse(readFileSync(join(dir, "record.json"), "utf8"));
    const signoff = lines.findIndex((l) => l.includes('"type":"signoff"'));
    expect(record.journal).toEqual({ head: sha(lines[signoff]!), events: signoff + 1 });
    const v = await cli(ws, ["verify", join(dir, "record.json")]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`journal    chain head ${record.journal.head} (${signoff + 1} lines)`);
    // Private state: directories 0700, files 0600.
    for (const f of ["journal.jsonl", "checklist.yaml", "record.json"])
      expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("a journal written before the chain cannot be resumed, and says so", async () => {
    const { id, journal } = await stoppedRun();
    const unchained = readFileSync(journal, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => {
        const { prev: _p, ...rest } = JSON.parse(l);
        return JSON.stringify(rest);
      });
    writeFileSync(journal, `${unchained.join("\n")}\n`);
    const r = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${journal}: this journal has no hash chain`);
    const status = await cli(ws, ["status", id]);
    expect(status.code).toBe(0);
  });
});

describe("journal events are decoded", () => {
  it('"outcome": null is journal.jsonl:N with exit 2 in status, resume and export, never an internal error', async () => {
    const { id, journal } = await stoppedRun();
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
    const n = lines.findIndex((l) => l.includes('"type":"step-finished"'));
    const e = JSON.parse(lines[n]!);
    e.outcome = null;
    lines[n] = JSON.stringify(e);
    for (let i = n + 1; i < lines.length; i++) {
      const next = JSON.parse(lines[i]!);
      next.prev = sha(lines[i - 1]!);
      lines[i] = JSON.stringify(next);
    }
    writeFileSync(journal, `${lines.join("\n")}\n`);
    for (const args of [
      ["status", id],
      ["resume", id, "--answers", "answers.yaml"],
      ["export", id, "--format", "json"],
    ]) {
      const r = await cli(ws, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`${journal}:${n + 1}: step-finished event: outcome:`);
      expect(r.stderr).not.toMatch(/internal error|This is a bug/);
    }
  });
});

describe("state files are not followed, run ids are checked", () => {
  it("status ../../x is refused as not a run id", async () => {
    ws = workspace();
    for (const bad of ["../../somewhere/runs/evil", ".."]) {
      const r = await cli(ws, ["status", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("is not a run id");
    }
  });

  it("resume refuses a checklist copy or journal that is a symlink and writes nothing through it", async () => {
    const { id, journal } = await stoppedRun();
    const victim = join(ws.dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    const copy = join(ws.stateDir, "runs", id, "checklist.yaml");
    rmSync(copy);
    symlinkSync(victim, copy);
    ws.file("c.yaml", CHECKLIST.replace("echo after", "echo changed")); // resume would save a new copy
    const r = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${copy} is a symbolic link`);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    rmSync(copy);
    writeFileSync(copy, CHECKLIST);
    const saved = readFileSync(journal);
    rmSync(journal);
    writeFileSync(join(ws.dir, "j.jsonl"), saved);
    symlinkSync(join(ws.dir, "j.jsonl"), journal);
    const r2 = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${journal} is a symbolic link`);
    expect(readFileSync(join(ws.dir, "j.jsonl"))).toEqual(saved);
  });
});
