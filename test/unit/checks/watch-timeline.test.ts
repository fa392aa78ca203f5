// The watch's timeline on a fake clock: the time-left label and the bar, the resume bookkeeping (what a
// retry after a failed round, a resume after the last round and a resume without the first round's time
// continue from), interruptions in and between rounds, and what the record keeps of each round.
import { describe, expect, it } from "vitest";
import type { NestedStep, Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/watch.js";
import type { StepOutcome } from "../../../src/engine/events.js";
import { execContext } from "./monitor-context.js";

const T0 = Date.parse("2026-11-30T08:00:00.000Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

const watch = (duration: string, interval: string, steps?: NestedStep[]): Step => ({
  id: "watch",
  watch: {
    duration,
    interval,
    steps: steps ?? [{ id: "health", http: { url: "http://127.0.0.1:1/health" } }],
  },
});

/**
 * A watch context on a fake clock (sleeping moves time; each nested step takes `stepMs`), whose nested
 * steps pass unless `outcome` says otherwise; the rounds the journal would get are in `recorded`.
 */
function harness(
  options: {
    stepMs?: number;
    resume?: { watchRounds?: number; watchElapsedMs?: number; watchFirstRoundAt?: string };
    outcome?: (round: number, step: NestedStep) => StepOutcome | undefined;
    signal?: AbortSignal;
    /** Nested steps per round (the harness counts rounds by them). */
    perRound?: number;
  } = {},
) {
  const clock = { t: T0, slept: [] as number[] };
  const recorded: unknown[][] = [];
  let round = (options.resume?.watchRounds ?? 0) + 1;
  let steps = 0;
  const ctx = execContext({
    now: () => clock.t,
    sleep: async (ms) => {
      clock.slept.push(ms);
      clock.t += ms;
      return true;
    },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    runNested: async (step, i) => {
      clock.t += options.stepMs ?? 0;
      steps++;
      const out = options.outcome?.(round, step) ?? { status: "passed", summary: "ok" };
      if (out.status === "failed" || i === (options.perRound ?? 1) - 1) round++;
      return out;
    },
    recordWatchRound: async (...args) => {
      recorded.push(args);
    },
  });
  return { ctx, clock, recorded, steps: () => steps };
}

describe("watch: time left and the bar", () => {
  it("counts minutes down to a minute, then seconds, and 'ending' when the window is over", async () => {
    const { ctx } = harness();
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out.summary).toBe("3/3 rounds passed, 2m from first to last round (window 2m, every 1m)");
    const labels = ctx.fractions.map((f) => f.label);
    // after round 1 (0s), each second waiting for round 2, after round 2 (60s), waiting for round 3, after it
    expect(labels[0]).toBe("round 1/3, 2m left");
    expect(labels.slice(1, 61)).toEqual(Array.from({ length: 60 }, () => "round 1/3, 2m left"));
    expect(labels[61]).toBe("round 2/3, 1m left");
    expect(labels[62]).toBe("round 2/3, 1m left");
    expect(labels[63]).toBe("round 2/3, 59s left");
    expect(labels[121]).toBe("round 2/3, 1s left");
    expect(labels[122]).toBe("round 3/3, ending");
    expect(labels).toHaveLength(123);
  });

  it("rounds seconds and minutes up: 1.5s left is 2s, 61s left is 2m", async () => {
    const { ctx } = harness({ stepMs: 500 });
    await execute(watch("62s", "1m"), ctx);
    const labels = ctx.fractions.map((f) => f.label);
    // round 1 ends at 0.5s: 61.5s left
    expect(labels[0]).toBe("round 1/3, 2m left");
    // round 2 starts at 60s, ends at 60.5s: 1.5s left until 62s
    expect(labels).toContain("round 2/3, 2s left");
    expect(labels.at(-1)).toBe("round 3/3, ending");
  });

  it("moves the bar with time between rounds, never below the rounds done, never above 1", async () => {
    const { ctx } = harness();
    await execute(watch("2m", "1m"), ctx);
    const done = ctx.fractions.map((f) => f.done);
    // after round 1 of 3 at 0s: a third (the rounds); 50s into the 2 minutes: 50/120 (the time)
    expect(done[0]).toBe(1 / 3);
    expect(done[1]).toBe(1 / 3);
    expect(done[51]).toBe(50 / 120);
    expect(done[61]).toBe(2 / 3);
    expect(done[121]).toBe(119 / 120);
    expect(done.at(-1)).toBe(1);
  });

  it("without a bar, the labels are progress messages, with each nested step's title or name", async () => {
    const { ctx } = harness({ perRound: 2 });
    ctx.progress = { message: (text) => ctx.messages.push(text) };
    await execute(
      watch("2s", "1s", [
        { title: "API health", http: { url: "http://127.0.0.1:1/health" } },
        { http: { url: "http://127.0.0.1:1/ready" } },
      ]),
      ctx,
    );
    expect(ctx.messages).toEqual([
      "round 1/3: API health",
      "round 1/3: http-2",
      "round 1/3, 2s left",
      "round 1/3, 2s left",
      "round 2/3: API health",
      "round 2/3: http-2",
      "round 2/3, 1s left",
      "round 2/3, 1s left",
      "round 3/3: API health",
      "round 3/3: http-2",
      "round 3/3, ending",
    ]);
  });
});

describe("watch: resume bookkeeping", () => {
  it("a retry after round 1 failed starts over: no time spent, a new first round", async () => {
    // The journal keeps the failed round's time, but a failed round is not done (0 rounds).
    const { ctx, clock, recorded } = harness({
      resume: { watchRounds: 0, watchElapsedMs: 30_000, watchFirstRoundAt: "2026-11-30T07:00:00.000Z" },
    });
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out.summary).toBe("3/3 rounds passed, 2m from first to last round (window 2m, every 1m)");
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(120_000);
    expect(out.details).not.toHaveProperty("resumedAt");
    expect(out.details?.["window"]).toEqual({
      firstRoundAt: iso(0),
      lastRoundAt: iso(120_000),
      observedMs: 120_000,
    });
    expect(out.details?.["elapsedMs"]).toBe(120_000);
    expect(recorded.map((r) => r.slice(0, 2))).toEqual([
      [1, 0],
      [2, 60_000],
      [3, 120_000],
    ]);
  });

  it("a dry run ignores the rounds a previous session recorded", async () => {
    const { ctx, clock, recorded } = harness({
      resume: { watchRounds: 2, watchElapsedMs: 60_000, watchFirstRoundAt: "2026-11-30T07:00:00.000Z" },
    });
    ctx.dryRun = true;
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out.summary).toBe("1 round passed (dry run; the real watch runs 3 rounds over 2m)");
    expect(out.details).not.toHaveProperty("resumedAt");
    expect(out.details?.["rounds"]).toEqual([
      { round: 1, startedAt: iso(0), startedMs: 0, elapsedMs: 0, ok: true },
    ]);
    expect(clock.slept).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it("a resume without the first round's time starts the observed window at its own first round", async () => {
    const { ctx } = harness({ resume: { watchRounds: 1, watchElapsedMs: 60_000 } });
    const out = await execute(watch("3m", "1m"), ctx);
    expect(out.summary).toBe(
      "rounds 2-4 of 4 passed (continued after round 1), 2m from first to last round (window 3m, every 1m)",
    );
    expect(out.details?.["resumedAt"]).toEqual({ rounds: 1, elapsedMs: 60_000 });
    expect(out.details?.["window"]).toEqual({
      firstRoundAt: iso(0),
      lastRoundAt: iso(120_000),
      observedMs: 120_000,
    });
    expect(out.details?.["elapsedMs"]).toBe(180_000);
  });

  it("a resume after the last round passed runs nothing more and says so", async () => {
    const { ctx, steps, recorded } = harness({
      resume: { watchRounds: 3, watchElapsedMs: 120_000, watchFirstRoundAt: "2026-11-30T07:00:00.000Z" },
    });
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out).toMatchObject({
      status: "passed",
      summary: "3/3 rounds passed before the interruption (window 2m, every 1m)",
    });
    expect(steps()).toBe(0);
    expect(recorded).toEqual([]);
    expect(out.details).not.toHaveProperty("window");
    expect(out.details?.["resumedAt"]).toEqual({ rounds: 3, elapsedMs: 120_000 });
  });

  it("a resume interrupted before its next round keeps the time spent, without a window of its own", async () => {
    const { ctx } = harness({
      resume: { watchRounds: 1, watchElapsedMs: 10_000, watchFirstRoundAt: "2026-11-30T07:00:00.000Z" },
    });
    ctx.sleep = async () => false;
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out).toEqual({
      status: "failed",
      summary: "interrupted before round 2/3",
      error: "interrupted",
      details: {
        durationMs: 120_000,
        intervalMs: 60_000,
        totalRounds: 3,
        rounds: [],
        resumedAt: { rounds: 1, elapsedMs: 10_000 },
        elapsedMs: 10_000,
      },
    });
  });
});

describe("watch: rounds in the record", () => {
  it("stops when the run is stopped during a round, keeping the rounds before it", async () => {
    const controller = new AbortController();
    const { ctx, recorded } = harness({
      stepMs: 1000,
      signal: controller.signal,
      outcome: (round) => {
        if (round === 2) controller.abort();
        return undefined;
      },
    });
    const out = await execute(watch("2m", "1m"), ctx);
    expect(out).toMatchObject({
      status: "failed",
      summary: "interrupted in round 2/3",
      error: "interrupted",
      details: {
        elapsedMs: 61_000,
        rounds: [{ round: 1, startedAt: iso(0), startedMs: 0, elapsedMs: 1000, ok: true }],
        window: { firstRoundAt: iso(0), lastRoundAt: iso(0), observedMs: 0 },
      },
    });
    expect(recorded).toHaveLength(1);
  });

  it("keeps each round with its outcome and the step that failed", async () => {
    const { ctx, recorded } = harness({
      stepMs: 200,
      outcome: (round) => (round === 2 ? { status: "failed", summary: "HTTP 503" } : undefined),
    });
    const out = await execute(watch("2m", "1m", [{ http: { url: "http://127.0.0.1:1/health" } }]), ctx);
    expect(out.summary).toBe("round 2/3 (after 1m): http-1 failed: HTTP 503");
    expect(out.details?.["rounds"]).toEqual([
      { round: 1, startedAt: iso(0), startedMs: 0, elapsedMs: 200, ok: true },
      { round: 2, startedAt: iso(60_000), startedMs: 60_000, elapsedMs: 60_200, ok: false, failed: "http-1" },
    ]);
    expect(out.details?.["failedStep"]).toBe("http-1");
    expect(recorded).toEqual([
      [1, 200, true, undefined, iso(0)],
      [2, 60_200, false, "http-1", iso(60_000)],
    ]);
  });

  it("is only for watch steps", async () => {
    const { ctx } = harness();
    await expect(execute({ id: "h", http: { url: "http://127.0.0.1:1/" } } as Step, ctx)).rejects.toThrow(
      "watch executor called for another kind",
    );
  });
});
