// Decoding journal lines (hostile input): every event type with every field it knows decodes as written;
// any field of the wrong type, anywhere, is refused with a message naming the event type and the field.
import { describe, expect, it } from "vitest";
import { decodeEvent, STEP_KEY_RE } from "../../../src/engine/event-schema.js";

const H = "a".repeat(64);
const at = "2026-11-30T08:00:00.000Z";

/** One of each event type, every field (optional ones too) set. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  "run-started": {
    v: 1,
    at,
    prev: H,
    type: "run-started",
    runId: "r",
    checklist: { name: "n", title: "t", ref: "git:x", path: "/c.yaml", sha256: "s" },
    vars: { ns: "prod" },
    secretVars: ["pw"],
    environment: {
      host: "h",
      user: "u",
      toolVersion: "1",
      node: "v20",
      platform: "linux",
      cwd: "/",
      gitSha: "abc",
      kubeContext: "kind",
      engineer: "Ann",
    },
    options: { dryRun: false, interactive: true, keepGoing: false },
    stepHashes: { "a/x": "h" },
  },
  "run-resumed": {
    v: 1,
    at,
    type: "run-resumed",
    checklistSha256: "s",
    changedSteps: ["a/x"],
    stepHashes: { "a/x": "h" },
    by: { user: "u", host: "h", engineer: "Bob" },
    vars: { ns: "prod", pw: "[REDACTED]" },
    secretVars: ["pw"],
    changedVars: ["ns"],
    editedSteps: ["a/x"],
    varChangedSteps: ["a/y"],
    options: { dryRun: false, interactive: false, keepGoing: true },
  },
  "lock-taken-over": {
    v: 1,
    at,
    type: "lock-taken-over",
    previous: { pid: 1, host: "h", startedAt: at, runId: "r", why: "dead" },
  },
  "step-started": { v: 1, at, type: "step-started", key: "a/x", attempt: 1 },
  "step-finished": {
    v: 1,
    at,
    type: "step-finished",
    key: "a/x",
    attempt: 1,
    durationMs: 5,
    outcome: {
      status: "passed",
      summary: "ok",
      details: { n: 1 },
      output: "o",
      saved: { rev: "7" },
      dryRun: false,
      error: "e",
      answer: "yes",
      note: "n",
    },
  },
  "step-interrupted": { v: 1, at, type: "step-interrupted", key: "a/x", attempt: 1, durationMs: 3 },
  "step-overridden": { v: 1, at, type: "step-overridden", key: "a/x", by: "ann", reason: "r" },
  "step-skipped": { v: 1, at, type: "step-skipped", key: "a/x", by: "ann", reason: "r" },
  "step-process": {
    v: 1,
    at,
    type: "step-process",
    key: "a/x#2",
    attempt: 1,
    pgid: 100,
    host: "h",
    startTime: "5",
    bootId: "b",
    marker: "m",
  },
  "watch-round": {
    v: 1,
    at,
    type: "watch-round",
    key: "a/x",
    round: 1,
    elapsedMs: 0,
    ok: false,
    failed: "p99",
    roundStartedAt: at,
  },
  notification: { v: 1, at, type: "notification", on: "failure", ok: false, status: 500, error: "e" },
  signoff: { v: 1, at, type: "signoff", engineer: "ann", ready: true, notes: "", blockers: "" },
  "run-aborted": { v: 1, at, type: "run-aborted", reason: "SIGINT", abandoned: false },
  "run-finished": { v: 1, at, type: "run-finished", exitCode: 0 },
};

/** Every path to a value in the sample (objects' keys and arrays' elements), but not `type`. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object") return prefix.length ? [prefix] : [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const out: string[][] = prefix.length ? [prefix] : [];
  // Not into `details`: a check's details are free-form (any JSON value).
  if (prefix.at(-1) === "details") return out;
  for (const [k, v] of entries)
    if (!(prefix.length === 0 && k === "type")) out.push(...paths(v, [...prefix, k]));
  return out;
}

function withValue(sample: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(sample);
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

function message(value: unknown): string {
  const r = decodeEvent(value);
  if (r.ok) throw new Error(`decoded: ${JSON.stringify(value)}`);
  return r.message;
}

describe("decodeEvent: every event type", () => {
  it("covers every event type", () => {
    expect(Object.keys(SAMPLES)).toHaveLength(14);
  });

  for (const [type, sample] of Object.entries(SAMPLES)) {
    it(`${type}: decodes with every field, and keeps fields it does not know`, () => {
      expect(decodeEvent(sample)).toEqual({ ok: true, event: sample });
      const extra = { ...sample, later: { added: true } };
      expect(decodeEvent(extra)).toEqual({ ok: true, event: extra });
    });

    it(`${type}: a null anywhere is refused, naming the field`, () => {
      for (const path of paths(sample)) {
        // A record's or list's entry is named by its key; a known key set to null names that key.
        expect(message(withValue(sample, path, null))).toMatch(
          new RegExp(`^${type} event: ${path.join("\\.")}: \\S`),
        );
      }
    });

    it(`${type}: another event's type is not this event`, () => {
      const other = type === "run-finished" ? "run-aborted" : "run-finished";
      expect(decodeEvent({ ...SAMPLES[other], type })).toMatchObject({ ok: false });
    });
  }

  it.each([
    ["step-finished", ["outcome", "status"], "described"],
    ["notification", ["on"], "always"],
    ["run-started", ["v"], 2],
    ["run-started", ["at"], ""],
    ["step-started", ["attempt"], 1.5],
    ["step-process", ["pgid"], 1.5],
    ["watch-round", ["round"], 1.5],
    ["run-finished", ["exitCode"], 0.5],
    ["step-interrupted", ["attempt"], 2.5],
    ["step-finished", ["attempt"], 2.5],
  ] as const)("%s: %j = %j is refused", (type, path, value) => {
    expect(message(withValue(SAMPLES[type]!, [...path], value))).toMatch(
      new RegExp(`^${type} event: ${path.join("\\.")}: `),
    );
  });

  it("a missing required field is refused; a missing optional one is not", () => {
    const { runId: _r, ...noRunId } = SAMPLES["run-started"]!;
    expect(message(noRunId)).toMatch(/^run-started event: runId: /);
    const {
      by: _b,
      vars: _v,
      secretVars: _s,
      changedVars: _c,
      editedSteps: _e,
      varChangedSteps: _w,
      options: _o,
      ...old
    } = SAMPLES["run-resumed"]!;
    expect(decodeEvent(old)).toMatchObject({ ok: true });
    const { prev: _p, ...noPrev } = SAMPLES["run-started"]!;
    expect(decodeEvent(noPrev)).toMatchObject({ ok: true });
  });
});

describe("decodeEvent: field formats, with their messages", () => {
  it.each([
    ["a/x", true],
    ["a-b/c-d", true],
    ["deploy2/step-10", true],
    ["guard/1", true],
    ["a/b/c", false],
    ["A/x", false],
    ["a/X", false],
    ["-a/x", false],
    ["a-/x", false],
    ["a--b/x", false],
    ["a/x-", false],
    ["a/-x", false],
    ["a/x--y", false],
    ["/x", false],
    ["a/", false],
    ["ax", false],
    [" a/x", false],
    ["a/x ", false],
    ["a/x\n", false],
    ["a_b/x", false],
    ["a/x#1", false],
    ["__proto__", false],
  ])("step key %j valid: %s", (key, valid) => {
    expect(STEP_KEY_RE.test(key)).toBe(valid);
    const r = decodeEvent({ ...SAMPLES["step-started"], key });
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.message).toBe("step-started event: key: expected <item-id>/<step-id>");
  });

  it.each([
    ["a/x", true],
    ["a/x#1", true],
    ["a-b/c-d#10", true],
    ["a/x#0", false],
    ["a/x#01", false],
    ["a/x#", false],
    ["a/x#1a", false],
    ["a/x#-1", false],
    ["a/x#1#2", false],
    ["x a/x#1", false],
    ["A/x#1", false],
  ])("process key %j valid: %s", (key, valid) => {
    const r = decodeEvent({ ...SAMPLES["step-process"], key });
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.message).toBe("step-process event: key: expected <item-id>/<step-id>[#<n>]");
  });

  it("step keys in hash maps and lists are checked too", () => {
    expect(message({ ...SAMPLES["run-started"], stepHashes: { "a/x": "h", "Bad Key": "h" } })).toBe(
      "run-started event: stepHashes.Bad Key: expected <item-id>/<step-id>",
    );
    expect(message({ ...SAMPLES["run-resumed"], changedSteps: ["a/x", "nope"] })).toBe(
      "run-resumed event: changedSteps.1: expected <item-id>/<step-id>",
    );
    expect(message({ ...SAMPLES["watch-round"], key: "w" })).toBe(
      "watch-round event: key: expected <item-id>/<step-id>",
    );
    for (const type of ["step-finished", "step-interrupted", "step-overridden", "step-skipped"])
      expect(message({ ...SAMPLES[type], key: "k" })).toBe(
        `${type} event: key: expected <item-id>/<step-id>`,
      );
    for (const field of ["editedSteps", "varChangedSteps"])
      expect(message({ ...SAMPLES["run-resumed"], [field]: ["x"] })).toBe(
        `run-resumed event: ${field}.0: expected <item-id>/<step-id>`,
      );
    expect(message({ ...SAMPLES["run-resumed"], stepHashes: { x: "h" } })).toBe(
      "run-resumed event: stepHashes.x: expected <item-id>/<step-id>",
    );
  });

  it.each([
    ["ns", true],
    ["_x", true],
    ["Web_9", true],
    ["9a", false],
    ["a-b", false],
    ["a b", false],
    ["", false],
    ["a.b", false],
    [" a", false],
    ["a\n", false],
  ])("variable name %j valid: %s", (name, valid) => {
    for (const field of ["changedVars", "secretVars"]) {
      const e = { ...SAMPLES["run-resumed"], vars: { [name]: "[REDACTED]" }, [field]: [name] };
      const r = decodeEvent(e);
      expect(r.ok).toBe(valid);
      if (!r.ok) expect(r.message).toMatch(/: expected a variable name$/);
    }
    const r = decodeEvent({ ...SAMPLES["run-resumed"], vars: { [name]: "v" }, secretVars: [] });
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.message).toBe(`run-resumed event: vars.${name}: expected a variable name`);
  });

  it.each([
    ["a".repeat(64), true],
    ["0123456789abcdef".repeat(4), true],
    ["A".repeat(64), false],
    ["a".repeat(63), false],
    ["a".repeat(65), false],
    [`${"a".repeat(63)}g`, false],
    [` ${"a".repeat(64)}`, false],
    ["", false],
  ])("prev %j valid: %s", (prev, valid) => {
    const r = decodeEvent({ ...SAMPLES["run-finished"], prev });
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.message).toBe("run-finished event: prev: expected 64 lower-case hex digits");
  });

  it("a time must not be empty", () => {
    expect(decodeEvent({ ...SAMPLES["run-finished"], at: "" })).toMatchObject({ ok: false });
    expect(decodeEvent({ ...SAMPLES["run-finished"], at: "x" })).toMatchObject({ ok: true });
  });
});

describe("decodeEvent: a resume never carries a secret's value", () => {
  const resumed = SAMPLES["run-resumed"]!;
  it.each([
    ["the placeholder", { pw: "[REDACTED]" }, true],
    ["empty", { pw: "" }, true],
    ["not in vars", { ns: "x" }, true],
    ["a value", { pw: "hunter2" }, false],
    ["a value among others", { ns: "x", pw: "[REDACTED]", token: "t0k" }, false],
  ])("secret %s: accepted %s", (_name, vars, ok) => {
    const r = decodeEvent({ ...resumed, vars, secretVars: ["pw", "token"] });
    expect(r).toEqual(
      ok
        ? { ok: true, event: { ...resumed, vars, secretVars: ["pw", "token"] } }
        : {
            ok: false,
            message: "run-resumed event: vars: a secret variable's value is journaled",
          },
    );
  });

  it("without vars, or without secrets, nothing is checked", () => {
    const { vars: _v, ...noVars } = resumed;
    expect(decodeEvent({ ...noVars, secretVars: ["pw"] })).toMatchObject({ ok: true });
    const { secretVars: _s, ...noSecrets } = resumed;
    expect(decodeEvent({ ...noSecrets, vars: { pw: "hunter2" } })).toMatchObject({ ok: true });
  });
});

describe("decodeEvent: not an event", () => {
  it.each([null, [], "run-started", 5, true])("%j is not an object", (value) => {
    expect(decodeEvent(value)).toEqual({
      ok: false,
      message: "not a deploycheck event (expected a JSON object)",
    });
  });

  it.each([{}, { type: 5 }, { type: null }, { type: ["run-started"] }])("%j has no type", (value) => {
    expect(decodeEvent(value)).toEqual({ ok: false, message: 'not a deploycheck event (no "type")' });
  });

  it("an unknown type is named, quoted and cut to 80 characters; inherited names are unknown too", () => {
    expect(decodeEvent({ type: "step-exploded" })).toEqual({
      ok: false,
      message: 'unknown event type "step-exploded"',
    });
    expect(decodeEvent({ type: "toString" })).toEqual({
      ok: false,
      message: 'unknown event type "toString"',
    });
    expect(decodeEvent({ type: "__proto__" })).toEqual({
      ok: false,
      message: 'unknown event type "__proto__"',
    });
    const long = "x".repeat(200);
    expect(decodeEvent({ type: long })).toEqual({
      ok: false,
      message: `unknown event type "${"x".repeat(79)}`,
    });
  });
});
