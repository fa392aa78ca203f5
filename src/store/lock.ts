// One run of a checklist at a time in a state dir: a lock file per checklist holding pid, the pid's
// process start time, host, start time and run id, created atomically (written aside, then hard-linked
// into place: the link fails if a lock exists, and a lock is never seen half-written).
//
// A holder on this host is stale when its pid is not a process id at all (0, -1, 1.5), is not running,
// is a zombie, or is now another process (its start time, field 22 of /proc/<pid>/stat, differs from the
// one recorded: the pid was reused). A stale lock is taken over race-free: every process that saw the
// same stale lock competes for one marker file named after that lock's exact content (created with a
// hard link, so exactly one gets it); only the marker's holder, after checking the lock is still the
// stale one, replaces it with its own in one rename.
import { createHash } from "node:crypto";
import { closeSync, linkSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { StateError } from "../errors.js";
import { ensureStateDir, openStateFile, readStateFile } from "./safe-fs.js";

export interface LockInfo {
  pid: number;
  /** The pid's start time (clock ticks after boot, /proc/<pid>/stat field 22) where the OS says it. */
  pidStart?: string;
  /** The boot the pid belongs to (/proc/sys/kernel/random/boot_id) where the OS says it. */
  boot?: string;
  host: string;
  startedAt: string;
  runId: string;
  checklist: string;
}

export interface TakenOverLock extends LockInfo {
  /** Why the lock was stale, in words ("pid 4242 is not running"). */
  why: string;
}

export interface HeldLock {
  info: LockInfo;
  /** The previous holder when a stale lock was taken over (journal it as lock-taken-over). */
  takenOver?: TakenOverLock;
  /** Point the lock at another run id (after the run's id is known or changed). */
  update(runId: string): void;
  release(): void;
}

/** What the OS says about a pid on this host. */
export interface ProcessProbe {
  alive: boolean;
  zombie?: boolean;
  /** Start time, comparable with LockInfo.pidStart; undefined where the OS does not say. */
  start?: string;
  boot?: string;
}

export interface LockOptions {
  pid?: number;
  pidStart?: string;
  host?: string;
  now?: () => Date;
  /** Is this pid alive on this host? (Injected for tests; `probe` wins when both are given.) */
  isAlive?: (pid: number) => boolean;
  probe?: (pid: number) => ProcessProbe;
}

export function lockPath(stateDir: string, checklist: string): string {
  return join(stateDir, "locks", `${checklist}.lock`);
}

export function pidAlive(pid: number): boolean {
  if (!validPid(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A pid a process can have: a positive integer in the kernel's range (not 0, -1, 1.5, "7"). */
export function validPid(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 && pid <= 4194304;
}

/** This boot's id, read each time (a small file; a cache would only save a read per probe). */
function currentBoot(): string | undefined {
  let text = "";
  try {
    text = readFileSync("/proc/sys/kernel/random/boot_id", "utf8");
  } catch {
    // no /proc (macOS): the OS does not say
  }
  return text.trim() || undefined;
}

/** /proc/<pid>/stat: state (field 3) and start time (field 22); undefined without /proc or for no such pid. */
export function procStat(pid: number | "self"): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain ") ": split after the last one.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = rest[0];
  const start = rest[19]; // field 22 is the 20th after the name
  return state && start && /^\d+$/.test(start) ? { state, start } : undefined;
}

/** The real probe: kill(pid, 0), then /proc where it exists. */
export function probeProcess(pid: number): ProcessProbe {
  if (!pidAlive(pid)) return { alive: false };
  const stat = procStat(pid);
  const boot = currentBoot();
  if (!stat) return { alive: true, ...(boot ? { boot } : {}) };
  return { alive: true, zombie: stat.state === "Z", start: stat.start, ...(boot ? { boot } : {}) };
}

/**
 * Why a lock's holder is gone (undefined: it may still be running, or it is on another host, where this
 * process cannot tell).
 */
export function staleReason(
  holder: LockInfo,
  host: string,
  probe: (pid: number) => ProcessProbe = probeProcess,
): string | undefined {
  if (holder.host !== host) return undefined;
  if (!validPid(holder.pid)) return `pid ${JSON.stringify(holder.pid)} is not a process id`;
  const p = probe(holder.pid);
  if (!p.alive) return `pid ${holder.pid} is not running`;
  if (holder.boot && p.boot && holder.boot !== p.boot)
    return `the machine restarted since pid ${holder.pid} took the lock`;
  if (p.zombie) return `pid ${holder.pid} has exited (a zombie)`;
  if (holder.pidStart && p.start && holder.pidStart !== p.start)
    return `pid ${holder.pid} is now another process (the pid was reused: it started at tick ${p.start}, the lock's holder at tick ${holder.pidStart})`;
  return undefined;
}

function parseLock(text: string, file: string): LockInfo {
  let info: Partial<LockInfo> | null = null;
  try {
    info = JSON.parse(text);
  } catch {
    // not JSON: refused below
  }
  // null, numbers, strings and arrays have no string `host`.
  if (typeof info?.host === "string" && "pid" in info) return info as LockInfo;
  throw new StateError(`the lock file ${file} is not readable as a deploycheck lock`, {
    hint: "If no deploycheck run is active, delete that file and try again.",
  });
}

function readLockText(file: string): string | undefined {
  return readStateFile(file, "lock file");
}

export function readLock(file: string): LockInfo | undefined {
  const text = readLockText(file);
  return text === undefined ? undefined : parseLock(text, file);
}

function writeAside(file: string, info: LockInfo): string {
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  const fd = openStateFile(tmp, "create", "lock file");
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Try to place the file; false when one exists. */
function place(file: string, info: LockInfo): boolean {
  const tmp = writeAside(file, info);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StateError(`cannot create the lock ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    unlinkSync(tmp);
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function heldMessage(holder: LockInfo, checklist: string): string {
  return `run ${holder.runId} of ${checklist} is held by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}`;
}

/** How long a process waits for another one that is taking over the same stale lock. */
const TAKEOVER_WAIT_MS = 5000;

/** Block this thread for `ms` (lock acquisition is synchronous; it waits only while another takes over). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Take the checklist's lock, or throw a StateError saying who holds it. */
export function acquireLock(
  stateDir: string,
  checklist: string,
  runId: string,
  options: LockOptions = {},
): HeldLock {
  const file = lockPath(stateDir, checklist);
  ensureStateDir(join(stateDir, "locks"), "locks directory");
  const host = options.host ?? hostname();
  const isAlive = options.isAlive;
  const probe =
    options.probe ?? (isAlive ? (pid: number) => ({ alive: validPid(pid) && isAlive(pid) }) : probeProcess);
  const pid = options.pid ?? process.pid;
  const pidStart = options.pidStart ?? (options.pid === undefined ? procStat("self")?.start : undefined);
  const boot = options.pid === undefined ? currentBoot() : undefined;
  const info: LockInfo = {
    pid,
    ...(pidStart ? { pidStart } : {}),
    ...(boot ? { boot } : {}),
    host,
    startedAt: (options.now?.() ?? new Date()).toISOString(),
    runId,
    checklist,
  };
  // Bounded by tries and by time: a taker holding the marker may be descheduled for a while on a loaded
  // machine, and the others must wait for its verdict, not give up naming the stale holder.
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (let tries = 0; tries < 8 || Date.now() < deadline; tries++) {
    if (place(file, info)) return held(file, info, undefined);
    const text = readLockText(file);
    if (text === undefined) continue; // released between our link and our read: try again
    const holder = parseLock(text, file);
    const why = staleReason(holder, host, probe);
    if (why === undefined) {
      throw new StateError(heldMessage(holder, checklist), {
        hint:
          holder.host === host
            ? "Wait for that run to finish, or stop it (Ctrl-C) and resume it here."
            : `If that process is gone, delete ${file} and try again.`,
      });
    }
    // Stale. Everyone who read this exact lock competes for its marker; exactly one gets it.
    const marker = `${file}.takeover-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
    if (!place(marker, info)) {
      // Someone else is taking it over; a marker left by a taker that died is removed.
      try {
        const owner = readLock(marker);
        if (owner && staleReason(owner, host, probe) !== undefined) unlinkQuiet(marker);
      } catch {
        unlinkQuiet(marker);
      }
      sleepSync(Math.min(50, 2 ** tries));
      continue;
    }
    try {
      // Only the marker's holder replaces this lock, so it is still the stale one or already gone. The
      // rename replaces it in one step: nobody ever sees no lock and places one of their own meanwhile.
      if (readLockText(file) !== text) continue;
      renameSync(writeAside(file, info), file);
      return held(file, info, { ...holder, why });
    } finally {
      unlinkQuiet(marker);
    }
  }
  const holder = readLock(file);
  throw new StateError(holder ? heldMessage(holder, checklist) : `could not take the lock ${file}`, {
    hint: "Another deploycheck run of this checklist is starting at the same time.",
  });
}

function held(file: string, info: LockInfo, takenOver: TakenOverLock | undefined): HeldLock {
  let current = info;
  return {
    info,
    ...(takenOver ? { takenOver } : {}),
    update(runId: string) {
      current = { ...current, runId };
      const tmp = writeAside(file, current);
      renameSync(tmp, file);
    },
    release() {
      try {
        const now = readLock(file);
        if (now && now.pid === current.pid && now.startedAt === current.startedAt) unlinkSync(file);
      } catch {
        // a lock we can no longer read is not ours to remove
      }
    },
  };
}
