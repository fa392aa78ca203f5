// Property: whatever a variable holds, bash sees it as data in every quoting context: the command
// prints the value exactly and never runs a command hidden in it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { interpolateCommand } from "../../../src/checklist/shell-interpolate.js";
import { UsageError } from "../../../src/errors.js";

const dir = mkdtempSync(path.join(tmpdir(), "dc-shell-prop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHARS = [..."ab ' \"\\$()`;&|<>*?[]{}!#~=%EOF-", "\n", "\t"];
const ATTACKS = [
  "$(touch pwned)",
  "`touch pwned`",
  "'; touch pwned; '",
  '"; touch pwned; "',
  "\nEOF\ntouch pwned\n",
  "a[$(touch pwned)]",
  "\\'$(touch pwned)\\'",
  "${IFS}touch${IFS}pwned",
];
const value = fc
  .array(
    fc.oneof(fc.constantFrom(...ATTACKS), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 8 })),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(""));

const stripTrailingNewlines = (s: string) => s.replace(/\n+$/, "");

/** Templates and what each prints for a value v. */
const TEMPLATES: [string, (v: string) => string][] = [
  ["printf '%s' ${v}", (v) => v],
  ["printf '%s' \"${v}\"", (v) => v],
  ["printf '%s' 'L${v}R'", (v) => `L${v}R`],
  ["printf '%s' \"L${v}R\"", (v) => `L${v}R`],
  ["printf '%s' $'${v}'", (v) => v],
  ["printf '%s' \"$(printf '%s' \"${v}\")\"", stripTrailingNewlines],
  ["printf '%s' \"`printf '%s' \\\"${v}\\\"`\"", stripTrailingNewlines],
  ["cat <<EOF\n${v}\nEOF", (v) => `${v}\n`],
  ["cat <<'EOF'\n${v}\nEOF", (v) => `${v}\n`],
  ['[[ ${v} == "${v}" ]] && printf ok', () => "ok"],
];

describe("interpolateCommand (property, real bash)", () => {
  it.each(TEMPLATES)("%j prints the value and runs nothing in it", (template, expected) => {
    fc.assert(
      fc.property(value, (v) => {
        let command: string;
        try {
          command = interpolateCommand(template, { v }, {});
        } catch (err) {
          // Refusing a value that cannot be placed safely is fine; placing it unsafely is not.
          expect(err).toBeInstanceOf(UsageError);
          return;
        }
        const r = spawnSync("bash", ["-c", command], { cwd: dir, encoding: "utf8" });
        expect(existsSync(path.join(dir, "pwned")), command).toBe(false);
        expect(r.stdout, command).toBe(expected(v));
      }),
      { numRuns: 30 },
    );
  });
});
