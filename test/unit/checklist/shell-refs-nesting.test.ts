// Every context of the injection matrix keeps its meaning wherever it is nested: inside if/while/until/for/
// case bodies, groups, subshells, functions, command substitutions, pipelines and after comments, the
// tokenizer classifies each ${v} as it does for the context alone, and renders the nested command as the
// nesting of the context's rendering. With the matrix (which runs each context's rendering through real
// bash) this proves the nested forms too, and it is pure and fast, so mutation testing can run it for
// every mutant of the tokenizer.
//
// The renderings of the matrix's contexts are pinned in shell-refs-golden.json: the commands the matrix
// checked against bash. `UPDATE_GOLDEN=1 npx vitest run test/unit/checklist/shell-refs-nesting.test.ts`
// rewrites it after a deliberate change (then run the matrix: it is what proves the new renderings).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeCommand, renderCommand } from "../../../src/checklist/shell-refs.js";
import { SAFE, UNSAFE } from "./injection-matrix.js";

const goldenFile = fileURLToPath(new URL("./shell-refs-golden.json", import.meta.url));

const render = (command: string) => renderCommand(command, analyzeCommand(command), () => true);
/** Each reference's context, without the line/column of a refusal (nesting shifts them). */
const contexts = (command: string) =>
  analyzeCommand(command).refs.map((r) =>
    r.refused
      ? `refused: ${r.refused.replace(/, at line \d+, column \d+ of the command/, "")}`
      : r.unsafe
        ? `${r.unsafe.kind}: ${r.unsafe.context}`
        : r.placement,
  );

/** Nestings that run the context exactly once, with no reference of their own. */
const WRAPPERS: readonly [string, (x: string) => string][] = [
  ["if body", (x) => `if true; then\n${x}\nfi`],
  ["elif/else", (x) => `if false; then :\nelif true; then\n${x}\nelse :\nfi`],
  ["if condition", (x) => `if {\n${x}\n}; then :; fi`],
  ["group", (x) => `{\n${x}\n}`],
  ["subshell", (x) => `(\n${x}\n)`],
  ["function", (x) => `f() {\n${x}\n}\nf`],
  ["function keyword", (x) => `function g {\n${x}\n}\ng`],
  ["for body", (x) => `for _i in 1; do\n${x}\ndone`],
  ["while body", (x) => `while true; do\n${x}\nbreak\ndone`],
  ["until body", (x) => `until false; do\n${x}\nbreak\ndone`],
  ["case item", (x) => `case a in\n  a)\n${x}\n  ;;\n  *) : ;;\nesac`],
  ["after &&", (x) => `true && {\n${x}\n}`],
  ["after ||", (x) => `false || {\n${x}\n}`],
  ["after a statement", (x) => `: one; : two\n${x}`],
  ["before a statement", (x) => `${x}\n: after`],
  ["pipeline", (x) => `{\n${x}\n} | cat`],
  ["$( ) bare", (x) => `: $(\n${x}\n)`],
  ['"$( )"', (x) => `: "$(\n${x}\n)"`],
  ["assignment from $( )", (x) => `y=$(\n${x}\n)`],
  ["negated", (x) => `! {\n${x}\n}`],
  ["time", (x) => `time {\n${x}\n}`],
  ["redirected group", (x) => `{\n${x}\n} 2>/dev/null`],
];

describe("the matrix's renderings are the ones the bash matrix proves", () => {
  // Computed inside the tests (not at collection), so mutation testing attributes the coverage per test.
  const current = () =>
    Object.fromEntries(
      [...SAFE, ...UNSAFE].map((c) => [
        c.command,
        { rendered: render(c.command), contexts: contexts(c.command) },
      ]),
    );
  const golden = (): ReturnType<typeof current> => {
    if (process.env["UPDATE_GOLDEN"] === "1")
      writeFileSync(goldenFile, `${JSON.stringify(current(), null, 2)}\n`);
    if (!existsSync(goldenFile)) throw new Error(`${goldenFile} is missing: run with UPDATE_GOLDEN=1`);
    return JSON.parse(readFileSync(goldenFile, "utf8"));
  };

  it("pins the rendering and classification of every context", () => {
    const now = current();
    const pinned = golden();
    expect(Object.keys(pinned).sort()).toEqual(Object.keys(now).sort());
    for (const [command, expected] of Object.entries(pinned)) expect(now[command], command).toEqual(expected);
  });

  it("classifies every safe context as safe and every unsafe one as unsafe or refused", () => {
    const placements = ["bare", "double", "single", "ansi", "raw"];
    for (const c of SAFE)
      expect(
        contexts(c.command).every((k) => placements.includes(k)),
        c.command,
      ).toBe(true);
    for (const c of UNSAFE)
      expect(
        contexts(c.command).some((k) => !placements.includes(k)),
        c.command,
      ).toBe(true);
  });
});

describe("nesting keeps every context's meaning", () => {
  for (const [name, wrap] of WRAPPERS) {
    it(name, () => {
      const wrong: string[] = [];
      for (const c of [...SAFE, ...UNSAFE]) {
        const nested = wrap(c.command);
        const alone = contexts(c.command);
        const got = contexts(nested);
        if (JSON.stringify(got) !== JSON.stringify(alone))
          wrong.push(`${JSON.stringify(nested)}: ${JSON.stringify(got)}, alone ${JSON.stringify(alone)}`);
        else if (alone.every((k) => !k.includes(":")) && render(nested) !== wrap(render(c.command)))
          wrong.push(`${JSON.stringify(nested)} rendered as ${JSON.stringify(render(nested))}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it("a reference in a comment before the context stays raw", () => {
    for (const c of SAFE) {
      const nested = `# \${v} in a comment\n${c.command}`;
      expect(contexts(nested)).toEqual(["raw", ...contexts(c.command)]);
      expect(render(nested)).toBe(`# \${__dc_v} in a comment\n${render(c.command)}`);
    }
  });
});
