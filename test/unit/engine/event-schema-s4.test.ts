// Decoding journal lines (issue 16, session 4): every value of each enumerated field decodes, step keys
// with several hyphenated words, a secret's placeholder, the whole refusal messages, and `event()`.
import { describe, expect, it } from "vitest";
import { decodeEvent, STEP_KEY_RE } from "../../../src/engine/event-schema.js";
import { EVENT_VERSION, event, type RunFinishedEvent } from "../../../src/engine/events.js";

const at = "2026-11-30T08:00:00.000Z";

function stepFinished(status: string) {
  return {
    v: 1,
    at,
    type: "step-finished",
    key: "db-migrate/apply",
    attempt: 1,
    durationMs: 12,
    outcome: { status, summary: "done" },
  };
}

function notification(on: string) {
  return { v: 1, at, type: "notification", on, ok: true, status: 204 };
}

describe("decodeEvent: each value of an enumerated field", () => {
  it.each(["passed", "failed", "not-applicable"])("a step finished with status %s decodes", (status) => {
    const e = stepFinished(status);
    expect(decodeEvent(e)).toEqual({ ok: true, event: e });
  });

  it.each(["", "skipped", "Passed"])("a step finished with status %j is refused", (status) => {
    expect(decodeEvent(stepFinished(status))).toEqual({
      ok: false,
      message:
        'step-finished event: outcome.status: Invalid option: expected one of "passed"|"failed"|"not-applicable"',
    });
  });

  it.each(["start", "finish", "failure"])("a notification on %s decodes", (on) => {
    const e = notification(on);
    expect(decodeEvent(e)).toEqual({ ok: true, event: e });
  });

  it.each(["", "always", "Start"])("a notification on %j is refused", (on) => {
    expect(decodeEvent(notification(on))).toEqual({
      ok: false,
      message: 'notification event: on: Invalid option: expected one of "start"|"finish"|"failure"',
    });
  });
});

describe("decodeEvent: step keys whose ids have several hyphenated words", () => {
  it.each([
    ["db-migrate/apply", true],
    ["db-migrate/run-smoke", true],
    ["pre-flight-checks/x", true],
    ["a/check-pods-ready", true],
    ["db-migrate-/apply", false],
    ["db--migrate/apply", false],
  ])("%j valid: %s", (key, valid) => {
    expect(STEP_KEY_RE.test(key)).toBe(valid);
    expect(decodeEvent({ v: 1, at, type: "step-started", key, attempt: 1 })).toEqual(
      valid
        ? { ok: true, event: { v: 1, at, type: "step-started", key, attempt: 1 } }
        : { ok: false, message: "step-started event: key: expected <item-id>/<step-id>" },
    );
    const process = { v: 1, at, type: "step-process", key: `${key}#2`, attempt: 1, pgid: 7, host: "h" };
    expect(decodeEvent(process)).toEqual(
      valid
        ? { ok: true, event: process }
        : { ok: false, message: "step-process event: key: expected <item-id>/<step-id>[#<n>]" },
    );
  });

  it("a bad step key in a hash map is named with the shape it must have", () => {
    const e = {
      v: 1,
      at,
      type: "run-resumed",
      checklistSha256: "s",
      changedSteps: [],
      stepHashes: { "db-migrate/apply": "h", "db-migrate/Apply": "h" },
    };
    expect(decodeEvent(e)).toEqual({
      ok: false,
      message: "run-resumed event: stepHashes.db-migrate/Apply: expected <item-id>/<step-id>",
    });
  });
});

describe("decodeEvent: a resume's secret variables", () => {
  function resumed(vars: Record<string, string>) {
    return {
      v: 1,
      at,
      type: "run-resumed",
      checklistSha256: "s",
      changedSteps: [],
      stepHashes: {},
      vars,
      secretVars: ["token"],
    };
  }

  it("a secret journaled as its placeholder decodes", () => {
    const e = resumed({ ns: "prod", token: "[REDACTED]" });
    expect(decodeEvent(e)).toEqual({ ok: true, event: e });
  });

  it("a secret journaled empty decodes", () => {
    const e = resumed({ token: "" });
    expect(decodeEvent(e)).toEqual({ ok: true, event: e });
  });

  it("a secret journaled with its value is refused", () => {
    expect(decodeEvent(resumed({ token: "s3cr3t" }))).toEqual({
      ok: false,
      message: "run-resumed event: vars: a secret variable's value is journaled",
    });
  });
});

describe("decodeEvent: the message names the first wrong field, with zod's words for it", () => {
  it.each([
    [
      { v: 1, at, type: "run-finished", exitCode: "0" },
      "run-finished event: exitCode: Invalid input: expected number, received string",
    ],
    [
      { v: 1, at, type: "run-finished" },
      "run-finished event: exitCode: Invalid input: expected number, received undefined",
    ],
    [{ v: 2, at, type: "run-finished", exitCode: 0 }, "run-finished event: v: Invalid input: expected 1"],
    [
      { v: 1, at, type: "lock-taken-over", previous: { pid: 1, host: 5 } },
      "lock-taken-over event: previous.host: Invalid input: expected string, received number",
    ],
    [
      {
        v: 1,
        at,
        type: "run-resumed",
        checklistSha256: "s",
        changedSteps: [],
        stepHashes: {},
        vars: { "9x": "v" },
      },
      "run-resumed event: vars.9x: expected a variable name",
    ],
  ])("%j: %s", (value, message) => {
    expect(decodeEvent(value)).toEqual({ ok: false, message });
  });
});

describe("event()", () => {
  it("adds the event version to what it is given, and nothing else", () => {
    const e = event<RunFinishedEvent>({ type: "run-finished", at, exitCode: 3 });
    expect(e).toStrictEqual({ v: EVENT_VERSION, type: "run-finished", at, exitCode: 3 });
    expect(EVENT_VERSION).toBe(1);
    expect(decodeEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  });
});
