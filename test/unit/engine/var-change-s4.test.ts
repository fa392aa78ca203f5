// Variables changed between sessions (issue 16, session 4): what compareVars lists for a variable that
// appears or disappears (plain or secret), exactly (no `from`/`to` key at all where there is no value), and
// which steps stepsAffectedByVars follows through `saveAs` (nested ones, free-form data, nulls, lists).
import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { compareVars, stepsAffectedByVars, type VarChange } from "../../../src/engine/var-change.js";
import { REDACTED } from "../../../src/redact.js";
import { inputStep, item, runStep, section, checklist as withSections } from "../../helpers/builders.js";

type Vars = Record<string, string>;

describe("compareVars: a variable that appears or disappears", () => {
  it.each<[string, Vars, string[], Vars, string[], VarChange[]]>([
    ["a plain variable added", {}, [], { a: "1" }, [], [{ name: "a", secret: false, to: "1" }]],
    ["a plain variable removed", { a: "1" }, [], {}, [], [{ name: "a", secret: false, from: "1" }]],
    ["a plain variable set to empty", {}, [], { a: "" }, [], [{ name: "a", secret: false, to: "" }]],
    ["a plain variable unchanged", { a: "1" }, [], { a: "1" }, [], []],
    [
      "a secret (in both lists) whose value was not set before",
      {},
      ["t"],
      { t: REDACTED },
      ["t"],
      [{ name: "t", secret: true }],
    ],
    [
      "a secret (in both lists) whose value is not set any more",
      { t: REDACTED },
      ["t"],
      {},
      ["t"],
      [{ name: "t", secret: true }],
    ],
    ["a secret that became plain", { t: REDACTED }, ["t"], { t: "x" }, [], [{ name: "t", secret: true }]],
    [
      "an inherited name (toString) added",
      {},
      [],
      { toString: "x" },
      [],
      [{ name: "toString", secret: false, to: "x" }],
    ],
    [
      "an inherited name (constructor) removed",
      { constructor: "x" },
      [],
      {},
      [],
      [{ name: "constructor", secret: false, from: "x" }],
    ],
  ])("%s", (_what, beforeVars, beforeSecrets, afterVars, afterSecrets, expected) => {
    const asked: string[] = [];
    const changes = compareVars(
      { vars: beforeVars, secretVars: beforeSecrets },
      { vars: afterVars, secretVars: afterSecrets },
      (name) => {
        asked.push(name);
        return "same";
      },
    );
    // Strict: a change without a value before (or after) has no `from` (or `to`) key at all.
    expect(changes).toStrictEqual(expected);
    // Fingerprints are compared only for a secret set in both sessions.
    expect(asked).toEqual([]);
  });

  it("a secret set in both sessions is compared by fingerprint, once", () => {
    const asked: string[] = [];
    const vars = { t: REDACTED };
    const changes = compareVars({ vars, secretVars: ["t"] }, { vars, secretVars: ["t"] }, (name) => {
      asked.push(name);
      return "changed";
    });
    expect(changes).toStrictEqual([{ name: "t", secret: true }]);
    expect(asked).toEqual(["t"]);
  });
});

/** A step with any shape (an http step's free-form body, say), for what the walk looks into. */
const anyStep = (step: Record<string, unknown>) => step as unknown as Step;

describe("stepsAffectedByVars: values saved by affected steps", () => {
  it("a saveAs nested in the step (an input's) makes the steps using it affected", () => {
    const c = withSections([
      section("s", [
        item("a", [
          anyStep({ id: "ask", input: { prompt: "rev for ${window}?", saveAs: "rev" } }),
          inputStep("plain", { saveAs: "unused" }),
          runStep("other", "true"),
        ]),
        item("b", [runStep("uses-rev", "echo ${rev}")]),
      ]),
    ]);
    expect(stepsAffectedByVars(c, ["window"])).toEqual(["a/ask", "b/uses-rev"]);
  });

  it("a run's saveAs ({command, saveAs}) makes the steps using it affected, in run order", () => {
    const c = withSections([
      section("s", [
        item("a", [
          runStep("before", "echo ${out}"),
          anyStep({ id: "save", run: { command: "echo ${window}", saveAs: "out" } }),
        ]),
        item("b", [runStep("after", "echo ${out}")]),
      ]),
    ]);
    // `a/before` runs before the value is saved again: it is not affected.
    expect(stepsAffectedByVars(c, ["window"])).toEqual(["a/save", "b/after"]);
  });

  it("an affected step's other values (its id, its command) are not saved names", () => {
    const c = withSections([
      section("s", [
        item("a", [anyStep({ id: "tag", run: { command: "echo ${window}", cwd: "dir" } })]),
        item("b", [
          runStep("uses-tag", "echo ${tag}"),
          runStep("uses-dir", "echo ${dir}"),
          runStep("uses-window", "echo ${window}"),
        ]),
      ]),
    ]);
    expect(stepsAffectedByVars(c, ["window"])).toEqual(["a/tag", "b/uses-window"]);
  });

  it("a step with nulls and lists in its free-form data is walked (nothing saved there)", () => {
    const c = withSections([
      section("s", [
        item("a", [
          anyStep({
            id: "probe",
            http: {
              url: "https://${host}/health",
              body: { tags: ["a", null, { note: null }], owner: null },
              expect: { status: [200, 204], json: { "status.ready": null } },
            },
          }),
        ]),
        item("b", [runStep("uses-host", "echo ${host}"), runStep("uses-tags", "echo ${tags}")]),
      ]),
    ]);
    expect(stepsAffectedByVars(c, ["host"])).toEqual(["a/probe", "b/uses-host"]);
  });

  it("a saveAs anywhere in a step counts, even in free-form data: a rerun too many, never one too few", () => {
    const c = withSections([
      section("s", [
        item("a", [
          anyStep({
            id: "post",
            http: {
              url: "https://${host}/",
              body: { items: [{ saveAs: "listed" }], saveAs: { saveAs: "nested" } },
            },
          }),
        ]),
        item("b", [
          runStep("uses-listed", "echo ${listed}"),
          runStep("uses-nested", "echo ${nested}"),
          runStep("unrelated", "echo ${other}"),
        ]),
      ]),
    ]);
    expect(stepsAffectedByVars(c, ["host"])).toEqual(["a/post", "b/uses-listed", "b/uses-nested"]);
  });

  it("nothing changed: no step, even one whose text looks like a reference to nothing", () => {
    const c = withSections([
      section("s", [item("a", [runStep("x", "echo ${}"), runStep("y", "echo ${a}")])]),
    ]);
    expect(stepsAffectedByVars(c, [])).toEqual([]);
    expect(stepsAffectedByVars(c, new Set<string>())).toEqual([]);
  });
});
