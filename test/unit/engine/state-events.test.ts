// The fold of every journal event into the run state, compared as whole values: what resume, the record
// and `status` read back is exactly what the journal said, nothing more and nothing less.
import { describe, expect, it } from "vitest";
import { applyEvent, applyOwnedEvent, dict, fold, isFinal, isUnfinished } from "../../../src/engine/state.js";
import { EventLog } from "../../helpers/builders.js";

const T = (s: number) => new Date(Date.parse("2026-11-26T06:30:00Z") + s * 1000).toISOString();

describe("fold: the start of a run", () => {
  it("takes runId, checklist, vars, environment, options and hashes from run-started, and opens session 1", () => {
    const log = new EventLog({
      vars: { ns: "prod", token: "[REDACTED]" },
      secretVars: ["token"],
      environment: {
        host: "h",
        user: "u",
        toolVersion: "0",
        node: "v20",
        platform: "linux",
        cwd: "/tmp",
        engineer: "Ann",
      },
      options: { dryRun: true, interactive: true, keepGoing: false },
      stepHashes: { "a/x": "h1" },
    });
    const state = fold(log.events);
    expect(state).toEqual({
      runId: "demo-20261126T063000Z-7f3a",
      checklist: { name: "demo", title: "Demo", path: "/tmp/demo.yaml", sha256: "aaa" },
      vars: { ns: "prod", token: "[REDACTED]" },
      secretVars: ["token"],
      environment: {
        host: "h",
        user: "u",
        toolVersion: "0",
        node: "v20",
        platform: "linux",
        cwd: "/tmp",
        engineer: "Ann",
      },
      options: { dryRun: true, interactive: true, keepGoing: false },
      startedAt: T(1),
      updatedAt: T(1),
      stepHashes: { "a/x": "h1" },
      saved: {},
      steps: {},
      notifications: [],
      lockTakeovers: [],
      resumes: [],
      sessions: [
        {
          n: 1,
          kind: "start",
          at: T(1),
          vars: { ns: "prod", token: "[REDACTED]" },
          secretVars: ["token"],
          engineer: "Ann",
          user: "u",
          host: "h",
          dryRun: true,
          changedVars: [],
        },
      ],
    });
  });

  it("session 1 has no engineer when run-started names none", () => {
    const state = fold(new EventLog().events);
    expect(state.sessions[0]).toEqual({
      n: 1,
      kind: "start",
      at: T(1),
      vars: {},
      secretVars: [],
      user: "u",
      host: "h",
      dryRun: false,
      changedVars: [],
    });
    expect(Object.hasOwn(state.sessions[0]!, "engineer")).toBe(false);
  });

  it("refuses an empty journal and one whose first event is not run-started, with the same message", () => {
    expect(() => fold([])).toThrow("a journal starts with a run-started event");
    const log = new EventLog().finishedRun();
    expect(() => fold(log.events.slice(1))).toThrow("a journal starts with a run-started event");
  });

  it("does not alias run-started's objects: changing the state leaves the events as they were", () => {
    const log = new EventLog({ vars: { a: "1" }, secretVars: ["s"], stepHashes: { "a/x": "h" } });
    const state = fold(log.events);
    state.vars["a"] = "2";
    state.secretVars.push("t");
    state.stepHashes["a/x"] = "changed";
    state.checklist.sha256 = "changed";
    state.environment.host = "changed";
    state.options.dryRun = true;
    state.sessions[0]!.vars!["a"] = "3";
    state.sessions[0]!.secretVars!.push("u");
    const again = fold(log.events);
    expect(again.vars).toEqual({ a: "1" });
    expect(again.secretVars).toEqual(["s"]);
    expect(again.stepHashes).toEqual({ "a/x": "h" });
    expect(again.checklist.sha256).toBe("aaa");
    expect(again.environment.host).toBe("h");
    expect(again.options.dryRun).toBe(false);
    expect(again.sessions[0]!.vars).toEqual({ a: "1" });
    expect(again.sessions[0]!.secretVars).toEqual(["s"]);
  });
});

describe("fold: steps", () => {
  it("a started, then finished step: times, attempt, duration, outcome, session", () => {
    const state = fold(new EventLog().started("a/x").finished("a/x", "passed", { details: { n: 1 } }).events);
    expect(state.steps["a/x"]).toEqual({
      key: "a/x",
      status: "passed",
      attempts: 1,
      startedAt: T(2),
      finishedAt: T(3),
      durationMs: 5,
      outcome: { status: "passed", summary: "passed", details: { n: 1 } },
      session: 1,
    });
    expect(state.updatedAt).toBe(T(3));
  });

  it("a running step: status, attempt, start time, session", () => {
    const state = fold(new EventLog().started("a/x", 3).events);
    expect(state.steps["a/x"]).toEqual({
      key: "a/x",
      status: "running",
      attempts: 3,
      startedAt: T(2),
      session: 1,
    });
  });

  it("a finish with a lower attempt than already started keeps the higher attempt count", () => {
    const state = fold(new EventLog().started("a/x", 4).finished("a/x", "failed", {}, 2).events);
    expect(state.steps["a/x"]?.attempts).toBe(4);
    const later = fold(new EventLog().started("a/x", 1).finished("a/x", "failed", {}, 5).events);
    expect(later.steps["a/x"]?.attempts).toBe(5);
  });

  it("an interrupted step keeps its attempt and start, with the interruption's duration", () => {
    const state = fold(new EventLog().started("a/x", 2).interrupted("a/x", 2).events);
    expect(state.steps["a/x"]).toEqual({
      key: "a/x",
      status: "interrupted",
      attempts: 2,
      startedAt: T(2),
      durationMs: 3,
      session: 1,
    });
  });

  it("an interruption of a step never started creates it, pending attempts 0", () => {
    const state = fold(new EventLog().interrupted("a/x").events);
    expect(state.steps["a/x"]).toEqual({ key: "a/x", status: "interrupted", attempts: 0, durationMs: 3 });
  });

  it("an override records who, why and when, and when it was decided", () => {
    const state = fold(new EventLog().step("a/x", "failed").overridden("a/x", "by phone").events);
    expect(state.steps["a/x"]).toMatchObject({
      status: "overridden",
      override: { by: "ann", reason: "by phone", at: T(4) },
      finishedAt: T(4),
      session: 1,
    });
    expect(state.steps["a/x"]?.skip).toBeUndefined();
  });

  it("a skip records who, why and when", () => {
    const state = fold(new EventLog().step("a/x", "failed").skipped("a/x", "later").events);
    expect(state.steps["a/x"]).toMatchObject({
      status: "skipped",
      skip: { by: "ann", reason: "later", at: T(4) },
      finishedAt: T(4),
      session: 1,
    });
    expect(state.steps["a/x"]?.override).toBeUndefined();
  });

  it("starting the step again forgets an earlier override and skip", () => {
    const overridden = fold(new EventLog().step("a/x", "failed").overridden("a/x").started("a/x", 2).events);
    expect(overridden.steps["a/x"]?.override).toBeUndefined();
    expect(overridden.steps["a/x"]).toMatchObject({ status: "running", attempts: 2, startedAt: T(5) });
    const skipped = fold(new EventLog().step("a/x", "failed").skipped("a/x").started("a/x", 2).events);
    expect(skipped.steps["a/x"]?.skip).toBeUndefined();
  });

  it("an override or skip of a step never seen creates it", () => {
    const o = fold(new EventLog().overridden("a/x").events);
    expect(o.steps["a/x"]).toEqual({
      key: "a/x",
      status: "overridden",
      attempts: 0,
      override: { by: "ann", reason: "checked by hand", at: T(2) },
      finishedAt: T(2),
      session: 1,
    });
    const s = fold(new EventLog().skipped("a/y").events);
    expect(s.steps["a/y"]).toEqual({
      key: "a/y",
      status: "skipped",
      attempts: 0,
      skip: { by: "ann", reason: "not needed", at: T(2) },
      finishedAt: T(2),
      session: 1,
    });
  });

  it("saves every saveAs value of a step, and a later step's value wins", () => {
    const state = fold(
      new EventLog()
        .step("a/x", "passed", { saved: { rev: "6", image: "web:1" } })
        .step("a/y", "passed", { saved: { rev: "7" } }).events,
    );
    expect(state.saved).toEqual({ rev: "7", image: "web:1" });
  });

  it("steps of a later session carry that session's number", () => {
    const state = fold(
      new EventLog()
        .step("a/x")
        .resumed()
        .started("a/y")
        .finished("a/y")
        .step("a/z", "failed")
        .overridden("a/z")
        .step("a/w", "failed")
        .skipped("a/w").events,
    );
    expect(state.steps["a/x"]?.session).toBe(1);
    expect(state.steps["a/y"]?.session).toBe(2);
    expect(state.steps["a/z"]?.session).toBe(2);
    expect(state.steps["a/w"]?.session).toBe(2);
  });

  it("an override in a later session moves the step's session to it", () => {
    const state = fold(new EventLog().step("a/x", "failed").resumed().overridden("a/x").events);
    expect(state.steps["a/x"]?.session).toBe(2);
    const skipped = fold(new EventLog().step("a/x", "failed").resumed().skipped("a/x").events);
    expect(skipped.steps["a/x"]?.session).toBe(2);
    const finished = fold(new EventLog().started("a/x").resumed().finished("a/x").events);
    expect(finished.steps["a/x"]?.session).toBe(2);
  });
});

describe("fold: watch rounds", () => {
  const round = (r: number, ok: boolean, elapsedMs: number, roundStartedAt?: string) => ({
    type: "watch-round" as const,
    key: "w/m",
    round: r,
    elapsedMs,
    ok,
    ...(roundStartedAt ? { roundStartedAt } : {}),
  });

  it("keeps round 1's start as the window's start through later rounds", () => {
    const log = new EventLog()
      .started("w/m")
      .push(round(1, true, 0, "2026-11-26T06:31:00.000Z"))
      .push(round(2, true, 60_000, "2026-11-26T06:32:00.000Z"));
    expect(fold(log.events).steps["w/m"]?.watch).toEqual({
      rounds: 2,
      elapsedMs: 60_000,
      firstRoundAt: "2026-11-26T06:31:00.000Z",
    });
  });

  it("a failed first round counts no round but starts the window", () => {
    const log = new EventLog().started("w/m").push(round(1, false, 0, "2026-11-26T06:31:00.000Z"));
    expect(fold(log.events).steps["w/m"]?.watch).toEqual({
      rounds: 0,
      elapsedMs: 0,
      firstRoundAt: "2026-11-26T06:31:00.000Z",
    });
  });

  it("without round start times (older journals) the window is unknown", () => {
    const log = new EventLog()
      .started("w/m")
      .push(round(1, true, 0))
      .push(round(2, true, 5));
    const watch = fold(log.events).steps["w/m"]?.watch;
    expect(watch).toEqual({ rounds: 2, elapsedMs: 5 });
    expect(Object.hasOwn(watch!, "firstRoundAt")).toBe(false);
  });

  it("a later round's start is not the window's start", () => {
    const log = new EventLog().started("w/m").push(round(2, true, 5, "2026-11-26T06:40:00.000Z"));
    expect(fold(log.events).steps["w/m"]?.watch).toEqual({ rounds: 2, elapsedMs: 5 });
  });
});

describe("fold: processes, notifications, lock takeovers, sign-off, abort, finish", () => {
  it("keeps the latest process group per step, without v and type", () => {
    const log = new EventLog()
      .push({
        type: "step-process",
        key: "a/x",
        attempt: 1,
        pgid: 100,
        host: "h",
        startTime: "5",
        bootId: "b",
      })
      .push({ type: "step-process", key: "a/y", attempt: 1, pgid: 200, host: "h" })
      .push({ type: "step-process", key: "a/x", attempt: 2, pgid: 300, host: "h", marker: "m" });
    const state = fold(log.events);
    expect(state.processes).toEqual({
      "a/x": { at: T(4), key: "a/x", attempt: 2, pgid: 300, host: "h", marker: "m" },
      "a/y": { at: T(3), key: "a/y", attempt: 1, pgid: 200, host: "h" },
    });
    expect(Object.getPrototypeOf(state.processes)).toBeNull();
  });

  it("has no processes before the first step-process", () => {
    expect(fold(new EventLog().step("a/x").events).processes).toBeUndefined();
  });

  it("lists notifications with their error when one failed", () => {
    const log = new EventLog()
      .push({ type: "notification", on: "start", ok: true, status: 200 })
      .push({ type: "notification", on: "failure", ok: false, error: "ECONNREFUSED" });
    expect(fold(log.events).notifications).toEqual([
      { on: "start", ok: true, at: T(2) },
      { on: "failure", ok: false, at: T(3), error: "ECONNREFUSED" },
    ]);
  });

  it("a notification or takeover without error or why has no such field at all", () => {
    const log = new EventLog()
      .push({ type: "notification", on: "start", ok: true })
      .push({ type: "lock-taken-over", previous: { pid: 1, host: "h" } });
    const state = fold(log.events);
    expect(Object.keys(state.notifications[0]!)).toEqual(["on", "ok", "at"]);
    expect(Object.keys(state.lockTakeovers[0]!)).toEqual(["pid", "host", "at"]);
  });

  it("a run-started in the middle of a journal changes nothing but the time", () => {
    const log = new EventLog().step("a/x");
    const before = fold(log.events);
    const again = fold([...log.events, { ...log.events[0]!, at: T(9) } as never]);
    expect(again).toEqual({ ...before, updatedAt: T(9) });
  });

  it("a watch round of a step never started leaves it pending", () => {
    const state = fold(
      new EventLog().push({ type: "watch-round", key: "w/m", round: 1, elapsedMs: 0, ok: true }).events,
    );
    expect(state.steps["w/m"]).toEqual({
      key: "w/m",
      status: "pending",
      attempts: 0,
      watch: { rounds: 1, elapsedMs: 0 },
    });
  });

  it("lists lock takeovers with the previous holder and why", () => {
    const log = new EventLog()
      .push({ type: "lock-taken-over", previous: { pid: 42, host: "h1", startedAt: T(0), runId: "r" } })
      .push({ type: "lock-taken-over", previous: { pid: 43, host: "h2", why: "dead pid" } });
    expect(fold(log.events).lockTakeovers).toEqual([
      { pid: 42, host: "h1", at: T(2) },
      { pid: 43, host: "h2", at: T(3), why: "dead pid" },
    ]);
  });

  it("keeps the sign-off without v and type", () => {
    const state = fold(new EventLog().signoff(false, "bob").events);
    expect(state.signoff).toEqual({ at: T(2), engineer: "bob", ready: false, notes: "", blockers: "" });
  });

  it("records an abort and a finish as they were", () => {
    const aborted = fold(
      new EventLog().push({ type: "run-aborted", reason: "SIGINT", abandoned: false }).events,
    );
    expect(aborted.aborted).toEqual({ at: T(2), reason: "SIGINT", abandoned: false });
    const finished = fold(new EventLog().finishedRun(3).events);
    expect(finished.finished).toEqual({ at: T(2), exitCode: 3 });
    expect(isUnfinished(finished)).toBe(false);
  });

  it("a finished run whose abort was not abandoned is not unfinished", () => {
    const state = fold(
      new EventLog().push({ type: "run-aborted", reason: "x", abandoned: false }).finishedRun(1).events,
    );
    expect(isUnfinished(state)).toBe(false);
  });
});

describe("fold: resume", () => {
  it("records who resumed, with which variables, and what changed, as a resume and as session 2", () => {
    const log = new EventLog({ vars: { ns: "a" } })
      .step("a/x")
      .step("a/y")
      .push({ type: "run-aborted", reason: "SIGINT", abandoned: false })
      .push({
        type: "run-resumed",
        checklistSha256: "bbb",
        changedSteps: ["a/y"],
        stepHashes: { "a/x": "h1", "a/y": "h2" },
        by: { user: "bob", host: "h2", engineer: "Bob" },
        vars: { ns: "b", pw: "[REDACTED]" },
        secretVars: ["pw"],
        changedVars: ["ns"],
        editedSteps: [],
        varChangedSteps: ["a/y"],
      });
    const state = fold(log.events);
    expect(state.aborted).toBeUndefined();
    expect(state.steps["a/y"]).toBeUndefined();
    expect(state.steps["a/x"]?.status).toBe("passed");
    expect(state.checklist).toEqual({ name: "demo", title: "Demo", path: "/tmp/demo.yaml", sha256: "bbb" });
    expect(state.stepHashes).toEqual({ "a/x": "h1", "a/y": "h2" });
    expect(state.vars).toEqual({ ns: "b", pw: "[REDACTED]" });
    expect(state.secretVars).toEqual(["pw"]);
    expect(state.resumes).toEqual([
      {
        at: T(7),
        changedSteps: ["a/y"],
        by: { user: "bob", host: "h2", engineer: "Bob" },
        changedVars: ["ns"],
        editedSteps: [],
        varChangedSteps: ["a/y"],
      },
    ]);
    expect(state.sessions[1]).toEqual({
      n: 2,
      kind: "resume",
      at: T(7),
      vars: { ns: "b", pw: "[REDACTED]" },
      secretVars: ["pw"],
      engineer: "Bob",
      user: "bob",
      host: "h2",
      dryRun: false,
      changedVars: ["ns"],
    });
  });

  it("an old resume without who or variables keeps the run's variables and says nothing it does not know", () => {
    const state = fold(
      new EventLog({ vars: { ns: "a" }, secretVars: ["s"] }).step("a/x").resumed([], "ccc").events,
    );
    expect(state.vars).toEqual({ ns: "a" });
    expect(state.secretVars).toEqual(["s"]);
    expect(state.resumes).toEqual([{ at: T(4), changedSteps: [] }]);
    expect(state.sessions[1]).toEqual({ n: 2, kind: "resume", at: T(4), dryRun: false, changedVars: [] });
  });

  it("a resume with variables but no secret list has no secrets; one by someone without engineer name has none", () => {
    const log = new EventLog({
      secretVars: ["s"],
      options: { dryRun: true, interactive: false, keepGoing: false },
    }).push({
      type: "run-resumed",
      checklistSha256: "aaa",
      changedSteps: [],
      stepHashes: {},
      by: { user: "bob", host: "h2" },
      vars: { ns: "b" },
    });
    const state = fold(log.events);
    expect(state.secretVars).toEqual([]);
    expect(state.sessions[1]).toEqual({
      n: 2,
      kind: "resume",
      at: T(2),
      vars: { ns: "b" },
      secretVars: [],
      user: "bob",
      host: "h2",
      dryRun: true,
      changedVars: [],
    });
    expect(state.resumes[0]).toEqual({ at: T(2), changedSteps: [], by: { user: "bob", host: "h2" } });
  });

  it("a third session is numbered 3", () => {
    const state = fold(new EventLog().resumed().resumed().events);
    expect(state.sessions.map((s) => [s.n, s.kind])).toEqual([
      [1, "start"],
      [2, "resume"],
      [3, "resume"],
    ]);
  });

  it("discards every guard's result but no step whose key merely contains guard/", () => {
    const state = fold(new EventLog().step("guard/1").step("guard/2").step("a/guard/x").resumed().events);
    expect(Object.keys(state.steps)).toEqual(["a/guard/x"]);
  });
});

describe("applyEvent, applyOwnedEvent", () => {
  it("applyEvent copies the event; applyOwnedEvent takes it as it is", () => {
    const log = new EventLog().step("a/x", "passed", { details: { n: 1 } });
    const copied = fold(log.events.slice(0, 1));
    for (const e of log.events.slice(1)) applyEvent(copied, e);
    (copied.steps["a/x"]!.outcome!.details as { n: number }).n = 2;
    expect(fold(log.events).steps["a/x"]?.outcome?.details).toEqual({ n: 1 });
    const owned = fold(log.events.slice(0, 1));
    for (const e of log.events.slice(1)) applyOwnedEvent(owned, e);
    expect(owned).toEqual(fold(log.events));
  });
});

describe("isFinal, dict", () => {
  it.each([
    ["passed", true],
    ["failed", true],
    ["overridden", true],
    ["skipped", true],
    ["not-applicable", true],
    ["described", true],
    ["pending", false],
    ["running", false],
    ["interrupted", false],
  ] as const)("%s is final: %s", (status, final) => {
    expect(isFinal({ key: "a/x", status, attempts: 1 })).toBe(final);
  });

  it("a step with no state is not final", () => {
    expect(isFinal(undefined)).toBe(false);
  });

  it("dict copies own entries into an object without prototype", () => {
    const d = dict({ a: 1, constructor: 2 });
    expect(Object.getPrototypeOf(d)).toBeNull();
    expect({ ...d }).toEqual({ a: 1, constructor: 2 });
    expect(Object.keys(dict())).toEqual([]);
    expect(Object.getPrototypeOf(dict())).toBeNull();
  });
});
