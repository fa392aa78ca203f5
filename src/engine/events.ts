// The run journal's events: a versioned discriminated union. One JSON object per journal line.
// Every event carries `v` (format version), `type` and `at` (ISO time, from the injected clock).

export const EVENT_VERSION = 1;

/** A step is addressed by `<item-id>/<step-id>` (item ids are unique in a checklist). Guards: `guard/<n>`. */
export type StepKey = string;

/** "described": a dry run only described the step (it did not run); never counted as passed. */
export type StepStatus = "passed" | "failed" | "not-applicable" | "described";

/** What an executor returns for one attempt of one step. */
export interface StepOutcome {
  status: StepStatus;
  /** One line for the terminal and the record: "exit 0", "200 OK in 41ms", "3/3 pods ready". */
  summary: string;
  /** Kind-specific facts kept in the record (revision before/after, latencies, images...). */
  details?: Record<string, unknown>;
  /** Tail of the captured output, already redacted. */
  output?: string;
  /** Variables this step saved (saveAs); values of secret inputs are redacted in the journal. */
  saved?: Record<string, string>;
  /** True when the executor only described what it would do (--dry-run on a mutating step). */
  dryRun?: boolean;
  /** Why the step failed, for the failure menu and the record. */
  error?: string;
  /** Person's answer for manual steps (confirm: "yes"/"no", input: value, note for requireNote). */
  answer?: string;
  note?: string;
}

export interface ChecklistRef {
  name: string;
  title: string;
  ref?: string;
  path: string;
  sha256: string;
}

export interface RunEnvironment {
  host: string;
  user: string;
  toolVersion: string;
  node: string;
  platform: string;
  cwd: string;
  gitSha?: string;
  kubeContext?: string;
  /** Who ran the session (git user.name, else $USER): with team state, one run has several. */
  engineer?: string;
}

interface Base {
  v: typeof EVENT_VERSION;
  at: string;
  /**
   * sha256 (hex) of the previous journal line, 64 zeros on the first: set by the journal when it writes
   * the line (the hash chain), never by the code that builds the event.
   */
  prev?: string;
}

export interface RunStartedEvent extends Base {
  type: "run-started";
  runId: string;
  checklist: ChecklistRef;
  /** Resolved variables with secrets already replaced by [REDACTED]. */
  vars: Record<string, string>;
  /** Names of secret variables (their values are never journaled). */
  secretVars: string[];
  environment: RunEnvironment;
  options: { dryRun: boolean; interactive: boolean; keepGoing: boolean };
  /** sha256 of each step's definition, keyed by StepKey: resume re-runs the steps whose hash changed. */
  stepHashes: Record<StepKey, string>;
}

export interface RunResumedEvent extends Base {
  type: "run-resumed";
  checklistSha256: string;
  /**
   * Steps whose earlier results are discarded and that run again: their definition changed in the
   * checklist (`editedSteps`), a variable they use changed (`varChangedSteps`), or a secret value they
   * saved is needed again (the rest).
   */
  changedSteps: StepKey[];
  stepHashes: Record<StepKey, string>;
  /** Who resumed, where (a run may be resumed by another engineer or on another machine). */
  by?: { user: string; host: string; engineer?: string };
  /** This session's resolved variables, secrets as [REDACTED] (absent in journals before 0.x). */
  vars?: Record<string, string>;
  secretVars?: string[];
  /** Names of the variables whose value differs from the previous session's (accepted explicitly). */
  changedVars?: string[];
  /** Of `changedSteps`: those whose checklist definition changed. */
  editedSteps?: StepKey[];
  /** Of `changedSteps`: those whose resolved definition changed with `changedVars`. */
  varChangedSteps?: StepKey[];
  /** This session's options (dryRun is the run's: a resume keeps it). */
  options?: { dryRun: boolean; interactive: boolean; keepGoing: boolean };
}

export interface LockTakenOverEvent extends Base {
  type: "lock-taken-over";
  previous: { pid: number; host: string; startedAt?: string; runId?: string; why?: string };
}

export interface StepStartedEvent extends Base {
  type: "step-started";
  key: StepKey;
  attempt: number;
}

export interface StepFinishedEvent extends Base {
  type: "step-finished";
  key: StepKey;
  attempt: number;
  durationMs: number;
  outcome: StepOutcome;
}

export interface StepInterruptedEvent extends Base {
  type: "step-interrupted";
  key: StepKey;
  attempt: number;
  durationMs: number;
}

export interface StepOverriddenEvent extends Base {
  type: "step-overridden";
  key: StepKey;
  by: string;
  reason: string;
}

export interface StepSkippedEvent extends Base {
  type: "step-skipped";
  key: StepKey;
  by: string;
  reason: string;
}

/**
 * The process group a step's command runs in, journaled (fsynced) before the command starts. A resume
 * that finds it still alive (same host, boot and leader start time) stops it or waits for it, so two
 * copies of a step never run at once. Additive: older journals simply lack it.
 */
export interface StepProcessEvent extends Base {
  type: "step-process";
  key: StepKey;
  attempt: number;
  pgid: number;
  host: string;
  /** Leader start time in clock ticks since boot (/proc/<pid>/stat field 22), to tell a reused pid. */
  startTime?: string;
  bootId?: string;
  /** Value of DEPLOYCHECK_STEP_TOKEN in the step's environment (finds processes that left the group). */
  marker?: string;
}

/** One round of a watch step finished (resume continues with `elapsedMs` already spent). */
export interface WatchRoundEvent extends Base {
  type: "watch-round";
  key: StepKey;
  round: number;
  elapsedMs: number;
  ok: boolean;
  failed?: string;
  /** When the round started (absent in journals written before 0.x: the window is then unknown). */
  roundStartedAt?: string;
}

export interface NotificationEvent extends Base {
  type: "notification";
  on: "start" | "finish" | "failure";
  ok: boolean;
  status?: number;
  error?: string;
}

export interface SignoffEvent extends Base {
  type: "signoff";
  engineer: string;
  ready: boolean;
  notes: string;
  blockers: string;
}

export interface RunAbortedEvent extends Base {
  type: "run-aborted";
  reason: string;
  /** Abort keeps state: the run can still be resumed. "abandoned" ends it for good. */
  abandoned: boolean;
}

export interface RunFinishedEvent extends Base {
  type: "run-finished";
  exitCode: number;
}

export type RunEvent =
  | RunStartedEvent
  | RunResumedEvent
  | LockTakenOverEvent
  | StepStartedEvent
  | StepFinishedEvent
  | StepProcessEvent
  | StepInterruptedEvent
  | StepOverriddenEvent
  | StepSkippedEvent
  | WatchRoundEvent
  | NotificationEvent
  | SignoffEvent
  | RunAbortedEvent
  | RunFinishedEvent;

export type RunEventType = RunEvent["type"];

/** Build an event without repeating `v`. */
export function event<E extends RunEvent>(e: Omit<E, "v">): E {
  return { v: EVENT_VERSION, ...e } as E;
}
