// Run directories on the local file system: `<state-dir>/runs/<run-id>/` with journal.jsonl, a copy
// of the checklist as it was at the start, and later record.json. Ids: `<name>-<UTC compact>-<4 hex>`.
import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, readdirSync, readSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../engine/events.js";
import type { Journal } from "../engine/ports.js";
import { fold, isUnfinished, type RunState } from "../engine/state.js";
import { StateError, UsageError } from "../errors.js";
import { JournalFile, readJournal } from "./journal.js";
import { type LockInfo, lockPath, readLock, staleReason } from "./lock.js";
import {
  checkStateDir,
  ensureStateDir,
  FILE_MODE,
  openStateFile,
  readStateFile,
  replaceStateFile,
} from "./safe-fs.js";

export const JOURNAL_FILE = "journal.jsonl";
export const CHECKLIST_COPY = "checklist.yaml";

/** The documented shape of a run id: `<checklist name>-<UTC YYYYMMDDTHHMMSSZ>-<4 hex digits>`. */
export const RUN_ID_RE = /^([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{8}T\d{6}Z)-([0-9a-f]{4})$/;

/** Refuse anything but a run id of the documented shape (it becomes a path under the state dir). */
export function checkRunId(runId: string): string {
  if (!RUN_ID_RE.test(runId)) {
    throw new UsageError(
      `${JSON.stringify(runId).slice(0, 120)} is not a run id (expected <checklist>-<YYYYMMDDTHHMMSSZ>-<4 hex digits>, e.g. staging-20261126T063000Z-7f3a)`,
      { hint: "List the runs with `deploycheck runs`." },
    );
  }
  return runId;
}

/** The checklist name a run id starts with (undefined for anything not shaped like a run id). */
export function checklistOfRunId(runId: string): string | undefined {
  return RUN_ID_RE.exec(runId)?.[1];
}

/** `staging-20261126T063000Z-7f3a`. */
export function newRunId(checklist: string, now: Date, random = randomBytes(2).toString("hex")): string {
  // "2026-11-26T06:30:00.123Z" -> "20261126T063000Z" (whole seconds, UTC).
  const compact = `${now.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
  return `${checklist}-${compact}-${random}`;
}

export function runsRoot(stateDir: string): string {
  return join(stateDir, "runs");
}

export function runDir(stateDir: string, runId: string): string {
  return join(runsRoot(stateDir), checkRunId(runId));
}

/** Create a fresh run directory (0700, never reusing one) with a copy of the checklist source (0600). */
export function createRunDir(stateDir: string, runId: string, checklistSource: string): string {
  ensureStateDir(runsRoot(stateDir), "runs directory");
  const dir = runDir(stateDir, runId);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (cause) {
    throw new StateError(`cannot create the run directory ${dir}: ${(cause as Error).message}`, { cause });
  }
  // Stryker disable next-line StringLiteral: the directory was made by this call just now: nothing can be at the copy's path for the label to be shown
  replaceStateFile(join(dir, CHECKLIST_COPY), checklistSource, "checklist copy");
  return dir;
}

export type FileJournal = Journal & {
  close(): void;
  file: string;
  /** Hash of the last line (what the record carries as the journal's head). */
  head(): string;
  /** Re-read the file and check it is what this process wrote (before signing); the head and line count. */
  verifyOnDisk(): { head: string; events: number };
};

/** The journal port backed by a JSONL file (kept open while the run lasts). */
export function openFileJournal(dir: string, options: { allowUnchained?: boolean } = {}): FileJournal {
  checkStateDir(dir, "run directory");
  const file = join(dir, JOURNAL_FILE);
  const handle = JournalFile.open(file, options);
  return {
    file,
    append: async (e: RunEvent) => handle.append(e),
    write: (e: RunEvent) => handle.write(e),
    sync: async () => handle.sync(),
    readAll: async () => (await readJournal(file)).events,
    head: () => handle.head(),
    verifyOnDisk: () => handle.verifyOnDisk(),
    close: () => handle.close(),
  };
}

export interface StoredRun {
  id: string;
  dir: string;
  events: RunEvent[];
  state: RunState;
  /** False for a journal written before journals were hash-chained: readable, not resumable. */
  chained: boolean;
  /** Hash of the journal's last whole line. */
  head: string;
}

const code = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

function noRun(stateDir: string, runId: string): StateError {
  return new StateError(`no run ${runId} in ${runsRoot(stateDir)}`, {
    hint: "List the runs with `deploycheck runs` (and check --state-dir).",
  });
}

export async function loadRun(stateDir: string, runId: string): Promise<StoredRun> {
  const dir = runDir(stateDir, runId);
  try {
    checkStateDir(runsRoot(stateDir), "runs directory");
    checkStateDir(dir, "run directory");
  } catch (err) {
    if (code(err) === "ENOENT") throw noRun(stateDir, runId);
    throw err;
  }
  const file = join(dir, JOURNAL_FILE);
  let read: Awaited<ReturnType<typeof readJournal>>;
  try {
    read = await readJournal(file);
  } catch (err) {
    // readJournal wraps a missing file in a StateError whose cause is the ENOENT.
    if (code((err as Error).cause) === "ENOENT") throw noRun(stateDir, runId);
    throw err;
  }
  const { events } = read;
  const first = events[0];
  if (first?.type !== "run-started") {
    throw new StateError(`${file}:1: the journal does not start with a run-started event`, {
      hint: "This run directory is damaged; start a new run with --new.",
    });
  }
  if (first.runId !== runId) {
    throw new StateError(`${file}:1: the journal is of run ${first.runId}, not of ${runId}`, {
      hint: "A journal was copied or moved into another run's directory; this run cannot be trusted.",
    });
  }
  return { id: runId, dir, events, state: fold(events), chained: read.chained, head: read.head };
}

export interface DamagedRun {
  id: string;
  dir: string;
  error: string;
}

export interface RunListing {
  runs: StoredRun[];
  /** Run directories that could not be read, with why (listed, never silently dropped). */
  damaged: DamagedRun[];
}

const newestFirst = (a: StoredRun, b: StoredRun) =>
  a.state.startedAt < b.state.startedAt ? 1 : a.state.startedAt > b.state.startedAt ? -1 : 0;

function runIds(stateDir: string): string[] {
  const root = runsRoot(stateDir);
  try {
    checkStateDir(root, "runs directory");
  } catch (err) {
    if (code(err) === "ENOENT") return [];
    throw err;
  }
  return readdirSync(root).sort().reverse();
}

/** Every run in the state dir, most recent first. */
export async function listRuns(stateDir: string): Promise<RunListing> {
  const root = runsRoot(stateDir);
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  for (const id of runIds(stateDir)) {
    const dir = join(root, id);
    if (!RUN_ID_RE.test(id)) {
      damaged.push({ id, dir, error: "not a run id (not made by deploycheck)" });
      continue;
    }
    try {
      runs.push(await loadRun(stateDir, id));
    } catch (err) {
      damaged.push({ id, dir, error: (err as Error).message });
    }
  }
  runs.sort(newestFirst);
  return { runs, damaged };
}

/**
 * The unfinished runs (neither finished nor abandoned), most recent first, and the run directories that
 * may be unfinished but cannot be read (damaged: said, never silently skipped). A run whose journal ends
 * with run-finished or an abandoning run-aborted is skipped after reading only the journal's last bytes,
 * so starting a run does not parse the whole history of the state dir.
 */
export async function listUnfinishedRuns(stateDir: string): Promise<RunListing> {
  const root = runsRoot(stateDir);
  const runs: StoredRun[] = [];
  const damaged: DamagedRun[] = [];
  for (const id of runIds(stateDir)) {
    if (!RUN_ID_RE.test(id)) continue;
    const dir = join(root, id);
    if (endsClosed(join(dir, JOURNAL_FILE))) continue;
    try {
      const run = await loadRun(stateDir, id);
      if (isUnfinished(run.state)) runs.push(run);
    } catch (err) {
      damaged.push({ id, dir, error: (err as Error).message });
    }
  }
  return { runs: runs.sort(newestFirst), damaged };
}

const TAIL_BYTES = 4096;

/** Whether the journal's last whole line closes the run for good (finished, or abandoned). */
function endsClosed(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openStateFile(file, "read", "run journal");
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString().split("\n");
    // The text after the last newline is torn (or empty); the line before it is the last whole event.
    lines.pop();
    const last = lines.pop();
    // The first line of a short tail may be cut: only a line that starts the tail or follows a newline counts.
    if (last === undefined || (lines.length === 0 && length < size)) return false;
    const event = JSON.parse(last) as { type?: unknown; abandoned?: unknown };
    return event.type === "run-finished" || (event.type === "run-aborted" && event.abandoned === true);
  } catch {
    // unreadable or not JSON: not known to be closed
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return false;
}

/** Replace the run's checklist copy (after a resume with a changed checklist). */
export function saveChecklistCopy(dir: string, source: string): void {
  replaceStateFile(join(dir, CHECKLIST_COPY), source, "checklist copy");
}

/** The checklist source a run last ran with, or undefined when the copy is missing. A link is refused. */
export function readChecklistCopy(dir: string): { file: string; source: string } | undefined {
  const file = join(dir, CHECKLIST_COPY);
  const source = readStateFile(file, "checklist copy");
  return source === undefined ? undefined : { file, source };
}

/** Whether a live process holds this run (its lock names the run and its holder is not stale). */
export function runHolder(stateDir: string, checklist: string, runId: string): LockInfo | undefined {
  try {
    const info = readLock(lockPath(stateDir, checklist));
    if (!info || info.runId !== runId) return undefined;
    if (staleReason(info, hostname()) !== undefined) return undefined;
    return info;
  } catch {
    // an unreadable lock names no holder
  }
  return undefined;
}

export { FILE_MODE };
