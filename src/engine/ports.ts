// The services the runner uses, as small interfaces: the CLI passes the real ones (terminal, clock,
// file journal, check registry), tests pass fakes. Nothing here knows about files or terminals.
import type { StepKind } from "../checklist/schema.js";
import type { CheckModule } from "../checks/registry.js";
import type { ExecutorPrompter, ProgressSink } from "../checks/types.js";
import type { RunEvent } from "./events.js";

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface PromptInputOptions {
  default?: string;
  /** A regular expression (source) the value must match: the prompt re-asks until it does. */
  pattern?: string;
  /** Returns true, or the message to show before asking again. */
  validate?: (value: string) => true | string;
  /** Do not echo what is typed. */
  secret?: boolean;
}

/**
 * Questions to a person: what executors ask (confirm, input, text) plus `select` for the failure menu
 * and the resume / new / cancel choice. A prompt cancelled by Ctrl-C rejects with InterruptedError.
 */
export interface Prompter extends ExecutorPrompter {
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
  input(message: string, options?: PromptInputOptions): Promise<string>;
  /** With `escape`, Esc answers "" at once (a way back from a question, e.g. to the failure menu). */
  text(
    message: string,
    options?: { required?: boolean; default?: string; escape?: boolean },
  ): Promise<string>;
  select<T extends string>(
    message: string,
    choices: readonly Choice<T>[],
    options?: { default?: T },
  ): Promise<T>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait; resolves false early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

/** The run's journal: append resolves once the event is durable (fsynced). */
export interface Journal {
  append(event: RunEvent): Promise<void>;
  readAll(): Promise<RunEvent[]>;
  /**
   * Group commit (optional): write now, durable with the next `append` or `sync`. The runner uses it
   * for a step's result only when the next thing it does is a durable append (the next step-started),
   * so one fsync per step covers both lines and nothing happens before both are on disk.
   */
  write?(event: RunEvent): void;
  sync?(): Promise<void>;
}

/** A running step's live line: spinner, elapsed time, latest message or progress fraction. */
export interface StepProgress extends ProgressSink {
  /** Hide the live line while a prompt is on screen, then bring it back. */
  suspend(): void;
  resume(): void;
  stop(): void;
}

/** "noted": a note was shown (nothing was checked, so it is not drawn as passed). */
export type ResultMark =
  | "passed"
  | "failed"
  | "overridden"
  | "skipped"
  | "not-applicable"
  | "described"
  | "interrupted"
  | "noted";

export interface Output {
  /** Run-level lines: "Run staging-2026...", resume notes. */
  info(text: string): void;
  warn(text: string): void;
  section(title: string): void;
  /** `[7/23] Deployment Validation`. */
  item(number: number, total: number, title: string): void;
  /** Markdown help shown before a step. */
  help(text: string): void;
  stepStart(label: string): StepProgress;
  stepResult(
    label: string,
    mark: ResultMark,
    summary: string,
    durationMs: number | undefined,
    flags?: { optional?: boolean; dryRun?: boolean },
  ): void;
  /** The relevant end of a failed step's output, indented. */
  failureTail(text: string): void;
  /** Full output (the failure menu's "Show full output"). */
  block(text: string): void;
  /** A blank line or a plain line (summary table rows). */
  line(text?: string): void;
  /** The terminal's width when output is laid out for one (tables fit it); undefined for plain lines. */
  width?(): number | undefined;
}

export interface Executors {
  loadCheck(kind: StepKind): Promise<CheckModule>;
}

export interface NotificationResult {
  ok: boolean;
  status?: number;
  error?: string;
  attempts: number;
}

/** Posts the top-level `notifications:` messages (start, finish, failure). */
export interface Notifier {
  post(
    text: string,
    fields: Record<string, string>,
    signal: AbortSignal | undefined,
    /** Redacts what the receiver answers before it is cut into the error. */
    redact?: (text: string) => string,
  ): Promise<NotificationResult>;
}

export interface RunnerPorts {
  prompter: Prompter;
  clock: Clock;
  journal: Journal;
  output: Output;
  executors: Executors;
  notifier?: Notifier;
}
