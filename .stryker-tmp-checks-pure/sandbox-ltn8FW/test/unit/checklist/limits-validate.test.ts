// @ts-nocheck
// Durations and Kubernetes names that cannot lie: out-of-range durations and invalid DNS-1123 names are
// refused by validation with file:line:col, and names made of variables are refused before any request.
import { describe, expect, it } from "vitest";
import { DURATION_BOUNDS, durationBoundsProblem } from "../../../src/checklist/kinds.js";
import { kubeNameProblem } from "../../../src/checklist/kube-names.js";
import { parseChecklist } from "../../../src/checklist/parse.js";
import { resolveDuration } from "../../../src/checklist/vars.js";
import { ChecklistError } from "../../../src/errors.js";

/** A checklist whose one step is `stepLines` (indented under `steps:`); the step starts on line 11. */
function checklist(stepLines: string[]): string {
  return [
    "apiVersion: deploycheck/v1",
    "kind: Checklist",
    "metadata: { name: limits, title: Limits }",
    "vars: { ns: { default: staging } }",
    "sections:",
    "  - id: main",
    "    title: Main",
    "    items:",
    "      - id: first",
    "        title: First",
    "        steps:",
    ...stepLines.map((l) => `          ${l}`),
    "",
  ].join("\n");
}

function problemsOf(yaml: string): string[] {
  try {
    parseChecklist(yaml, "/w/limits.yaml");
  } catch (err) {
    if (err instanceof ChecklistError) return err.problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    throw err;
  }
  return [];
}

describe("duration bounds", () => {
  it.each([
    [["- run: echo hi", "  timeout: 600h"], "13:22 600h is out of range: use a duration from 100ms to 24h"],
    [["- run: echo hi", "  timeout: 0ms"], "13:22 0ms is out of range: use a duration from 100ms to 24h"],
    [
      ["- run: echo hi", "  retries: { count: 100, delay: 600h }"],
      "13:43 600h is out of range: use a duration from 0s to 1h",
    ],
    [
      ["- watch:", "    duration: 0s", "    interval: 1s", "    steps: [{ run: echo hi }]"],
      "13:25 0s is out of range: use a duration from 1ms to 24h",
    ],
    [
      ["- watch:", "    duration: 1h", "    interval: 0ms", "    steps: [{ run: echo hi }]"],
      "14:25 0ms is out of range: use a duration from 1ms to 1h",
    ],
    [
      ["- file: { path: x, maxAge: 99999h }"],
      "12:38 99999h is out of range: use a duration from 1ms to 8760h",
    ],
  ])("refuses %j with file:line:col", (step, expected) => {
    expect(problemsOf(checklist(step as string[]))).toContain(expected);
  });

  it("accepts the bounds themselves and durations given by a variable (checked once resolved)", () => {
    expect(
      problemsOf(checklist(["- run: echo hi", "  timeout: 24h", "  retries: { count: 100, delay: 1h }"])),
    ).toEqual([]);
    expect(problemsOf(checklist(["- run: echo hi", "  timeout: 100ms"]))).toEqual([]);
    expect(durationBoundsProblem("${wait}", DURATION_BOUNDS.timeout)).toBeUndefined();
    expect(() => resolveDuration("${d}", { d: "600h" }, {}, DURATION_BOUNDS.watchDuration)).toThrow(
      "${d} is 600h is out of range: use a duration from 1ms to 24h",
    );
    expect(resolveDuration("${d}", { d: "2h" }, {}, DURATION_BOUNDS.watchDuration)).toBe(7_200_000);
  });
});

describe("Kubernetes names", () => {
  it.each([".", "..", "", "Staging", "-a", "a-", "a_b", "a".repeat(64)])("refuses namespace %j", (ns) => {
    const problems = problemsOf(checklist([`- kube: { namespace: ${JSON.stringify(ns)} }`]));
    expect(problems.join("\n")).toContain(
      `namespace name ${JSON.stringify(ns)} is not a valid Kubernetes name`,
    );
    expect(problems.join("\n")).toMatch(/^12:/m);
  });

  it("refuses invalid deployment names and containers, accepts valid and variable ones", () => {
    expect(
      problemsOf(checklist(['- kube: { rolloutStatus: { deployment: "..", namespace: staging } }'])),
    ).toEqual([expect.stringContaining('deployment name ".." is not a valid Kubernetes name')]);
    expect(
      problemsOf(checklist(['- kube: { image: { deployment: api, container: "a.b" } }'])).join("\n"),
    ).toContain('container name "a.b" is not a valid Kubernetes name');
    expect(
      problemsOf(checklist(['- kube: { rolloutStatus: { deployment: api.v2, namespace: "${ns}" } }'])),
    ).toEqual([]);
    expect(kubeNameProblem("deployment", "a".repeat(253))).toBeUndefined();
    expect(kubeNameProblem("deployment", "a.".repeat(127))).toBeDefined();
  });
});
