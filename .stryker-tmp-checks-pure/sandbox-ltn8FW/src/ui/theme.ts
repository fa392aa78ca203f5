// @ts-nocheck
// Colours and symbols for the terminal: chalk's own detection, off with NO_COLOR or --no-color.
import { Chalk, type ChalkInstance } from "chalk";

export interface Theme {
  c: ChalkInstance;
  ok: string;
  fail: string;
  warn: string;
  skip: string;
  na: string;
  override: string;
  interrupted: string;
  info: string;
  spinner: readonly string[];
}

export function createTheme(options: { color: boolean; unicode?: boolean }): Theme {
  const c = new Chalk({ level: options.color ? new Chalk().level || 1 : 0 });
  const unicode = options.unicode ?? process.platform !== "win32";
  return {
    c,
    ok: c.green(unicode ? "✔" : "ok"),
    fail: c.red(unicode ? "✖" : "x"),
    warn: c.yellow(unicode ? "⚠" : "!"),
    skip: c.yellow(unicode ? "↷" : ">"),
    na: c.dim(unicode ? "○" : "-"),
    override: c.yellow(unicode ? "✎" : "*"),
    interrupted: c.magenta(unicode ? "■" : "#"),
    info: c.cyan(unicode ? "ℹ" : "i"),
    spinner: unicode ? ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] : ["-", "\\", "|", "/"],
  };
}

/** Colours on unless NO_COLOR is set (any value) or the stream is not a colour terminal. */
export function colorWanted(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return isTTY && new Chalk().level > 0;
}

/** 450ms, 3.2s, 2m05s, 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
