// The one error hierarchy. Library code throws these; only cli/main.ts prints them and picks the exit code.

export type ExitCode = 0 | 1 | 2 | 3 | 130;

export class DeploycheckError extends Error {
  override name = "DeploycheckError";
  readonly exitCode: ExitCode = 1;
  /** What the user can do about it, printed under the message. */
  readonly hint: string | undefined;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

/** Bad command-line usage, unknown checklist, missing variable or answer: exit 2. */
export class UsageError extends DeploycheckError {
  override name = "UsageError";
  override readonly exitCode = 2;
}

export interface ChecklistProblem {
  file: string;
  line: number;
  col: number;
  /** Document path such as `sections[2].items[0].steps[1].timeout`. */
  path: string;
  message: string;
  /** A short code frame around the position, already formatted. */
  frame?: string;
  suggestion?: string;
  severity?: "error" | "warning";
}

export function formatProblem(p: ChecklistProblem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const at = p.path ? ` (at ${p.path})` : "";
  const hint = p.suggestion ? `\n  did you mean "${p.suggestion}"?` : "";
  const frame = p.frame ? `\n${p.frame}` : "";
  return `${where}: ${p.severity === "warning" ? "warning: " : ""}${p.message}${at}${hint}${frame}`;
}

/** One or more problems in a checklist file: exit 2. */
export class ChecklistError extends DeploycheckError {
  override name = "ChecklistError";
  override readonly exitCode = 2;
  readonly problems: ChecklistProblem[];
  constructor(problems: ChecklistProblem[], options?: { cause?: unknown }) {
    super(problems.map(formatProblem).join("\n\n"), {
      ...options,
      hint: "Fix the checklist and run `deploycheck validate <file>` again.",
    });
    this.problems = problems;
  }
  get file(): string {
    return this.problems[0]?.file ?? "";
  }
  get line(): number {
    return this.problems[0]?.line ?? 0;
  }
  get col(): number {
    return this.problems[0]?.col ?? 0;
  }
}

/** Corrupt journal, run not found, lock held by someone else: exit 2. */
export class StateError extends DeploycheckError {
  override name = "StateError";
  override readonly exitCode = 2;
}

/** A guard refused the run (wrong cluster or context): exit 3. */
export class GuardRefusedError extends DeploycheckError {
  override name = "GuardRefusedError";
  override readonly exitCode = 3;
}

/** Ctrl-C: the run is resumable, exit 130. */
export class InterruptedError extends DeploycheckError {
  override name = "InterruptedError";
  override readonly exitCode = 130;
}

/** Kubernetes unreachable, no kubeconfig, 401/403: exit 1 unless wrapped by a guard. */
export class KubeError extends DeploycheckError {
  override name = "KubeError";
}

/** A bug in deploycheck itself. */
export class InternalError extends DeploycheckError {
  override name = "InternalError";
}
