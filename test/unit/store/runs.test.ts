import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError, UsageError } from "../../../src/errors.js";
import { acquireLock, lockPath, readLock } from "../../../src/store/lock.js";
import {
  checklistOfRunId,
  checkRunId,
  createRunDir,
  listRuns,
  listUnfinishedRuns,
  loadRun,
  newRunId,
  openFileJournal,
  readChecklistCopy,
  runHolder,
  saveChecklistCopy,
} from "../../../src/store/runs.js";
import { chainedJournal, EventLog } from "../../helpers/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-runs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A run id of the documented shape, distinct per name. */
const ids: Record<string, string> = {
  finished: "0001",
  abandoned: "0002",
  stopped: "0003",
  torn: "0004",
  running: "0005",
};
const id = (name: string) => `demo-20261126T060000Z-${ids[name]}`;

describe("runs", () => {
  it("makes ids from the checklist name, UTC compact time and 4 hex digits", () => {
    expect(newRunId("staging", new Date("2026-11-26T06:30:00.123Z"), "7f3a")).toBe(
      "staging-20261126T063000Z-7f3a",
    );
    expect(newRunId("staging", new Date())).toMatch(/^staging-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
  });

  it("creates run dirs with the checklist copy, lists and loads runs newest first", async () => {
    for (const [id, at] of [
      ["demo-20261126T060000Z-0001", "2026-11-26T06:00:00Z"],
      ["demo-20261126T070000Z-0002", "2026-11-26T07:00:00Z"],
    ] as const) {
      const runDir = createRunDir(dir, id, "apiVersion: deploycheck/v1\n");
      expect(readFileSync(join(runDir, "checklist.yaml"), "utf8")).toContain("deploycheck/v1");
      const j = openFileJournal(runDir);
      const log = new EventLog({ runId: id });
      log.events[0]!.at = at;
      for (const e of log.step("a/x").events) await j.append(e);
      expect(await j.readAll()).toHaveLength(3);
      expect(statSync(runDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(runDir, "journal.jsonl")).mode & 0o777).toBe(0o600);
      expect(statSync(join(runDir, "checklist.yaml")).mode & 0o777).toBe(0o600);
      j.close();
    }
    expect(() => createRunDir(dir, "demo-20261126T060000Z-0001", "")).toThrow(
      /cannot create the run directory/,
    );
    const { runs, damaged } = await listRuns(dir);
    expect(runs.map((r) => r.id)).toEqual(["demo-20261126T070000Z-0002", "demo-20261126T060000Z-0001"]);
    expect(damaged).toEqual([]);
    expect((await loadRun(dir, "demo-20261126T060000Z-0001")).state.steps["a/x"]?.status).toBe("passed");
    await expect(loadRun(dir, "demo-20261126T060000Z-ffff")).rejects.toThrow(
      /no run demo-20261126T060000Z-ffff/,
    );
  });

  it("lists only unfinished runs, newest first, whatever the length of the finished ones", async () => {
    const write = async (name: string, at: string, build: (log: EventLog) => void) => {
      const j = openFileJournal(createRunDir(dir, id(name), ""));
      const log = new EventLog({ runId: id(name) });
      log.events[0]!.at = at;
      build(log);
      for (const e of log.events) await j.append(e);
      j.close();
      return join(dir, "runs", id(name), "journal.jsonl");
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

    expect((await listUnfinishedRuns(dir)).runs.map((r) => r.id)).toEqual([
      id("torn"),
      id("running"),
      id("stopped"),
    ]);
    // The same answer as folding every run in full.
    const all = (await listRuns(dir)).runs.filter((r) => !r.state.finished && !r.state.aborted?.abandoned);
    expect(all.map((r) => r.id)).toEqual([id("torn"), id("running"), id("stopped")]);
    expect(await listUnfinishedRuns(join(dir, "none"))).toEqual({ runs: [], damaged: [] });
  });

  it("accepts only run ids of the documented shape: nothing outside the state dir is read", async () => {
    for (const bad of [
      "../../somewhere/runs/evil",
      "..",
      ".",
      "",
      "demo/../x",
      "Demo-20261126T060000Z-0001",
      "demo-20261126T060000Z-00011",
      "/etc",
    ]) {
      await expect(loadRun(dir, bad)).rejects.toThrow(
        /is not a run id \(expected <checklist>-<YYYYMMDDTHHMMSSZ>-<4 hex digits>/,
      );
      expect(() => createRunDir(dir, bad, "")).toThrow(/is not a run id/);
    }
    expect(checkRunId("staging-20261126T063000Z-7f3a")).toBe("staging-20261126T063000Z-7f3a");
  });

  it("refuses a symlinked run directory or checklist copy and never writes through it", async () => {
    const runId = "demo-20261126T060000Z-0001";
    const runDirPath = createRunDir(dir, runId, "apiVersion: deploycheck/v1\n");
    const j = openFileJournal(runDirPath);
    for (const e of new EventLog({ runId }).events) await j.append(e);
    j.close();
    const victim = join(dir, "victim.yaml");
    writeFileSync(victim, "keep me");
    rmSync(join(runDirPath, "checklist.yaml"));
    symlinkSync(victim, join(runDirPath, "checklist.yaml"));
    expect(() => saveChecklistCopy(runDirPath, "replaced")).toThrow(/checklist\.yaml is a symbolic link/);
    expect(() => readChecklistCopy(runDirPath)).toThrow(/is a symbolic link/);
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    // A run directory that is a link to somewhere else is refused too.
    const elsewhere = mkdtempSync(join(tmpdir(), "dc-elsewhere-"));
    const linked = "demo-20261126T060000Z-0002";
    symlinkSync(elsewhere, join(dir, "runs", linked));
    await expect(loadRun(dir, linked)).rejects.toThrow(/is a symbolic link/);
    expect(() => openFileJournal(join(dir, "runs", linked))).toThrow(/is a symbolic link/);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("lists an unfinished run with a damaged journal as damaged, with where and why", async () => {
    const runId = "demo-20261126T060000Z-0003";
    const runDirPath = createRunDir(dir, runId, "");
    writeFileSync(
      join(runDirPath, "journal.jsonl"),
      chainedJournal([
        ...new EventLog({ runId }).events,
        { v: 1, type: "step-finished", at: "t", key: "a/x", attempt: 1, durationMs: 1, outcome: null },
      ]),
    );
    const { runs, damaged } = await listUnfinishedRuns(dir);
    expect(runs).toEqual([]);
    expect(damaged).toEqual([
      {
        id: runId,
        dir: runDirPath,
        error: expect.stringContaining("journal.jsonl:2: step-finished event: outcome:"),
      },
    ]);
  });

  it("refuses a journal of another run copied into a run directory", async () => {
    const runId = "demo-20261126T060000Z-0004";
    const runDirPath = createRunDir(dir, runId, "");
    writeFileSync(
      join(runDirPath, "journal.jsonl"),
      chainedJournal(new EventLog({ runId: "demo-20261126T060000Z-0005" }).events),
    );
    await expect(loadRun(dir, runId)).rejects.toThrow(
      /journal.jsonl:1: the journal is of run demo-20261126T060000Z-0005/,
    );
  });
});

describe("run ids, holders and damaged runs, word for word", () => {
  it("refuses a bad run id with what a run id looks like, cut to 120 characters", () => {
    let err: UsageError | undefined;
    try {
      checkRunId("x".repeat(300));
    } catch (e) {
      err = e as UsageError;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toBe(
      `"${"x".repeat(119)} is not a run id (expected <checklist>-<YYYYMMDDTHHMMSSZ>-<4 hex digits>, e.g. staging-20261126T063000Z-7f3a)`,
    );
    expect(err?.hint).toBe("List the runs with `deploycheck runs`.");
    expect(checklistOfRunId("staging-eu-20261126T063000Z-7f3a")).toBe("staging-eu");
    expect(checklistOfRunId("staging")).toBeUndefined();
    expect(() => checkRunId(" staging-20261126T063000Z-7f3a")).toThrow(/is not a run id/);
    expect(() => checkRunId("staging-20261126T063000Z-7f3a\n")).toThrow(/is not a run id/);
  });

  it("names a missing run and a journal that does not start the run", async () => {
    const runId = "demo-20261126T060000Z-0001";
    const err = (await loadRun(dir, runId).catch((e: unknown) => e)) as StateError;
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe(`no run ${runId} in ${join(dir, "runs")}`);
    expect(err.hint).toBe("List the runs with `deploycheck runs` (and check --state-dir).");
    const runDirPath = createRunDir(dir, runId, "");
    // A run directory without a journal is no run either.
    await expect(loadRun(dir, runId)).rejects.toThrow(`no run ${runId} in ${join(dir, "runs")}`);
    const journal = join(runDirPath, "journal.jsonl");
    writeFileSync(journal, chainedJournal(new EventLog().step("a/x").events.slice(1)));
    const notStarted = (await loadRun(dir, runId).catch((e: unknown) => e)) as StateError;
    expect(notStarted.message).toBe(`${journal}:1: the journal does not start with a run-started event`);
    expect(notStarted.hint).toBe("This run directory is damaged; start a new run with --new.");
    writeFileSync(journal, "");
    await expect(loadRun(dir, runId)).rejects.toThrow(
      `${journal}:1: the journal does not start with a run-started event`,
    );
    writeFileSync(journal, chainedJournal(new EventLog({ runId: "demo-20261126T060000Z-0005" }).events));
    const other = (await loadRun(dir, runId).catch((e: unknown) => e)) as StateError;
    expect(other.message).toBe(
      `${journal}:1: the journal is of run demo-20261126T060000Z-0005, not of ${runId}`,
    );
    expect(other.hint).toBe(
      "A journal was copied or moved into another run's directory; this run cannot be trusted.",
    );
  });

  it("lists what is not a run id and what cannot be read as damaged, never dropping it", async () => {
    const good = "demo-20261126T060000Z-0001";
    const j = openFileJournal(createRunDir(dir, good, ""));
    for (const e of new EventLog({ runId: good }).events) await j.append(e);
    j.close();
    mkdirSync(join(dir, "runs", "notes"));
    const broken = "demo-20261126T070000Z-0002";
    createRunDir(dir, broken, "");
    writeFileSync(join(dir, "runs", broken, "journal.jsonl"), "garbage\n");
    const { runs, damaged } = await listRuns(dir);
    expect(runs.map((r) => r.id)).toEqual([good]);
    expect(runs[0]).toMatchObject({ id: good, dir: join(dir, "runs", good), chained: true });
    expect(damaged).toEqual([
      { id: "notes", dir: join(dir, "runs", "notes"), error: "not a run id (not made by deploycheck)" },
      {
        id: broken,
        dir: join(dir, "runs", broken),
        error: `${join(dir, "runs", broken, "journal.jsonl")}:1: corrupt journal line (not JSON)`,
      },
    ]);
    // Unfinished runs skip what is not a run id silently (runs lists it) and list the unreadable one.
    expect((await listUnfinishedRuns(dir)).damaged.map((d) => d.id)).toEqual([broken]);
    expect(await listRuns(join(dir, "none"))).toEqual({ runs: [], damaged: [] });
    expect(readChecklistCopy(join(dir, "runs", good))).toEqual({
      file: join(dir, "runs", good, "checklist.yaml"),
      source: "",
    });
    rmSync(join(dir, "runs", good, "checklist.yaml"));
    expect(readChecklistCopy(join(dir, "runs", good))).toBeUndefined();
  });

  it("orders runs started at the same moment by id, newest id first", async () => {
    for (const runId of [
      "demo-20261126T060000Z-0001",
      "demo-20261126T060000Z-0003",
      "demo-20261126T060000Z-0002",
    ]) {
      const j = openFileJournal(createRunDir(dir, runId, ""));
      const log = new EventLog({ runId });
      log.events[0]!.at = "2026-11-26T06:00:00.000Z";
      for (const e of log.events) await j.append(e);
      j.close();
    }
    const ids = (await listRuns(dir)).runs.map((r) => r.id);
    expect(ids).toEqual([
      "demo-20261126T060000Z-0003",
      "demo-20261126T060000Z-0002",
      "demo-20261126T060000Z-0001",
    ]);
    expect((await listUnfinishedRuns(dir)).runs.map((r) => r.id)).toEqual(ids);
  });

  it("a run closed by a short journal, or ended by an abandoning abort, is not unfinished; a cut tail is read in full", async () => {
    const write = async (runId: string, build: (log: EventLog) => void, tail = "") => {
      const j = openFileJournal(createRunDir(dir, runId, ""));
      const log = new EventLog({ runId });
      build(log);
      for (const e of log.events) await j.append(e);
      j.close();
      if (tail) appendFileSync(join(dir, "runs", runId, "journal.jsonl"), tail);
    };
    await write("demo-20261126T060000Z-0001", (l) => l.finishedRun(0));
    await write("demo-20261126T060000Z-0002", (l) =>
      l.push({ type: "run-aborted", reason: "x", abandoned: true }),
    );
    await write("demo-20261126T060000Z-0003", (l) =>
      l.push({ type: "run-aborted", reason: "x", abandoned: false }),
    );
    // The last whole line is a step: unfinished, even with a torn run-finished after it.
    await write("demo-20261126T060000Z-0004", (l) => l.step("a/x"), '{"v":1,"type":"run-finished"');
    // One line longer than the 4 kB tail, ending with a run-finished of its own text: read in full.
    await write("demo-20261126T060000Z-0005", (l) =>
      l.step("a/x", "passed", { output: `${"y".repeat(5000)}"type":"run-finished"` }),
    );
    expect((await listUnfinishedRuns(dir)).runs.map((r) => r.id)).toEqual([
      "demo-20261126T060000Z-0005",
      "demo-20261126T060000Z-0004",
      "demo-20261126T060000Z-0003",
    ]);
  });

  it("runHolder names a live holder of this run only", () => {
    const runId = "demo-20261126T060000Z-0001";
    expect(runHolder(dir, "demo", runId)).toBeUndefined();
    const held = acquireLock(dir, "demo", runId);
    expect(runHolder(dir, "demo", runId)).toEqual(held.info);
    expect(runHolder(dir, "demo", "demo-20261126T060000Z-0002")).toBeUndefined();
    expect(runHolder(dir, "other", runId)).toBeUndefined();
    held.release();
    // A dead holder is no holder; a damaged lock is no holder either.
    acquireLock(dir, "demo", runId, { pid: 4194304 });
    expect(readLock(lockPath(dir, "demo"))).toMatchObject({ pid: 4194304, runId });
    expect(runHolder(dir, "demo", runId)).toBeUndefined();
    writeFileSync(lockPath(dir, "demo"), "damaged");
    expect(runHolder(dir, "demo", runId)).toBeUndefined();
  });
});
