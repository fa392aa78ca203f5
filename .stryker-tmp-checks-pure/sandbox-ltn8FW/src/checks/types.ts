// @ts-nocheck
// The contract between the runner and the step kinds: one executor per kind, dispatched in registry.ts.

import type { NestedStep, Step } from "../checklist/schema.js";
import type { VariableRule } from "../checklist/vars.js";
import type { StepKey, StepOutcome } from "../engine/events.js";
import type { Redactor } from "../redact.js";
import type { GroupIdentity } from "./process-group.js";

/** Live progress for the spinner / bar: the latest message wins. */
export interface ProgressSink {
  message(text: string): void;
  /** For long waits (watch): fraction done 0..1 and a label such as "round 3/10, 12m left". */
  fraction?(done: number, label: string): void;
}

/**
 * Questions an executor asks: confirm and input steps, prometheus inconclusive, rolloutUndo confirmation.
 * Interactive runs answer through the terminal; non-interactive runs answer from `--answers` for the
 * step being executed (a missing answer throws a UsageError; nothing is ever auto-approved).
 */
export interface ExecutorPrompter {
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
  /** A value; `pattern` (a regex source) is enforced: interactive re-asks, answers must match. */
  input(
    message: string,
    options?: {
      default?: string;
      pattern?: string;
      secret?: boolean;
      /** Returns true, or the message to show before asking again. */
      validate?: (value: string) => true | string;
    },
  ): Promise<string>;
  /** Free text such as the note of a `requireNote` confirm; `required` refuses an empty answer. */
  text(message: string, options?: { required?: boolean; default?: string }): Promise<string>;
}

/** Kubernetes access, created lazily on the first kube step (see src/kube/). */
export interface KubeSettings {
  /** Explicit --context; else the kubeconfig's current context. */
  context?: string;
  /** KUBECONFIG value to pass to child processes (kubectl in run steps), when set. */
  kubeconfig?: string;
}

/** The run a step belongs to, for messages that describe it (notify). */
export interface RunInfo {
  checklist: string;
  environment?: string;
  engineer?: string;
  /** "12/23 items done" */
  progress?: string;
}

export interface ExecContext {
  key: StepKey;
  /** Which run this is, when the runner provides it (notify puts it in its message). */
  run?: RunInfo;
  /** Variable values (declared vars plus saveAs so far), unredacted: only for interpolation. */
  vars: Record<string, string>;
  /**
   * Declared patterns and secrecy of variables (checklist vars and input saveAs): a run step checks a
   * value against its strict pattern before using it where bash would evaluate it.
   */
  variables?: Readonly<Record<string, VariableRule>>;
  /** Process environment for ${env.NAME} and child processes. */
  env: Record<string, string | undefined>;
  /** Working directory for relative paths and commands (the checklist's run directory). */
  cwd: string;
  /** Aborted on Ctrl-C and on the step's timeout: executors stop their work and children. */
  signal: AbortSignal;
  /** The step's timeout in ms, or undefined for the kind's default. */
  timeoutMs: number | undefined;
  dryRun: boolean;
  interactive: boolean;
  progress: ProgressSink;
  prompter: ExecutorPrompter;
  /**
   * Redact secrets and credential patterns from any text kept or shown: the whole raw text, before it
   * is cut or quoted (`redact.fragment` for a text that is itself a cut piece).
   */
  redact: Redactor;
  /** Current time in ms (injected clock). */
  now(): number;
  /** Wait for ms, resolving early (with false) when the signal aborts. */
  sleep(ms: number): Promise<boolean>;
  kube: KubeSettings;
  /** Runs a nested step (watch); returns its outcome. */
  runNested(step: NestedStep, index: number): Promise<StepOutcome>;
  /** State already recorded for this step, e.g. the watch rounds done before an interruption. */
  resume?: { watchElapsedMs?: number; watchRounds?: number; watchFirstRoundAt?: string };
  /**
   * The `--answers` entry for this step in a non-interactive run ("yes"/"no" for confirm, the value
   * for input), set by the runner. Manual steps use it when present; without it a non-interactive
   * run's manual step fails (nothing is ever approved by default).
   */
  answer?: string;
  /** The note given with `answer` (confirm with requireNote). */
  answerNote?: string;
  /**
   * Journal (fsynced) the process group a step's command runs in, before the command starts: a later
   * resume finds it still running after a kill -9 and stops or waits for it instead of starting a copy.
   */
  recordProcess?(group: GroupIdentity): Promise<void>;
  /** Record a watch round in the journal (fsynced) before continuing. */
  recordWatchRound?(
    round: number,
    elapsedMs: number,
    ok: boolean,
    failed?: string,
    startedAt?: string,
  ): Promise<void>;
}

export type Executor = (step: Step | NestedStep, ctx: ExecContext) => Promise<StepOutcome>;

export interface DescribeOptions {
  /** Variables whose values are shown as `****`. */
  secrets?: ReadonlySet<string>;
  /** Environment for ${env.NAME}; without it those references stay as written. */
  env?: Record<string, string | undefined>;
}

/** What a step would do, for `show` and for --dry-run of mutating steps (vars interpolated, secrets masked). */
export type Describer = (
  step: Step | NestedStep,
  vars: Record<string, string>,
  options?: DescribeOptions,
) => string;
