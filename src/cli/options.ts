// Options shared by commands, as commander hands them over, and the decisions made once from them.
export interface GlobalOptions {
  var?: string[];
  stateDir?: string;
  /** Team state: `kubernetes[:namespace]` or `local` (also DEPLOYCHECK_STATE). */
  state?: string;
  nonInteractive?: boolean;
  answers?: string;
  dryRun?: boolean;
  keepGoing?: boolean;
  resume?: boolean;
  new?: boolean;
  context?: string;
  json?: boolean;
  color?: boolean;
  /** Who runs this session (else the answers' signoff/engineer, DEPLOYCHECK_ENGINEER, git user.name, user@host). */
  engineer?: string;
  /** Resume even though variables differ from the previous session's (non-interactive). */
  allowVarChange?: boolean;
  /**
   * `key=value` settings for a new run only (the demo's defaults): a resumed run keeps its own values
   * unless --var sets them again.
   */
  varDefaults?: string[];
}

/**
 * Decided once at start-up, by stdin: prompts when a person can answer (stdin is a TTY), unless CI is
 * set or --non-interactive is given. Where stdout goes does not matter: `deploycheck demo | tee log`
 * still asks, and the prompts go to the terminal (see promptStream).
 */
export function isInteractive(
  options: GlobalOptions,
  env: Record<string, string | undefined> = process.env,
  stdin: { isTTY?: boolean } = process.stdin,
): boolean {
  if (options.nonInteractive) return false;
  if (env["CI"] && env["CI"] !== "false" && env["CI"] !== "0") return false;
  return Boolean(stdin.isTTY);
}

/** Where prompts are drawn: stdout when it is the terminal, else stderr (stdout piped to tee or a file). */
export function promptStream(
  options: GlobalOptions,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): NodeJS.WriteStream | undefined {
  if (options.json || !stdout.isTTY) return stderr;
  return undefined;
}

/** State directory: --state-dir, then DEPLOYCHECK_STATE_DIR, then ./.deploycheck. */
export function stateDir(options: GlobalOptions, env = process.env): string {
  return options.stateDir ?? env["DEPLOYCHECK_STATE_DIR"] ?? ".deploycheck";
}
