// @ts-nocheck
import { describe, expect, it } from "vitest";
import { applyEvent, fold, isFinal, isUnfinished } from "../../../src/engine/state.js";
import { EventLog } from "../../helpers/builders.js";

describe("fold", () => {
  it("starts from run-started and records step results in order", () => {
    const log = new EventLog().step("a/one").step("a/two", "failed", { error: "exit 1" });
    const state = fold(log.events);
    expect(state.runId).toBe("demo-20261126T063000Z-7f3a");
    expect(state.steps["a/one"]?.status).toBe("passed");
    expect(state.steps["a/two"]).toMatchObject({ status: "failed", attempts: 1 });
    expect(state.steps["a/two"]?.outcome?.error).toBe("exit 1");
    expect(isUnfinished(state)).toBe(true);
  });

  it("refuses a journal that does not start with run-started", () => {
    const log = new EventLog().step("a/one");
    expect(() => fold(log.events.slice(1))).toThrow(/run-started/);
  });

  it("marks a started step without finish as running, and an interrupted one as interrupted", () => {
    const state = fold(
      new EventLog().started("a/one").step("a/two").started("a/three").interrupted("a/three").events,
    );
    expect(state.steps["a/one"]?.status).toBe("running");
    expect(isFinal(state.steps["a/one"])).toBe(false);
    expect(state.steps["a/three"]?.status).toBe("interrupted");
  });

  it("counts retries as attempts and keeps the last outcome", () => {
    const state = fold(new EventLog().step("a/x", "failed").step("a/x", "passed").events);
    expect(state.steps["a/x"]).toMatchObject({ status: "passed", attempts: 2 });
  });

  it("records overrides and skips with who and why", () => {
    const state = fold(
      new EventLog()
        .step("a/x", "failed")
        .overridden("a/x", "verified by phone")
        .step("a/y", "failed")
        .skipped("a/y").events,
    );
    expect(state.steps["a/x"]).toMatchObject({
      status: "overridden",
      override: { by: "ann", reason: "verified by phone" },
    });
    expect(state.steps["a/y"]?.status).toBe("skipped");
  });

  it("counts only the watch rounds that passed, so a failed round is checked again", () => {
    const log = new EventLog()
      .started("watch/monitor")
      .push({ type: "watch-round", key: "watch/monitor", round: 1, elapsedMs: 0, ok: true })
      .push({ type: "watch-round", key: "watch/monitor", round: 2, elapsedMs: 60_000, ok: true });
    expect(fold(log.events).steps["watch/monitor"]?.watch).toEqual({ rounds: 2, elapsedMs: 60_000 });
    log.push({
      type: "watch-round",
      key: "watch/monitor",
      round: 3,
      elapsedMs: 120_000,
      ok: false,
      failed: "p99",
    });
    expect(fold(log.events).steps["watch/monitor"]?.watch).toEqual({ rounds: 2, elapsedMs: 120_000 });
  });

  it("collects saveAs values, latest wins", () => {
    const state = fold(
      new EventLog()
        .step("a/x", "passed", { saved: { rev: "6" } })
        .step("a/y", "passed", { saved: { rev: "7" } }).events,
    );
    expect(state.saved).toEqual({ rev: "7" });
  });

  it("on resume discards the results of changed steps and of guards, keeps the rest", () => {
    const state = fold(
      new EventLog().step("guard/1").step("a/x").step("a/y").resumed(["a/y"], "new-sha").events,
    );
    expect(state.steps["a/x"]?.status).toBe("passed");
    expect(state.steps["a/y"]).toBeUndefined();
    expect(state.steps["guard/1"]).toBeUndefined();
    expect(state.checklist.sha256).toBe("new-sha");
    expect(state.resumes).toHaveLength(1);
  });

  it("ends with sign-off and run-finished", () => {
    const state = fold(new EventLog().step("a/x").signoff(true, "bob").finishedRun(0).events);
    expect(state.signoff).toMatchObject({ engineer: "bob", ready: true });
    expect(state.finished?.exitCode).toBe(0);
    expect(isUnfinished(state)).toBe(false);
  });

  it("an abandoned run is not unfinished; an aborted one is", () => {
    const aborted = fold(new EventLog().push({ type: "run-aborted", reason: "x", abandoned: false }).events);
    const abandoned = fold(new EventLog().push({ type: "run-aborted", reason: "x", abandoned: true }).events);
    expect(isUnfinished(aborted)).toBe(true);
    expect(isUnfinished(abandoned)).toBe(false);
  });

  it("applyEvent keeps an owned state equal to a fresh fold", () => {
    const log = new EventLog().step("a/x").started("a/y");
    const state = fold(log.events.slice(0, 1));
    for (const e of log.events.slice(1)) applyEvent(state, e);
    expect(state).toEqual(fold(log.events));
  });

  it("never aliases the input events", () => {
    const log = new EventLog().step("a/x", "passed", { details: { n: 1 } });
    const state = fold(log.events);
    (state.steps["a/x"]!.outcome!.details as { n: number }).n = 2;
    expect(fold(log.events).steps["a/x"]?.outcome?.details).toEqual({ n: 1 });
  });
});

describe("fold keeps journal keys away from Object.prototype", () => {
  it('a "__proto__" step key, saved variable or step hash is an ordinary entry', () => {
    const log = new EventLog({ stepHashes: JSON.parse('{"__proto__": "h"}') });
    log.push({ type: "step-started", key: "__proto__", attempt: 1 });
    log.push({
      type: "step-finished",
      key: "__proto__",
      attempt: 1,
      durationMs: 1,
      outcome: { status: "passed", summary: "x", saved: JSON.parse('{"__proto__": {"status": "passed"}}') },
    });
    const state = fold(log.events);
    expect(Object.keys(state.steps)).toEqual(["__proto__"]);
    const key = "__proto__";
    expect(state.steps[key]?.status).toBe("passed");
    expect(Object.keys(state.saved)).toEqual(["__proto__"]);
    expect(Object.keys(state.stepHashes)).toEqual(["__proto__"]);
    const plain = {} as Record<string, unknown>;
    expect(plain["status"]).toBeUndefined();
    expect(plain["outcome"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("status");
  });
});
