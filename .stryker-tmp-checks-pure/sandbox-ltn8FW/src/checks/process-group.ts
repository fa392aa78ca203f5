// @ts-nocheck
// A step's processes: its process group (identified across restarts by leader start time and boot id,
// so a reused pid is never mistaken for it), the processes that left the group (setsid, daemons) but
// carry the step's marker variable, and stopping them all (SIGTERM, then SIGKILL after a grace period).
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";

/** The environment variable every process of a step inherits; its value names one attempt of one step. */
export const STEP_MARKER_VAR = "DEPLOYCHECK_STEP_TOKEN";

/** Who a step's process group is, as journaled: enough to find it again and to tell it from a reused pid. */
export interface GroupIdentity {
  pgid: number;
  host: string;
  /** The group leader's start time (clock ticks since boot, /proc/<pid>/stat field 22), Linux only. */
  startTime?: string;
  /** /proc/sys/kernel/random/boot_id: start times only compare within one boot. */
  bootId?: string;
  /** The value of STEP_MARKER_VAR in the step's environment. */
  marker?: string;
}

export interface ProcessInfo {
  pid: number;
  command: string;
}

/** A fresh marker value for one attempt of one step. */
export function newMarker(): string {
  return randomBytes(9).toString("base64url");
}

export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")". */
function statFields(pid: number | string): { comm: string; fields: string[] } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(")");
  return {
    comm: stat.slice(stat.indexOf("(") + 1, close),
    fields: stat.slice(close + 2).split(" "),
  };
}

const living = (state: string | undefined) => state !== undefined && state !== "Z" && state !== "X";

function procPids(): string[] | undefined {
  try {
    return readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
}

/**
 * Whether a process of the group is still running. kill(-pgid, 0) also succeeds for zombies that
 * wait for a slow init to reap them, so on Linux /proc tells the living from the dead.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== "linux") return true;
  const pids = procPids();
  if (!pids) return true;
  for (const pid of pids) {
    const s = statFields(pid);
    if (s && Number(s.fields[2]) === pgid && living(s.fields[0])) return true;
  }
  return false;
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The identity to journal for a group whose leader is `pid` (call right after spawning it). */
export function groupIdentity(pid: number, marker?: string): GroupIdentity {
  const startTime = statFields(pid)?.fields[19];
  const boot = bootId();
  return {
    pgid: pid,
    host: hostname(),
    ...(startTime ? { startTime } : {}),
    ...(boot ? { bootId: boot } : {}),
    ...(marker ? { marker } : {}),
  };
}

/**
 * Whether the journaled group (or a process carrying its marker) still runs on this machine. A group
 * whose leader's pid now belongs to a process started at another time is gone (the pid was reused);
 * a group of another host or an earlier boot cannot be checked from here and counts as gone.
 */
export function identityAlive(id: GroupIdentity): boolean {
  if (id.host !== hostname()) return false;
  const boot = bootId();
  if (id.bootId && boot && id.bootId !== boot) return false;
  if (id.marker && markedProcesses(id.marker).length > 0) return true;
  if (!groupAlive(id.pgid)) return false;
  const leader = statFields(id.pgid);
  // A leader with another start time is a new process that reused the pid (a pid is not reused while
  // its group has members, so the old group is gone).
  if (leader && id.startTime && leader.fields[19] !== id.startTime && living(leader.fields[0])) return false;
  return true;
}

/** Living processes whose environment carries STEP_MARKER_VAR=marker (Linux; other users' are unreadable). */
export function markedProcesses(marker: string): ProcessInfo[] {
  const pids = procPids();
  if (!pids) return [];
  const needle = Buffer.from(`${STEP_MARKER_VAR}=${marker}\0`);
  const found: ProcessInfo[] = [];
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    const at = environ.indexOf(needle);
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) continue;
    const s = statFields(pid);
    if (s && living(s.fields[0])) found.push({ pid: Number(pid), command: commandOf(Number(pid), s.comm) });
  }
  return found;
}

function commandOf(pid: number, comm: string): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return (cmdline || comm).slice(0, 200);
  } catch {
    return comm;
  }
}

function pidAlive(pid: number): boolean {
  if (!signalPid(pid, 0)) return false;
  if (process.platform !== "linux") return true;
  return living(statFields(pid)?.fields[0]);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM the group, SIGKILL what is left after the grace period; resolves when the group is gone. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await pause(25);
    if (!groupAlive(pgid)) return;
  }
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await pause(25);
}

/**
 * SIGTERM each process, SIGKILL the ones left after the grace period. Returns the processes still
 * running after that (another user's, or stuck in the kernel): the record names them.
 */
export async function stopProcesses(procs: readonly ProcessInfo[], graceMs: number): Promise<ProcessInfo[]> {
  const targets = procs.filter((p) => signalPid(p.pid, "SIGTERM"));
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && targets.some((p) => pidAlive(p.pid))) await pause(25);
  for (const p of targets) if (pidAlive(p.pid)) signalPid(p.pid, "SIGKILL");
  for (let i = 0; i < 40 && targets.some((p) => pidAlive(p.pid)); i++) await pause(25);
  // A process we could not even signal (EPERM) is still running too.
  return procs.filter((p) => pidAlive(p.pid));
}

/** Stop a journaled group and its marked processes (resume of a run whose step was left running). */
export async function stopIdentity(id: GroupIdentity, graceMs: number): Promise<ProcessInfo[]> {
  const { marker, ...group } = id;
  if (identityAlive(group)) await stopGroup(id.pgid, graceMs);
  return marker ? stopProcesses(markedProcesses(marker), graceMs) : [];
}

/** The living processes of a group (Linux; elsewhere none can be listed). */
export function groupMembers(pgid: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of procPids() ?? []) {
    const s = statFields(pid);
    if (s && Number(s.fields[2]) === pgid && living(s.fields[0]))
      found.push({ pid: Number(pid), command: commandOf(Number(pid), s.comm) });
  }
  return found;
}
