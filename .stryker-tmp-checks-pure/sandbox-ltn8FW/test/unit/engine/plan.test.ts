// @ts-nocheck
import { describe, expect, it } from "vitest";
import { blockingFailures, nextAction, type PlanInput } from "../../../src/engine/plan.js";
import { fold } from "../../../src/engine/state.js";
import { checklist, EventLog, item, runStep, section, simpleChecklist } from "../../helpers/builders.js";

function plan(c: PlanInput["checklist"], log: EventLog, extra: Partial<PlanInput> = {}) {
  return nextAction({
    checklist: c,
    state: fold(log.events),
    vars: {},
    env: {},
    acceptFailures: false,
    ...extra,
  });
}

const three = simpleChecklist({ a: [runStep("one"), runStep("two")], b: [runStep("three")] });

describe("nextAction", () => {
  it("starts with the first step, then the first without a final result", () => {
    expect(plan(three, new EventLog())).toMatchObject({ type: "step", ref: { key: "a/one" }, attempt: 1 });
    expect(plan(three, new EventLog().step("a/one"))).toMatchObject({ type: "step", ref: { key: "a/two" } });
  });

  it("runs guards first, until each has passed", () => {
    const c = simpleChecklist({ a: [runStep("one")] }, { guards: [runStep("g1"), runStep("g2")] });
    expect(plan(c, new EventLog())).toMatchObject({ type: "guard", key: "guard/1" });
    expect(plan(c, new EventLog().step("guard/1"))).toMatchObject({ type: "guard", key: "guard/2" });
    expect(plan(c, new EventLog().step("guard/1").step("guard/2"))).toMatchObject({ type: "step" });
  });

  it("re-runs the step in flight at an interruption, with the next attempt number", () => {
    expect(plan(three, new EventLog().step("a/one").started("a/two"))).toMatchObject({
      type: "step",
      ref: { key: "a/two" },
      attempt: 2,
      reason: "interrupted",
    });
    expect(plan(three, new EventLog().step("a/one").started("a/two").interrupted("a/two"))).toMatchObject({
      type: "step",
      reason: "interrupted",
    });
  });

  it("reports a required failure as undecided unless failures are accepted (--keep-going)", () => {
    const log = new EventLog().step("a/one", "failed");
    expect(plan(three, log)).toMatchObject({ type: "failed", ref: { key: "a/one" } });
    expect(plan(three, log, { acceptFailures: true })).toMatchObject({ type: "step", ref: { key: "a/two" } });
  });

  it("moves past optional failures, overrides and skips", () => {
    const c = simpleChecklist({
      a: [runStep("one", "false", { optional: true }), runStep("two"), runStep("three")],
      b: [runStep("four")],
    });
    const log = new EventLog().step("a/one", "failed").step("a/two", "failed").overridden("a/two");
    log.step("a/three", "failed").skipped("a/three");
    expect(plan(c, log)).toMatchObject({ type: "step", ref: { key: "b/four" } });
  });

  it("treats every step of an optional item as optional", () => {
    const c = checklist([
      section("s", [item("a", [runStep("one")], { optional: true }), item("b", [runStep("two")])]),
    ]);
    expect(plan(c, new EventLog().step("a/one", "failed"))).toMatchObject({ ref: { key: "b/two" } });
  });

  it("records a step whose when is false as not-applicable, at step, item and section level", () => {
    const c = checklist([
      section("s1", [item("a", [runStep("one", "true", { when: "${aws}" })])]),
      section("s2", [item("b", [runStep("two")], { when: "${aws} == yes" })]),
      section("s3", [item("c", [runStep("three")])], { when: "!${k8s}" }),
    ]);
    const vars = { aws: "", k8s: "true" };
    expect(plan(c, new EventLog(), { vars })).toMatchObject({
      type: "not-applicable",
      ref: { key: "a/one" },
    });
    expect(plan(c, new EventLog().step("a/one", "not-applicable"), { vars })).toMatchObject({
      type: "not-applicable",
      ref: { key: "b/two" },
      reason: expect.stringContaining("item condition"),
    });
    expect(plan(c, new EventLog(), { vars: { aws: "yes", k8s: "1" } })).toMatchObject({ type: "step" });
  });

  it("evaluates when on saved variables", () => {
    const c = simpleChecklist({ a: [runStep("one"), runStep("two", "true", { when: "${rev} != 0" })] });
    expect(plan(c, new EventLog().step("a/one"), { vars: { rev: "0" } })).toMatchObject({
      type: "not-applicable",
    });
    expect(plan(c, new EventLog().step("a/one"), { vars: { rev: "3" } })).toMatchObject({ type: "step" });
  });

  it("asks for sign-off after the last step, then finishing, then is done", () => {
    const log = new EventLog().step("a/one").step("a/two").step("b/three");
    expect(plan(three, log)).toEqual({ type: "signoff" });
    expect(plan(three, log.signoff())).toEqual({ type: "finish" });
    expect(plan(three, log.finishedRun())).toEqual({ type: "done" });
  });

  it("after a changed-checklist resume re-runs only the changed steps", () => {
    const log = new EventLog().step("a/one").step("a/two").step("b/three").resumed(["a/two"]);
    expect(plan(three, log)).toMatchObject({ type: "step", ref: { key: "a/two" }, attempt: 1 });
    expect(plan(three, log.step("a/two"))).toEqual({ type: "signoff" });
  });
});

describe("blockingFailures", () => {
  it("lists required failed steps only", () => {
    const c = simpleChecklist({
      a: [runStep("one"), runStep("two", "x", { optional: true }), runStep("three")],
    });
    const state = fold(
      new EventLog()
        .step("a/one", "failed")
        .step("a/two", "failed")
        .step("a/three", "failed")
        .overridden("a/three").events,
    );
    expect(blockingFailures(c, state).map((r) => r.key)).toEqual(["a/one"]);
  });
});
