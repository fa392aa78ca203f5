// The state of a run as a pure fold of its journal events: no clock, no I/O.
import type {
  ChecklistRef,
  RunEnvironment,
  RunEvent,
  RunStartedEvent,
  SignoffEvent,
  StepKey,
  StepOutcome,
  StepProcessEvent,
} from "./events.js";

/** The last process group journaled for a step (or a watch's nested step, `key#n`). */
export type StepProcess = Omit<StepProcessEvent, "v" | "type">;

export type StepFinalStatus = "passed" | "failed" | "overridden" | "skipped" | "not-applicable" | "described";
export type StepStateStatus = StepFinalStatus | "pending" | "running" | "interrupted";

export interface Decision {
  by: string;
  reason: string;
  at: string;
}

export interface StepState {
  key: StepKey;
  status: StepStateStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** The last attempt's outcome. */
  outcome?: StepOutcome;
  override?: Decision;
  skip?: Decision;
  /** Watch progress recorded so far; `firstRoundAt`: when round 1 started (the observed window's start). */
  watch?: { rounds: number; elapsedMs: number; firstRoundAt?: string };
  /** The session (1-based index into RunState.sessions) that gave the step its last result. */
  session?: number;
}

/** One session of a run (its start, or a resume): who, and with which variables and mode. */
export interface SessionState {
  n: number;
  kind: "start" | "resume";
  at: string;
  /** Journal form: secret values are [REDACTED]. Absent for a resume journaled before 0.x (unknown). */
  vars?: Record<string, string>;
  secretVars?: string[];
  engineer?: string;
  user?: string;
  host?: string;
  dryRun: boolean;
  /** Variables whose value differs from the previous session's. */
  changedVars: string[];
}

export interface RunState {
  runId: string;
  checklist: ChecklistRef;
  vars: Record<string, string>;
  secretVars: string[];
  environment: RunEnvironment;
  options: RunStartedEvent["options"];
  startedAt: string;
  updatedAt: string;
  stepHashes: Record<StepKey, string>;
  /** Variables saved by steps (saveAs), latest value wins. */
  saved: Record<string, string>;
  steps: Record<StepKey, StepState>;
  notifications: { on: string; ok: boolean; at: string; error?: string }[];
  lockTakeovers: { pid: number; host: string; at: string; why?: string }[];
  resumes: {
    at: string;
    changedSteps: StepKey[];
    by?: { user: string; host: string; engineer?: string };
    /** Variables changed on this resume, and the steps whose definition or resolved definition changed. */
    changedVars?: string[];
    editedSteps?: StepKey[];
    varChangedSteps?: StepKey[];
  }[];
  /** Every session, the start first: `vars`/`secretVars` above are the latest session's. */
  sessions: SessionState[];
  signoff?: Omit<SignoffEvent, "v" | "type">;
  aborted?: { at: string; reason: string; abandoned: boolean };
  finished?: { at: string; exitCode: number };
  /** Process groups of step commands, latest per step: resume checks none of them is still running. */
  processes?: Record<StepKey, StepProcess>;
}

export const FINAL_STATUSES: ReadonlySet<StepStateStatus> = new Set([
  "passed",
  "failed",
  "overridden",
  "skipped",
  "not-applicable",
  "described",
]);

/** A step has a final result when nothing more needs doing for it. "failed" is final only once decided. */
export function isFinal(s: StepState | undefined): boolean {
  return s !== undefined && FINAL_STATUSES.has(s.status);
}

/**
 * A dictionary keyed by journal data (step keys, variable names): no prototype, so a key such as
 * "__proto__" or "constructor" is an ordinary entry and can never reach Object.prototype.
 */
export function dict<T>(from?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) out[k] = from[k] as T;
  return out;
}

function step(state: RunState, key: StepKey): StepState {
  const existing = Object.hasOwn(state.steps, key) ? state.steps[key] : undefined;
  if (existing) return existing;
  const created: StepState = { key, status: "pending", attempts: 0 };
  state.steps[key] = created;
  return created;
}

/**
 * Apply one event to a state the caller owns (the runner keeps its state current this way instead of
 * re-folding the whole journal after every step). `fold` is the pure entry point.
 */
export function applyEvent(state: RunState, e: RunEvent): void {
  apply(state, structuredClone(e));
}

/** applyEvent for an event the caller hands over (a fresh copy nobody else holds): no clone needed. */
export function applyOwnedEvent(state: RunState, e: RunEvent): void {
  apply(state, e);
}

function apply(state: RunState, e: RunEvent): void {
  state.updatedAt = e.at;
  switch (e.type) {
    case "run-started":
      break; // handled by fold's initial state
    case "run-resumed": {
      state.stepHashes = dict(e.stepHashes);
      state.checklist = { ...state.checklist, sha256: e.checklistSha256 };
      for (const key of e.changedSteps) delete state.steps[key];
      // Guards are checked again in every session: the cluster or context may have changed.
      for (const key of Object.keys(state.steps)) if (key.startsWith("guard/")) delete state.steps[key];
      state.resumes.push({
        at: e.at,
        changedSteps: e.changedSteps,
        ...(e.by ? { by: e.by } : {}),
        ...(e.changedVars ? { changedVars: e.changedVars } : {}),
        ...(e.editedSteps ? { editedSteps: e.editedSteps } : {}),
        ...(e.varChangedSteps ? { varChangedSteps: e.varChangedSteps } : {}),
      });
      if (e.vars) {
        state.vars = dict(e.vars);
        state.secretVars = [...(e.secretVars ?? [])];
      }
      state.sessions.push({
        n: state.sessions.length + 1,
        kind: "resume",
        at: e.at,
        ...(e.vars ? { vars: dict(e.vars), secretVars: [...(e.secretVars ?? [])] } : {}),
        ...(e.by?.engineer ? { engineer: e.by.engineer } : {}),
        ...(e.by ? { user: e.by.user, host: e.by.host } : {}),
        dryRun: state.options.dryRun,
        changedVars: [...(e.changedVars ?? [])],
      });
      delete state.aborted;
      break;
    }
    case "lock-taken-over":
      state.lockTakeovers.push({
        pid: e.previous.pid,
        host: e.previous.host,
        at: e.at,
        ...(e.previous.why === undefined ? {} : { why: e.previous.why }),
      });
      break;
    case "step-started": {
      const s = step(state, e.key);
      s.status = "running";
      s.attempts = e.attempt;
      s.startedAt = e.at;
      s.session = state.sessions.length;
      delete s.override;
      delete s.skip;
      break;
    }
    case "step-finished": {
      const s = step(state, e.key);
      s.status = e.outcome.status;
      s.attempts = Math.max(s.attempts, e.attempt);
      s.finishedAt = e.at;
      s.durationMs = e.durationMs;
      s.outcome = e.outcome;
      s.session = state.sessions.length;
      if (e.outcome.saved) for (const [k, v] of Object.entries(e.outcome.saved)) state.saved[k] = v;
      break;
    }
    case "step-interrupted": {
      const s = step(state, e.key);
      s.status = "interrupted";
      s.durationMs = e.durationMs;
      break;
    }
    case "step-overridden": {
      const s = step(state, e.key);
      s.status = "overridden";
      s.override = { by: e.by, reason: e.reason, at: e.at };
      s.finishedAt = e.at;
      s.session = state.sessions.length;
      break;
    }
    case "step-skipped": {
      const s = step(state, e.key);
      s.status = "skipped";
      s.skip = { by: e.by, reason: e.reason, at: e.at };
      s.finishedAt = e.at;
      s.session = state.sessions.length;
      break;
    }
    case "step-process": {
      const { v: _v, type: _t, ...rest } = e;
      state.processes ??= dict<StepProcess>();
      state.processes[e.key] = rest;
      break;
    }
    case "watch-round": {
      const s = step(state, e.key);
      // A failed round is not done: a retry or resume checks it again, on the same timeline.
      const firstRoundAt = e.round === 1 ? e.roundStartedAt : s.watch?.firstRoundAt;
      s.watch = {
        rounds: e.ok ? e.round : e.round - 1,
        elapsedMs: e.elapsedMs,
        ...(firstRoundAt === undefined ? {} : { firstRoundAt }),
      };
      break;
    }
    case "notification":
      state.notifications.push({
        on: e.on,
        ok: e.ok,
        at: e.at,
        ...(e.error === undefined ? {} : { error: e.error }),
      });
      break;
    case "signoff": {
      const { v: _v, type: _t, ...rest } = e;
      state.signoff = rest;
      break;
    }
    case "run-aborted":
      state.aborted = { at: e.at, reason: e.reason, abandoned: e.abandoned };
      break;
    case "run-finished":
      state.finished = { at: e.at, exitCode: e.exitCode };
      break;
  }
}

/** The state of a run from its events. The first event must be run-started. */
export function fold(events: readonly RunEvent[]): RunState {
  const first = events[0];
  if (first?.type !== "run-started") {
    throw new Error("a journal starts with a run-started event");
  }
  const state: RunState = {
    runId: first.runId,
    checklist: { ...first.checklist },
    vars: dict(first.vars),
    secretVars: [...first.secretVars],
    environment: { ...first.environment },
    options: { ...first.options },
    startedAt: first.at,
    updatedAt: first.at,
    stepHashes: dict(first.stepHashes),
    saved: dict<string>(),
    steps: dict<StepState>(),
    notifications: [],
    lockTakeovers: [],
    resumes: [],
    sessions: [
      {
        n: 1,
        kind: "start",
        at: first.at,
        vars: dict(first.vars),
        secretVars: [...first.secretVars],
        ...(first.environment.engineer ? { engineer: first.environment.engineer } : {}),
        user: first.environment.user,
        host: first.environment.host,
        dryRun: first.options.dryRun,
        changedVars: [],
      },
    ],
  };
  // Events are plain JSON: clone outcomes so the returned state never aliases the input.
  // Stryker disable next-line MethodExpression: applying run-started again only sets updatedAt to its own time
  for (const e of events.slice(1)) apply(state, structuredClone(e));
  return state;
}

/** A run is unfinished while it has neither finished nor been abandoned. */
export function isUnfinished(state: RunState): boolean {
  return state.finished === undefined && !state.aborted?.abandoned;
}
