// @ts-nocheck
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NestedStep, Step } from "../../../src/checklist/schema.js";
import { describe as describeStep, execute, roundDueAt, watchPlan } from "../../../src/checks/watch.js";
import type { StepOutcome } from "../../../src/engine/events.js";
import { execContext } from "./monitor-context.js";

const nested: NestedStep[] = [
  { id: "health", http: { url: "${apiUrl}/health" } },
  { id: "error-rate", prometheus: { url: "${prometheusUrl}", query: "x", expect: { lt: 0.1 } } },
];
const watch = (duration = "${watchDuration}", interval = "40ms"): Step => ({
  id: "watch",
  watch: { duration, interval, steps: nested },
});

/** A watch context whose nested steps pass, or fail at (round, step name); records rounds. */
/** A fake clock: sleeping moves time; each nested step takes `stepMs`. */
function fakeClock(start = Date.parse("2026-11-30T08:00:00Z")) {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
      return true;
    },
  };
  return clock;
}

function harness(
  options: {
    failAt?: [number, string];
    resume?: { watchRounds: number; watchElapsedMs: number; watchFirstRoundAt?: string };
    dryRun?: boolean;
    stepMs?: number;
  } = {},
) {
  const calls: string[] = [];
  const callTimes: number[] = [];
  const recorded: { round: number; elapsedMs: number; ok: boolean; failed?: string; startedAt?: string }[] =
    [];
  let round = (options.resume?.watchRounds ?? 0) + 1;
  const clock = fakeClock();
  const ctx = execContext({
    vars: { watchDuration: "120ms" },
    dryRun: options.dryRun ?? false,
    now: clock.now,
    sleep: clock.sleep,
    ...(options.resume ? { resume: options.resume } : {}),
    runNested: async (step, i): Promise<StepOutcome> => {
      calls.push(`${round}:${step.id}`);
      callTimes.push(clock.t);
      clock.t += options.stepMs ?? 3;
      const fail = options.failAt && options.failAt[0] === round && options.failAt[1] === step.id;
      if (i === nested.length - 1 || fail) round++;
      return fail
        ? { status: "failed", summary: "0.4, expected < 0.1" }
        : { status: "passed", summary: "ok" };
    },
    recordWatchRound: async (r, elapsedMs, ok, failed, startedAt) => {
      recorded.push({
        round: r,
        elapsedMs,
        ok,
        ...(failed ? { failed } : {}),
        ...(startedAt ? { startedAt } : {}),
      });
    },
  });
  return { ctx, calls, callTimes, recorded, clock };
}

describe("watch", () => {
  it("plans rounds at both ends of the window, the last one at its end", () => {
    expect(watchPlan(30 * 60_000, 60_000).totalRounds).toBe(31);
    expect(watchPlan(30_000, 10_000).totalRounds).toBe(4);
    const odd = watchPlan(5000, 2000);
    expect(odd.totalRounds).toBe(4);
    expect([1, 2, 3, 4].map((r) => roundDueAt(odd, r))).toEqual([0, 2000, 4000, 5000]);
    expect(watchPlan(0, 1000).totalRounds).toBe(1);
  });

  it("plans, for any duration and interval, rounds from 0 to the duration never more than an interval apart (property)", () => {
    const seed = process.env["SEED"] ? Number(process.env["SEED"]) : undefined;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.nat(2000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, k, frac) => {
          const d = k * i + Math.floor(frac * i);
          const plan = watchPlan(d, i);
          const due = Array.from({ length: plan.totalRounds }, (_, n) => roundDueAt(plan, n + 1));
          expect(due[0]).toBe(0);
          expect(due.at(-1)).toBe(d);
          const gaps = due.slice(1).map((t, n) => t - due[n]!);
          expect(gaps.filter((g) => g <= 0 || g > i)).toEqual([]);
        },
      ),
      { numRuns: 300, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it("runs every nested step each interval, the last round at the end of the window, and records the window", async () => {
    const { ctx, calls, callTimes, recorded, clock } = harness();
    const t0 = clock.t;
    const out = await execute(watch("120ms", "50ms"), ctx);
    expect(out.status).toBe("passed");
    // rounds at 0, 50, 100 and 120 ms: the last one at the end of the window
    expect(out.summary).toBe("4/4 rounds passed, 120ms from first to last round (window 120ms, every 50ms)");
    expect(calls).toEqual([
      "1:health",
      "1:error-rate",
      "2:health",
      "2:error-rate",
      "3:health",
      "3:error-rate",
      "4:health",
      "4:error-rate",
    ]);
    expect(callTimes.filter((_, i) => i % 2 === 0).map((t) => t - t0)).toEqual([0, 50, 100, 120]);
    expect(recorded.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    expect(recorded.every((r) => r.ok)).toBe(true);
    expect(recorded[0]!.startedAt).toBe(new Date(t0).toISOString());
    expect(recorded[3]!.startedAt).toBe(new Date(t0 + 120).toISOString());
    expect(out.details?.["window"]).toEqual({
      firstRoundAt: new Date(t0).toISOString(),
      lastRoundAt: new Date(t0 + 120).toISOString(),
      observedMs: 120,
    });
    const rounds = out.details?.["rounds"] as { startedMs: number }[];
    expect(rounds.map((r) => r.startedMs)).toEqual([0, 50, 100, 120]);
    expect(ctx.fractions.at(-1)).toEqual({ done: 1, label: expect.stringMatching(/^round 4\/4, /) });
  });

  it("fails as soon as a nested step fails, naming the step and the round", async () => {
    const { ctx, calls, recorded } = harness({ failAt: [2, "error-rate"] });
    const out = await execute(watch(), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toBe("round 2/4 (after 46ms): error-rate failed: 0.4, expected < 0.1");
    expect(calls).toEqual(["1:health", "1:error-rate", "2:health", "2:error-rate"]);
    expect(recorded.at(-1)).toMatchObject({ round: 2, ok: false, failed: "error-rate" });
    expect(out.details?.["failedStep"]).toBe("error-rate");
  });

  it("continues from the recorded rounds on resume, counting the time already spent", async () => {
    const first = "2026-11-30T07:00:00.000Z";
    const { ctx, calls, callTimes, recorded, clock } = harness({
      resume: { watchRounds: 2, watchElapsedMs: 45, watchFirstRoundAt: first },
    });
    const t0 = clock.t;
    const out = await execute(watch(), ctx);
    expect(out.status).toBe("passed");
    // rounds 3 and 4 remain, due at 80ms and 120ms on the watch's timeline, which is at 45ms now
    expect(calls).toEqual(["3:health", "3:error-rate", "4:health", "4:error-rate"]);
    expect(callTimes.filter((_, i) => i % 2 === 0).map((t) => t - t0)).toEqual([35, 75]);
    expect(recorded.map((r) => r.round)).toEqual([3, 4]);
    expect(out.details?.["resumedAt"]).toEqual({ rounds: 2, elapsedMs: 45 });
    // The observed window runs from the first session's first round to this session's last one.
    expect(out.details?.["window"]).toMatchObject({
      firstRoundAt: first,
      lastRoundAt: new Date(t0 + 75).toISOString(),
    });
    expect(out.summary).toMatch(
      /^rounds 3-4 of 4 passed \(continued after round 2\), 60m from first to last round \(window 120ms, every 40ms\)$/,
    );
  });

  it("runs a 30-minute watch on its clock, the bar moving between rounds", async () => {
    let t = 0;
    const { ctx, recorded } = harness();
    const out = await execute(watch("30m", "1m"), {
      ...ctx,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
        return true;
      },
    });
    expect(out.summary).toBe("31/31 rounds passed, 30m from first to last round (window 30m, every 1m)");
    expect(recorded).toHaveLength(31);
    expect(recorded[2]!.elapsedMs).toBe(120_000);
    expect(ctx.fractions.length).toBeGreaterThan(1800);
    const midRound = ctx.fractions.find((f) => f.label === "round 3/31, 28m left" && f.done > 3 / 31);
    expect(midRound).toBeDefined();
    expect(ctx.fractions.at(-1)!.done).toBe(1);
  });

  it("runs exactly one round without waiting in a dry run", async () => {
    const { ctx, calls, recorded } = harness({ dryRun: true });
    const out = await execute(watch("30m", "1m"), ctx);
    expect(out.status).toBe("passed");
    expect(out.summary).toBe("1 round passed (dry run; the real watch runs 31 rounds over 30m)");
    expect(calls).toEqual(["1:health", "1:error-rate"]);
    expect(recorded).toEqual([]);
  });

  it("stops when interrupted, and refuses a variable that is not a duration", async () => {
    const controller = new AbortController();
    const { ctx } = harness();
    const sleep = async () => {
      controller.abort();
      return false;
    };
    const interrupted = await execute(watch("10s", "5s"), { ...ctx, signal: controller.signal, sleep });
    expect(interrupted.summary).toBe("interrupted before round 2/3");
    const bad = await execute(watch(), { ...ctx, vars: { watchDuration: "soon" } });
    expect(bad.status).toBe("failed");
    expect(bad.summary).toMatch(/\$\{watchDuration\} is "soon", which is not a duration/);
    expect(describeStep(watch(), { watchDuration: "30m" })).toBe(
      "every 40ms for 30m: health, error-rate (fails as soon as one fails)",
    );
  });
});
