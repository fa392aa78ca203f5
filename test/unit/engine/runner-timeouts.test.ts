// A step's timeout and Ctrl-C as the journal and the engineer see them, on fake timers: what the result
// says when the executor reports, throws or ignores the stop, and what an interrupted step leaves behind.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import type { ExecContext } from "../../../src/checks/types.js";
import type { StepOutcome } from "../../../src/engine/events.js";
import type { Executors } from "../../../src/engine/ports.js";
import { type RunSession, runChecklist } from "../../../src/engine/runner.js";
import { fold } from "../../../src/engine/state.js";
import { InterruptedError } from "../../../src/errors.js";
import { confirmStep, runStep, simpleChecklist } from "../../helpers/builders.js";
import { FakePrompter, ports } from "../../helpers/fakes.js";
import { startEvent, testSession } from "./session-fixture.js";

const session = (c: Checklist, over: Partial<RunSession> = {}): RunSession =>
  testSession(c, { answers: { "signoff/ready": { value: "yes" } }, ...over });

type Exec = (step: Step, ctx: ExecContext) => Promise<StepOutcome>;

function start(
  c: Checklist,
  exec: Exec,
  over: Partial<RunSession> = {},
  script: { q: string; a: string | boolean }[] = [],
) {
  const p = ports({ prompter: new FakePrompter(script) });
  p.journal.events.push(startEvent(c, "2026-11-26T06:30:00.000Z"));
  const executors: Executors = {
    loadCheck: async (kind) => {
      const m = await p.executors.loadCheck(kind);
      return { ...m, execute: (step, ctx) => exec(step as Step, ctx) };
    },
  };
  const done = runChecklist(session(c, over), fold(p.journal.events), { ...p, executors }).then(
    (code) => ({ code, error: undefined as unknown }),
    (error: unknown) => ({ code: undefined, error }),
  );
  return { p, done };
}

/** Resolves when the step's signal aborts, with the abort's reason. */
const aborted = (ctx: ExecContext) =>
  new Promise<unknown>((resolve) => {
    if (ctx.signal.aborted) resolve(ctx.signal.reason);
    ctx.signal.addEventListener("abort", () => resolve(ctx.signal.reason), { once: true });
  });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a step's timeout", () => {
  it("aborts the step's signal with the reason at the timeout, not before", async () => {
    let ctxSeen: ExecContext | undefined;
    const c = simpleChecklist({ a: [runStep("x", "ok", { timeout: "2s", optional: true })] });
    const { p, done } = start(c, async (_s, ctx) => {
      ctxSeen = ctx;
      const reason = await aborted(ctx);
      expect((reason as Error).message).toBe("timed out after 2s");
      return { status: "failed", summary: "stopped" };
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(ctxSeen!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(ctxSeen!.signal.aborted).toBe(true);
    expect(await done).toMatchObject({ code: 0 });
    expect(fold(p.journal.events).steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "timed out after 2s: stopped",
    });
  });

  it("a failure that already says it timed out is kept as it is; a pass after the timeout is a pass", async () => {
    const c = simpleChecklist({
      a: [runStep("x", "ok", { timeout: "1s", optional: true }), runStep("y", "ok", { timeout: "1s" })],
    });
    const { p, done } = start(c, async (_s, ctx) => {
      await aborted(ctx);
      return ctx.key === "a/x"
        ? { status: "failed", summary: "Timed Out waiting for pods" }
        : { status: "passed", summary: "made it" };
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(await done).toMatchObject({ code: 0 });
    const s = fold(p.journal.events).steps;
    expect(s["a/x"]?.outcome?.summary).toBe("Timed Out waiting for pods");
    expect(s["a/y"]?.outcome).toEqual({ status: "passed", summary: "made it" });
  });

  it("an executor that throws after the timeout: the step timed out, its error is the thrown message", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { timeout: "1s", optional: true })] });
    const { p, done } = start(c, async (_s, ctx) => {
      await aborted(ctx);
      throw new Error("child killed by SIGTERM");
    });
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(fold(p.journal.events).steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "timed out after 1s",
      error: "child killed by SIGTERM",
    });
  });

  it("an executor that throws without a timeout: its message is the summary and the error; a non-Error is text", async () => {
    const c = simpleChecklist({
      a: [runStep("x", "ok", { optional: true }), runStep("y", "ok", { optional: true })],
    });
    const { p, done } = start(c, async (_s, ctx) => {
      if (ctx.key === "a/x") throw new Error("boom");
      throw "plain";
    });
    await vi.advanceTimersByTimeAsync(0);
    await done;
    const s = fold(p.journal.events).steps;
    expect(s["a/x"]?.outcome).toEqual({ status: "failed", summary: "boom", error: "boom" });
    expect(s["a/y"]?.outcome).toEqual({ status: "failed", summary: "plain", error: "plain" });
  });

  it("an executor that ignores the stop: the step ends 10 s after its timeout, not sooner", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { timeout: "1s", optional: true })] });
    const { p, done } = start(c, () => new Promise<StepOutcome>(() => {}));
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(10_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toMatchObject({ code: 0 });
    expect(fold(p.journal.events).steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "timed out after 1s (still running 10s later; left behind)",
      error: "timed out after 1s (still running 10s later; left behind)",
    });
  });

  it("a step that finishes in time is not stopped later by its timer", async () => {
    let signal: AbortSignal | undefined;
    const c = simpleChecklist({ a: [runStep("x", "ok", { timeout: "1s" })] });
    const { done } = start(c, async (_s, ctx) => {
      signal = ctx.signal;
      return { status: "passed", summary: "ok" };
    });
    expect(await done).toMatchObject({ code: 0 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(signal!.aborted).toBe(false);
  });
});

describe("Ctrl-C", () => {
  it("during a step: the executor's signal aborts, it gets up to 3 s to stop, then the step is interrupted", async () => {
    const ac = new AbortController();
    let stopped = false;
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const { p, done } = start(
      c,
      async (_s, ctx) => {
        setTimeout(() => ac.abort(), 100);
        await aborted(ctx);
        await new Promise((r) => setTimeout(r, 2000));
        stopped = true;
        return { status: "failed", summary: "killed" };
      },
      { signal: ac.signal },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(p.journal.types().at(-1)).toBe("step-started");
    await vi.advanceTimersByTimeAsync(2000);
    const r = await done;
    expect(stopped).toBe(true);
    expect(r.error).toBeInstanceOf(InterruptedError);
    expect((r.error as InterruptedError).hint).toBe("Resume it with:\n    deploycheck resume demo-1");
    expect(p.journal.events.at(-1)).toMatchObject({
      type: "step-interrupted",
      key: "a/x",
      attempt: 1,
    });
    expect(p.output.lines.at(-1)).toBe("interrupted X: interrupted");
  });

  it("an executor that does not stop is left after 3 s, and the step is recorded as interrupted", async () => {
    const ac = new AbortController();
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const { p, done } = start(
      c,
      () => {
        setTimeout(() => ac.abort(), 10);
        return new Promise<StepOutcome>(() => {});
      },
      { signal: ac.signal },
    );
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(3009);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await done).error).toBeInstanceOf(InterruptedError);
    expect(p.journal.events.at(-1)).toMatchObject({ type: "step-interrupted", key: "a/x" });
  });

  it("before a step starts: nothing more is journaled, the run says how to resume with the session's command", async () => {
    const ac = new AbortController();
    ac.abort();
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const { p, done } = start(c, async () => ({ status: "passed", summary: "ok" }), {
      signal: ac.signal,
      commands: { resume: "dc resume demo-1 --state-dir /s", report: "r" },
    });
    const r = await done;
    expect(r.error).toBeInstanceOf(InterruptedError);
    expect((r.error as InterruptedError).hint).toBe("Resume it with:\n    dc resume demo-1 --state-dir /s");
    expect(p.journal.types()).toEqual(["run-started"]);
  });

  it("at an interactive question inside a step: the step is interrupted, not failed", async () => {
    const c = simpleChecklist({ a: [confirmStep("sure")] });
    const p = ports({
      prompter: Object.assign(new FakePrompter([]), {
        confirm: async () => {
          throw new InterruptedError("cancelled");
        },
      }),
    });
    p.journal.events.push(startEvent(c, "2026-11-26T06:30:00.000Z"));
    const err = await runChecklist(session(c, { interactive: true }), fold(p.journal.events), p).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toBe("run interrupted; everything so far is saved");
    expect(p.journal.types().slice(-2)).toEqual(["step-started", "step-interrupted"]);
  });

  it("a question inside a step hides the live line while it is on screen", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const events: string[] = [];
    const p = ports({ prompter: new FakePrompter([{ q: "Undo?", a: true }]) });
    p.output.stepStart = (label) => {
      events.push(`start ${label}`);
      return {
        message: () => {},
        suspend: () => void events.push("suspend"),
        resume: () => void events.push("resume"),
        stop: () => void events.push("stop"),
      };
    };
    p.journal.events.push(startEvent(c, "2026-11-26T06:30:00.000Z"));
    const executors: Executors = {
      loadCheck: async (kind) => {
        const m = await p.executors.loadCheck(kind);
        return {
          ...m,
          execute: async (_s, ctx) => {
            const yes = await ctx.prompter.confirm("Undo?");
            events.push(`answer ${yes}`);
            return { status: "passed", summary: "ok" };
          },
        };
      },
    };
    const done = runChecklist(session(c, { interactive: true }), fold(p.journal.events), {
      ...p,
      prompter: Object.assign(p.prompter, {}),
      executors,
    }).catch((e) => e);
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(events.slice(0, 5)).toEqual(["start X", "suspend", "resume", "answer true", "stop"]);
  });
});
