// The `watch` step kind (the extended monitoring): run the nested checks every interval for the
// duration, failing as soon as one fails. Each round is journaled, so a resumed run continues the
// timeline with the time already spent counted. The record keeps each round's start time and the window
// actually observed (first to last round). Read-only itself; a dry run does one round.

import { DURATION_BOUNDS, stepKind } from "../checklist/kinds.js";
import type { NestedStep, Step, WatchStep } from "../checklist/schema.js";
import { resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { formatMs } from "./fetch-request.js";
import type { Executor } from "./types.js";

export interface WatchPlan {
  durationMs: number;
  intervalMs: number;
  /**
   * Rounds at 0, interval, 2×interval, … and one at the end of the window: both ends are checked and
   * no two rounds are more than an interval apart (`duration: 5s, interval: 2s` → 0, 2, 4, 5 s).
   */
  totalRounds: number;
}

export function watchPlan(durationMs: number, intervalMs: number): WatchPlan {
  const interval = Math.max(1, intervalMs);
  const duration = Math.max(0, durationMs);
  return {
    durationMs: duration,
    intervalMs: interval,
    // A duration of 0 is one round (ceil(0) + 1).
    totalRounds: Math.ceil(duration / interval) + 1,
  };
}

/** When round `round` (1-based) is due, in ms after the first round started. */
export function roundDueAt(plan: WatchPlan, round: number): number {
  return Math.min((round - 1) * plan.intervalMs, plan.durationMs);
}

function watchOf(step: Step | NestedStep): WatchStep {
  const w = (step as Step).watch;
  if (!w) throw new Error("watch executor called for another kind");
  return w;
}

export function nestedName(step: NestedStep, index: number): string {
  return step.id ?? `${stepKind(step)}-${index + 1}`;
}

/** "27m left", "45s left": minutes once there are any, seconds below a minute. */
function left(ms: number): string {
  if (ms <= 0) return "ending";
  if (ms >= 60_000) return `${Math.ceil(ms / 60_000)}m left`;
  return `${Math.ceil(ms / 1000)}s left`;
}

interface RoundLog {
  round: number;
  /** When the round started (the clock's time, ISO). */
  startedAt: string;
  /** Time on the watch's timeline when the round started and ended (ms after the first round started). */
  startedMs: number;
  elapsedMs: number;
  ok: boolean;
  failed?: string;
}

export const execute: Executor = async (step, ctx): Promise<StepOutcome> => {
  const w = watchOf(step);
  let plan: WatchPlan;
  try {
    plan = watchPlan(
      resolveDuration(w.duration, ctx.vars, ctx.env, DURATION_BOUNDS.watchDuration),
      resolveDuration(w.interval, ctx.vars, ctx.env, DURATION_BOUNDS.interval),
    );
  } catch (err) {
    const message = (err as Error).message;
    return { status: "failed", summary: message, error: message };
  }
  const total = ctx.dryRun ? 1 : plan.totalRounds;
  const doneBefore = ctx.dryRun ? 0 : Math.min(ctx.resume?.watchRounds ?? 0, total);
  // What an earlier session recorded counts only with rounds done: a retry after a failed round 1 (0 rounds
  // done, its time recorded) starts over.
  const before = doneBefore > 0 ? ctx.resume : undefined;
  const spentBefore = before?.watchElapsedMs ?? 0;
  // The timeline starts when the first round starts (reset below), so the last round, due at the
  // duration, starts at least the duration after the first one.
  let origin = ctx.now();
  const elapsed = () => spentBefore + (ctx.now() - origin);
  const history: RoundLog[] = [];
  let firstRoundAt = before?.watchFirstRoundAt;
  const details: Record<string, unknown> = {
    durationMs: plan.durationMs,
    intervalMs: plan.intervalMs,
    totalRounds: total,
    rounds: history,
  };
  if (doneBefore > 0) details["resumedAt"] = { rounds: doneBefore, elapsedMs: spentBefore };
  /** The window actually observed: when the first and the last round so far started. */
  const observed = () => {
    const last = history.at(-1);
    if (!firstRoundAt || !last) return undefined;
    const ms = Date.parse(last.startedAt) - Date.parse(firstRoundAt);
    details["window"] = { firstRoundAt, lastRoundAt: last.startedAt, observedMs: ms };
    return ms;
  };
  // The bar follows time (a 30-minute watch moves between its rounds); the label counts rounds.
  const show = (done: number) => {
    const label = `round ${done}/${total}, ${left(plan.durationMs - elapsed())}`;
    const byTime = elapsed() / Math.max(1, plan.durationMs);
    if (ctx.progress.fraction) ctx.progress.fraction(Math.min(1, Math.max(byTime, done / total)), label);
    else ctx.progress.message(label);
  };
  /** Sleep until the next round, refreshing the progress every second; false when interrupted. */
  const waitFor = async (ms: number, done: number): Promise<boolean> => {
    const until = ctx.now() + ms;
    for (let rest = ms; rest > 0; rest = until - ctx.now()) {
      show(done);
      if (!(await ctx.sleep(Math.min(rest, 1000)))) return false;
    }
    return true;
  };

  for (let round = doneBefore + 1; round <= total; round++) {
    // Round k is due at roundDueAt(k) on the watch's own timeline, which a resume continues.
    // Not due yet: wait (a wait of 0 or less returns at once).
    if (!(await waitFor(roundDueAt(plan, round) - elapsed(), round - 1))) {
      details["elapsedMs"] = elapsed();
      observed();
      return {
        status: "failed",
        summary: `interrupted before round ${round}/${total}`,
        error: "interrupted",
        details,
      };
    }
    if (round === 1) origin = ctx.now();
    const startedMs = elapsed();
    const startedAt = new Date(ctx.now()).toISOString();
    // The watch's first round, or this session's when the journal did not keep it.
    firstRoundAt ??= startedAt;
    let failed: { name: string; outcome: StepOutcome } | undefined;
    for (const [i, nested] of w.steps.entries()) {
      ctx.progress.message(`round ${round}/${total}: ${nested.title ?? nestedName(nested, i)}`);
      const outcome = await ctx.runNested(nested, i);
      if (outcome.status === "failed") {
        failed = { name: nestedName(nested, i), outcome };
        break;
      }
    }
    if (ctx.signal.aborted) {
      details["elapsedMs"] = elapsed();
      observed();
      return {
        status: "failed",
        summary: `interrupted in round ${round}/${total}`,
        error: "interrupted",
        details,
      };
    }
    const at = elapsed();
    const log: RoundLog = { round, startedAt, startedMs, elapsedMs: at, ok: !failed };
    if (failed) log.failed = failed.name;
    history.push(log);
    if (!ctx.dryRun) await ctx.recordWatchRound?.(round, at, !failed, failed?.name, startedAt);
    if (failed) {
      details["elapsedMs"] = at;
      details["failedStep"] = failed.name;
      observed();
      const why = `round ${round}/${total} (after ${formatMs(at)}): ${failed.name} failed: ${failed.outcome.summary}`;
      return { status: "failed", summary: why, error: why, details };
    }
    show(round);
  }
  details["elapsedMs"] = elapsed();
  const span = observed();
  const window = `window ${formatMs(plan.durationMs)}, every ${formatMs(plan.intervalMs)}`;
  const seen = span === undefined ? "" : `, ${formatMs(span)} from first to last round`;
  // Every round was journaled as passed before the interruption (killed before the step's result was):
  // nothing was left to run in this session.
  const summary = ctx.dryRun
    ? `1 round passed (dry run; the real watch runs ${plan.totalRounds} rounds over ${formatMs(plan.durationMs)})`
    : doneBefore >= total
      ? `${total}/${total} rounds passed before the interruption${seen} (${window})`
      : doneBefore > 0
        ? `rounds ${doneBefore + 1}-${total} of ${total} passed (continued after round ${doneBefore})${seen} (${window})`
        : `${total}/${total} rounds passed${seen} (${window})`;
  return { status: "passed", summary, details };
};

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeWatch as describe } from "../checklist/describe.js";
