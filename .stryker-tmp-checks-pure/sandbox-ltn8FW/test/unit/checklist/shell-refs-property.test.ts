// @ts-nocheck
// Property (fast-check, real bash): a random hostile value in a random bash context of the injection
// matrix is either placed (the context is safe: validate accepts it, and the value reaches the command
// byte for byte) or refused (the context is unsafe: validate and the run step refuse before anything
// runs). No value ever runs a command. "Refuse everything" does not pass: every safe case must place its
// value, and at least 40% of all cases must be placed. Each case has its own marker and output files,
// removed when the case ends, so no case sees another's. Prints its seed; SEED=<n> replays it.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import { validateChecklist } from "../../../src/checklist/validate.js";
import { execute } from "../../../src/checks/run.js";
import { makeContext, tempDir } from "../checks/context.js";
import { PAYLOADS, SAFE, type SafeContext, UNSAFE, type UnsafeContext } from "./injection-matrix.js";

const SEED = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);
const RUNS = 150;
/** The smallest share of cases that must be placed (safe contexts are 60 of 107). */
const MIN_PLACED_SHARE = 0.4;

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir("dc-shell-prop-"));
});
afterAll(() => cleanup());

function checklistWith(command: string): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "p", title: "P" },
    vars: { v: { default: "1" } },
    sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps: [{ id: "r", run: command }] }] }],
  };
}

/** Characters bash gives meaning to, and some it does not (NUL cannot travel in an environment variable). */
const CHARS = [..."ab -_'\"\\$()`;&|<>*?[]{}!#~=%^,.:@+/EOF0", "\n", "\t", "\r", "é", "✓"];
const value = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PAYLOADS),
      fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 10 }),
      fc.string({ unit: "grapheme", maxLength: 4 }).map((s) => s.replaceAll("\0", "")),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(""));
type Context = { safe: true; c: SafeContext } | { safe: false; c: UnsafeContext };
const contexts: Context[] = [
  ...SAFE.map((c) => ({ safe: true as const, c })),
  ...UNSAFE.map((c) => ({ safe: false as const, c })),
];

it(`a random value in a random context is placed byte for byte or refused, never run (SEED=${SEED})`, async () => {
  console.log(`shell reference property: SEED=${SEED} (replay with SEED=${SEED})`);
  let cases = 0;
  let placed = 0;
  let safeCases = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: contexts.length - 1 }), value, async (index, v) => {
      const entry = contexts[index]!;
      const c = entry.c;
      const dir = path.join(root, `case-${cases++}`);
      mkdirSync(dir);
      const marker = path.join(dir, "pwned");
      const out = path.join(dir, "out");
      try {
        const errors = validateChecklist(checklistWith(c.command)).filter((p) => p.severity === "error");
        const ctx = makeContext({
          cwd: dir,
          vars: { v },
          env: { PATH: process.env["PATH"], HOME: dir, OUT: out, MARKER: marker },
        });
        const outcome = await execute({ id: "r", run: c.command } as Step, ctx);
        expect(existsSync(marker), `${c.name}: ${JSON.stringify(v)} RAN`).toBe(false);
        if (entry.safe) {
          safeCases++;
          expect(errors, c.name).toEqual([]);
          expect(outcome.status, `${c.name}: ${JSON.stringify(v)}: ${outcome.summary}`).toBe("passed");
          expect(readFileSync(out, "utf8"), `${c.name}: ${JSON.stringify(v)}`).toBe(entry.c.expect(v));
          placed++;
        } else {
          expect(errors.length, c.name).toBeGreaterThan(0);
          expect(outcome.status).toBe("failed");
          expect(outcome.summary).toMatch(/the step did not run$/);
        }
      } finally {
        // The case's own files go with it: a later case can never be failed (or passed) by them.
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  expect(cases).toBe(RUNS);
  expect(placed, "every case in a safe context placed its value").toBe(safeCases);
  expect(placed / cases, `placed ${placed} of ${cases}`).toBeGreaterThanOrEqual(MIN_PLACED_SHARE);
});
