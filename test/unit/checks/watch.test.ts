import { describe, expect, it } from "vitest";
import type { NestedStep, Step } from "../../../src/checklist/schema.js";
import { describe as describeStep, execute, watchPlan } from "../../../src/checks/watch.js";
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
function harness(
  options: {
    failAt?: [number, string];
    resume?: { watchRounds: number; watchElapsedMs: number };
    dryRun?: boolean;
  } = {},
) {
  const calls: string[] = [];
  const recorded: { round: number; elapsedMs: number; ok: boolean; failed?: string }[] = [];
  let round = (options.resume?.watchRounds ?? 0) + 1;
  const ctx = execContext({
    vars: { watchDuration: "120ms" },
    dryRun: options.dryRun ?? false,
    ...(options.resume ? { resume: options.resume } : {}),
    runNested: async (step, i): Promise<StepOutcome> => {
      calls.push(`${round}:${step.id}`);
      const fail = options.failAt && options.failAt[0] === round && options.failAt[1] === step.id;
      if (i === nested.length - 1 || fail) round++;
      return fail
        ? { status: "failed", summary: "0.4, expected < 0.1" }
        : { status: "passed", summary: "ok" };
    },
    recordWatchRound: async (r, elapsedMs, ok, failed) => {
      recorded.push({ round: r, elapsedMs, ok, ...(failed ? { failed } : {}) });
    },
  });
  return { ctx, calls, recorded };
}

describe("watch", () => {
  it("plans rounds at both ends of the window", () => {
    expect(watchPlan(30 * 60_000, 60_000).totalRounds).toBe(31);
    expect(watchPlan(30_000, 10_000).totalRounds).toBe(4);
  });

  it("runs every nested step each interval for the duration, recording rounds and progress", async () => {
    const { ctx, calls, recorded } = harness();
    const t0 = Date.now();
    const out = await execute(watch(), ctx);
    expect(out.status).toBe("passed");
    expect(out.summary).toBe("4/4 rounds passed over 120ms, every 40ms");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
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
    expect(recorded.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    expect(recorded.every((r) => r.ok)).toBe(true);
    expect(recorded[3]!.elapsedMs).toBeGreaterThanOrEqual(115);
    expect(ctx.fractions.at(-1)).toEqual({ done: 1, label: expect.stringMatching(/^round 4\/4, /) });
    expect(ctx.fractions.some((f) => /^round 1\/4, \d+s left$/.test(f.label))).toBe(true);
  });

  it("fails as soon as a nested step fails, naming the step and the round", async () => {
    const { ctx, calls, recorded } = harness({ failAt: [2, "error-rate"] });
    const out = await execute(watch(), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^round 2\/4 \(after \d+ms\): error-rate failed: 0\.4, expected < 0\.1$/);
    expect(calls).toEqual(["1:health", "1:error-rate", "2:health", "2:error-rate"]);
    expect(recorded.at(-1)).toMatchObject({ round: 2, ok: false, failed: "error-rate" });
    expect(out.details?.["failedStep"]).toBe("error-rate");
  });

  it("continues from the recorded rounds on resume, counting the time already spent", async () => {
    const { ctx, calls, recorded } = harness({ resume: { watchRounds: 2, watchElapsedMs: 45 } });
    const t0 = Date.now();
    const out = await execute(watch(), ctx);
    expect(out.status).toBe("passed");
    // rounds 3 and 4 remain, due at 80ms and 120ms on the watch's timeline, which starts at 45ms now
    expect(calls).toEqual(["3:health", "3:error-rate", "4:health", "4:error-rate"]);
    expect(recorded.map((r) => r.round)).toEqual([3, 4]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70);
    expect(Date.now() - t0).toBeLessThan(115);
    expect(out.details?.["resumedAt"]).toEqual({ rounds: 2, elapsedMs: 45 });
    expect(out.summary).toBe("rounds 3-4 of 4 passed over 120ms, every 40ms (continued after round 2)");
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
    expect(out.summary).toBe("31/31 rounds passed over 30m, every 1m");
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
