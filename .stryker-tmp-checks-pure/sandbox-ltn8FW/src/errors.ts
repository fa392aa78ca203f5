// @ts-nocheck
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

/** The machine refused a file operation (disk full, read-only, permissions, a directory in the way): exit 2. */
export class EnvironmentError extends DeploycheckError {
  override name = "EnvironmentError";
  override readonly exitCode = 2;
  readonly code: string;
  readonly path: string | undefined;
  constructor(
    message: string,
    code: string,
    path: string | undefined,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

/** What each errno the environment can cause means, and what to do about it. */
const ERRNO: Record<string, { what: string; todo: (path: string) => string }> = {
  ENOSPC: {
    what: "no space left on the device",
    todo: (p) => `Free some space on the file system that holds ${p} (df -h), then try again.`,
  },
  EDQUOT: {
    what: "disk quota exceeded",
    todo: (p) => `Free some space in your quota on the file system that holds ${p}, then try again.`,
  },
  EACCES: {
    what: "permission denied",
    todo: (p) =>
      `Check the owner and mode of ${p} and of its parent directories (ls -ld), or use another location.`,
  },
  EPERM: {
    what: "operation not permitted",
    todo: (p) => `Check the owner, mode and attributes of ${p} (ls -ld, lsattr), or use another location.`,
  },
  EROFS: {
    what: "the file system is read-only",
    todo: () =>
      "Use a writable location: --state-dir (or DEPLOYCHECK_STATE_DIR) for runs, XDG_CONFIG_HOME for the signing key.",
  },
  EISDIR: {
    what: "it is a directory, a file belongs there",
    todo: (p) => `Move the directory ${p} out of the way, then try again.`,
  },
  ENOTDIR: {
    what: "a part of the path is a file, not a directory",
    todo: (p) => `Check each part of ${p}: a file stands where a directory belongs.`,
  },
  EEXIST: {
    what: "something already exists there",
    todo: (p) => `Move ${p} out of the way, then try again.`,
  },
  ELOOP: {
    what: "too many symbolic links (or a symbolic link where none is allowed)",
    todo: (p) => `Replace the symbolic link ${p} with a real file or directory.`,
  },
  EMFILE: {
    what: "too many open files",
    todo: () => "Raise the open-files limit (ulimit -n) and try again.",
  },
  ENFILE: { what: "too many open files on the system", todo: () => "Close other programs and try again." },
  EIO: {
    what: "input/output error",
    todo: (p) => `The disk that holds ${p} reports errors: check it (dmesg).`,
  },
  ENAMETOOLONG: { what: "the name is too long", todo: () => "Use a shorter path." },
  ETXTBSY: { what: "the file is busy", todo: () => "Try again when the other program is done with it." },
};

const VERB: Record<string, string> = {
  open: "open",
  read: "read",
  write: "write",
  fsync: "write",
  fdatasync: "write",
  mkdir: "create the directory",
  rename: "replace",
  link: "create",
  unlink: "remove",
  rmdir: "remove",
  chmod: "change the mode of",
  scandir: "list",
  stat: "look at",
  lstat: "look at",
  copyfile: "copy",
  mkdtemp: "create a directory in",
  access: "write to",
};

/** The errno codes this module explains; everything else stays a bug report. */
export function isEnvironmentErrno(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && Object.hasOwn(ERRNO, code);
}

/**
 * An errno error from the file system as an EnvironmentError saying what failed, on which path and what to do;
 * undefined when the error is not one the environment causes. `path` is for errors that carry none (a write to
 * an open descriptor); `action` replaces the verb taken from the failing system call.
 */
export function environmentError(
  err: unknown,
  context: { path?: string; action?: string; afterwards?: string } = {},
): EnvironmentError | undefined {
  if (err instanceof EnvironmentError) return err;
  if (!isEnvironmentErrno(err)) return undefined;
  const path = (typeof err.path === "string" ? err.path : undefined) ?? context.path;
  const explained = ERRNO[err.code]!;
  const verb = context.action ?? (err.syscall ? (VERB[err.syscall] ?? err.syscall) : "use");
  const message = `cannot ${verb}${path ? ` ${path}` : ""}: ${explained.what} (${err.code})`;
  const hint = `${explained.todo(path ?? "the path")}${context.afterwards ? ` ${context.afterwards}` : ""}`;
  return new EnvironmentError(message, err.code, path, { cause: err, hint });
}
