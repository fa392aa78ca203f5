// What `status` and `runs` say about a run: its state in words, its items with who and when. Pure
// except `describeStoredRun`, which reads the run's checklist copy and lock.

import { parseChecklist } from "../checklist/parse.js";
import type { Checklist } from "../checklist/schema.js";
import type { RunEvent } from "../engine/events.js";
import type { RunState } from "../engine/state.js";
import { summarize } from "../record/summary.js";
import type { LockInfo } from "../store/lock.js";
import { readChecklistCopy, runHolder, type StoredRun } from "../store/runs.js";

export type RunPhase = "running" | "stopped" | "interrupted" | "signed off" | "finished" | "abandoned";

export function runPhase(state: RunState, holder: LockInfo | undefined): RunPhase {
  if (state.finished) return "finished";
  if (state.aborted?.abandoned) return "abandoned";
  if (holder) return "running";
  if (state.signoff) return "signed off";
  if (state.aborted) return "stopped";
  // Not held by any process, not finished, not stopped: whatever ended it (Ctrl-C, kill -9, a crash)
  // interrupted it, between steps or within one; `deploycheck resume` continues it.
  return "interrupted";
}

export interface ItemInfo {
  number: number;
  id: string;
  title: string;
  section: string;
  status: string;
  required: boolean;
  /** When its last step finished. */
  at?: string;
  /** Who ran it (user@host of that session), or who overrode/skipped its last step. */
  by?: string;
  /** Who overrode or skipped a step, with why. */
  decisions: string[];
}

export interface RunInfo {
  id: string;
  checklist: string;
  title: string;
  path: string;
  phase: RunPhase;
  /** "finished ready", "finished not ready (exit 1)", "stopped: required step x failed"... */
  detail?: string;
  startedAt: string;
  updatedAt: string;
  startedBy: string;
  host: string;
  engineer?: string;
  ready?: boolean;
  exitCode?: number;
  heldBy?: { pid: number; host: string; since: string };
  /** Each resume; `refused` when a guard refused it before anything ran (an attempt, not a resume). */
  resumes: {
    at: string;
    by?: string;
    changedSteps: string[];
    changedVariables?: string[];
    refused?: string;
  }[];
  counts?: { total: number; done: number; failed: number; pending: number };
  items?: ItemInfo[];
}

/** Who was at the keyboard when each step got its result: the session's user, or who overrode or skipped it. */
export function stepActors(events: readonly RunEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  let current = "";
  for (const e of events) {
    // The session's engineer (settled once at its start); journals before 0.x only have user@host.
    if (e.type === "run-started")
      current = e.environment.engineer ?? `${e.environment.user}@${e.environment.host}`;
    else if (e.type === "run-resumed" && e.by) current = e.by.engineer ?? `${e.by.user}@${e.by.host}`;
    else if (e.type === "step-finished") out[e.key] = current;
    else if (e.type === "step-overridden" || e.type === "step-skipped") out[e.key] = e.by;
  }
  return out;
}

export function itemInfos(
  state: RunState,
  checklist: Checklist,
  events: readonly RunEvent[] = [],
): ItemInfo[] {
  const sum = summarize(state, checklist);
  const actors = stepActors(events);
  return sum.items.map((i) => {
    const steps = Object.values(state.steps).filter((s) => s.key.startsWith(`${i.id}/`));
    const last = steps
      .filter((s) => s.finishedAt)
      .sort((a, b) => (a.finishedAt! < b.finishedAt! ? -1 : 1))
      .at(-1);
    const at = last?.finishedAt;
    const by = last ? actors[last.key] : undefined;
    const decisions = steps.flatMap((s) => [
      ...(s.override ? [`${s.key} overridden by ${s.override.by}: ${s.override.reason}`] : []),
      ...(s.skip ? [`${s.key} skipped by ${s.skip.by}: ${s.skip.reason}`] : []),
    ]);
    return {
      number: i.number,
      id: i.id,
      title: i.title,
      section: i.section,
      status: i.status,
      required: i.required,
      ...(at ? { at } : {}),
      ...(by ? { by } : {}),
      decisions,
    };
  });
}

export function describeRun(
  run: StoredRun,
  holder: LockInfo | undefined,
  checklist: Checklist | undefined,
): RunInfo {
  const { state } = run;
  const phase = runPhase(state, holder);
  const info: RunInfo = {
    id: run.id,
    checklist: state.checklist.name,
    title: state.checklist.title,
    path: state.checklist.path,
    phase,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    // The engineer of the first session (journals before 0.x only have the OS user).
    startedBy: state.environment.engineer ?? state.environment.user,
    host: state.environment.host,
    ...(state.signoff ? { engineer: state.signoff.engineer, ready: state.signoff.ready } : {}),
    ...(state.finished ? { exitCode: state.finished.exitCode } : {}),
    ...(holder ? { heldBy: { pid: holder.pid, host: holder.host, since: holder.startedAt } } : {}),
    resumes: state.resumes.map((r, i) => {
      const refused = refusedResumes(run.events)[i];
      return {
        at: r.at,
        ...(r.by
          ? {
              by: r.by.engineer
                ? `${r.by.engineer} (${r.by.user}@${r.by.host})`
                : `${r.by.user}@${r.by.host}`,
            }
          : {}),
        changedSteps: r.changedSteps,
        ...(r.changedVars?.length ? { changedVariables: r.changedVars } : {}),
        ...(refused ? { refused } : {}),
      };
    }),
  };
  if (state.finished)
    info.detail =
      state.signoff?.ready && state.finished.exitCode === 0
        ? "ready"
        : `not ready (exit ${state.finished.exitCode})`;
  else if (state.aborted) info.detail = state.aborted.reason;
  if (checklist) {
    const items = itemInfos(state, checklist, run.events);
    info.items = items;
    info.counts = {
      total: items.length,
      done: items.filter((i) => i.status !== "pending" && i.status !== "failed").length,
      failed: items.filter((i) => i.status === "failed").length,
      pending: items.filter((i) => i.status === "pending").length,
    };
  }
  return info;
}

/** RunInfo for a stored run, reading its checklist copy (for items) and its lock (running or not). */
export function describeStoredRun(stateDir: string, run: StoredRun, withItems: boolean): RunInfo {
  const holder = runHolder(stateDir, run.state.checklist.name, run.id);
  let checklist: Checklist | undefined;
  if (withItems) {
    const copy = readChecklistCopy(run.dir);
    if (copy) {
      try {
        checklist = parseChecklist(copy.source, copy.file).checklist;
      } catch {
        checklist = undefined;
      }
    }
  }
  return describeRun(run, holder, checklist);
}

/** For each run-resumed event in order: the guard refusal that ended it before any step ran, if any. */
export function refusedResumes(events: readonly RunEvent[]): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let open = -1;
  for (const e of events) {
    if (e.type === "run-resumed") {
      out.push(undefined);
      open = out.length - 1;
    } else if (e.type === "step-started" || e.type === "step-finished") {
      open = -1;
    } else if (e.type === "run-aborted" && open >= 0 && e.reason.startsWith("guard ")) {
      out[open] = e.reason;
      open = -1;
    }
  }
  return out;
}
