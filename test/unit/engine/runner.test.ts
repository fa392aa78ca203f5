import { describe, expect, it, vi } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import type { Executor } from "../../../src/checks/types.js";
import { EVENT_VERSION, type RunEvent } from "../../../src/engine/events.js";
import type { Executors } from "../../../src/engine/ports.js";
import { fullOutput, type RunSession, runChecklist } from "../../../src/engine/runner.js";
import { fold, type RunState } from "../../../src/engine/state.js";
import { GuardRefusedError, InterruptedError } from "../../../src/errors.js";
import { confirmStep, inputStep, runStep, simpleChecklist } from "../../helpers/builders.js";
import { FakePrompter, ports, type Scripted } from "../../helpers/fakes.js";
import { READY, testSession } from "./session-fixture.js";

function startEvent(c: Checklist, vars: Record<string, string> = {}): RunEvent {
  return {
    v: EVENT_VERSION,
    type: "run-started",
    at: "2026-11-26T06:30:00.000Z",
    runId: "demo-1",
    checklist: { name: c.metadata.name, title: c.metadata.title, path: "/x.yaml", sha256: "s" },
    vars,
    secretVars: [],
    environment: { host: "h", user: "u", toolVersion: "0", node: "20", platform: "linux", cwd: "/" },
    options: { dryRun: false, interactive: false, keepGoing: false },
    stepHashes: {},
  };
}

const session = testSession;

/** Run with fresh fakes; the journal starts with run-started. */
async function go(
  c: Checklist,
  over: Partial<RunSession> = {},
  script: Scripted[] = [],
  prior: RunEvent[] = [],
) {
  const p = ports({ prompter: new FakePrompter(script) });
  const journaled = Object.fromEntries(
    Object.entries(over.vars ?? {}).map(([k, v]) => [k, over.secretVars?.includes(k) ? "[REDACTED]" : v]),
  );
  const events = prior.length ? prior : [startEvent(c, journaled)];
  p.journal.events.push(...events);
  let code: number | undefined;
  let error: unknown;
  try {
    code = await runChecklist(session(c, over), fold(events), p);
  } catch (err) {
    error = err;
  }
  const state: RunState = fold(p.journal.events);
  return { p, code, error, state, journal: p.journal };
}

describe("runner", () => {
  it("runs every step in order, signs off and finishes with exit 0", async () => {
    const c = simpleChecklist({ a: [runStep("one", "ok"), runStep("two", "ok")], b: [confirmStep("sure")] });
    const r = await go(c, { answers: { ...READY, "b/sure": { value: "yes" } } });
    expect(r.code).toBe(0);
    expect(r.p.executors.calls).toEqual(["a/one", "a/two", "b/sure"]);
    expect(r.journal.types()).toEqual([
      "run-started",
      ...Array(3).fill(["step-started", "step-finished"]).flat(),
      "signoff",
      "run-finished",
    ]);
    expect(r.state.signoff).toMatchObject({ engineer: "ann", ready: true });
    expect(r.p.output.text()).toContain("[1/2] Item a");
    expect(r.p.output.text()).toMatch(/^ {2}deploycheck export demo-1$/m);
  });

  it("a failed guard refuses the run before any step, with the executor's message", async () => {
    const c = simpleChecklist({ a: [runStep("one", "ok")] }, { guards: [runStep("ctx", "fail")] });
    const r = await go(c);
    expect(r.error).toBeInstanceOf(GuardRefusedError);
    expect((r.error as Error).message).toBe("exit 1");
    expect(r.p.executors.calls).toEqual(["guard/1"]);
    expect(r.state.aborted).toMatchObject({ abandoned: true });
  });

  it("records steps whose when is false as not-applicable without running them", async () => {
    const c = simpleChecklist({ a: [runStep("aws", "ok", { when: "${aws}" }), runStep("two", "ok")] });
    const r = await go(c, { vars: { aws: "" } });
    expect(r.code).toBe(0);
    expect(r.p.executors.calls).toEqual(["a/two"]);
    expect(r.state.steps["a/aws"]?.status).toBe("not-applicable");
  });

  it("non-interactive: stops at a required failure with exit 1, resumable", async () => {
    const c = simpleChecklist({ a: [runStep("one", "fail"), runStep("two", "ok")] });
    const r = await go(c);
    expect(r.code).toBe(1);
    expect(r.p.executors.calls).toEqual(["a/one"]);
    expect(r.state.aborted).toMatchObject({ abandoned: false });
    expect(r.p.output.text()).toContain("tail: line1\nboom");
    expect(r.p.output.text()).toContain("then resume the run");
    expect(r.p.output.text()).toMatch(/^ {2}deploycheck resume demo-1$/m);
  });

  it("--keep-going continues past failures; 'ready: yes' is refused and nothing is signed", async () => {
    const c = simpleChecklist({ a: [runStep("one", "fail"), runStep("two", "ok")] });
    const r = await go(c, { keepGoing: true, answersPath: "my answers.yaml" });
    expect(r.code).toBe(1);
    expect(r.p.executors.calls).toEqual(["a/one", "a/two"]);
    expect(r.state.signoff).toBeUndefined();
    expect(r.journal.types()).not.toContain("signoff");
    expect(r.state.aborted).toMatchObject({ abandoned: false });
    expect(r.p.output.text()).toContain(
      'Nothing was signed: the answers say ready, but "ready" is refused: 1 required step failed or skipped without override: a/one (failed).',
    );
    expect(r.p.output.text()).toContain("deploycheck resume demo-1 --answers 'my answers.yaml'");
    // "ready: no" signs it off as not ready, with the refusal as the blockers.
    const no = await go(c, { keepGoing: true, answers: { "signoff/ready": { value: "no" } } });
    expect(no.code).toBe(1);
    expect(no.state.signoff).toMatchObject({
      ready: false,
      blockers: expect.stringContaining("a/one (failed)"),
    });
  });

  it("optional failures do not block ready", async () => {
    const c = simpleChecklist({ a: [runStep("one", "fail", { optional: true }), runStep("two", "ok")] });
    const r = await go(c);
    expect(r.code).toBe(0);
    expect(r.state.steps["a/one"]?.status).toBe("failed");
  });

  it("retries a failing step count times with its delay, journaling each attempt", async () => {
    const c = simpleChecklist({ a: [runStep("x", "flaky:2", { retries: { count: 3, delay: "2s" } })] });
    const r = await go(c);
    expect(r.code).toBe(0);
    expect(r.journal.of("step-started").map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(r.p.clock.slept).toEqual([2000, 2000]);
    expect(r.state.steps["a/x"]).toMatchObject({ status: "passed", attempts: 3 });
  });

  it("dry run is safe by default: a run step, notify, rolloutUndo and a POST are only described unless declared mutating: false", async () => {
    const c = simpleChecklist({
      a: [
        runStep("script", "ok"),
        { id: "post", http: { url: "http://127.0.0.1:9/x", method: "POST" } },
        { id: "get", http: { url: "http://127.0.0.1:9/x" } },
        { id: "head", http: { url: "http://127.0.0.1:9/x", method: "HEAD" } },
        { id: "tell", notify: { webhook: "http://127.0.0.1:9/hook", message: "hi" } },
        { id: "undo", kube: { rolloutUndo: { deployment: "api" } } },
        runStep("readonly", "ok", { mutating: false }),
      ] as Step[],
    });
    const r = await go(c, { dryRun: true });
    expect(r.p.executors.calls).toEqual(["a/get", "a/head", "a/readonly"]);
    for (const key of ["a/script", "a/post", "a/tell", "a/undo"])
      expect(r.state.steps[key]?.status, key).toBe("described");
    expect(r.p.output.text()).not.toMatch(/^passed .*would/m);
  });

  it("dry run: mutating steps are described, not executed; read-only steps run", async () => {
    const c = simpleChecklist({
      a: [runStep("deploy", "ok", { mutating: true }), runStep("check", "ok", { mutating: false })],
    });
    const r = await go(c, { dryRun: true });
    expect(r.p.executors.calls).toEqual(["a/check"]);
    expect(r.p.output.text()).toContain(
      "Dry run: these steps ran (read-only):\n  a/check\nOnly described, not run (mutating):\n  a/deploy",
    );
    expect(r.state.steps["a/deploy"]?.outcome).toMatchObject({ status: "described", dryRun: true });
    expect(r.state.steps["a/deploy"]?.status).toBe("described");
    expect(r.state.steps["a/deploy"]?.outcome?.summary).toMatch(/^would run: run "ok"/);
  });

  it("interactive: a failed step offers the menu; retry runs it again", async () => {
    const c = simpleChecklist({ a: [runStep("x", "flaky:1")] });
    const r = await go(c, { interactive: true }, [
      { q: "failed. What now?", a: "retry" },
      { q: "Engineer", a: "bob" },
      { q: "ready", a: true },
      { q: "Notes", a: "" },
      { q: "Blockers", a: "" },
    ]);
    expect(r.code).toBe(0);
    expect(r.state.steps["a/x"]).toMatchObject({ status: "passed", attempts: 2 });
    expect(r.state.signoff?.engineer).toBe("bob");
  });

  it("interactive: override and skip need a reason and are recorded with who and why", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail"), runStep("y", "fail")] });
    const r = await go(c, { interactive: true }, [
      { q: "failed. What now?", a: "output" },
      { q: "failed. What now?", a: "skip" },
      // Esc (the prompter answers "") goes back to the menu, nothing recorded.
      { q: "Why skip it? (recorded; Esc: back to the menu)", a: "" },
      { q: "failed. What now?", a: "override" },
      { q: "Why is it done anyway", a: "checked the dashboard by hand" },
      { q: "failed. What now?", a: "skip" },
      { q: "Why skip", a: "not used in staging" },
      { q: "Engineer", a: "bob" },
      { q: "ready", a: true },
      { q: "ready", a: false },
      { q: "Notes", a: "n" },
      { q: "Blockers", a: "" },
    ]);
    expect(r.code).toBe(1); // a skipped required step is not a success
    expect(r.state.signoff?.ready).toBe(false);
    expect(r.state.steps["a/x"]).toMatchObject({
      status: "overridden",
      override: { reason: "checked the dashboard by hand", by: "ann" },
    });
    expect(r.state.steps["a/y"]).toMatchObject({
      status: "skipped",
      skip: { reason: "not used in staging" },
    });
    expect(r.p.output.text()).toContain("line1\nboom");
  });

  it("Show full output says what ran, where and how it ended, then the output", () => {
    const text = fullOutput({
      status: "failed",
      summary: "exit 3",
      output: "line1\nboom\n",
      details: { command: "./scripts/check.sh ${env}", cwd: "/srv/app", exitCode: 3 },
    });
    expect(text).toBe(
      "command:   ./scripts/check.sh ${env}\ncwd:       /srv/app\nexit code: 3\nresult:    exit 3\n\nline1\nboom\n",
    );
    expect(fullOutput(undefined)).toContain("(no output was captured)");
  });

  it("interactive: no Override when allowOverride is false", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail", { allowOverride: false })] });
    const r = await go(c, { interactive: true }, [{ q: "failed. What now?", a: "override" }]);
    expect((r.error as Error).message).toMatch(/override is not offered/);
  });

  it("interactive: abort keeps the state and exits 1; resume re-runs the failed step", async () => {
    const c = simpleChecklist({ a: [runStep("x", "flaky:1"), runStep("y", "ok")] });
    const first = await go(c, { interactive: true }, [{ q: "failed. What now?", a: "abort" }]);
    expect(first.code).toBe(1);
    expect(first.state.aborted?.abandoned).toBe(false);
    const p2 = ports({
      prompter: new FakePrompter([
        { q: "Engineer", a: "bob" },
        { q: "ready", a: true },
        { q: "Notes", a: "" },
        { q: "Blockers", a: "" },
      ]),
    });
    p2.executors.flaky.set("a/x", 0);
    p2.journal.events.push(...first.journal.events);
    const code = await runChecklist(
      session(c, { interactive: true, firstSession: false }),
      fold(first.journal.events),
      p2,
    );
    expect(code).toBe(0);
    expect(p2.executors.calls).toEqual(["a/x", "a/y"]);
  });

  it("interactive: 'yes' to ready is refused, and asked again, while a required step was skipped", async () => {
    const c = simpleChecklist({ a: [runStep("x", "fail")] });
    const r = await go(c, { interactive: true }, [
      { q: "failed. What now?", a: "skip" },
      { q: "Why skip", a: "later" },
      { q: "Engineer", a: "bob" },
      { q: "ready", a: true },
      { q: "ready", a: true },
      { q: "ready", a: false },
      { q: "Notes", a: "" },
      { q: "Blockers", a: "" },
    ]);
    expect(r.p.prompter.asked.filter((q) => q.includes("ready"))).toHaveLength(3);
    expect(r.p.output.text()).toContain(
      '"ready" is refused: 1 required step failed or skipped without override: a/x (skipped). Answer No',
    );
    expect(r.state.signoff?.ready).toBe(false);
    expect(r.code).toBe(1);
  });

  it("interactive: 'Deployment ready?' defaults to No", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const defaults: unknown[] = [];
    class DefaultsSeen extends FakePrompter {
      override async confirm(message: string, options?: { default?: boolean }): Promise<boolean> {
        defaults.push(options?.default);
        return super.confirm(message);
      }
    }
    const prompter = new DefaultsSeen([
      { q: "Engineer", a: "bob" },
      { q: "ready", a: true },
      { q: "Notes", a: "" },
      { q: "Blockers", a: "" },
    ]);
    const p = ports({ prompter });
    p.journal.events.push(startEvent(c));
    const code = await runChecklist(session(c, { interactive: true }), fold(p.journal.events), p);
    expect(code).toBe(0);
    expect(defaults).toEqual([false]);
  });

  it("a dry run is never signed as ready: not asked interactively, an answers 'yes' not taken", async () => {
    const c = simpleChecklist({ a: [runStep("x", "ok")] });
    const r = await go(c, { dryRun: true });
    expect(r.state.signoff).toMatchObject({ ready: false, blockers: expect.stringContaining("dry run") });
    expect(r.code).toBe(0); // a clean rehearsal
    expect(r.p.output.text()).toContain("signoff/ready: yes is not taken");
    const i = await go(c, { dryRun: true, interactive: true }, [
      { q: "Engineer", a: "bob" },
      { q: "Notes", a: "" },
      { q: "Blockers", a: "" },
    ]);
    expect(i.p.prompter.asked.some((q) => q.includes("ready"))).toBe(false);
    expect(i.state.signoff?.ready).toBe(false);
  });

  it("a confirm answered no is a failed step; answers come from the file", async () => {
    const c = simpleChecklist({ a: [confirmStep("sure")] });
    const r = await go(c, { answers: { ...READY, "a/sure": { value: "no" } } });
    expect(r.code).toBe(1);
    expect(r.state.steps["a/sure"]?.outcome).toMatchObject({ status: "failed", answer: "no" });
  });

  it("saveAs values feed later steps and when conditions", async () => {
    const c = simpleChecklist({
      a: [
        inputStep("rev", { saveAs: "rev" }),
        runStep("use", "echo:rev=${rev}"),
        runStep("cond", "ok", { when: "${rev} == 9" }),
      ],
    });
    const r = await go(c, { answers: { ...READY, "a/rev": { value: "7" } } });
    expect(r.state.steps["a/use"]?.outcome?.summary).toBe("rev=7");
    expect(r.state.steps["a/cond"]?.status).toBe("not-applicable");
  });

  it("redacts secret variables and secret input answers from the journal and the output", async () => {
    const c = simpleChecklist({
      a: [
        runStep("show", "echo:token is ${token}"),
        inputStep("pw", { saveAs: "pw", secret: true } as never),
        runStep("show2", "echo:pw ${pw}"),
      ],
    });
    (c.sections[0]!.items[0]!.steps[1]!.input as { secret?: boolean }).secret = true;
    const r = await go(c, {
      vars: { token: "s3cr3t-value" },
      secretVars: ["token"],
      answers: { ...READY, "a/pw": { value: "hunter2-pass" } },
    });
    const text = JSON.stringify(r.journal.events) + r.p.output.text();
    expect(text).not.toContain("s3cr3t-value");
    expect(text).not.toContain("hunter2-pass");
    expect(r.state.steps["a/show"]?.outcome?.summary).toBe("token is [REDACTED]");
    expect(r.state.steps["a/show2"]?.outcome?.summary).toBe("pw [REDACTED]");
  });

  it("Ctrl-C during a step records it as interrupted and throws InterruptedError; resume runs it again", async () => {
    const c = simpleChecklist({ a: [runStep("one", "ok"), runStep("slow", "hang"), runStep("three", "ok")] });
    const ac = new AbortController();
    const p = ports();
    p.executors.onHang = () => setTimeout(() => ac.abort(), 5);
    p.journal.events.push(startEvent(c));
    const err = await runChecklist(session(c, { signal: ac.signal }), fold(p.journal.events), p).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toBe("run interrupted; everything so far is saved");
    expect(err.hint).toBe("Resume it with:\n    deploycheck resume demo-1");
    expect(p.journal.types().slice(-2)).toEqual(["step-started", "step-interrupted"]);
    // Resume: the interrupted step runs again, the finished one keeps its result.
    const c2 = simpleChecklist({ a: [runStep("one", "ok"), runStep("slow", "ok"), runStep("three", "ok")] });
    const p2 = ports();
    p2.journal.events.push(...p.journal.events);
    expect(await runChecklist(session(c2, { firstSession: false }), fold(p.journal.events), p2)).toBe(0);
    expect(p2.executors.calls).toEqual(["a/slow", "a/three"]);
    expect(fold(p2.journal.events).steps["a/slow"]).toMatchObject({ status: "passed", attempts: 2 });
  });

  it("a step that outlives its timeout fails with 'timed out'", async () => {
    const c = simpleChecklist({ a: [runStep("slow", "hang", { timeout: "50ms", optional: true })] });
    const r = await go(c);
    expect(r.state.steps["a/slow"]?.outcome?.summary).toMatch(/^timed out after 50ms/);
  });

  it("an executor that throws is a failed step, not a crash", async () => {
    const c = simpleChecklist({ a: [runStep("weird", "no-such-fake", { optional: true })] });
    const r = await go(c);
    expect(r.code).toBe(0);
    expect(r.state.steps["a/weird"]?.outcome?.summary).toMatch(/unknown command/);
  });

  it("posts start/failure/finish notifications, journals them and reports failed deliveries", async () => {
    const posted: string[] = [];
    const c = simpleChecklist({ a: [runStep("one", "fail")] });
    const p = ports({
      notifier: {
        post: async (text) => {
          posted.push(text);
          return posted.length === 2
            ? { ok: false, status: 500, attempts: 3, error: "HTTP 500" }
            : { ok: true, status: 200, attempts: 1 };
        },
      },
    });
    p.journal.events.push(startEvent(c));
    const code = await runChecklist(
      session(c, {
        keepGoing: true,
        answers: { "signoff/ready": { value: "no" } },
        notifyOn: new Set(["start", "finish", "failure"]),
      }),
      fold(p.journal.events),
      p,
    );
    expect(code).toBe(1);
    expect(posted).toHaveLength(3);
    expect(p.journal.of("notification").map((e) => [e.on, e.ok])).toEqual([
      ["start", true],
      ["failure", false],
      ["finish", true],
    ]);
    expect(p.output.text()).toContain("WARN failure notification not delivered: HTTP 500");
  });

  it("calls finalize with the signed-off state and prints the record path", async () => {
    const c = simpleChecklist({ a: [runStep("one", "ok")] });
    let seen: RunState | undefined;
    const r = await go(c, {
      finalize: async (state) => {
        seen = state;
        return { recordPath: "/runs/demo-1/record.json", fingerprint: "SHA256:abc" };
      },
    });
    expect(seen?.signoff?.ready).toBe(true);
    expect(r.p.output.text()).toContain("Record: /runs/demo-1/record.json");
    expect(r.journal.types().at(-1)).toBe("run-finished");
  });

  it("journal cost: one append per event, no re-reading", async () => {
    const steps = Array.from({ length: 50 }, (_, i) => runStep(`s${i}`, "ok"));
    const c = simpleChecklist({ a: steps });
    const r = await go(c);
    expect(r.code).toBe(0);
    expect(r.journal.events).toHaveLength(1 + 100 + 2);
  });

  it("group commit: a step's result is on disk before anything else happens, with one sync per step", async () => {
    const c = simpleChecklist({ a: [runStep("one", "ok"), runStep("two", "ok")], b: [confirmStep("sure")] });
    const p = ports();
    let unsynced = 0;
    let syncs = 0;
    const base = p.journal;
    const journal = {
      append: async (e: RunEvent) => {
        await base.append(e);
        unsynced = 0;
        syncs++;
      },
      readAll: () => base.readAll(),
      write: (e: RunEvent) => {
        base.events.push(structuredClone(e));
        unsynced++;
      },
      sync: async () => {
        if (unsynced) syncs++;
        unsynced = 0;
      },
    };
    const seenUnsynced: number[] = [];
    const exec = p.executors;
    const executors: Executors = {
      loadCheck: async (kind) => {
        const m = await exec.loadCheck(kind);
        const execute: Executor = (step, ctx) => {
          seenUnsynced.push(unsynced);
          return m.execute(step, ctx);
        };
        return { ...m, execute };
      },
    };
    base.events.push(startEvent(c));
    const code = await runChecklist(
      session(c, { answers: { ...READY, "b/sure": { value: "yes" } } }),
      fold(base.events),
      { ...p, journal, executors },
    );
    expect(code).toBe(0);
    expect(seenUnsynced).toEqual([0, 0, 0]);
    expect(unsynced).toBe(0);
    // 3 step-started (each committing the previous result), the last result before sign-off, signoff, run-finished.
    expect(syncs).toBe(6);
  });

  it("a dry run only says which notifications it would post", async () => {
    const posted: string[] = [];
    const c = simpleChecklist({ a: [runStep("one", "ok")] });
    const p = ports({
      notifier: {
        post: async (text) => {
          posted.push(text);
          return { ok: true, attempts: 1 };
        },
      },
    });
    p.journal.events.push(startEvent(c));
    const code = await runChecklist(
      session(c, { dryRun: true, notifyOn: new Set(["start", "finish"]) }),
      fold(p.journal.events),
      p,
    );
    expect(code).toBe(0);
    expect(posted).toEqual([]);
    expect(p.output.text()).toContain("(dry run) would notify (start)");
    expect(p.journal.of("notification")).toEqual([]);
  });
});

describe("runner limits", () => {
  it("a 600h step timeout does not fire at once (Node timers overflow past 2^31-1 ms)", async () => {
    const c = simpleChecklist({ a: [runStep("slow", "hang", { timeout: "600h" })] });
    const controller = new AbortController();
    const p = ports({ prompter: new FakePrompter([]) });
    // Ctrl-C 100 ms into the step: by then an overflowed timer would long have timed it out.
    p.executors.onHang = () => void setTimeout(() => controller.abort(), 100);
    p.journal.events.push(startEvent(c));
    await expect(
      runChecklist(session(c, { signal: controller.signal }), fold(p.journal.events), p),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(fold(p.journal.events).steps["a/slow"]?.status).toBe("interrupted");
  });

  it("a step whose executor ignores its timeout still ends, as timed out", async () => {
    vi.useFakeTimers();
    try {
      const c = simpleChecklist({ a: [runStep("stuck", "stuck", { timeout: "1s", optional: true })] });
      const p = ports({ prompter: new FakePrompter([]) });
      p.journal.events.push(startEvent(c));
      const done = runChecklist(session(c), fold(p.journal.events), p);
      await vi.advanceTimersByTimeAsync(20_000);
      expect(await done).toBe(0);
      expect(fold(p.journal.events).steps["a/stuck"]?.outcome?.summary).toMatch(
        /^timed out after 1s \(still running 10s later; left behind\)$/,
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
