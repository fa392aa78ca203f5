// @ts-nocheck
import { describe, expect, it } from "vitest";
import { describeRun, refusedResumes, runPhase, stepActors } from "../../../src/cli/run-info.js";
import { fold } from "../../../src/engine/state.js";
import { EventLog, runStep, simpleChecklist } from "../../helpers/builders.js";

const holder = { pid: 1, host: "h", startedAt: "t", runId: "demo-20261126T063000Z-7f3a", checklist: "demo" };

describe("run info", () => {
  it("names the phase of a run", () => {
    const log = new EventLog().step("a/x");
    // Nobody holds it and it is not finished: it was interrupted (the README's list has no "in progress").
    expect(runPhase(fold(log.events), undefined)).toBe("interrupted");
    expect(runPhase(fold(log.events), holder)).toBe("running");
    expect(runPhase(fold(new EventLog().started("a/x").events), undefined)).toBe("interrupted");
    expect(
      runPhase(
        fold(new EventLog().push({ type: "run-aborted", reason: "r", abandoned: false }).events),
        undefined,
      ),
    ).toBe("stopped");
    expect(
      runPhase(
        fold(new EventLog().push({ type: "run-aborted", reason: "r", abandoned: true }).events),
        undefined,
      ),
    ).toBe("abandoned");
    expect(runPhase(fold(new EventLog().signoff().events), undefined)).toBe("signed off");
    expect(runPhase(fold(new EventLog().signoff().finishedRun().events), undefined)).toBe("finished");
  });

  it("knows who ran each step: the session's user, or who overrode or skipped it", () => {
    const log = new EventLog().step("a/x").push({
      type: "run-resumed",
      checklistSha256: "s",
      changedSteps: [],
      stepHashes: {},
      by: { user: "bob", host: "laptop" },
    });
    log.step("a/y", "failed").overridden("a/y", "fine");
    log.step("b/z");
    expect(stepActors(log.events)).toEqual({ "a/x": "u@h", "a/y": "ann", "b/z": "bob@laptop" });
  });

  it("counts items done, failed and pending with when and who", () => {
    const c = simpleChecklist({ a: [runStep("x"), runStep("y")], b: [runStep("z")], c: [runStep("w")] });
    const log = new EventLog().step("a/x").step("a/y").step("b/z", "failed");
    const info = describeRun(
      {
        id: "demo-1",
        dir: "/runs/demo-1",
        events: log.events,
        state: fold(log.events),
        chained: true,
        head: "",
      },
      undefined,
      c,
    );
    expect(info.counts).toEqual({ total: 3, done: 1, failed: 1, pending: 1 });
    expect(info.items?.[0]).toMatchObject({ id: "a", status: "passed", by: "u@h", at: expect.any(String) });
    expect(info.items?.[2]).toMatchObject({ id: "c", status: "pending" });
    expect(info.items?.[2]?.at).toBeUndefined();
  });
});

describe("refused resumes", () => {
  it("a resume that a guard refused before any step ran is an attempt, not a resume", () => {
    const log = new EventLog()
      .step("a/x")
      .push({ type: "run-resumed", checklistSha256: "s", changedSteps: [], stepHashes: {} })
      .push({ type: "run-aborted", reason: "guard staging-context refused: no kubeconfig", abandoned: false })
      .push({ type: "run-resumed", checklistSha256: "s", changedSteps: [], stepHashes: {} })
      .step("a/y");
    expect(refusedResumes(log.events)).toEqual(["guard staging-context refused: no kubeconfig", undefined]);
  });
});
