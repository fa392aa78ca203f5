import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createRunDir,
  listRuns,
  listUnfinishedRuns,
  loadRun,
  newRunId,
  openFileJournal,
} from "../../../src/store/runs.js";
import { EventLog } from "../../helpers/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-runs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("runs", () => {
  it("makes ids from the checklist name, UTC compact time and 4 hex digits", () => {
    expect(newRunId("staging", new Date("2026-11-26T06:30:00.123Z"), "7f3a")).toBe(
      "staging-20261126T063000Z-7f3a",
    );
    expect(newRunId("staging", new Date())).toMatch(/^staging-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  });

  it("creates run dirs with the checklist copy, lists and loads runs newest first", async () => {
    for (const [id, at] of [
      ["demo-1", "2026-11-26T06:00:00Z"],
      ["demo-2", "2026-11-26T07:00:00Z"],
    ] as const) {
      const runDir = createRunDir(dir, id, "apiVersion: deploycheck/v1\n");
      expect(readFileSync(join(runDir, "checklist.yaml"), "utf8")).toContain("deploycheck/v1");
      const j = openFileJournal(runDir);
      const log = new EventLog({ runId: id });
      log.events[0]!.at = at;
      for (const e of log.step("a/x").events) await j.append(e);
      expect(await j.readAll()).toHaveLength(3);
      j.close();
    }
    expect(() => createRunDir(dir, "demo-1", "")).toThrow(/cannot create the run directory/);
    const { runs, damaged } = listRuns(dir);
    expect(runs.map((r) => r.id)).toEqual(["demo-2", "demo-1"]);
    expect(damaged).toEqual([]);
    expect(loadRun(dir, "demo-1").state.steps["a/x"]?.status).toBe("passed");
    expect(() => loadRun(dir, "nope")).toThrow(/no run nope/);
  });

  it("lists only unfinished runs, newest first, whatever the length of the finished ones", async () => {
    const write = async (id: string, at: string, build: (log: EventLog) => void) => {
      const j = openFileJournal(createRunDir(dir, id, ""));
      const log = new EventLog({ runId: id });
      log.events[0]!.at = at;
      build(log);
      for (const e of log.events) await j.append(e);
      j.close();
      return join(dir, "runs", id, "journal.jsonl");
    };
    // Long enough that the last event is far past the first 4 kB.
    const many = (log: EventLog) => {
      for (let i = 0; i < 60; i++) log.step(`a/s${i}`, "passed", { output: "x".repeat(100) });
    };
    await write("finished", "2026-11-26T05:00:00Z", (log) => {
      many(log);
      log.push({ type: "run-finished", exitCode: 0 });
    });
    await write("abandoned", "2026-11-26T05:30:00Z", (log) =>
      log.push({ type: "run-aborted", reason: "abandoned for x", abandoned: true }),
    );
    await write("stopped", "2026-11-26T06:00:00Z", (log) => {
      many(log);
      log.push({ type: "run-aborted", reason: "required step failed", abandoned: false });
    });
    const torn = await write("torn", "2026-11-26T07:00:00Z", (log) => log.step("a/x"));
    // kill -9 in the middle of a line: the last whole line is what counts.
    appendFileSync(torn, '{"v":1,"type":"run-fini');
    await write("running", "2026-11-26T06:30:00Z", (log) => log.started("a/x"));

    expect(listUnfinishedRuns(dir).map((r) => r.id)).toEqual(["torn", "running", "stopped"]);
    // The same answer as folding every run in full.
    const all = listRuns(dir).runs.filter((r) => !r.state.finished && !r.state.aborted?.abandoned);
    expect(all.map((r) => r.id)).toEqual(["torn", "running", "stopped"]);
    expect(listUnfinishedRuns(join(dir, "none"))).toEqual([]);
  });
});
