// @ts-nocheck
// How the built-in checks phrase things: human durations, output tails, user regexes, and the
// failed / stopped / dry-run outcomes.
import { type UserPattern, userPattern } from "../checklist/user-pattern.js";
import type { StepOutcome } from "../engine/events.js";
import type { ExecContext } from "./types.js";

/** 41ms, 1.2s, 30s, 2m 5s, 1h 30m, 2d 4h: short, and precise where it matters. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 10_000) return `${trimZero((v / 1000).toFixed(1))}s`;
  const s = Math.round(v / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** The last `count` lines of a text (a trailing newline does not count as an empty line). */
export function lastLines(text: string, count: number): string {
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  return lines.slice(-count).join("\n");
}

/**
 * Keeps the last `limit` characters of a stream of chunks, so a chatty command cannot grow memory
 * without bound while the end of its output (where errors are) is kept.
 */
export class TailBuffer {
  private chunks: string[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
    if (this.size > this.limit) {
      const only = this.chunks[0]!;
      this.chunks[0] = only.slice(only.length - this.limit);
      this.size = this.limit;
      this.truncated = true;
    }
  }

  text(): string {
    return this.chunks.join("");
  }
}

/** A regex written in a checklist (RE2: linear time); validate.ts has checked it compiles. ^ and $ match lines. */
export function userRegex(source: string): UserPattern {
  return userPattern(source, { multiline: true });
}

/** `/source/` as shown in messages. */
export function showRegex(source: string): string {
  return `/${source}/`;
}

/** A failed outcome whose summary is also its error. */
export function failure(summary: string, extra: Partial<StepOutcome> = {}): StepOutcome {
  return { status: "failed", summary, error: summary, ...extra };
}

/** A manual step in a non-interactive run without an --answers entry: fails, never approves. */
export function noAnswer(ctx: Pick<ExecContext, "key">, what: string): StepOutcome {
  return failure(`no answer: a non-interactive run needs "${ctx.key}: ${what}" in the --answers file`);
}

/** What the executor returns for a mutating step in --dry-run, should the runner call it at all. */
export function dryRunOutcome(description: string): StepOutcome {
  return { status: "described", summary: `dry run, would do: ${description}`, dryRun: true };
}

/** Whether the step's signal was aborted by its timeout (rather than Ctrl-C or an abort). */
export function abortedByTimeout(
  ctx: Pick<ExecContext, "signal" | "timeoutMs">,
  startedAt: number,
  abortedAt: number,
): boolean {
  const reason: unknown = ctx.signal.reason;
  if (typeof reason === "object" && reason !== null && (reason as { name?: unknown }).name === "TimeoutError")
    return true;
  // The runner may abort with its own reason: a signal that fired at the step's deadline is a timeout.
  return ctx.timeoutMs !== undefined && abortedAt - startedAt >= ctx.timeoutMs - 20;
}

/** The outcome of a step stopped by its signal: "timed out after 30s" or "cancelled". */
export function stoppedOutcome(
  ctx: Pick<ExecContext, "signal" | "timeoutMs">,
  startedAt: number,
  abortedAt: number,
  extra: Partial<StepOutcome> = {},
): StepOutcome {
  if (abortedByTimeout(ctx, startedAt, abortedAt)) {
    const limit = ctx.timeoutMs ?? abortedAt - startedAt;
    return failure(`timed out after ${formatDuration(limit)}`, extra);
  }
  return failure("cancelled", extra);
}
