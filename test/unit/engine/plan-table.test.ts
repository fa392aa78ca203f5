// The planner decision by decision: for each state of a step what comes next, the exact reason a step is
// not applicable, and the runner's shortcuts (precomputed refs, a start position) giving the same answer.
import { describe, expect, it } from "vitest";
import { walkSteps } from "../../../src/checklist/walk.js";
import {
  blockingFailures,
  isOptionalStep,
  isSettled,
  nextAction,
  type PlanInput,
} from "../../../src/engine/plan.js";
import { fold, type StepState } from "../../../src/engine/state.js";
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

const two = simpleChecklist({ a: [runStep("one"), runStep("two")] });

describe("isSettled", () => {
  const required = walkSteps(simpleChecklist({ a: [runStep("one")] }))[0]!;
  const optional = walkSteps(simpleChecklist({ a: [runStep("one", "true", { optional: true })] }))[0]!;
  const s = (status: StepState["status"]): StepState => ({ key: "a/one", status, attempts: 1 });
  it.each([
    ["passed", true, true, true],
    ["overridden", true, true, true],
    ["skipped", true, true, true],
    ["not-applicable", true, true, true],
    ["described", true, true, true],
    ["failed", false, true, true],
    ["pending", false, false, false],
    ["running", false, false, false],
    ["interrupted", false, false, false],
  ] as const)("%s: required %s, required with --keep-going %s, optional %s", (status, req, keep, opt) => {
    expect(isSettled(s(status), required, false)).toBe(req);
    expect(isSettled(s(status), required, true)).toBe(keep);
    expect(isSettled(s(status), optional, false)).toBe(opt);
  });
  it("a step without state is not settled", () => {
    expect(isSettled(undefined, required, true)).toBe(false);
    expect(isSettled(undefined, optional, true)).toBe(false);
  });
});

describe("isOptionalStep", () => {
  it("optional when the step or its item says so, and only when it says true", () => {
    const c = checklist([
      section("s", [
        item("a", [
          runStep("x", "true", { optional: true }),
          runStep("y", "true", { optional: false }),
          runStep("z"),
        ]),
        item("b", [runStep("x")], { optional: true }),
        item("c", [runStep("x")], { optional: false }),
      ]),
    ]);
    expect(walkSteps(c).map((r) => [r.key, isOptionalStep(r)])).toEqual([
      ["a/x", true],
      ["a/y", false],
      ["a/z", false],
      ["b/x", true],
      ["c/x", false],
    ]);
  });
});

describe("nextAction", () => {
  it("is done once the run finished or was abandoned, even with steps left; an abort alone is not the end", () => {
    expect(plan(two, new EventLog().finishedRun(1))).toEqual({ type: "done" });
    expect(plan(two, new EventLog().push({ type: "run-aborted", reason: "x", abandoned: true }))).toEqual({
      type: "done",
    });
    expect(
      plan(two, new EventLog().push({ type: "run-aborted", reason: "x", abandoned: false })),
    ).toMatchObject({
      type: "step",
      ref: { key: "a/one" },
    });
  });

  it("runs a failed guard again, with its index, key and definition", () => {
    const g = [runStep("g1", "true"), runStep("g2", "kubectl get ns")];
    const c = simpleChecklist({ a: [runStep("one")] }, { guards: g });
    expect(plan(c, new EventLog().step("guard/1").step("guard/2", "failed"))).toEqual({
      type: "guard",
      index: 1,
      key: "guard/2",
      step: g[1],
    });
    expect(plan(c, new EventLog())).toEqual({ type: "guard", index: 0, key: "guard/1", step: g[0] });
  });

  it("a checklist without guards goes straight to its first step, pending, attempt 1", () => {
    const refs = walkSteps(two);
    expect(plan(two, new EventLog())).toEqual({ type: "step", ref: refs[0], attempt: 1, reason: "pending" });
  });

  it("an undecided required failure comes with its state", () => {
    const log = new EventLog().step("a/one", "failed", { error: "exit 1" });
    const action = plan(two, log);
    expect(action).toEqual({
      type: "failed",
      ref: walkSteps(two)[0],
      state: fold(log.events).steps["a/one"],
    });
  });

  it("an interrupted step runs again with the attempt after its last", () => {
    const log = new EventLog().step("a/one").started("a/two", 1).interrupted("a/two", 1);
    expect(plan(two, log)).toEqual({
      type: "step",
      ref: walkSteps(two)[1],
      attempt: 2,
      reason: "interrupted",
    });
  });

  it("passes over steps that were described (dry run) or not applicable", () => {
    const log = new EventLog().step("a/one", "described").step("a/two", "not-applicable");
    expect(plan(two, log)).toEqual({ type: "signoff" });
  });

  it.each([
    ["step", { step: "false" }, 'step condition "false" is false'],
    ["item", { item: "${env} == prod" }, 'item condition "${env} == prod" is false'],
    ["section", { section: "!${k8s}" }, 'section condition "!${k8s}" is false'],
    [
      "section first",
      { section: "${aws}", item: "${aws}", step: "${aws}" },
      'section condition "${aws}" is false',
    ],
    ["item before step", { item: "${aws}", step: "${aws}" }, 'item condition "${aws}" is false'],
  ] as const)("names the %s condition that is false, exactly", (_name, when, reason) => {
    const c = checklist([
      section(
        "s",
        [
          item(
            "a",
            [runStep("one", "true", "step" in when ? { when: when.step } : {})],
            "item" in when ? { when: when.item } : {},
          ),
        ],
        "section" in when ? { when: when.section } : {},
      ),
    ]);
    const vars = { env: "staging", k8s: "yes", aws: "" };
    expect(plan(c, new EventLog(), { vars })).toEqual({
      type: "not-applicable",
      ref: walkSteps(c)[0],
      reason,
    });
  });

  it("a boolean when: false is not applicable, true runs", () => {
    const off = simpleChecklist({ a: [runStep("one", "true", { when: false })] });
    expect(plan(off, new EventLog())).toMatchObject({
      type: "not-applicable",
      reason: "step condition false is false",
    });
    const on = simpleChecklist({ a: [runStep("one", "true", { when: true })] });
    expect(plan(on, new EventLog())).toMatchObject({ type: "step", reason: "pending" });
  });

  it("evaluates when on the environment too", () => {
    const c = simpleChecklist({ a: [runStep("one", "true", { when: "${env.CI}" })] });
    expect(plan(c, new EventLog(), { env: { CI: "1" } })).toMatchObject({ type: "step" });
    expect(plan(c, new EventLog(), { env: {} })).toMatchObject({ type: "not-applicable" });
  });

  it("checks when only for a step not yet started: an interrupted step runs again", () => {
    const c = simpleChecklist({ a: [runStep("one", "true", { when: "${go}" })] });
    const log = new EventLog().started("a/one").interrupted("a/one");
    expect(plan(c, log, { vars: { go: "" } })).toMatchObject({
      type: "step",
      reason: "interrupted",
      attempt: 2,
    });
  });

  it("with precomputed refs and a start position gives what a full scan gives", () => {
    const c = simpleChecklist({ a: [runStep("one"), runStep("two")], b: [runStep("three")] });
    const refs = walkSteps(c);
    const log = new EventLog().step("a/one").step("a/two");
    expect(plan(c, log, { refs, from: 2 })).toEqual(plan(c, log));
    expect(plan(c, log, { refs, from: 2 })).toMatchObject({ ref: { key: "b/three" } });
    // The position is trusted: settled steps before it are not looked at again.
    expect(plan(c, new EventLog(), { refs, from: 2 })).toMatchObject({ ref: { key: "b/three" } });
    expect(plan(c, new EventLog(), { refs: refs.slice(1) })).toMatchObject({ ref: { key: "a/two" } });
  });

  it("a step with only watch progress (never started) is pending: its condition is checked", () => {
    const c = simpleChecklist({ a: [runStep("w", "true", { when: "${go}" })] });
    const log = new EventLog().push({ type: "watch-round", key: "a/w", round: 1, elapsedMs: 0, ok: true });
    expect(plan(c, log, { vars: { go: "" } })).toMatchObject({ type: "not-applicable" });
    expect(plan(c, log, { vars: { go: "1" } })).toMatchObject({
      type: "step",
      reason: "pending",
      attempt: 1,
    });
  });

  it("a signed-off run is to be finished, whatever sign-off said", () => {
    expect(plan(two, new EventLog().step("a/one").step("a/two").signoff(false))).toEqual({ type: "finish" });
  });
});

describe("blockingFailures", () => {
  it("lists required failed steps in run order, not skipped, optional-item or passed ones", () => {
    const c = checklist([
      section("s", [
        item("a", [runStep("one"), runStep("two")]),
        item("b", [runStep("one")], { optional: true }),
        item("c", [runStep("one"), runStep("two")]),
      ]),
    ]);
    const state = fold(
      new EventLog()
        .step("a/one", "failed")
        .step("a/two", "failed")
        .skipped("a/two")
        .step("b/one", "failed")
        .step("c/one")
        .step("c/two", "failed").events,
    );
    expect(blockingFailures(c, state).map((r) => r.key)).toEqual(["a/one", "c/two"]);
    expect(blockingFailures(c, fold(new EventLog().events))).toEqual([]);
    expect(blockingFailures(c, state, walkSteps(c).slice(1)).map((r) => r.key)).toEqual(["c/two"]);
  });
});
