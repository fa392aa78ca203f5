// @ts-nocheck
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadChecklist } from "../../../src/checklist/load.js";
import { parseChecklist } from "../../../src/checklist/parse.js";
import { ChecklistError, UsageError } from "../../../src/errors.js";

const minimal = (steps: string) => `apiVersion: deploycheck/v1
kind: Checklist
metadata:
  name: t
  title: T
vars:
  apiUrl: { default: "https://x.example" }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
${steps}`;

function problemsOf(source: string) {
  try {
    parseChecklist(source, "t.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ChecklistError);
    return (err as ChecklistError).problems;
  }
  throw new Error("expected a ChecklistError");
}

describe("parseChecklist", () => {
  it("returns the checklist with default step ids and a warning for each", () => {
    const loaded = parseChecklist(
      minimal("          - run: echo hi\n          - id: b\n            confirm: ok?\n"),
      "t.yaml",
    );
    const steps = loaded.checklist.sections[0]!.items[0]!.steps;
    expect(steps.map((s) => s.id)).toEqual(["run-1", "b"]);
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]!.message).toContain('"run-1"');
    expect(loaded.warnings[0]).toMatchObject({ line: 15, col: 13, severity: "warning" });
    expect(loaded.path).toBe(path.resolve("t.yaml"));
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("lists every problem with position, path, frame and suggestion", () => {
    const problems = problemsOf(minimal("          - htpp: { url: x }\n            timeout: 5 minutes\n"));
    expect(problems.map((p) => [p.line, p.col, p.path])).toEqual([
      [15, 13, "sections[0].items[0].steps[0].htpp"],
      [16, 22, "sections[0].items[0].steps[0].timeout"],
    ]);
    expect(problems[0]!.suggestion).toBe("http");
    expect(problems[1]!.frame).toContain(">");
    expect(problems[1]!.frame).toMatch(/\n\s+\| {22}\^$/);
  });
});

describe("YAML features", () => {
  it("resolves anchors, aliases and merge keys", () => {
    const loaded = parseChecklist(
      minimal(
        "          - id: a\n            run: echo a\n            retries: &retry { count: 2, delay: 5s }\n" +
          "          - id: b\n            <<: { timeout: 10m }\n            run: echo b\n            retries: *retry\n",
      ),
      "t.yaml",
    );
    const [, b] = loaded.checklist.sections[0]!.items[0]!.steps;
    expect(b).toMatchObject({ id: "b", timeout: "10m", retries: { count: 2, delay: "5s" } });
  });
});

describe("loadChecklist", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dc-load-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hashes the file bytes", async () => {
    const file = path.join(dir, "a.yaml");
    writeFileSync(file, minimal("          - id: a\n            note: hello\n"));
    const loaded = await loadChecklist(file);
    expect(loaded.checklist.metadata.name).toBe("t");
    expect(loaded.sha256).toHaveLength(64);
  });

  it("names a missing file in a UsageError", async () => {
    await expect(loadChecklist(path.join(dir, "missing.yaml"))).rejects.toThrow(UsageError);
    await expect(loadChecklist(path.join(dir, "missing.yaml"))).rejects.toThrow(
      /missing\.yaml does not exist/,
    );
  });
});
