// Property: whatever is done to the staging checklist (keys deleted, wrong types, random strings,
// truncation, stray characters), the loader either accepts it or throws a ChecklistError — never anything else.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseChecklist } from "../../../src/checklist/parse.js";
import { ChecklistError } from "../../../src/errors.js";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../checklists/staging.yaml");
const source = readFileSync(file, "utf8");

type Json = unknown;
type Path = (string | number)[];

function allPaths(value: Json, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) allPaths(v, [...at, i], out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) allPaths(v, [...at, k], out);
  return out;
}

function mutate(doc: Json, target: Path, op: "delete" | "replace", replacement: Json): Json {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const seg of target.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
  const last = target[target.length - 1]!;
  if (op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

function outcome(text: string): "ok" | "checklist-error" {
  try {
    parseChecklist(text, "mutated.yaml");
    return "ok";
  } catch (err) {
    if (err instanceof ChecklistError) {
      for (const p of err.problems) {
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(p.col).toBeGreaterThanOrEqual(1);
        expect(p.message.length).toBeGreaterThan(0);
      }
      return "checklist-error";
    }
    throw err;
  }
}

const wrongValues = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.constantFrom("${nope}", "5 minutes", "[unclosed", "ftp://x", "${env.HOME}", "", "Bad_ID"),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);

const seed = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);

describe(`loader robustness (property, SEED=${seed} replays)`, () => {
  const doc = parse(source) as Json;
  const paths = allPaths(doc);

  it("structural mutations only ever raise ChecklistError", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: paths.length - 1 }),
        fc.constantFrom("delete" as const, "replace" as const),
        wrongValues,
        (index, op, replacement) => {
          outcome(stringify(mutate(doc, paths[index]!, op, replacement)));
        },
      ),
      { seed, numRuns: 100 },
    );
    // A hundred loads of the full staging checklist: well over 30 s on a loaded CI machine.
  }, 120_000);

  it("text mutations (truncation, stray characters, deleted lines) only ever raise ChecklistError", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: source.length }),
        fc.oneof(
          fc.constant({ kind: "truncate" as const, text: "" }),
          fc.record({ kind: fc.constant("insert" as const), text: fc.string({ maxLength: 6 }) }),
          fc.record({
            kind: fc.constant("insert" as const),
            text: fc.constantFrom(":", "- ", "\t", "{", "&a *a", "\n  ", "'"),
          }),
          fc.constant({ kind: "delete-line" as const, text: "" }),
        ),
        (at, m) => {
          let text: string;
          if (m.kind === "truncate") text = source.slice(0, at);
          else if (m.kind === "insert") text = source.slice(0, at) + m.text + source.slice(at);
          else {
            const start = source.lastIndexOf("\n", at - 1) + 1;
            const end = source.indexOf("\n", at);
            text = source.slice(0, start) + (end === -1 ? "" : source.slice(end + 1));
          }
          outcome(text);
        },
      ),
      { seed, numRuns: 100 },
    );
  }, 120_000);
});
