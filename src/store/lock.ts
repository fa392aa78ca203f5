// One run of a checklist at a time in a state dir: a lock file per checklist holding pid, host, start
// time and run id, created atomically (written aside, then hard-linked into place: the link fails if
// a lock exists, and a lock is never seen half-written). A dead holder on this host is taken over.
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { StateError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  runId: string;
  checklist: string;
}

export interface HeldLock {
  info: LockInfo;
  /** The previous holder when a stale lock was taken over (journal it as lock-taken-over). */
  takenOver?: LockInfo;
  /** Point the lock at another run id (after the run's id is known or changed). */
  update(runId: string): void;
  release(): void;
}

export interface LockOptions {
  pid?: number;
  host?: string;
  now?: () => Date;
  /** Is this pid alive on this host? (Injected for tests.) */
  isAlive?: (pid: number) => boolean;
}

export function lockPath(stateDir: string, checklist: string): string {
  return join(stateDir, "locks", `${checklist}.lock`);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLock(file: string): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw explainFsError(err, { path: file, action: "read the lock" }) ?? err;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (typeof info.pid === "number" && typeof info.host === "string") return info;
  } catch {
    // fall through
  }
  throw new StateError(`the lock file ${file} is not readable as a deploycheck lock`, {
    hint: "If no deploycheck run is active, delete that file and try again.",
  });
}

function writeAside(file: string, info: LockInfo): string {
  const tmp = `${file}.${info.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o644 });
  return tmp;
}

/** Try to place the lock; false when one exists. */
function place(file: string, info: LockInfo): boolean {
  const tmp = writeAside(file, info);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function heldMessage(holder: LockInfo, checklist: string): string {
  return `run ${holder.runId} of ${checklist} is held by pid ${holder.pid} on host ${holder.host} since ${holder.startedAt}`;
}

/** Take the checklist's lock, or throw a StateError saying who holds it. */
export function acquireLock(
  stateDir: string,
  checklist: string,
  runId: string,
  options: LockOptions = {},
): HeldLock {
  const file = lockPath(stateDir, checklist);
  mkdirSync(join(stateDir, "locks"), { recursive: true });
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? pidAlive;
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    host,
    startedAt: (options.now?.() ?? new Date()).toISOString(),
    runId,
    checklist,
  };
  let takenOver: LockInfo | undefined;
  for (let tries = 0; tries < 3; tries++) {
    if (place(file, info)) return held(file, info, takenOver);
    const holder = readLock(file);
    if (!holder) continue; // released between our link and our read: try again
    if (holder.host !== host || isAlive(holder.pid)) {
      throw new StateError(heldMessage(holder, checklist), {
        hint:
          holder.host === host
            ? "Wait for that run to finish, or stop it (Ctrl-C) and resume it here."
            : `If that process is gone, delete ${file} and try again.`,
      });
    }
    // Stale: move it aside under a unique name, then check we moved the stale one and not a fresh
    // lock placed by a concurrent taker; if we did, put it back and report the new holder.
    const aside = `${file}.stale.${info.pid}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    const moved = readLock(aside);
    if (moved && (moved.pid !== holder.pid || moved.startedAt !== holder.startedAt)) {
      try {
        linkSync(aside, file);
      } catch {
        // someone else holds it now; they will be reported on the next try
      }
      unlinkSync(aside);
      continue;
    }
    unlinkSync(aside);
    takenOver = holder;
  }
  const holder = readLock(file);
  throw new StateError(holder ? heldMessage(holder, checklist) : `could not take the lock ${file}`, {
    hint: "Another deploycheck run of this checklist is starting at the same time.",
  });
}

function held(file: string, info: LockInfo, takenOver: LockInfo | undefined): HeldLock {
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
