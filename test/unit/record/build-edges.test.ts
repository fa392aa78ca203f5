// What the record says beyond the sample run: resumes and sessions (who, with which variables, what ran again),
// the observed kube context, interrupted steps, item times, the output tail at its bound, lone surrogates, an
// optional item's failure, and how a run ended.
import { describe, expect, it } from "vitest";
import { fold, type RunState } from "../../../src/engine/state.js";
import { buildRecord, OUTPUT_TAIL_CHARS } from "../../../src/record/build.js";
import { sampleChecklist, sampleEvents } from "./builders.js";

const NOW = new Date("2026-11-26T07:00:00Z");
const build = (state: RunState) => buildRecord(state, sampleChecklist(), { now: NOW });
const steps = (record: ReturnType<typeof build>) =>
  Object.fromEntries(record.sections.flatMap((s) => s.items.flatMap((i) => i.steps)).map((s) => [s.key, s]));

describe("buildRecord", () => {
  it("says what each resume ran again and why, and who resumed", () => {
    const state = fold(sampleEvents());
    state.resumes = [
      // A journal from before resumes said why: every step counts as changed.
      { at: "t1", changedSteps: ["a/1", "b/1"] },
      {
        at: "t2",
        changedSteps: ["a/1", "b/1", "c/1", "d/1"],
        editedSteps: ["a/1", "b/1"],
        varChangedSteps: ["b/1", "c/1"],
        changedVars: ["namespace"],
        by: { user: "bo", host: "laptop", engineer: "Bo Chen" },
      },
      { at: "t3", changedSteps: ["c/1", "d/1"], varChangedSteps: ["c/1"], by: { user: "ana", host: "box" } },
      { at: "t4", changedSteps: ["a/1"], editedSteps: ["a/1"] },
    ];
    expect(build(state).resumes).toEqual([
      { at: "t1", changedSteps: ["a/1", "b/1"] },
      {
        at: "t2",
        changedSteps: ["a/1", "b/1", "c/1"],
        changedVariables: ["namespace"],
        rerunSteps: ["a/1", "b/1", "c/1", "d/1"],
        by: "Bo Chen (bo@laptop)",
      },
      { at: "t3", changedSteps: ["c/1"], rerunSteps: ["c/1", "d/1"], by: "ana (ana@box)" },
      { at: "t4", changedSteps: ["a/1"], rerunSteps: ["a/1"] },
    ]);
  });

  it("records every session with its variables, secrets redacted, or none when they were not journaled", () => {
    const state = fold(sampleEvents());
    state.sessions.push(
      {
        n: 2,
        kind: "resume",
        at: "t2",
        vars: { namespace: "prod", apiToken: "tok-123", other: "o" },
        secretVars: ["apiToken"],
        engineer: "Bo Chen",
        user: "bo",
        host: "laptop",
        dryRun: true,
        changedVars: ["namespace"],
      },
      { n: 3, kind: "resume", at: "t3", vars: { x: "1" }, dryRun: false, changedVars: [] },
      { n: 4, kind: "resume", at: "t4", dryRun: false, changedVars: [] },
    );
    const sessions = build(state).sessions!;
    expect(sessions.slice(1)).toEqual([
      {
        n: 2,
        kind: "resume",
        at: "t2",
        engineer: "Bo Chen",
        user: "bo",
        host: "laptop",
        dryRun: true,
        variables: { namespace: "prod", apiToken: "[REDACTED]", other: "o" },
        changedVariables: ["namespace"],
      },
      { n: 3, kind: "resume", at: "t3", dryRun: false, variables: { x: "1" }, changedVariables: [] },
      { n: 4, kind: "resume", at: "t4", dryRun: false, changedVariables: [] },
    ]);
  });

  it("takes the kube context from the first finished context check that named one", () => {
    const state = fold(sampleEvents());
    delete state.environment.kubeContext;
    const guard = state.steps["guard/1"]!;
    guard.outcome = { ...guard.outcome!, details: { context: "" } };
    expect(build(state).environment.kubeContext).toBeUndefined();
    guard.outcome.details = { context: 7 };
    expect(build(state).environment.kubeContext).toBeUndefined();
    guard.outcome.details = { context: "staging-b" };
    expect(build(state).environment.kubeContext).toBe("staging-b");
    guard.status = "pending";
    expect(build(state).environment.kubeContext).toBeUndefined();
    guard.status = "passed";
    state.environment.kubeContext = "named";
    expect(build(state).environment.kubeContext).toBe("named");
    // Another kind of step with a context detail says nothing about the context.
    delete state.environment.kubeContext;
    delete guard.outcome.details;
    const other = state.steps["staging-verification/rollout"]!;
    other.outcome = { ...other.outcome!, details: { context: "not-a-context-check" } };
    expect(build(state).environment.kubeContext).toBeUndefined();
  });

  it("takes the context from a context check inside an item too, and names a kube step by its check", () => {
    const checklist = sampleChecklist();
    const rollout = checklist.sections[1]!.items[0]!.steps[1]!;
    checklist.sections[1]!.items[0]!.steps[1] = {
      ...rollout,
      kube: { context: undefined, ...rollout.kube },
    };
    checklist.sections[0]!.items[1]!.steps.push({ id: "ctx", kube: { context: { matches: "staging" } } });
    const state = fold(sampleEvents());
    delete state.environment.kubeContext;
    state.steps["rollback-state/ctx"] = {
      key: "rollback-state/ctx",
      status: "passed",
      attempts: 1,
      outcome: { status: "passed", summary: "ok", details: { context: "staging-c" } },
    };
    const record = buildRecord(state, checklist, { now: NOW });
    expect(record.environment.kubeContext).toBe("staging-c");
    expect(steps(record)["staging-verification/rollout"]!.kind).toBe("kube.rolloutStatus");
    expect(steps(record)["rollback-state/ctx"]!.kind).toBe("kube.context");
  });

  it("records no guards for a checklist without them", () => {
    const checklist = sampleChecklist();
    delete checklist.guards;
    const record = buildRecord(fold(sampleEvents()), checklist, { now: NOW });
    expect(record.guards).toEqual([]);
    expect(record.environment.kubeContext).toBe("staging-eu");
  });

  it("marks a step interrupted (no result yet) and keeps its watch progress", () => {
    const state = fold(sampleEvents());
    const s = state.steps["notify/send"]!;
    s.status = "interrupted";
    s.watch = { rounds: 3, elapsedMs: 1500 };
    const rec = steps(build(state))["notify/send"]!;
    expect(rec.status).toBe("pending");
    expect(rec.interrupted).toBe(true);
    expect(rec.watch).toEqual({ rounds: 3, elapsedMs: 1500 });
    expect(steps(build(fold(sampleEvents())))["notify/send"]).not.toHaveProperty("interrupted");
  });

  it("gives an item its earliest start, latest finish and summed durations", () => {
    const state = fold(sampleEvents());
    state.steps["backup/run-backup"]!.startedAt = "2026-11-26T06:40:00.000Z";
    state.steps["backup/run-backup"]!.finishedAt = "2026-11-26T06:50:00.000Z";
    state.steps["backup/backup-exists"]!.startedAt = "2026-11-26T06:20:00.000Z";
    state.steps["backup/backup-exists"]!.finishedAt = "2026-11-26T06:21:00.000Z";
    delete state.steps["backup/verify-backup"]!.durationMs;
    const item = build(state).sections[0]!.items[0]!;
    expect(item.startedAt).toBe("2026-11-26T06:20:00.000Z");
    expect(item.finishedAt).toBe("2026-11-26T06:50:00.000Z");
    expect(item.durationMs).toBe(2400);
    // A step still running has no finish: the item's finish is its other steps' latest.
    delete state.steps["backup/verify-backup"]!.finishedAt;
    expect(build(state).sections[0]!.items[0]!.finishedAt).toBe("2026-11-26T06:50:00.000Z");
    const pending = build(fold(sampleEvents({ unfinished: true }))).sections[1]!.items[0]!;
    expect(pending).not.toHaveProperty("startedAt");
    expect(pending).not.toHaveProperty("finishedAt");
    expect(pending.durationMs).toBe(0);
  });

  it("numbers items by position unless they carry a number", () => {
    const checklist = sampleChecklist();
    checklist.sections[1]!.items[0]!.number = 40;
    const record = buildRecord(fold(sampleEvents()), checklist, { now: NOW });
    expect(record.sections.flatMap((s) => s.items.map((i) => i.number))).toEqual([1, 2, 3, 40, 5, 6]);
  });

  it("keeps the last 8000 characters of output, marking a cut", () => {
    const at = (length: number) => {
      const state = fold(sampleEvents());
      const s = state.steps["backup/run-backup"]!;
      s.outcome = { ...s.outcome!, output: `${"a".repeat(length - 1)}z` };
      return steps(build(state))["backup/run-backup"]!.output!;
    };
    expect(OUTPUT_TAIL_CHARS).toBe(8000);
    expect(at(8000)).toBe(`${"a".repeat(7999)}z`);
    expect(at(8001)).toBe(`…${"a".repeat(7999)}z`);
    const state = fold(sampleEvents());
    state.steps["backup/run-backup"]!.outcome!.output = `b${"a".repeat(9000)}`;
    expect(steps(build(state))["backup/run-backup"]!.output).toBe(`…${"a".repeat(8000)}`);
  });

  it("replaces lone surrogates, and only them, everywhere", () => {
    const state = fold(sampleEvents());
    const s = state.steps["backup/run-backup"]!;
    s.outcome = {
      ...s.outcome!,
      summary: "a\uD83Db",
      note: "\uDE00x\uD83D\uDE00y\uDE00\uD83D",
      error: "z\uD83D",
    };
    const rec = steps(build(state))["backup/run-backup"]!;
    expect(rec.summary).toBe("a\uFFFDb");
    expect(rec.note).toBe("\uFFFDx\uD83D\uDE00y\uFFFD\uFFFD");
    expect(rec.error).toBe("z\uFFFD");
  });

  it("lets no step of an optional item fail it", () => {
    const state = fold(sampleEvents());
    const ecs = state.steps["ecs-fallback/ecs"]!;
    ecs.status = "failed";
    ecs.outcome = { status: "failed", summary: "exit 1" };
    const record = build(state);
    const item = record.sections[1]!.items[1]!;
    expect(item).toMatchObject({ required: false, status: "passed" });
    expect(item.steps[0]).toMatchObject({ status: "failed", optional: false });
    expect(record.summary.failed).toBe(0);
  });

  it("is finished at sign-off or when the run finished, and keeps an abort and notifications", () => {
    const open = fold(sampleEvents({ signoff: false }));
    expect(build(open).finished).toBe(false);
    expect(build(open)).not.toHaveProperty("signoff");
    open.finished = { at: "t", exitCode: 1 };
    expect(build(open).finished).toBe(true);
    open.aborted = { at: "t9", reason: "stopped by the engineer", abandoned: true };
    open.notifications = [{ on: "failure", ok: false, at: "t8", error: "timeout" }];
    const record = build(open);
    expect(record.aborted).toEqual({ at: "t9", reason: "stopped by the engineer", abandoned: true });
    expect(record.notifications).toEqual([{ on: "failure", ok: false, at: "t8", error: "timeout" }]);
    expect(record.journal).toBeUndefined();
    expect(
      buildRecord(open, sampleChecklist(), { now: NOW, journal: { head: "f".repeat(64), events: 3 } })
        .journal,
    ).toEqual({ head: "f".repeat(64), events: 3 });
  });
});
