// The runner's remaining edges as a caller sees them: the "Show full output" text for HTTP and signal
// details, a run already done, what the journal is told and when it is made durable, secrets of input
// steps, what an executor's context does (sleep, progress without a fraction, prompts, watch rounds,
// nested steps stopped with their parent), notifications, and the end-of-run lists.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Checklist, NestedStep, Step } from "../../../src/checklist/schema.js";
import type { ExecContext } from "../../../src/checks/types.js";
import { EVENT_VERSION, type RunEvent, type StepOutcome } from "../../../src/engine/events.js";
import type { Executors, Notifier, StepProgress } from "../../../src/engine/ports.js";
import { fullOutput, type RunSession, runChecklist } from "../../../src/engine/runner.js";
import { fold } from "../../../src/engine/state.js";
import { InterruptedError } from "../../../src/errors.js";
import { runStep, simpleChecklist } from "../../helpers/builders.js";
import {
  type FakeClock,
  FakePrompter,
  MemoryJournal,
  ports,
  RecordingOutput,
  type Scripted,
} from "../../helpers/fakes.js";
import { READY, startEvent as startEventAt, testSession } from "./session-fixture.js";

const AT = "2026-11-26T06:30:00.000Z";
const startEvent = (c: Checklist) => startEventAt(c, AT);
const t = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

/** A journal with group commit: records every write, append and sync in order. */
class LazyJournal extends MemoryJournal {
  ops: string[] = [];
  override async append(e: RunEvent): Promise<void> {
    this.ops.push(`append ${e.type}`);
    await super.append(e);
  }
  write(e: RunEvent): void {
    this.ops.push(`write ${e.type}`);
    this.events.push(structuredClone(e));
  }
  async sync(): Promise<void> {
    this.ops.push("sync");
  }
}

/** Shows what a step's live line is told, without a `fraction` (an output may have none). */
class ProgressOutput extends RecordingOutput {
  override stepStart(label: string): StepProgress {
    this.lines.push(`start ${label}`);
    return {
      message: (m) => void this.lines.push(`progress ${m}`),
      suspend: () => void this.lines.push("suspend"),
      resume: () => void this.lines.push("resume"),
      stop: () => {},
    };
  }
  override stepResult = (label: string, mark: string, summary: string, durationMs?: number) =>
    void this.lines.push(`${mark} ${label}: ${summary} [${durationMs ?? "-"}]`);
}

type Exec = (step: Step, ctx: ExecContext, clock: FakeClock) => Promise<StepOutcome>;

async function go(
  c: Checklist,
  over: Partial<RunSession> = {},
  opts: {
    exec?: Exec;
    prior?: RunEvent[];
    script?: Scripted[];
    notifier?: Notifier;
    journal?: MemoryJournal;
    loadCheck?: Executors["loadCheck"];
  } = {},
) {
  const p = ports({
    prompter: new FakePrompter(opts.script ?? []),
    output: new ProgressOutput(),
    ...(opts.journal ? { journal: opts.journal } : {}),
  });
  if (opts.notifier) p.notifier = opts.notifier;
  const events = opts.prior ?? [startEvent(c)];
  p.journal.events.push(...events);
  const base = p.executors;
  const exec = opts.exec;
  const executors: Executors = {
    loadCheck:
      opts.loadCheck ??
      (async (kind) => {
        const m = await base.loadCheck(kind);
        return exec ? { ...m, execute: (step, ctx) => exec(step as Step, ctx, p.clock) } : m;
      }),
  };
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runChecklist(testSession(c, over), fold(events), { ...p, executors });
  } catch (err) {
    error = err;
  }
  return { p, code, error, journal: p.journal, out: p.output.lines, state: fold(p.journal.events) };
}

describe("Show full output", () => {
  it("says which signal ended a process, and the URL and HTTP status of a request", () => {
    expect(
      fullOutput({
        status: "failed",
        summary: "HTTP 503",
        details: { signal: "SIGTERM", url: "https://status.example/health", status: 503 },
      }),
    ).toBe(
      "signal:    SIGTERM\nurl:       https://status.example/health\nstatus:    503\nresult:    HTTP 503\n\n(no output was captured)",
    );
  });

  it("leaves out details of the wrong type", () => {
    expect(
      fullOutput({ status: "failed", summary: "x", details: { signal: 15, url: 1, status: "503" } }),
    ).toBe("result:    x\n\n(no output was captured)");
  });
});

describe("a run that is already done", () => {
  it.each([
    { name: "finished with exit 0", last: { type: "run-finished", exitCode: 0 }, code: 0 },
    { name: "finished with exit 1", last: { type: "run-finished", exitCode: 1 }, code: 1 },
    {
      name: "abandoned (a guard refused before anything ran)",
      last: { type: "run-aborted", reason: "guard a/g refused: wrong context", abandoned: true },
      code: 1,
    },
  ])("$name: returns its exit code and runs nothing", async ({ last, code }) => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const prior = [startEvent(c), { v: EVENT_VERSION, at: AT, ...last } as RunEvent];
    const r = await go(c, { firstSession: false }, { prior });
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(code);
    expect(r.journal.events).toHaveLength(2);
    expect(r.out).toEqual([]);
  });
});

describe("the journal: what is written lazily and when it is made durable", () => {
  it("a result is written and made durable by the next step's start; sync before the sign-off, once", async () => {
    const c = simpleChecklist({
      a: [runStep("y", "ok"), runStep("x", "ok", { when: false } as Partial<Step>), runStep("z", "ok")],
    });
    const journal = new LazyJournal();
    const r = await go(c, {}, { journal });
    expect(r.code).toBe(0);
    expect(journal.ops).toEqual([
      "append step-started",
      "write step-finished",
      "write step-finished",
      "append step-started",
      "write step-finished",
      "sync",
      "append signoff",
      "append run-finished",
    ]);
    expect(r.state.steps["a/x"]?.status).toBe("not-applicable");
  });

  it("guards' results are written lazily too, each made durable by the next start", async () => {
    const c = simpleChecklist(
      { a: [runStep("y", "ok")] },
      { guards: [runStep("g1", "ok"), runStep("g2", "ok")] },
    );
    const journal = new LazyJournal();
    const r = await go(c, {}, { journal });
    expect(r.code).toBe(0);
    expect(journal.ops.slice(0, 7)).toEqual([
      "append step-started",
      "write step-finished",
      "append step-started",
      "write step-finished",
      "append step-started",
      "write step-finished",
      "sync",
    ]);
  });

  it("a question at the sign-off that fails: the last result was made durable once, before the question", async () => {
    const c = simpleChecklist({ a: [runStep("y", "ok")] });
    const journal = new LazyJournal();
    const r = await go(c, { interactive: true }, { journal });
    expect((r.error as Error).message).toMatch(/^unexpected question: /);
    expect(journal.ops).toEqual(["append step-started", "write step-finished", "sync"]);
  });

  it("nothing to make durable at the start: a start notification goes out without a sync", async () => {
    const c = simpleChecklist({ a: [runStep("y", "ok")] });
    const journal = new LazyJournal();
    const posted: string[] = [];
    const notifier: Notifier = {
      post: async (text) => {
        posted.push(text);
        journal.ops.push("post");
        return { ok: true, attempts: 1 };
      },
    };
    const r = await go(c, { notifyOn: new Set(["start"]) }, { journal, notifier });
    expect(r.code).toBe(0);
    expect(posted).toEqual(["Demo checklist: run demo-1 started"]);
    expect(journal.ops).toEqual([
      "post",
      "append notification",
      "append step-started",
      "write step-finished",
      "sync",
      "append signoff",
      "append run-finished",
    ]);
  });
});

describe("secrets", () => {
  it("a secret variable without a value does not stop the run", async () => {
    const c = simpleChecklist({ a: [runStep("x", "echo:${token}")] });
    const r = await go(c, { secretVars: ["token"], vars: {} });
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
  });

  it("a secret input's answer is redacted in the journal, with or without a saved value", async () => {
    const c = simpleChecklist({
      a: [
        { id: "pw", title: "PW", input: { prompt: "value for pw?", secret: true } } as Step,
        { id: "none", title: "None", input: { prompt: "value for none?", secret: true } } as Step,
      ],
    });
    const exec: Exec = async (step) =>
      step.id === "pw"
        ? { status: "passed", summary: "entered hunter2x", answer: "hunter2x" }
        : { status: "passed", summary: "nothing entered" };
    const r = await go(c, {}, { exec });
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.state.steps["a/pw"]?.outcome).toEqual({
      status: "passed",
      summary: "entered [REDACTED]",
      answer: "[REDACTED]",
    });
    expect(JSON.stringify(r.journal.events)).not.toContain("hunter2x");
    expect(r.out.slice(2, 4)).toEqual([
      "passed PW: entered [REDACTED] [0]",
      "passed None: nothing entered [0]",
    ]);
  });
});

describe("a step's executor and its context", () => {
  it("a check module that cannot be loaded ends the run with that error, not as interrupted", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const r = await go(
      c,
      {},
      {
        loadCheck: async () => {
          throw new Error("cannot load the run check");
        },
      },
    );
    expect(r.error).toBeInstanceOf(Error);
    expect(r.error).not.toBeInstanceOf(InterruptedError);
    expect((r.error as Error).message).toBe("cannot load the run check");
    expect(r.journal.types()).toEqual(["run-started", "step-started"]);
  });

  it("Ctrl-C during a step: the interruption is journaled with how long the step ran", async () => {
    const ctl = new AbortController();
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const r = await go(
      c,
      { signal: ctl.signal },
      {
        exec: async (_s, _ctx, clock) => {
          clock.advance(5);
          ctl.abort();
          return { status: "passed", summary: "exit 0" };
        },
      },
    );
    expect(r.error).toBeInstanceOf(InterruptedError);
    expect(r.journal.events.at(-1)).toEqual({
      v: EVENT_VERSION,
      type: "step-interrupted",
      at: t(5),
      key: "a/x",
      attempt: 1,
      durationMs: 5,
    });
    expect(r.out.at(-1)).toBe("interrupted X: interrupted [5]");
  });

  it("a note whose executor fails is shown as failed, not as a note", async () => {
    const c = simpleChecklist({ a: [{ id: "n", note: "Remember", title: "N" } as Step] });
    const r = await go(c, { keepGoing: true }, { exec: async () => ({ status: "failed", summary: "no" }) });
    expect(r.out).toContain("failed N: no [0]");
    expect(r.out.some((l) => l.startsWith("noted"))).toBe(false);
  });

  it("the tail of the output is shown for a failed step only", async () => {
    const c = simpleChecklist({
      a: [runStep("x", "ok", { title: "X" }), runStep("y", "ok", { title: "Y", optional: true })],
    });
    const r = await go(
      c,
      {},
      {
        exec: async (step) =>
          step.id === "x"
            ? { status: "passed", summary: "exit 0", output: "all good\n" }
            : { status: "failed", summary: "exit 1", output: "it broke\n" },
      },
    );
    expect(r.code).toBe(0);
    expect(r.out.slice(2, 6)).toEqual(["start X", "passed X: exit 0 [0]", "start Y", "failed Y: exit 1 [0]"]);
    expect(r.out[6]).toBe("tail: it broke");
  });

  it("ctx.sleep sleeps on the run's clock and says whether it slept through", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(
      c,
      {},
      { exec: async (_s, ctx) => ({ status: "passed", summary: `slept ${await ctx.sleep(250)}` }) },
    );
    expect(r.p.clock.slept).toEqual([250]);
    expect(r.state.steps["a/x"]?.outcome?.summary).toBe("slept true");
  });

  it("a progress fraction is dropped when the live line shows none; messages are redacted", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const r = await go(
      c,
      { vars: { token: "s3cr3t-v" }, secretVars: ["token"] },
      {
        exec: async (_s, ctx) => {
          ctx.progress.fraction?.(0.5, "half");
          ctx.progress.message("using s3cr3t-v");
          return { status: "passed", summary: "exit 0" };
        },
      },
    );
    expect(r.out.slice(2, 5)).toEqual(["start X", "progress using [REDACTED]", "passed X: exit 0 [0]"]);
  });

  it("interactive: an executor's text question is asked with the live line suspended", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const r = await go(
      c,
      { interactive: true },
      {
        script: [
          { q: "Which pod?", a: "web-1" },
          { q: "ready", a: true },
          { q: "Your name", a: "ann" },
        ],
        exec: async (_s, ctx) => ({ status: "passed", summary: await ctx.prompter.text("Which pod?") }),
      },
    );
    expect(r.out.slice(2, 6)).toEqual(["start X", "suspend", "resume", "passed X: web-1 [0]"]);
  });

  it("interactive: an executor's prompt that fails (not Ctrl-C) fails the step with its message", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X", optional: true })] });
    const r = await go(
      c,
      { interactive: true },
      {
        script: [
          { q: "ready", a: true },
          { q: "Your name", a: "ann" },
        ],
        exec: async (_s, ctx) => ({ status: "passed", summary: await ctx.prompter.text("Unscripted?") }),
      },
    );
    expect(r.state.steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "unexpected question: Unscripted?",
      error: "unexpected question: Unscripted?",
    });
  });

  it("watch rounds are journaled with only the fields they have", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(
      c,
      { vars: { token: "s3cr3t-v" }, secretVars: ["token"] },
      {
        exec: async (_s, ctx) => {
          await ctx.recordWatchRound!(1, 0, true);
          await ctx.recordWatchRound!(2, 100, false, "pod s3cr3t-v down", t(90));
          return { status: "passed", summary: "exit 0" };
        },
      },
    );
    const rounds = r.journal.of("watch-round");
    expect(rounds[0]).toStrictEqual({
      v: EVENT_VERSION,
      type: "watch-round",
      at: AT,
      key: "a/x",
      round: 1,
      elapsedMs: 0,
      ok: true,
    });
    expect(rounds[1]).toStrictEqual({
      v: EVENT_VERSION,
      type: "watch-round",
      at: AT,
      key: "a/x",
      round: 2,
      elapsedMs: 100,
      ok: false,
      failed: "pod [REDACTED] down",
      roundStartedAt: t(90),
    });
  });
});

describe("more of an executor's context", () => {
  it("the clock, fragment redaction, and the live line of a manual step (none) can be used", async () => {
    const c = simpleChecklist({
      a: [runStep("x", "ok", { title: "X" }), { id: "m", title: "M", confirm: "ok?" } as Step],
    });
    const r = await go(
      c,
      { vars: { token: "s3cr3t-v" }, secretVars: ["token"] },
      {
        exec: async (step, ctx, clock) => {
          if (step.confirm !== undefined) {
            ctx.progress.message("nobody sees this");
            return { status: "passed", summary: "yes", answer: "yes" };
          }
          clock.advance(42);
          const frag = ctx.redact.fragment("3cr3t-v and more", { start: true });
          return { status: "passed", summary: `now ${ctx.now() - Date.parse(AT)}; ${frag}` };
        },
      },
    );
    expect(r.code).toBe(0);
    expect(r.state.steps["a/x"]?.outcome?.summary).toBe("now 42; [REDACTED] and more");
    expect(r.state.steps["a/m"]?.status).toBe("passed");
  });

  it("an untitled step is labelled by its description, told the secret variables and the environment", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(
      c,
      { vars: { token: "s3cr3t-v" }, secretVars: ["token"], env: { HOME: "/home/ann" } },
      {
        loadCheck: async () => ({
          execute: async () => ({ status: "passed", summary: "exit 0" }),
          describe: (_step, _vars, options) =>
            `check ${[...(options?.secrets ?? [])].join(",")} in ${options?.env?.["HOME"]}\nsecond line`,
        }),
      },
    );
    expect(r.out.slice(2, 4)).toEqual([
      "start check token in /home/ann",
      "passed check token in /home/ann: exit 0 [0]",
    ]);
  });

  it.each([
    ["done in 195ms", "[-]"],
    ["rolled out in 1.25s", "[-]"],
    ["answered in 2m", "[-]"],
    ["exit 0", "[7]"],
    ["in 3 places", "[7]"],
  ])("a summary %j says how long it took: duration shown %s", async (summary, shown) => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { title: "X" })] });
    const r = await go(
      c,
      {},
      {
        exec: async (_s, _ctx, clock) => {
          clock.advance(7);
          return { status: "passed", summary };
        },
      },
    );
    expect(r.out[3]).toBe(`passed X: ${summary} ${shown}`);
  });

  it("a secret value saved by an input is handed unredacted to later steps, and journaled redacted", async () => {
    const c = simpleChecklist({
      a: [
        { id: "pw", title: "PW", input: { prompt: "Password?", secret: true, saveAs: "pw" } } as Step,
        runStep("use", "ok", { title: "Use" }),
      ],
    });
    const seen: string[] = [];
    const r = await go(
      c,
      {},
      {
        exec: async (step, ctx) => {
          if (step.input)
            return { status: "passed", summary: "(secret)", answer: "hunter2x", saved: { pw: "hunter2x" } };
          seen.push(ctx.vars["pw"] ?? "(none)");
          return { status: "passed", summary: "exit 0" };
        },
      },
    );
    expect(r.code).toBe(0);
    expect(seen).toEqual(["hunter2x"]);
    expect(r.state.saved).toEqual({ pw: "[REDACTED]" });
  });

  it("Ctrl-C while the step's start is being journaled: the executor is not called", async () => {
    const ctl = new AbortController();
    const journal = new (class extends MemoryJournal {
      override async append(e: RunEvent): Promise<void> {
        await super.append(e);
        if (e.type === "step-started") ctl.abort();
      }
    })();
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const calls: string[] = [];
    const r = await go(
      c,
      { signal: ctl.signal },
      {
        journal,
        exec: async (_s, ctx) => {
          calls.push(ctx.key);
          return { status: "passed", summary: "exit 0" };
        },
      },
    );
    expect(r.error).toBeInstanceOf(InterruptedError);
    expect(calls).toEqual([]);
    expect(r.journal.types()).toEqual(["run-started", "step-started", "step-interrupted"]);
  });

  it("a long run leaves no listener behind on the run's signal", async () => {
    const ctl = new AbortController();
    const steps = Array.from({ length: 12 }, (_, i) => runStep(`s${i}`, "ok"));
    const r = await go(simpleChecklist({ a: steps }), { signal: ctl.signal });
    expect(r.code).toBe(0);
    expect(getEventListeners(ctl.signal, "abort")).toHaveLength(0);
  });
});

describe("a nested step stops with its parent", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the parent's timeout aborts the nested step's signal with the parent's reason", async () => {
    vi.useFakeTimers();
    let nestedCtx: ExecContext | undefined;
    const c = simpleChecklist({ a: [runStep("x", "outer", { timeout: "2s", optional: true })] });
    const exec: Exec = async (step, ctx) => {
      if (step.run === "outer") return ctx.runNested({ run: "inner" } as NestedStep, 0);
      nestedCtx = ctx;
      const reason = await new Promise<unknown>((resolve) =>
        ctx.signal.addEventListener("abort", () => resolve(ctx.signal.reason), { once: true }),
      );
      return { status: "failed", summary: `stopped: ${(reason as Error).message}` };
    };
    const p = go(c, {}, { exec });
    await vi.advanceTimersByTimeAsync(1999);
    expect(nestedCtx?.key).toBe("a/x#1");
    expect(nestedCtx?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(nestedCtx?.signal.aborted).toBe(true);
    const r = await p;
    expect(r.code).toBe(0);
    expect(r.state.steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "stopped: timed out after 2s",
    });
  });

  it("a nested step started after its parent was stopped starts stopped, with the parent's reason", async () => {
    vi.useFakeTimers();
    const c = simpleChecklist({ a: [runStep("x", "outer", { timeout: "2s", optional: true })] });
    const exec: Exec = async (step, ctx) => {
      if (step.run === "outer") {
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        return ctx.runNested({ run: "inner" } as NestedStep, 0);
      }
      return {
        status: "failed",
        summary: `inner: aborted ${ctx.signal.aborted} (${(ctx.signal.reason as Error | undefined)?.message})`,
      };
    };
    const p = go(c, {}, { exec });
    await vi.advanceTimersByTimeAsync(2000);
    const r = await p;
    expect(r.state.steps["a/x"]?.outcome).toEqual({
      status: "failed",
      summary: "inner: aborted true (timed out after 2s)",
    });
  });
});

describe("Ctrl-C during a step that stops at once", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("no grace timer is left behind when the executor had already stopped", async () => {
    vi.useFakeTimers();
    const ctl = new AbortController();
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(
      c,
      { signal: ctl.signal },
      {
        exec: async () => {
          ctl.abort();
          return { status: "failed", summary: "killed" };
        },
      },
    );
    expect(r.error).toBeInstanceOf(InterruptedError);
    expect(r.journal.types().slice(-2)).toEqual(["step-started", "step-interrupted"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("notifications", () => {
  it("without notifyOn nothing is posted", async () => {
    const posted: string[] = [];
    const notifier: Notifier = {
      post: async (text) => {
        posted.push(text);
        return { ok: true, attempts: 1 };
      },
    };
    const r = await go(simpleChecklist({ a: [runStep("x", "ok")] }), {}, { notifier });
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(posted).toEqual([]);
  });

  it("a failure says the step's error (not its summary); a delivered post journals only ok", async () => {
    const posted: string[] = [];
    const notifier: Notifier = {
      post: async (text) => {
        posted.push(text);
        return { ok: true, attempts: 1 };
      },
    };
    const c = simpleChecklist({ a: [runStep("x", "ok", { optional: false })] });
    const r = await go(
      c,
      { notifyOn: new Set(["failure"]) },
      { notifier, exec: async () => ({ status: "failed", summary: "exit 2", error: "disk full" }) },
    );
    expect(r.code).toBe(1);
    expect(posted).toEqual(["Demo checklist: Item a failed: disk full (run demo-1)"]);
    expect(r.journal.of("notification")).toStrictEqual([
      { v: EVENT_VERSION, type: "notification", at: AT, on: "failure", ok: true },
    ]);
  });
});

describe("the end of a run lists every required step not done", () => {
  it.each([
    {
      name: "dry run",
      over: { dryRun: true, keepGoing: true },
      extra: {},
      text: "Dry run finished; required steps were not done: a/x (failed), a/y (failed) (exit 1).",
    },
    {
      name: "signed off ready",
      over: { keepGoing: true },
      extra: { signoff: { requireAllRequiredPassed: false } },
      text: "Signed off as ready, but required steps were not done: a/x (failed), a/y (failed) (exit 1).",
    },
  ])("$name", async ({ over, extra, text }) => {
    const c = simpleChecklist(
      {
        a: [
          runStep("x", "fail", { mutating: false } as Partial<Step>),
          runStep("y", "fail", { mutating: false } as Partial<Step>),
        ],
      },
      extra as Partial<Checklist>,
    );
    const r = await go(c, { answers: READY, ...over });
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe(text);
  });
});
