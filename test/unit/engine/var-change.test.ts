// Variables changed between sessions (issue 12.1): the pure comparison, the steps it affects, how the
// journal's run-resumed event carries it (decoded, folded) and what the record says.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interpolate } from "../../../src/checklist/vars.js";
import { decodeEvent } from "../../../src/engine/event-schema.js";
import { fold } from "../../../src/engine/state.js";
import { compareVars, describeVarChanges, stepsAffectedByVars } from "../../../src/engine/var-change.js";
import { buildRecord } from "../../../src/record/build.js";
import { REDACTED } from "../../../src/redact.js";
import {
  EventLog,
  inputStep,
  item,
  runStep,
  section,
  checklist as withSections,
} from "../../helpers/builders.js";

const same = () => "same" as const;

describe("compareVars", () => {
  it("lists values that differ, were added or were removed, in name order", () => {
    const changes = compareVars(
      { vars: { window: "30m", keep: "x", gone: "1" }, secretVars: [] },
      { vars: { window: "1m", keep: "x", added: "2" }, secretVars: [] },
      same,
    );
    expect(changes).toEqual([
      { name: "added", secret: false, to: "2" },
      { name: "gone", secret: false, from: "1" },
      { name: "window", secret: false, from: "30m", to: "1m" },
    ]);
  });

  it("nothing changed: an empty list", () => {
    const vars = { a: "1", token: REDACTED };
    expect(compareVars({ vars, secretVars: ["token"] }, { vars, secretVars: ["token"] }, same)).toEqual([]);
  });

  it("a secret is changed, unchanged or unknown as the fingerprints say, and never carries a value", () => {
    const before = {
      vars: { token: REDACTED, pw: REDACTED, key: REDACTED },
      secretVars: ["token", "pw", "key"],
    };
    const verdicts: Record<string, "same" | "changed" | "unknown"> = {
      token: "changed",
      pw: "same",
      key: "unknown",
    };
    const changes = compareVars(before, before, (n) => verdicts[n]!);
    expect(changes).toEqual([
      { name: "key", secret: true, unknown: true },
      { name: "token", secret: true },
    ]);
    for (const c of changes) {
      expect(c).not.toHaveProperty("from");
      expect(c).not.toHaveProperty("to");
    }
  });

  it("a variable that became secret (or stopped being one) counts as changed, without values", () => {
    const changes = compareVars(
      { vars: { a: "plain" }, secretVars: [] },
      { vars: { a: REDACTED }, secretVars: ["a"] },
      same,
    );
    expect(changes).toEqual([{ name: "a", secret: true }]);
  });
});

describe("describeVarChanges", () => {
  it("shows old and new values of plain variables, only 'changed' for secrets", () => {
    const lines = describeVarChanges([
      { name: "window", secret: false, from: "30m", to: "1m" },
      { name: "token", secret: true },
      { name: "key", secret: true, unknown: true },
      { name: "added", secret: false, to: "x" },
    ]);
    expect(lines).toEqual([
      'window: "30m" -> "1m"',
      "token: changed (secret, value not shown)",
      "key: may have changed (secret; the earlier value cannot be compared here)",
      'added: (not set) -> "x"',
    ]);
  });
});

describe("stepsAffectedByVars", () => {
  const c = withSections([
    section("one", [
      item("a", [runStep("uses", "echo ${window}"), runStep("plain", "true")]),
      item("b", [
        inputStep("ask", { saveAs: "rev" }),
        runStep("save", "echo ${token}", { saveAs: "out" } as never),
      ]),
      item("c", [runStep("uses-out", "echo ${out}"), runStep("uses-rev", "echo ${rev}")]),
      item("d", [runStep("conditional", "true")], { when: "${flag}" }),
    ]),
    section("two", [item("e", [runStep("in-section", "true")])], { when: "${flag} == yes" }),
  ]);

  it("steps referring to a changed variable, in run order", () => {
    expect(stepsAffectedByVars(c, ["window"])).toEqual(["a/uses"]);
  });

  it("steps using a value saved by an affected step are affected too", () => {
    expect(stepsAffectedByVars(c, ["token"])).toEqual(["b/save", "c/uses-out"]);
  });

  it("an item's or section's `when` on a changed variable affects its steps", () => {
    expect(stepsAffectedByVars(c, ["flag"])).toEqual(["d/conditional", "e/in-section"]);
  });

  it("no change, no step", () => {
    expect(stepsAffectedByVars(c, [])).toEqual([]);
    expect(stepsAffectedByVars(c, ["unused"])).toEqual([]);
  });
});

function resumedLog() {
  return new EventLog({
    vars: { window: "30m", token: REDACTED },
    secretVars: ["token"],
    environment: {
      host: "h1",
      user: "u1",
      toolVersion: "0",
      node: "v20",
      platform: "linux",
      cwd: "/tmp",
      engineer: "Ann",
    },
  })
    .step("a/uses")
    .step("a/plain")
    .push({
      type: "run-resumed",
      checklistSha256: "aaa",
      changedSteps: ["a/uses", "b/secret-again"],
      editedSteps: [],
      varChangedSteps: ["a/uses"],
      stepHashes: {},
      by: { user: "u2", host: "h2", engineer: "Bob" },
      vars: { window: "1m", token: REDACTED },
      secretVars: ["token"],
      changedVars: ["window"],
      options: { dryRun: false, interactive: false, keepGoing: false },
    })
    .step("a/uses");
}

describe("sessions in the journal, the state and the record", () => {
  it("run-resumed with the session's variables decodes; a secret's value in it is refused", () => {
    const resumed = resumedLog().events.find((e) => e.type === "run-resumed")!;
    expect(decodeEvent(JSON.parse(JSON.stringify(resumed)))).toMatchObject({ ok: true });
    const leaked = { ...resumed, vars: { window: "1m", token: "hunter22" } };
    expect(decodeEvent(leaked)).toEqual({
      ok: false,
      message: "run-resumed event: vars: a secret variable's value is journaled",
    });
    expect(decodeEvent({ ...resumed, changedVars: ["not a name"] })).toMatchObject({ ok: false });
  });

  it("the fold keeps every session's variables and engineer, and which session gave each result", () => {
    const state = fold(resumedLog().events);
    expect(state.vars).toEqual({ window: "1m", token: REDACTED });
    expect(state.sessions.map((s) => [s.n, s.kind, s.engineer, s.vars?.["window"], s.changedVars])).toEqual([
      [1, "start", "Ann", "30m", []],
      [2, "resume", "Bob", "1m", ["window"]],
    ]);
    expect(state.steps["a/uses"]?.session).toBe(2);
    expect(state.steps["a/plain"]?.session).toBe(1);
  });

  it("the record lists both sessions; changedSteps names only steps whose (resolved) definition changed", () => {
    const c = withSections([
      section("one", [item("a", [runStep("uses", "echo ${window}"), runStep("plain")])]),
    ]);
    const record = buildRecord(fold(resumedLog().events), c, { now: new Date("2026-11-26T07:00:00Z") });
    expect(record.variables).toEqual({ window: "1m", token: "[REDACTED]" });
    expect(record.sessions).toEqual([
      expect.objectContaining({
        n: 1,
        kind: "start",
        engineer: "Ann",
        variables: { window: "30m", token: "[REDACTED]" },
        changedVariables: [],
      }),
      expect.objectContaining({
        n: 2,
        kind: "resume",
        engineer: "Bob",
        variables: { window: "1m", token: "[REDACTED]" },
        changedVariables: ["window"],
      }),
    ]);
    expect(record.resumes).toEqual([
      {
        at: expect.any(String),
        changedSteps: ["a/uses"],
        changedVariables: ["window"],
        rerunSteps: ["a/uses", "b/secret-again"],
        by: "Bob (u2@h2)",
      },
    ]);
    const steps = record.sections[0]!.items[0]!.steps;
    expect(steps.map((s) => [s.key, s.session])).toEqual([
      ["a/uses", 2],
      ["a/plain", 1],
    ]);
  });
});

const SEED = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);
const NAMES = ["a", "b", "c", "d"] as const;

describe("stepsAffectedByVars against interpolation (property)", () => {
  it(`every step whose interpolated definition differs is listed, and only steps that use a changed variable (SEED=${SEED})`, () => {
    console.log(`var-change property: SEED=${SEED} (replay with SEED=${SEED})`);
    const values = fc.record({ a: fc.string(), b: fc.string(), c: fc.string(), d: fc.string() });
    const command = fc
      .array(
        fc.oneof(
          fc.constantFrom(...NAMES).map((n) => `\${${n}}`),
          fc.constantFrom("echo ", " x ", "-"),
        ),
        {
          maxLength: 5,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 6 }),
        values,
        values,
        (commands, before, after) => {
          const c = withSections([
            section("s", [
              item(
                "i",
                commands.map((cmd, n) => runStep(`step-${n + 1}`, cmd)),
              ),
            ]),
          ]);
          const changed = compareVars(
            { vars: before, secretVars: [] },
            { vars: after, secretVars: [] },
            same,
          ).map((x) => x.name);
          const affected = new Set(stepsAffectedByVars(c, changed));
          commands.forEach((cmd, n) => {
            const key = `i/step-${n + 1}`;
            if (interpolate(cmd, before, {}) !== interpolate(cmd, after, {}))
              expect(affected.has(key)).toBe(true);
            if (affected.has(key)) expect(changed.some((name) => cmd.includes(`\${${name}}`))).toBe(true);
          });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
