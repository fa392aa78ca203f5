// @ts-nocheck
// User patterns cannot freeze the runner: the catastrophic patterns of issue 12 run in linear time
// (RE2), and validation refuses what RE2 cannot run (backreferences, lookaround) with file:line:col.
// On a backtracking engine each of these blocks the event loop for minutes: the test times out.
import { utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseChecklist } from "../../../src/checklist/parse.js";
import type { Step } from "../../../src/checklist/schema.js";
import { execute as fileCheck } from "../../../src/checks/file.js";
import { globToRegExp } from "../../../src/checks/glob.js";
import { execute as inputCheck } from "../../../src/checks/input.js";
import { execute as runCheck } from "../../../src/checks/run.js";
import { answersPrompter } from "../../../src/engine/answers.js";
import { ChecklistError } from "../../../src/errors.js";
import { makeContext, tempDir } from "./context.js";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir("dc-patterns-"));
});
afterEach(() => cleanup());

const A42 = "a".repeat(42);

describe("catastrophic user patterns", () => {
  it("expect.stdout ^(a+)+$ against 42 a's and a b fails at once", async () => {
    const out = await runCheck(
      { id: "s", run: { command: `printf '${A42}b'`, expect: { stdout: "^(a+)+$" } } } as Step,
      makeContext({ cwd: dir }),
    );
    expect(out).toMatchObject({ status: "failed", summary: "stdout did not match /^(a+)+$/" });
    const ok = await runCheck(
      { id: "s", run: { command: `printf '${A42}'`, expect: { stdout: "^(a+)+$" } } } as Step,
      makeContext({ cwd: dir }),
    );
    expect(ok.status).toBe("passed");
  }, 20_000);

  it("input.pattern ^(a|aa)+$ judges an answer of 5000 a's and a b", async () => {
    const step = { id: "i", input: { prompt: "Value?", pattern: "^(a|aa)+$" } } as Step;
    const out = await inputCheck(step, makeContext({ answer: `${"a".repeat(5000)}b` }));
    expect(out.status).toBe("failed");
    const prompter = answersPrompter({ "x/i": { value: `${"a".repeat(5000)}b` } }, () => "x/i");
    await expect(prompter.input("Value?", { pattern: "^(a|aa)+$" })).rejects.toThrow();
  }, 20_000);

  it("newest.glob *a*a*a*a*a*a*a*a*b over a long name finds nothing, at once", async () => {
    const long = "a".repeat(200);
    writeFileSync(path.join(dir, long), "");
    writeFileSync(path.join(dir, `${long}b`), "");
    const now = new Date();
    utimesSync(path.join(dir, long), now, now);
    expect(globToRegExp("*a*a*a*a*a*a*a*a*b").test(long)).toBe(false);
    const out = await fileCheck(
      { id: "f", file: { path: ".", newest: { glob: "*a*a*a*a*a*a*a*a*b" } } } as Step,
      makeContext({ cwd: dir }),
    );
    expect(out.status).toBe("passed");
    expect(out.summary).toContain(`${long}b`);
  }, 20_000);
});

describe("patterns RE2 cannot run", () => {
  function problems(pattern: string): string[] {
    const yaml = [
      "apiVersion: deploycheck/v1",
      "kind: Checklist",
      "metadata: { name: p, title: P }",
      "sections:",
      "  - id: main",
      "    title: Main",
      "    items:",
      "      - id: first",
      "        title: First",
      "        steps:",
      `          - run: { command: echo hi, expect: { stdout: ${JSON.stringify(pattern)} } }`,
      "",
    ].join("\n");
    try {
      parseChecklist(yaml, "/w/p.yaml");
    } catch (err) {
      if (err instanceof ChecklistError)
        return err.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`);
      throw err;
    }
    return [];
  }

  it.each([
    ["(a)\\1", "invalid escape sequence: `\\1`"],
    ["(?=a)b", "invalid or unsupported Perl syntax: `(?=`"],
    ["(?<=a)b", "invalid named capture: `(?<=a)b`"],
    ["(?!a)", "invalid or unsupported Perl syntax: `(?!`"],
  ])("refuses %s with file:line:col", (pattern, why) => {
    const [problem] = problems(pattern);
    expect(problem).toContain(`p.yaml:11:`);
    expect(problem).toContain(`regular expression does not compile: /${pattern}/: ${why}`);
    expect(problem).toContain("no backreferences or lookaround");
  });
});
