// Run directories on the local file system: `<state-dir>/runs/<run-id>/` with journal.jsonl, a copy
// of the checklist as it was at the start, and later record.json. Ids: `<name>-<UTC compact>-<4 hex>`.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../engine/events.js";
import type { Journal } from "../engine/ports.js";
import { fold, isUnfinished, type RunState } from "../engine/state.js";
import { StateError } from "../errors.js";
import { JournalFile, readJournal } from "./journal.js";
import { type LockInfo, lockPath, pidAlive, readLock } from "./lock.js";

export const JOURNAL_FILE = "journal.jsonl";
export const CHECKLIST_COPY = "checklist.yaml";

/** `staging-20261126T063000Z-7f3a`. */
export function newRunId(checklist: string, now: Date, random = randomBytes(2).toString("hex")): string {
  const compact = now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
  return `${checklist}-${compact}-${random}`;
}

export function runsRoot(stateDir: string): string {
  return join(stateDir, "runs");
}

export function runDir(stateDir: string, runId: string): string {
  return join(runsRoot(stateDir), runId);
}

/** Create a fresh run directory (never reusing one) with a copy of the checklist source. */
export function createRunDir(stateDir: string, runId: string, checklistSource: string): string {
  mkdirSync(runsRoot(stateDir), { recursive: true });
  const dir = runDir(stateDir, runId);
  try {
    mkdirSync(dir);
  } catch (cause) {
    throw new StateError(`cannot create the run directory ${dir}: ${(cause as Error).message}`, { cause });
  }
  writeFileSync(join(dir, CHECKLIST_COPY), checklistSource);
  return dir;
}

/** The journal port backed by a JSONL file (kept open while the run lasts). */
export function openFileJournal(dir: string): Journal & { close(): void; file: string } {
  const file = join(dir, JOURNAL_FILE);
  const handle = JournalFile.open(file);
  return {
    file,
    append: async (e: RunEvent) => handle.append(e),
    write: (e: RunEvent) => handle.write(e),
    sync: async () => handle.sync(),
    readAll: async () => readJournal(file).events,
    close: () => handle.close(),
  };
}

export interface StoredRun {
  id: string;
  dir: string;
  events: RunEvent[];
  state: RunState;
}

export function loadRun(stateDir: string, runId: string): StoredRun {
  const dir = runDir(stateDir, runId);
  const file = join(dir, JOURNAL_FILE);
  if (!existsSync(file)) {
    throw new StateError(`no run ${runId} in ${runsRoot(stateDir)}`, {
      hint: "List the runs with `deploycheck runs` (and check --state-dir).",
    });
  }
  const { events } = readJournal(file);
  if (events[0]?.type !== "run-started") {
    throw new StateError(`${file}:1: the journal does not start with a run-started event`, {
      hint: "This run directory is damaged; start a new run with --new.",
    });
  }
  return { id: runId, dir, events, state: fold(events) };
}

export interface RunListing {
  runs: StoredRun[];
  /** Run directories that could not be read, with why (listed, never silently dropped). */
  damaged: { id: string; error: string }[];
}

/** Every run in the state dir, most recent first. */
export function listRuns(stateDir: string): RunListing {
  const root = runsRoot(stateDir);
  if (!existsSync(root)) return { runs: [], damaged: [] };
  const runs: StoredRun[] = [];
  const damaged: RunListing["damaged"] = [];
  for (const id of readdirSync(root)) {
    if (!existsSync(join(root, id, JOURNAL_FILE))) continue;
    try {
      runs.push(loadRun(stateDir, id));
    } catch (err) {
      damaged.push({ id, error: (err as Error).message });
    }
  }
  runs.sort((a, b) =>
    a.state.startedAt < b.state.startedAt ? 1 : a.state.startedAt > b.state.startedAt ? -1 : 0,
  );
  return { runs, damaged };
}

/**
 * The unfinished runs (neither finished nor abandoned), most recent first. A run whose journal ends with
 * run-finished or an abandoning run-aborted is skipped after reading only the journal's last bytes, so
 * starting a run does not parse the whole history of the state dir.
 */
export function listUnfinishedRuns(stateDir: string): StoredRun[] {
  const root = runsRoot(stateDir);
  if (!existsSync(root)) return [];
  const runs: StoredRun[] = [];
  for (const id of readdirSync(root)) {
    const file = join(root, id, JOURNAL_FILE);
    if (!existsSync(file) || endsClosed(file)) continue;
    try {
      const run = loadRun(stateDir, id);
      if (isUnfinished(run.state)) runs.push(run);
    } catch {
      // Damaged runs are listed by `deploycheck runs`; they cannot be resumed.
    }
  }
  return runs.sort((a, b) =>
    a.state.startedAt < b.state.startedAt ? 1 : a.state.startedAt > b.state.startedAt ? -1 : 0,
  );
}

const TAIL_BYTES = 4096;

/** Whether the journal's last whole line closes the run for good (finished, or abandoned). */
function endsClosed(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n");
    // The text after the last newline is torn (or empty); the line before it is the last whole event.
    lines.pop();
    const last = lines.pop();
    // The first line of a short tail may be cut: only a line that starts the tail or follows a newline counts.
    if (last === undefined || (lines.length === 0 && length < size)) return false;
    const event = JSON.parse(last) as { type?: unknown; abandoned?: unknown };
    return event.type === "run-finished" || (event.type === "run-aborted" && event.abandoned === true);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replace the run's checklist copy (after a resume with a changed checklist). */
export function saveChecklistCopy(dir: string, source: string): void {
  writeFileSync(join(dir, CHECKLIST_COPY), source);
}

/** The checklist source a run last ran with, or undefined when the copy is missing. */
export function readChecklistCopy(dir: string): { file: string; source: string } | undefined {
  const file = join(dir, CHECKLIST_COPY);
  try {
    return { file, source: readFileSync(file, "utf8") };
  } catch {
    return undefined;
  }
}

/** Whether a live process holds this run (its lock names the run and its pid is alive on this host). */
export function runHolder(stateDir: string, checklist: string, runId: string): LockInfo | undefined {
  try {
    const info = readLock(lockPath(stateDir, checklist));
    if (!info || info.runId !== runId) return undefined;
    if (info.host === hostname() && !pidAlive(info.pid)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}
