// @ts-nocheck
// The strict JSON reader against JSON.parse (differential, fast-check: SEED=... replays), and duplicate keys
// however they are spelled: escapes, \u escapes that make the same key, surrogate pairs, nested, in arrays.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStrictJson, StrictJsonError } from "../../../src/record/strict-json.js";

const seed = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);
console.log(`strict-json properties: SEED=${seed}`);

function outcome(text: string): { ok: true; json: string } | { ok: false; duplicate: boolean } {
  try {
    return { ok: true, json: JSON.stringify(parseStrictJson(text)) };
  } catch (err) {
    expect(err).toBeInstanceOf(StrictJsonError);
    return { ok: false, duplicate: /duplicate key/.test((err as Error).message) };
  }
}

function native(text: string): { ok: true; json: string } | { ok: false } {
  try {
    return { ok: true, json: JSON.stringify(JSON.parse(text)) };
  } catch {
    return { ok: false };
  }
}

describe("parseStrictJson", () => {
  it("reads what JSON.parse reads, to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(outcome(text)).toEqual(native(text));
      }),
      { seed, numRuns: 500 },
    );
  });

  it("accepts and refuses exactly what JSON.parse does, but for duplicate keys (mutated JSON)", () => {
    const pieces = [
      '"',
      "\\",
      "u",
      "0",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      " ",
      "1",
      "-",
      "e",
      ".",
      "\n",
      "\t",
      "\u0001",
      "n",
      "a",
    ];
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...pieces), fc.boolean()), { maxLength: 3 }),
        (v, edits) => {
          let text = JSON.stringify(v) ?? "null";
          for (const [at, piece, insert] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + piece + text.slice(insert ? i : i + 1);
          }
          const ours = outcome(text);
          const theirs = native(text);
          // A duplicate key is reported where it is met, before any later syntax error JSON.parse may find.
          if (!ours.ok && ours.duplicate) return;
          if (!ours.ok) expect(theirs.ok).toBe(false);
          else expect(ours).toEqual(theirs);
        },
      ),
      { seed, numRuns: 3000 },
    );
  });

  it("refuses a key given twice, however it is spelled, at any depth", () => {
    const dup = [
      '{"ready": false, "ready": true}',
      '{"a": 1, "\\u0061": 2}',
      '{"\\u00e9": 1, "é": 2}',
      '{"\\ud83d\\ude00": 1, "😀": 2}',
      '{"a\\/b": 1, "a/b": 2}',
      '{"x": {"y": [1, {"z": 1, "z": 2}]}}',
      '[{"k": 1}, {"k": 1, "k": 1}]',
      '{"signature": {}, "signature": {"value": "x"}}',
      '{"__proto__": 1, "__proto__": 2}',
    ];
    for (const text of dup) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(() => parseStrictJson(text), text).toThrow(/duplicate key/);
    }
    expect(() => parseStrictJson('{\n  "runId": "a",\n  "runId": "b"\n}')).toThrow(
      'duplicate key "runId" at line 3 column 3',
    );
    // Different keys that look alike are different keys (é precomposed and e + combining accent).
    const alike = parseStrictJson('{"a": 1, "A": 2, "a ": 3, "\\u00e9": 4, "e\\u0301": 5}');
    expect(Object.keys(alike as object)).toEqual(["a", "A", "a ", "\u00e9", "e\u0301"]);
  });

  it("keeps __proto__ as a plain key, never a prototype", () => {
    const v = parseStrictJson('{"__proto__": {"polluted": true}, "constructor": 1}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(Object.keys(v)).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("refuses nesting deeper than 512", () => {
    expect(() => parseStrictJson(`${"[".repeat(600)}${"]".repeat(600)}`)).toThrow(/nested too deeply/);
    expect(parseStrictJson(`${"[".repeat(100)}${"]".repeat(100)}`)).toBeDefined();
  });
});
