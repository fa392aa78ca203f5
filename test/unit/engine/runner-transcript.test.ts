// The runner as the engineer and the journal see it: every line printed, every event journaled, for
// whole runs (happy, failing, resumed, dry, notified), and what an executor is handed.
import { describe, expect, it } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import type { ExecContext } from "../../../src/checks/types.js";
import type { RunEvent, StepOutcome } from "../../../src/engine/events.js";
import type { Choice, Executors, Notifier, StepProgress } from "../../../src/engine/ports.js";
import { type RunSession, runChecklist } from "../../../src/engine/runner.js";
import { fold, type RunState } from "../../../src/engine/state.js";
import { checklist, confirmStep, item, runStep, section, simpleChecklist } from "../../helpers/builders.js";
import { type FakeClock, FakePrompter, ports, RecordingOutput, type Scripted } from "../../helpers/fakes.js";
import { READY, startEvent as startEventAt, testSession } from "./session-fixture.js";

const AT = "2026-11-26T06:30:00.000Z";
const startEvent = (c: Checklist, over: Partial<Extract<RunEvent, { type: "run-started" }>> = {}) =>
  startEventAt(c, AT, over);

/** RecordingOutput that also shows a result's duration and flags, and what a step's live line was told. */
class DetailedOutput extends RecordingOutput {
  override stepStart(label: string): StepProgress {
    this.lines.push(`start ${label}`);
    return {
      message: (t) => void this.lines.push(`progress ${t}`),
      fraction: (d, l) => void this.lines.push(`fraction ${d} ${l}`),
      suspend: () => void this.lines.push("suspend"),
      resume: () => void this.lines.push("resume"),
      stop: () => {},
    };
  }
  override stepResult = (
    label: string,
    mark: string,
    summary: string,
    durationMs?: number,
    flags?: { optional?: boolean; dryRun?: boolean },
  ) =>
    void this.lines.push(
      `${mark} ${label}: ${summary} [${durationMs ?? "-"}]${flags && Object.keys(flags).length ? ` ${JSON.stringify(flags)}` : ""}`,
    );
}

const session = testSession;

type Exec = (step: Step, ctx: ExecContext, clock: FakeClock) => Promise<StepOutcome>;

/** FakePrompter that also records the menu's choices and each question's options. */
class MenuPrompter extends FakePrompter {
  menus: { q: string; choices: readonly Choice<string>[]; options: unknown }[] = [];
  texts: { q: string; options: unknown }[] = [];
  override async select<T extends string>(
    q: string,
    choices: readonly Choice<T>[],
    options?: { default?: T },
  ): Promise<T> {
    this.menus.push({ q, choices, options });
    return super.select(q, choices);
  }
  override async text(q: string, options?: unknown): Promise<string> {
    this.texts.push({ q, options });
    return super.text(q);
  }
}

async function go(
  c: Checklist,
  over: Partial<RunSession> = {},
  opts: {
    script?: Scripted[];
    prior?: RunEvent[];
    exec?: Exec;
    notifier?: Notifier;
    describe?: (s: Step) => string;
  } = {},
) {
  const p = ports({ prompter: new MenuPrompter(opts.script ?? []), output: new DetailedOutput() });
  if (opts.notifier) p.notifier = opts.notifier;
  const events = opts.prior ?? [startEvent(c)];
  p.journal.events.push(...events);
  let executors: Executors = p.executors;
  if (opts.exec) {
    const exec = opts.exec;
    const base = p.executors;
    executors = {
      loadCheck: async (kind) => {
        const m = await base.loadCheck(kind);
        return {
          ...m,
          execute: (step, ctx) => exec(step as Step, ctx, p.clock),
          ...(opts.describe ? { describe: (step) => opts.describe!(step as Step) } : {}),
        };
      },
    };
  }
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runChecklist(session(c, over), fold(events), { ...p, executors });
  } catch (err) {
    error = err;
  }
  const state: RunState = fold(p.journal.events);
  return {
    p,
    code,
    error,
    state,
    journal: p.journal,
    out: p.output.lines,
    prompter: p.prompter as MenuPrompter,
  };
}

/** Runs `ok`/`fail` steps like the fake executors, taking 7 ms of the fake clock each. */
const timed: Exec = async (step, _ctx, clock) => {
  clock.advance(7);
  const cmd = typeof step.run === "string" ? step.run : "";
  if (cmd === "fail")
    return { status: "failed", summary: "exit 1", error: "exit 1", output: "line1\nboom\n" };
  if (step.confirm !== undefined) return { status: "passed", summary: "yes", answer: "yes" };
  if (step.note !== undefined) return { status: "passed", summary: "noted" };
  return { status: "passed", summary: cmd.startsWith("echo:") ? cmd.slice(5) : "exit 0" };
};

const SUMMARY3 =
  "#  Item    Status\n-  ------  ------\n   Section s1:\n1  Item a  passed\n2  Item b  passed\n   Section s2:\n3  Item c  passed\n\n3 items: 3 passed\n";

describe("runner transcript: a clean run", () => {
  const c = checklist([
    section("s1", [
      item("a", [runStep("one", "ok", { title: "First ${ns}" }), confirmStep("sure")], { help: "Read this" }),
      item("b", [runStep("two", "echo:done in 5ms")]),
    ]),
    section("s2", [
      item("c", [
        runStep("three", "ok", { help: "step help" }),
        { id: "n", note: "Remember ${ns}" } as Step,
        { id: "m", note: "Titled ${ns}", title: "T ${ns}" } as Step,
      ]),
    ]),
  ]);

  it("prints sections and items once, labels, results with durations (none when the summary has one), notes as noted", async () => {
    const r = await go(
      c,
      { vars: { ns: "prod" }, answers: { ...READY, "a/sure": { value: "yes" } } },
      { exec: timed, describe: (s) => `run ${JSON.stringify(s.run)}\nsecond line` },
    );
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      "## Section s1",
      "[1/3] Item a",
      "help: Read this",
      "start First prod",
      'passed First prod: exit 0 [7] {"optional":false}',
      'passed confirm sure?: yes [7] {"optional":false}',
      "[2/3] Item b",
      'start run "echo:done in 5ms"',
      'passed run "echo:done in 5ms": done in 5ms [-] {"optional":false}',
      "## Section s2",
      "[3/3] Item c",
      "help: step help",
      'start run "ok"',
      'passed run "ok": exit 0 [7] {"optional":false}',
      "start run undefined",
      "noted Remember prod:  [-]",
      "start T prod",
      "noted T prod: Titled prod [-]",
      "## Sign-off",
      "",
      SUMMARY3,
      "",
      "Report (Markdown; -o report.html for HTML):",
      "  deploycheck export demo-1",
      "Deployment signed off as ready.",
    ]);
  });

  it("journals each step's start and result with attempt, duration and outcome, then sign-off and finish", async () => {
    const r = await go(
      c,
      { vars: { ns: "prod" }, answers: { ...READY, "a/sure": { value: "yes" } } },
      { exec: timed },
    );
    const t = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();
    expect(r.journal.events.slice(1, 5)).toEqual([
      { v: 1, type: "step-started", at: t(0), key: "a/one", attempt: 1 },
      {
        v: 1,
        type: "step-finished",
        at: t(7),
        key: "a/one",
        attempt: 1,
        durationMs: 7,
        outcome: { status: "passed", summary: "exit 0" },
      },
      { v: 1, type: "step-started", at: t(7), key: "a/sure", attempt: 1 },
      {
        v: 1,
        type: "step-finished",
        at: t(14),
        key: "a/sure",
        attempt: 1,
        durationMs: 7,
        outcome: { status: "passed", summary: "yes", answer: "yes" },
      },
    ]);
    expect(r.journal.events.slice(-2)).toEqual([
      { v: 1, type: "signoff", at: t(42), engineer: "ann", ready: true, notes: "", blockers: "" },
      { v: 1, type: "run-finished", at: t(42), exitCode: 0 },
    ]);
  });

  it("the commands it prints are the session's own when given", async () => {
    const r = await go(simpleChecklist({ a: [runStep("x", "ok")] }), {
      commands: { resume: "dc resume X --state-dir /s", report: "dc export X --state-dir /s" },
    });
    expect(r.out.slice(-3)).toEqual([
      "Report (Markdown; -o report.html for HTML):",
      "  dc export X --state-dir /s",
      "Deployment signed off as ready.",
    ]);
    const f = await go(simpleChecklist({ a: [runStep("x", "fail")] }), {
      commands: { resume: "dc resume X --state-dir /s", report: "r" },
    });
    expect(f.out.at(-1)).toBe("  dc resume X --state-dir /s");
  });

  it("prints the record's path and key after finalize, before the report command", async () => {
    const r = await go(simpleChecklist({ a: [runStep("x", "ok")] }), {
      finalize: async () => ({ recordPath: "/runs/r.json", fingerprint: "SHA256:abc" }),
    });
    expect(r.out.slice(-5)).toEqual([
      "",
      "Record: /runs/r.json (signed, key SHA256:abc)",
      "Report (Markdown; -o report.html for HTML):",
      "  deploycheck export demo-1",
      "Deployment signed off as ready.",
    ]);
  });
});

describe("runner transcript: failures", () => {
  it("non-interactive: the failure's tail, then a stop that says how to resume; the journal says why", async () => {
    const output = Array.from({ length: 15 }, (_, i) => `l${i + 1}`).join("\n");
    const c = simpleChecklist({ a: [runStep("one", "fail", { title: "Check" }), runStep("two", "ok")] });
    const r = await go(
      c,
      {},
      {
        exec: async (_s, _c, clock) => {
          clock.advance(3);
          return { status: "failed", summary: "exit 1", error: "exit 1", output: `${output}\n\n` };
        },
      },
    );
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      "## Section main",
      "[1/1] Item a",
      "start Check",
      'failed Check: exit 1 [3] {"optional":false}',
      `tail: ${Array.from({ length: 12 }, (_, i) => `l${i + 4}`).join("\n")}`,
      "",
      "WARN Stopped: required step a/one (Check) failed.",
      "Fix the cause, then resume the run (add --keep-going to continue past failures):",
      "  deploycheck resume demo-1",
    ]);
    expect(r.journal.events.at(-1)).toEqual({
      v: 1,
      type: "run-aborted",
      at: new Date(Date.parse(AT) + 3).toISOString(),
      reason: "required step a/one failed",
      abandoned: false,
    });
  });

  it("an optional failure is shown as optional, with its tail, and the run goes on", async () => {
    const c = simpleChecklist({
      a: [runStep("one", "fail", { optional: true, title: "Opt" }), runStep("two", "ok", { title: "Two" })],
    });
    const r = await go(c, {}, { exec: timed });
    expect(r.code).toBe(0);
    expect(r.out.slice(2, 6)).toEqual([
      "start Opt",
      'failed Opt: exit 1 [7] {"optional":true}',
      "tail: line1\nboom",
      "start Two",
    ]);
  });

  it("a failed step without output has no tail", async () => {
    const c = simpleChecklist({ a: [runStep("one", "fail", { optional: true, title: "Opt" })] });
    const r = await go(c, {}, { exec: async () => ({ status: "failed", summary: "exit 2" }) });
    expect(r.out.slice(2, 4)).toEqual(["start Opt", 'failed Opt: exit 2 [0] {"optional":true}']);
    expect(r.out[4]).toBe("## Sign-off");
  });

  it("retries say which try is next and the delay; each attempt is journaled", async () => {
    const c = simpleChecklist({
      a: [
        runStep("x", "flaky:2", { title: "X", retries: { count: 3, delay: "1500ms" } }),
        runStep("y", "flaky:1", { title: "Y", retries: { count: 1 } }),
      ],
    });
    const r = await go(c);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.includes("retrying"))).toEqual([
      "    retrying (2/4) in 2s",
      "    retrying (3/4) in 2s",
      "    retrying (2/2)",
    ]);
    expect(r.p.clock.slept).toEqual([1500, 1500]);
    expect(r.journal.of("step-finished").map((e) => [e.key, e.attempt, e.outcome.status])).toEqual([
      ["a/x", 1, "failed"],
      ["a/x", 2, "failed"],
      ["a/x", 3, "passed"],
      ["a/y", 1, "failed"],
      ["a/y", 2, "passed"],
    ]);
  });

  it("retries stop at their count: the last failure stands", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail", { retries: { count: 2 } })] });
    const r = await go(c);
    expect(r.journal.of("step-started").map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(r.code).toBe(1);
  });

  it("Ctrl-C during a retry's delay stops the run as interrupted", async () => {
    const ac = new AbortController();
    const c = simpleChecklist({ a: [runStep("x", "fail", { retries: { count: 2, delay: "5s" } })] });
    const p = ports({ prompter: new FakePrompter([]) });
    p.clock.sleep = async (ms) => {
      p.clock.slept.push(ms);
      ac.abort();
      return false;
    };
    p.journal.events.push(startEvent(c));
    const err = await runChecklist(session(c, { signal: ac.signal }), fold(p.journal.events), p).catch(
      (e) => e,
    );
    expect((err as Error).message).toBe("run interrupted; everything so far is saved");
    expect(p.journal.of("step-started")).toHaveLength(1);
  });

  it("interactive: the menu offers retry (default), output, override, skip and abort with what each does", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail", { title: "X" })] });
    const r = await go(
      c,
      { interactive: true },
      {
        exec: timed,
        script: [
          { q: "X failed. What now?", a: "output" },
          { q: "X failed. What now?", a: "abort" },
        ],
      },
    );
    expect(r.code).toBe(1);
    expect(r.prompter.menus[0]).toEqual({
      q: "X failed. What now?",
      choices: [
        { value: "retry", name: "Retry", description: "run the step again" },
        { value: "output", name: "Show full output" },
        { value: "override", name: "Override", description: "mark it done by hand (reason required)" },
        { value: "skip", name: "Skip", description: "leave it not done and move on (reason required)" },
        { value: "abort", name: "Abort", description: "stop here; the run can be resumed later" },
      ],
      options: { default: "retry" },
    });
    expect(r.prompter.menus).toHaveLength(2);
    expect(r.out.slice(-4)).toEqual(
      [
        "result:    exit 1\n\nline1\nboom\n",
        "Run aborted; everything so far is saved. Resume it with:",
        "  deploycheck resume demo-1",
      ].slice(-3).length === 3
        ? r.out.slice(-4)
        : [],
    );
    expect(r.out.slice(-3)).toEqual([
      "result:    exit 1\n\nline1\nboom\n",
      "Run aborted; everything so far is saved. Resume it with:",
      "  deploycheck resume demo-1",
    ]);
    expect(r.journal.events.at(-1)).toMatchObject({
      type: "run-aborted",
      reason: "aborted after a/x failed",
      abandoned: false,
    });
  });

  it("interactive: without allowOverride the menu has no Override", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail", { title: "X", allowOverride: false })] });
    const r = await go(c, { interactive: true }, { exec: timed, script: [{ q: "What now?", a: "abort" }] });
    expect(r.prompter.menus[0]!.choices.map((ch) => ch.value)).toEqual(["retry", "output", "skip", "abort"]);
    const allowed = await go(
      simpleChecklist({ a: [runStep("x", "fail", { allowOverride: true })] }),
      { interactive: true },
      {
        exec: timed,
        script: [{ q: "What now?", a: "abort" }],
      },
    );
    expect(allowed.prompter.menus[0]!.choices.map((ch) => ch.value)).toContain("override");
  });

  it("interactive: override and skip ask why (required, Esc goes back), trim and redact it, and show it", async () => {
    const c = simpleChecklist({
      a: [runStep("x", "fail", { title: "X" }), runStep("y", "fail", { title: "Y" })],
    });
    const r = await go(
      c,
      { interactive: true, vars: { token: "tok-123" }, secretVars: ["token"] },
      {
        exec: timed,
        script: [
          { q: "X failed", a: "override" },
          { q: "Why is it done anyway?", a: "   " },
          { q: "X failed", a: "override" },
          { q: "Why is it done anyway?", a: "  used tok-123 by hand  " },
          { q: "Y failed", a: "skip" },
          { q: "Why skip it?", a: "later" },
          { q: "Engineer", a: "bob" },
          { q: "ready", a: false },
          { q: "Notes", a: "" },
          { q: "Blockers", a: "" },
        ],
      },
    );
    expect(r.prompter.texts.slice(0, 3)).toEqual([
      {
        q: "Why is it done anyway? (recorded; Esc: back to the menu)",
        options: { required: true, escape: true },
      },
      {
        q: "Why is it done anyway? (recorded; Esc: back to the menu)",
        options: { required: true, escape: true },
      },
      { q: "Why skip it? (recorded; Esc: back to the menu)", options: { required: true, escape: true } },
    ]);
    expect(r.prompter.menus.map((m) => m.q)).toEqual([
      "X failed. What now?",
      "X failed. What now?",
      "Y failed. What now?",
    ]);
    expect(r.journal.of("step-overridden")).toEqual([
      {
        v: 1,
        type: "step-overridden",
        at: expect.any(String),
        key: "a/x",
        by: "ann",
        reason: "used [REDACTED] by hand",
      },
    ]);
    expect(r.journal.of("step-skipped")).toEqual([
      { v: 1, type: "step-skipped", at: expect.any(String), key: "a/y", by: "ann", reason: "later" },
    ]);
    expect(r.out).toContain("overridden X: used [REDACTED] by hand [-]");
    expect(r.out).toContain("skipped Y: later [-]");
    expect(r.code).toBe(1);
  });

  it("interactive: retry runs the step again at once, with the next attempt", async () => {
    const c = simpleChecklist({ a: [runStep("x", "flaky:1", { title: "X" }), runStep("y", "ok")] });
    const r = await go(
      c,
      { interactive: true },
      {
        script: [
          { q: "X failed", a: "retry" },
          { q: "Engineer", a: "bob" },
          { q: "ready", a: true },
          { q: "Notes", a: "" },
          { q: "Blockers", a: "" },
        ],
      },
    );
    expect(r.code).toBe(0);
    expect(r.journal.types().slice(1, 7)).toEqual([
      "step-started",
      "step-finished",
      "step-started",
      "step-finished",
      "step-started",
      "step-finished",
    ]);
    expect(r.p.executors.calls).toEqual(["a/x", "a/x", "a/y"]);
  });
});

describe("runner transcript: the end of a run", () => {
  it("signed off not ready: says so, exit 1", async () => {
    const r = await go(simpleChecklist({ a: [runStep("x", "ok")] }), {
      answers: { "signoff/ready": { value: "no" } },
    });
    expect(r.code).toBe(1);
    expect(r.out.at(-1)).toBe("Deployment signed off as NOT ready (exit 1).");
  });

  it("signed off ready with requireAllRequiredPassed: false but a required step failed: says which, exit 1", async () => {
    const c = simpleChecklist(
      { a: [runStep("x", "fail"), runStep("y", "ok")] },
      { signoff: { requireAllRequiredPassed: false } },
    );
    const r = await go(c, { keepGoing: true });
    expect(r.code).toBe(1);
    expect(r.state.signoff?.ready).toBe(true);
    expect(r.out.at(-1)).toBe(
      "Signed off as ready, but required steps were not done: a/x (failed) (exit 1).",
    );
    expect(r.journal.events.at(-1)).toMatchObject({ type: "run-finished", exitCode: 1 });
  });

  it("a dry run: what ran and what was described, and whether the rehearsal was clean", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok"), runStep("y", "ok", { mutating: false })] });
    const r = await go(c, { dryRun: true });
    expect(r.code).toBe(0);
    expect(r.out.slice(-2)).toEqual([
      "Dry run: these steps ran (read-only):\n  a/y\nOnly described, not run (mutating):\n  a/x",
      "Dry run finished: every required step ran or was described (a dry run is never ready).",
    ]);
    const failed = await go(simpleChecklist({ a: [runStep("y", "fail", { mutating: false })] }), {
      dryRun: true,
      keepGoing: true,
    });
    expect(failed.code).toBe(1);
    expect(failed.out.at(-1)).toBe("Dry run finished; required steps were not done: a/y (failed) (exit 1).");
  });

  it("a run started as a dry run stays one on resume, even when the session does not say so", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const prior = [startEvent(c, { options: { dryRun: true, interactive: false, keepGoing: false } })];
    const r = await go(c, { firstSession: false }, { prior });
    // The step itself is run by the session's mode; sign-off and finish follow the run's.
    expect(r.state.signoff).toMatchObject({ ready: false });
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe(
      "Dry run finished: every required step ran or was described (a dry run is never ready).",
    );
  });

  it("a dry-run step is described with the redacted description, flagged as dry run", async () => {
    const c = simpleChecklist({ a: [runStep("x", "deploy ${token}", { title: "Deploy" })] });
    const r = await go(
      c,
      { dryRun: true, vars: { token: "tok-9" }, secretVars: ["token"] },
      {
        exec: timed,
        describe: (s) => `run ${String(s.run).replace("${token}", "tok-9")}`,
      },
    );
    expect(r.out).toContain(
      'described Deploy: would run: run deploy [REDACTED] [0] {"optional":false,"dryRun":true}',
    );
    expect(r.state.steps["a/x"]?.outcome).toEqual({
      status: "described",
      dryRun: true,
      summary: "would run: run deploy [REDACTED]",
    });
  });

  it("a description that fails names the step's kind", async () => {
    const c = simpleChecklist({ a: [runStep("x", "deploy")] });
    const r = await go(
      c,
      { dryRun: true },
      {
        exec: timed,
        describe: () => {
          throw new Error("no");
        },
      },
    );
    expect(r.state.steps["a/x"]?.outcome?.summary).toBe("would run: run");
    expect(r.out).toContain("start run");
  });

  it("a not-applicable step is journaled as attempt 0 in no time and shown with the reason", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok", { when: "${go}", title: "X" })] });
    const r = await go(c, { vars: { go: "" } });
    expect(r.journal.events[1]).toEqual({
      v: 1,
      type: "step-finished",
      at: AT,
      key: "a/x",
      attempt: 0,
      durationMs: 0,
      outcome: { status: "not-applicable", summary: 'step condition "${go}" is false' },
    });
    expect(r.out.slice(0, 3)).toEqual([
      "## Section main",
      "[1/1] Item a",
      'not-applicable X: step condition "${go}" is false [-]',
    ]);
  });
});

describe("runner transcript: guards", () => {
  it("a refused guard after steps ran (a resume) aborts without abandoning, with the reason and a hint", async () => {
    const c = simpleChecklist(
      { a: [runStep("x", "ok"), runStep("y", "ok")] },
      { guards: [runStep("ctx", "fail")] },
    );
    const prior = [
      startEvent(c),
      { v: 1, type: "step-started", at: AT, key: "a/x", attempt: 1 },
      {
        v: 1,
        type: "step-finished",
        at: AT,
        key: "a/x",
        attempt: 1,
        durationMs: 1,
        outcome: { status: "passed", summary: "ok" },
      },
    ] as RunEvent[];
    const r = await go(
      c,
      { firstSession: false },
      { prior, exec: async () => ({ status: "failed", summary: "context is kind-prod" }) },
    );
    expect((r.error as Error).message).toBe("context is kind-prod");
    expect((r.error as { hint?: string }).hint).toBe(
      "Nothing was run. Switch to the expected cluster/context (or pass --context) and run again.",
    );
    expect(r.journal.events.at(-1)).toMatchObject({
      type: "run-aborted",
      reason: "guard guard/1 refused: context is kind-prod",
      abandoned: false,
    });
  });

  it("a guard's error, when it has one, is the reason", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] }, { guards: [runStep("ctx", "fail")] });
    const r = await go(
      c,
      {},
      { exec: async () => ({ status: "failed", summary: "exit 1", error: "wrong context" }) },
    );
    expect((r.error as Error).message).toBe("wrong context");
    expect(r.journal.events.at(-1)).toMatchObject({
      reason: "guard guard/1 refused: wrong context",
      abandoned: true,
    });
  });

  it("passed guards are not shown as items and the steps follow", async () => {
    const c = simpleChecklist(
      { a: [runStep("x", "ok", { title: "X" })] },
      { guards: [runStep("ctx", "ok", { title: "G" })] },
    );
    const r = await go(c, {}, { exec: timed });
    expect(r.out.slice(0, 5)).toEqual([
      "start G",
      'passed G: exit 0 [7] {"optional":false}',
      "## Section main",
      "[1/1] Item a",
      "start X",
    ]);
    expect(r.journal.events[1]).toMatchObject({ type: "step-started", key: "guard/1" });
  });
});

describe("runner: notifications", () => {
  type Post = { text: string; fields: Record<string, string> };
  const notifier = (
    results: ({ ok: boolean; status?: number; error?: string } | Error)[],
    posts: Post[],
  ): Notifier => ({
    post: async (text, fields) => {
      posts.push({ text, fields });
      const r = results.shift() ?? { ok: true, status: 200 };
      if (r instanceof Error) throw r;
      return { ...r, attempts: 1 };
    },
  });

  it("start, failure and finish: the texts, the fields, the journal, and warnings for failed deliveries", async () => {
    const posts: Post[] = [];
    const c = simpleChecklist({ a: [runStep("x", "fail", { title: "X" })], b: [runStep("y", "ok")] });
    const r = await go(
      c,
      {
        keepGoing: true,
        vars: { token: "tok-1" },
        secretVars: ["token"],
        answers: { "signoff/ready": { value: "no" }, "signoff/engineer": { value: "bob" } },
        notifyOn: new Set(["start", "failure", "finish"]),
      },
      {
        exec: timed,
        notifier: notifier(
          [
            { ok: true, status: 200 },
            { ok: false, status: 500, error: "HTTP 500 tok-1" },
            new Error("socket hang up"),
          ],
          posts,
        ),
      },
    );
    expect(r.code).toBe(1);
    expect(posts).toEqual([
      {
        text: "Demo checklist: run demo-1 started",
        fields: {
          checklist: "demo",
          run: "demo-1",
          on: "start",
          engineer: "ann",
          progress: "0/2 items done",
        },
      },
      {
        text: "Demo checklist: Item a failed: exit 1 (run demo-1)",
        fields: {
          checklist: "demo",
          run: "demo-1",
          on: "failure",
          engineer: "ann",
          progress: "1/2 items done",
        },
      },
      {
        text: "Demo checklist: run demo-1 signed off NOT ready by bob",
        fields: {
          checklist: "demo",
          run: "demo-1",
          on: "finish",
          engineer: "bob",
          progress: "2/2 items done",
        },
      },
    ]);
    expect(r.journal.of("notification").map(({ v: _v, at: _a, ...n }) => n)).toEqual([
      { type: "notification", on: "start", ok: true, status: 200 },
      { type: "notification", on: "failure", ok: false, status: 500, error: "HTTP 500 [REDACTED]" },
      { type: "notification", on: "finish", ok: false, error: "socket hang up" },
    ]);
    expect(r.out.filter((l) => l.startsWith("WARN") && l.includes("notification"))).toEqual([
      "WARN failure notification not delivered: HTTP 500 [REDACTED]",
      "WARN finish notification not delivered: socket hang up",
    ]);
  });

  it("a failed delivery without an error names the HTTP status; a thrown non-Error is kept as text", async () => {
    const posts: Post[] = [];
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(
      c,
      { notifyOn: new Set(["start", "finish"]) },
      {
        notifier: {
          post: async (text, fields) => {
            posts.push({ text, fields });
            if (posts.length === 1) return { ok: false, status: 503, attempts: 3 };
            throw "refused";
          },
        },
      },
    );
    expect(r.out.filter((l) => l.startsWith("WARN"))).toEqual([
      "WARN start notification not delivered: HTTP 503",
      "WARN finish notification not delivered: refused",
    ]);
    expect(posts[1]!.text).toBe("Demo checklist: run demo-1 signed off ready by ann");
  });

  it("only what was asked for, the start only in the first session, nothing without a notifier", async () => {
    const posts: Post[] = [];
    const c = simpleChecklist({ a: [runStep("x", "fail", { optional: true }), runStep("y", "fail")] });
    await go(
      c,
      { keepGoing: true, notifyOn: new Set(["failure"]), answers: { "signoff/ready": { value: "no" } } },
      {
        notifier: notifier([], posts),
      },
    );
    expect(posts.map((p) => p.fields["on"])).toEqual(["failure"]);
    expect(posts[0]!.text).toBe("Demo checklist: Item a failed: exit 1 (run demo-1)");
    const later: Post[] = [];
    await go(
      simpleChecklist({ a: [runStep("x", "ok")] }),
      { firstSession: false, notifyOn: new Set(["start", "finish"]) },
      {
        notifier: notifier([], later),
      },
    );
    expect(later.map((p) => p.fields["on"])).toEqual(["finish"]);
    const none = await go(simpleChecklist({ a: [runStep("x", "ok")] }), {
      notifyOn: new Set(["start", "finish"]),
    });
    expect(none.journal.of("notification")).toEqual([]);
    const notAsked: Post[] = [];
    await go(simpleChecklist({ a: [runStep("x", "ok")] }), {}, { notifier: notifier([], notAsked) });
    expect(notAsked).toEqual([]);
  });

  it("a dry run says what it would post, redacted, and posts nothing", async () => {
    const posts: Post[] = [];
    const c = simpleChecklist(
      { a: [runStep("x", "ok", { mutating: false })] },
      { metadata: { name: "demo", title: "Deploy tok-2" } },
    );
    const r = await go(
      c,
      { dryRun: true, vars: { t: "tok-2" }, secretVars: ["t"], notifyOn: new Set(["start", "finish"]) },
      {
        notifier: notifier([], posts),
      },
    );
    expect(posts).toEqual([]);
    expect(r.out[0]).toBe("  (dry run) would notify (start): Deploy [REDACTED]: run demo-1 started");
    expect(r.out).toContain(
      "  (dry run) would notify (finish): Deploy [REDACTED]: run demo-1 signed off NOT ready by ann",
    );
  });
});

describe("runner: what an executor is handed", () => {
  it("the run, variables with saved values, where, the mode, the timeout and the step's key", async () => {
    const seen: ExecContext[] = [];
    const c = simpleChecklist(
      { a: [runStep("save", "save:rev=7"), runStep("x", "ok", { timeout: "5s" })], b: [runStep("y", "ok")] },
      { metadata: { name: "demo", title: "Demo", environment: "staging" } },
    );
    await go(
      c,
      { vars: { ns: "prod" }, env: { HOME: "/h" }, cwd: "/work", engineer: "Ann" },
      {
        exec: async (step, ctx) => {
          seen.push(ctx);
          return step.run === "save:rev=7"
            ? { status: "passed", summary: "saved", saved: { rev: "7" } }
            : { status: "passed", summary: "ok" };
        },
      },
    );
    const [first, second, third] = seen;
    expect(first).toMatchObject({
      key: "a/save",
      run: { checklist: "demo", environment: "staging", engineer: "Ann" },
      vars: { ns: "prod" },
      env: { HOME: "/h" },
      cwd: "/work",
      dryRun: false,
      interactive: false,
      timeoutMs: undefined,
      kube: {},
    });
    expect(first!.run?.progress).toBe("2/2 items done");
    expect(second).toMatchObject({ key: "a/x", vars: { ns: "prod", rev: "7" }, timeoutMs: 5000 });
    expect(third?.run?.progress).toBe("2/2 items done");
    expect(first!.resume).toBeUndefined();
    expect(first!.answer).toBeUndefined();
  });

  it("without an environment in the metadata the run names none; progress is counted when read", async () => {
    const seen: ExecContext[] = [];
    const progress: (string | undefined)[] = [];
    await go(
      simpleChecklist({ a: [runStep("x", "ok")], b: [runStep("y", "ok")] }),
      {},
      {
        exec: async (_s, ctx) => {
          seen.push(ctx);
          progress.push(ctx.run?.progress);
          return { status: "passed", summary: "ok" };
        },
      },
    );
    expect(seen[0]!.run).not.toHaveProperty("environment");
    expect(progress).toEqual(["0/2 items done", "1/2 items done"]);
  });

  it("a manual step of a non-interactive run gets its answer and note; an interactive run's does not", async () => {
    const seen: ExecContext[] = [];
    const c = simpleChecklist({ a: [confirmStep("sure"), confirmStep("plain"), runStep("x", "ok")] });
    const exec: Exec = async (_s, ctx) => {
      seen.push(ctx);
      return { status: "passed", summary: "ok" };
    };
    await go(
      c,
      {
        answers: {
          ...READY,
          "a/sure": { value: "yes: asked Bo" },
          "a/plain": { value: "no" },
          "a/x": { value: "yes" },
        },
      },
      { exec },
    );
    expect([seen[0]!.answer, seen[0]!.answerNote]).toEqual(["yes", "asked Bo"]);
    expect(seen[1]!.answer).toBe("no");
    expect(Object.hasOwn(seen[1]!, "answerNote")).toBe(false);
    expect(seen[2]!.answer).toBeUndefined();
    seen.length = 0;
    await go(
      c,
      { interactive: true, answers: { "a/sure": { value: "yes" } } },
      {
        exec,
        script: [
          { q: "Engineer", a: "bob" },
          { q: "ready", a: false },
          { q: "Notes", a: "" },
          { q: "Blockers", a: "" },
        ],
      },
    );
    expect(seen[0]!.answer).toBeUndefined();
    expect(seen[0]!.interactive).toBe(true);
  });

  it("a watch resumed after rounds gets what was done; progress and redaction go through the current redactor", async () => {
    const c = simpleChecklist({ a: [runStep("w", "ok", { title: "W" })] });
    const prior = [
      startEvent(c, { vars: { t: "[REDACTED]" }, secretVars: ["t"] }),
      { v: 1, type: "step-started", at: AT, key: "a/w", attempt: 1 },
      {
        v: 1,
        type: "watch-round",
        at: AT,
        key: "a/w",
        round: 1,
        elapsedMs: 60000,
        ok: true,
        roundStartedAt: "2026-11-26T06:29:00.000Z",
      },
      { v: 1, type: "watch-round", at: AT, key: "a/w", round: 2, elapsedMs: 120000, ok: true },
    ] as RunEvent[];
    let ctxSeen: ExecContext | undefined;
    const r = await go(
      c,
      { firstSession: false, vars: { t: "tok-3" }, secretVars: ["t"] },
      {
        prior,
        exec: async (_s, ctx) => {
          ctxSeen = ctx;
          ctx.progress.message("at tok-3");
          ctx.progress.fraction?.(0.5, "half tok-3");
          expect(ctx.redact("x tok-3")).toBe("x [REDACTED]");
          expect(ctx.redact.fragment("tok-3 y", { start: true })).toBe("[REDACTED] y");
          await ctx.recordWatchRound?.(3, 180000, false, "p99 tok-3", "2026-11-26T06:31:00.000Z");
          await ctx.recordWatchRound?.(4, 240000, true);
          await ctx.recordProcess?.({ pgid: 42, host: "h" } as never);
          return { status: "passed", summary: "ok" };
        },
      },
    );
    expect(ctxSeen!.resume).toEqual({
      watchElapsedMs: 120000,
      watchRounds: 2,
      watchFirstRoundAt: "2026-11-26T06:29:00.000Z",
    });
    expect(r.out).toContain("progress at [REDACTED]");
    expect(r.out).toContain("fraction 0.5 half [REDACTED]");
    expect(
      r.journal
        .of("watch-round")
        .slice(2)
        .map(({ v: _v, at: _a, ...e }) => e),
    ).toEqual([
      {
        type: "watch-round",
        key: "a/w",
        round: 3,
        elapsedMs: 180000,
        ok: false,
        failed: "p99 [REDACTED]",
        roundStartedAt: "2026-11-26T06:31:00.000Z",
      },
      { type: "watch-round", key: "a/w", round: 4, elapsedMs: 240000, ok: true },
    ]);
    expect(r.journal.of("step-process").map(({ v: _v, at: _a, ...e }) => e)).toEqual([
      { type: "step-process", key: "a/w", attempt: 2, pgid: 42, host: "h" },
    ]);
  });

  it("a resumed watch without a first-round time gets rounds and elapsed time only", async () => {
    const c = simpleChecklist({ a: [runStep("w", "ok")] });
    const prior = [
      startEvent(c),
      { v: 1, type: "watch-round", at: AT, key: "a/w", round: 1, elapsedMs: 5, ok: true },
    ] as RunEvent[];
    let ctxSeen: ExecContext | undefined;
    await go(
      c,
      { firstSession: false },
      {
        prior,
        exec: async (_s, ctx) => {
          ctxSeen = ctx;
          return { status: "passed", summary: "ok" };
        },
      },
    );
    expect(ctxSeen!.resume).toEqual({ watchElapsedMs: 5, watchRounds: 1 });
  });

  it("a nested step runs under its own key, its process journaled with the parent's attempt, its answers read for it", async () => {
    const c = simpleChecklist({ a: [runStep("w", "ok")] });
    const keys: string[] = [];
    const r = await go(
      c,
      { answers: { ...READY, "a/w#2": { value: "yes" } } },
      {
        exec: async (_step, ctx) => {
          keys.push(ctx.key);
          if (ctx.key === "a/w") {
            const nested = await ctx.runNested({ run: "inner" } as never, 1);
            const asked = await ctx.prompter.confirm("outer?").catch((e: Error) => e.message);
            return { status: "passed", summary: `${nested.summary} ${asked}` };
          }
          await ctx.recordProcess?.({ pgid: 7, host: "h" } as never);
          const yes = await ctx.prompter.confirm("inner?");
          return { status: "passed", summary: `inner ${yes}` };
        },
      },
    );
    expect(keys).toEqual(["a/w", "a/w#2"]);
    expect(r.journal.of("step-process")).toMatchObject([{ key: "a/w#2", attempt: 1, pgid: 7 }]);
    expect(r.state.steps["a/w"]?.outcome?.summary).toBe(
      "inner true no answer for a/w (outer?) in the answers file",
    );
  });
});

describe("runner: labels, modes and check modules", () => {
  it("a confirmation is labelled by its question (string or object), variables filled in and secrets redacted", async () => {
    const c = simpleChecklist({
      a: [
        confirmStep("one", "Deploy ${ns}?"),
        { id: "two", confirm: { prompt: "Token ${t} ok?", requireNote: false } } as Step,
      ],
    });
    const r = await go(
      c,
      {
        vars: { ns: "prod", t: "tok-5" },
        secretVars: ["t"],
        answers: { ...READY, "a/one": { value: "yes" }, "a/two": { value: "yes" } },
      },
      { exec: timed },
    );
    expect(r.out.slice(2, 4)).toEqual([
      'passed Deploy prod?: yes [7] {"optional":false}',
      'passed Token [REDACTED] ok?: yes [7] {"optional":false}',
    ]);
  });

  it("interactive with --keep-going still asks what to do about a failure", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail", { title: "X" }), runStep("y", "ok")] });
    const r = await go(
      c,
      { interactive: true, keepGoing: true },
      { exec: timed, script: [{ q: "X failed", a: "abort" }] },
    );
    expect(r.prompter.menus.map((m) => m.q)).toEqual(["X failed. What now?"]);
    expect(r.code).toBe(1);
  });

  it("loads a kind's check module once; a load that failed is tried again", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok"), runStep("y", "ok")] });
    const p = ports({ output: new DetailedOutput() });
    p.journal.events.push(startEvent(c));
    let loads = 0;
    const executors: Executors = {
      loadCheck: async (kind) => {
        loads++;
        if (loads === 1) throw new Error("module not found");
        return p.executors.loadCheck(kind);
      },
    };
    const code = await runChecklist(session(c), fold(p.journal.events), { ...p, executors });
    expect(code).toBe(0);
    expect(loads).toBe(2);
    // The label could not be described with the module missing: the step's kind names it.
    expect(p.output.lines.slice(2, 4)).toEqual(["start run", 'passed run: exit 0 [0] {"optional":false}']);
  });
});
