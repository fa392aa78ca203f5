// Run directories as a caller sees them: which directory an error names, the order runs are listed in,
// which runs count as closed from the journal's last line alone, and that no descriptor is left open.
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../../src/engine/events.js";
import { StateError } from "../../../src/errors.js";
import { readJournal } from "../../../src/store/journal.js";
import {
  createRunDir,
  listRuns,
  listUnfinishedRuns,
  loadRun,
  openFileJournal,
  readChecklistCopy,
  saveChecklistCopy,
} from "../../../src/store/runs.js";
import { chainedJournal, EventLog } from "../../helpers/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-runs-s4-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runsDir = () => join(dir, "runs");
const caught = async (f: () => unknown): Promise<StateError> => {
  try {
    await f();
  } catch (e) {
    return e as StateError;
  }
  throw new Error("expected an error");
};

/** Every descriptor this process holds open on a file under the test's directory. */
const openUnder = (root: string): string[] =>
  readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    })
    .filter((target) => target.startsWith(root));

/** A run directory with a journal of the given events (chained, as deploycheck writes it). */
const writeRun = (runId: string, build: (log: EventLog) => void = () => {}, at?: string): string => {
  const d = createRunDir(dir, runId, "");
  const log = new EventLog({ runId });
  if (at) log.events[0]!.at = at;
  build(log);
  writeFileSync(join(d, "journal.jsonl"), chainedJournal(log.events));
  return d;
};

describe("errors name the directory they are about", () => {
  it("a runs directory that is a file is refused by every caller, as the runs directory", async () => {
    writeFileSync(runsDir(), "not a directory");
    const expected = `${runsDir()} is not a directory; deploycheck expected the runs directory there`;
    const runId = "demo-20261126T060000Z-0001";
    for (const f of [
      () => createRunDir(dir, runId, ""),
      () => loadRun(dir, runId),
      () => listRuns(dir),
      () => listUnfinishedRuns(dir),
    ]) {
      const err = await caught(f);
      expect(err).toBeInstanceOf(StateError);
      expect(err.message).toBe(expected);
      expect(err.hint).toBe("Move it out of the state directory and try again.");
    }
  });

  it("a run directory that is a file is refused as the run directory; an existing one is not reused", async () => {
    mkdirSync(runsDir());
    const runId = "demo-20261126T060000Z-0001";
    const file = join(runsDir(), runId);
    writeFileSync(file, "x");
    const expected = `${file} is not a directory; deploycheck expected the run directory there`;
    expect((await caught(() => loadRun(dir, runId))).message).toBe(expected);
    expect((await caught(() => openFileJournal(file))).message).toBe(expected);
    const err = await caught(() => createRunDir(dir, runId, ""));
    expect(err.message).toBe(
      `cannot create the run directory ${file}: EEXIST: file already exists, mkdir '${file}'`,
    );
    expect((err.cause as NodeJS.ErrnoException).code).toBe("EEXIST");
  });

  it("a link in place of the checklist copy is refused as the checklist copy, when saved and when read", async () => {
    const d = createRunDir(dir, "demo-20261126T060000Z-0001", "source");
    const copy = join(d, "checklist.yaml");
    rmSync(copy);
    symlinkSync(join(dir, "elsewhere.yaml"), copy);
    const hint =
      "The checklist copy was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.";
    for (const f of [() => saveChecklistCopy(d, "new"), () => readChecklistCopy(d)]) {
      const err = await caught(f);
      expect(err.message).toBe(
        `${copy} is a symbolic link; deploycheck does not follow links in its state directory`,
      );
      expect(err.hint).toBe(hint);
    }
  });
});

describe("the order of runs", () => {
  it("lists by start time, newest first, whatever the ids say", async () => {
    // Ids in one order, start times in another.
    writeRun("demo-20261126T060000Z-0001", () => {}, "2026-11-26T07:00:00.000Z");
    writeRun("demo-20261126T060000Z-0002", () => {}, "2026-11-26T06:00:00.000Z");
    writeRun("demo-20261126T060000Z-0003", () => {}, "2026-11-26T08:00:00.000Z");
    writeRun("demo-20261126T060000Z-0004", () => {}, "2026-11-26T05:00:00.000Z");
    const expected = [
      "demo-20261126T060000Z-0003",
      "demo-20261126T060000Z-0001",
      "demo-20261126T060000Z-0002",
      "demo-20261126T060000Z-0004",
    ];
    expect((await listRuns(dir)).runs.map((r) => r.id)).toEqual(expected);
    expect((await listUnfinishedRuns(dir)).runs.map((r) => r.id)).toEqual(expected);
  });

  it("lists runs of the same moment and damaged entries by id, newest id first, whatever the directory order", async () => {
    // Created out of order, so the order the file system lists them in is not the id order.
    const suffixes = ["0003", "0001", "0008", "0005", "0002", "0007", "0004", "0006"];
    for (const s of suffixes) writeRun(`demo-20261126T060000Z-${s}`, () => {}, "2026-11-26T06:00:00.000Z");
    for (const name of ["c", "a", "h", "e", "b", "g", "d", "f"]) mkdirSync(join(runsDir(), name));
    const byId = [...suffixes]
      .sort()
      .reverse()
      .map((s) => `demo-20261126T060000Z-${s}`);
    const listing = await listRuns(dir);
    expect(listing.runs.map((r) => r.id)).toEqual(byId);
    expect(listing.damaged.map((d) => d.id)).toEqual(["h", "g", "f", "e", "d", "c", "b", "a"]);
    expect((await listUnfinishedRuns(dir)).runs.map((r) => r.id)).toEqual(byId);
  });
});

describe("unfinished runs: what the journal's last line says", () => {
  const finished = '{"v":1,"type":"run-finished","at":"2026-11-26T06:00:00Z","exitCode":0}';
  const abandoned = '{"v":1,"type":"run-aborted","at":"2026-11-26T06:00:00Z","reason":"x","abandoned":true}';
  const stopped = '{"v":1,"type":"run-aborted","at":"2026-11-26T06:00:00Z","reason":"x","abandoned":false}';
  const notAnAbort = '{"v":1,"type":"step-finished","at":"2026-11-26T06:00:00Z","abandoned":true}';
  const long = `{"pad":"${"p".repeat(5000)}"}`;
  // The last 4096 bytes start exactly at this object; the line it ends is longer (and not JSON).
  const cutObject = (() => {
    const head = '{"type":"run-finished","pad":"';
    return `${head}${"z".repeat(4096 - 1 - head.length - 2)}"}`;
  })();

  // A journal damaged on its first line is skipped (never read in full) when its last line closes the run,
  // and listed as damaged otherwise.
  it.each([
    ["short, ends finished", `garbage\n${finished}\n`, false],
    ["long, ends finished", `garbage\n${long}\n${finished}\n`, false],
    ["short, ends abandoned", `garbage\n${abandoned}\n`, false],
    ["long, ends abandoned", `garbage\n${long}\n${abandoned}\n`, false],
    ["one line, a run-finished", `${finished}\n`, false],
    ["ends stopped (not abandoned)", `garbage\n${stopped}\n`, true],
    ["ends with an event that is no abort", `garbage\n${notAnAbort}\n`, true],
    ["ends with a line longer than the tail read", `garbage${cutObject}\n`, true],
    ["ends with a torn run-finished", `garbage\n${finished.slice(0, 30)}`, true],
    ["empty", "", true],
  ])("%s", async (_what, text, listed) => {
    if (text === `garbage${cutObject}\n`) expect(Buffer.byteLength(`${cutObject}\n`)).toBe(4096);
    const runId = "demo-20261126T060000Z-0001";
    const d = createRunDir(dir, runId, "");
    writeFileSync(join(d, "journal.jsonl"), text);
    const { runs, damaged } = await listUnfinishedRuns(dir);
    expect(runs).toEqual([]);
    expect(damaged.map((x) => x.id)).toEqual(listed ? [runId] : []);
  });

  it("a finished run followed by a blank line is read in full and found finished", async () => {
    const d = writeRun("demo-20261126T060000Z-0001", (l) => l.step("a/x").finishedRun(0));
    appendFileSync(join(d, "journal.jsonl"), "\n");
    writeRun("demo-20261126T060000Z-0002", (l) => l.step("a/x"));
    expect(await listUnfinishedRuns(dir)).toMatchObject({
      runs: [{ id: "demo-20261126T060000Z-0002" }],
      damaged: [],
    });
  });

  it("a run directory without a journal is listed as damaged: no run", async () => {
    const runId = "demo-20261126T060000Z-0001";
    createRunDir(dir, runId, "");
    expect(await listUnfinishedRuns(dir)).toEqual({
      runs: [],
      damaged: [{ id: runId, dir: join(runsDir(), runId), error: `no run ${runId} in ${runsDir()}` }],
    });
  });

  it("leaves no descriptor open on any journal it looked at", async () => {
    writeRun("demo-20261126T060000Z-0001", (l) => l.step("a/x").finishedRun(0));
    writeRun("demo-20261126T060000Z-0002", (l) => l.step("a/x"));
    writeRun("demo-20261126T060000Z-0003", (l) =>
      l.push({ type: "run-aborted", reason: "x", abandoned: true }),
    );
    createRunDir(dir, "demo-20261126T060000Z-0004", "");
    const listing = await listUnfinishedRuns(dir);
    expect(listing.runs.map((r) => r.id)).toEqual(["demo-20261126T060000Z-0002"]);
    expect(openUnder(dir)).toEqual([]);
  });
});

describe("the journal port of a run directory", () => {
  it("writes, syncs, names its head, checks the disk and closes its file", async () => {
    const runId = "demo-20261126T060000Z-0001";
    const d = createRunDir(dir, runId, "");
    const j = openFileJournal(d);
    expect(j.file).toBe(join(d, "journal.jsonl"));
    const events: RunEvent[] = new EventLog({ runId }).step("a/x").events;
    await j.append(events[0]!);
    j.write?.(events[1]!);
    j.write?.(events[2]!);
    const synced = j.sync?.();
    expect(synced).toBeInstanceOf(Promise);
    await synced;
    const read = await readJournal(j.file);
    expect(read.events).toEqual(await j.readAll());
    expect(read.events.map((e) => e.type)).toEqual(["run-started", "step-started", "step-finished"]);
    expect(j.head()).toBe(read.head);
    expect(j.head()).toMatch(/^[0-9a-f]{64}$/);
    expect(j.verifyOnDisk()).toEqual({ head: read.head, events: 3 });
    expect(openUnder(dir)).toEqual([j.file]);
    j.close();
    expect(openUnder(dir)).toEqual([]);
  });
});
