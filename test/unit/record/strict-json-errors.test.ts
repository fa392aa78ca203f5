// What the strict JSON reader says about a file that is not JSON: the exact reason and where (1-based line and
// column of the offending character), so `verify` can point at it; and what it accepts at the edges of the grammar.
import { describe, expect, it } from "vitest";
import { parseStrictJson, StrictJsonError } from "../../../src/record/strict-json.js";

function error(text: string): { reason: string; line: number; col: number; message: string } {
  try {
    parseStrictJson(text);
  } catch (err) {
    expect(err).toBeInstanceOf(StrictJsonError);
    const e = err as StrictJsonError;
    expect(e.name).toBe("StrictJsonError");
    return { reason: e.reason, line: e.line, col: e.col, message: e.message };
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

describe("parseStrictJson errors", () => {
  it.each([
    ["", "unexpected end of input", 1, 1],
    ["   ", "unexpected end of input", 1, 4],
    ["[1,", "unexpected end of input", 1, 4],
    ['{"a":', "unexpected end of input", 1, 6],
    ["x", 'unexpected character "x"', 1, 1],
    ["\n\n  -", 'unexpected character "-"', 3, 3],
    ["[1,]", 'unexpected character "]"', 1, 4],
    ["\f1", 'unexpected character "\\f"', 1, 1],
    ["\u00a01", 'unexpected character "\u00a0"', 1, 1],
    ["\u000b1", 'unexpected character "\\u000b"', 1, 1],
    ["tru", 'unexpected character "t"', 1, 1],
    ['"abc', "unterminated string", 1, 5],
    ['{\n"a": "b\\"}', "unterminated string", 2, 11],
    ['"a\nb"', "control character in a string", 1, 3],
    ['"a\u001fb"', "control character in a string", 1, 3],
    ['"\\u12"', "bad \\u escape", 1, 2],
    ['"\\u12g4"', "bad \\u escape", 1, 2],
    ['"ab\\x"', "bad escape", 1, 4],
    ['"\\', "bad escape", 1, 2],
    ['{"a" 1}', "expected ':'", 1, 6],
    ["{1: 2}", "expected a string key", 1, 2],
    ['{"a": 1,}', "expected a string key", 1, 9],
    ['{"a": 1 "b": 2}', "expected ',' or '}'", 1, 9],
    ['{"a": 1', "expected ',' or '}'", 1, 8],
    ["[1 2]", "expected ',' or ']'", 1, 4],
    ["[1", "expected ',' or ']'", 1, 3],
    ["1 2", "unexpected text after the JSON value", 1, 3],
    ["{}\r\n}", "unexpected text after the JSON value", 2, 1],
    ["01", "unexpected text after the JSON value", 1, 2],
    ["1.", "unexpected text after the JSON value", 1, 2],
    ["-1e", "unexpected text after the JSON value", 1, 3],
    ['{"a": 1, "a": 2}', 'duplicate key "a"', 1, 10],
  ])("%j: %s at %i:%i", (text, reason, line, col) => {
    expect(error(text)).toEqual({
      reason,
      line,
      col,
      message: `${reason} at line ${line} column ${col}`,
    });
  });

  it("counts lines by LF only and columns from the line's start", () => {
    expect(error('{\r\n  "a": 1,\r\n  "a": 2\r\n}')).toMatchObject({ line: 3, col: 3 });
    expect(error("\n\n\n[1,\n  2,\n  \tx]")).toMatchObject({
      reason: 'unexpected character "x"',
      line: 6,
      col: 4,
    });
  });

  it("nests up to 512 levels below the top", () => {
    expect(parseStrictJson(`${"[".repeat(512)}1${"]".repeat(512)}`)).toBeDefined();
    expect(parseStrictJson(`${"[".repeat(513)}${"]".repeat(513)}`)).toBeDefined();
    expect(error(`${"[".repeat(513)}1${"]".repeat(513)}`)).toMatchObject({
      reason: "nested too deeply",
      line: 1,
      col: 514,
    });
    expect(error(`${'{"a":'.repeat(513)}1${"}".repeat(513)}`)).toMatchObject({ reason: "nested too deeply" });
  });
});

describe("parseStrictJson values", () => {
  it("skips exactly the four JSON whitespace characters", () => {
    expect(
      parseStrictJson(' \t\r\n{ \t\r\n"a" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n} \t\r\n'),
    ).toEqual({
      a: [1, 2],
    });
    for (const ws of [" ", "\t", "\r", "\n"]) expect(parseStrictJson(`${ws}[${ws}]${ws}`)).toEqual([]);
    for (const ws of [" ", "\t", "\r", "\n"]) expect(parseStrictJson(`${ws}{${ws}}${ws}`)).toEqual({});
  });

  it("decodes every escape", () => {
    expect(parseStrictJson('"\\"\\\\\\/\\b\\f\\n\\r\\t"')).toBe('"\\/\b\f\n\r\t');
    expect(parseStrictJson('"a\\u00e9b\\u00C9c\\uD83D\\uDE00d"')).toBe("aébÉc😀d");
    expect(parseStrictJson('"\\u0041\\u004a\\u004A\\uabcd\\uABCD"')).toBe("AJJ\uabcd\uABCD");
    expect(parseStrictJson('"x\\ny"')).toBe("x\ny");
  });

  it("reads numbers in every form JSON allows", () => {
    const forms = [
      "0",
      "-0",
      "7",
      "10",
      "109",
      "0.25",
      "-12.5",
      "1e3",
      "1E3",
      "1e+2",
      "1E+2",
      "2e-2",
      "2E-2",
      "-12.5e+3",
      "0e0",
      "1.0e-10",
    ];
    expect(parseStrictJson(`[${forms.join(",")}]`)).toEqual(forms.map(Number));
    for (const bad of ["+1", ".5", "1.e2", "1e", "1e+", "--1", "0x1", "1_000", "Infinity", "NaN"]) {
      expect(() => parseStrictJson(bad), bad).toThrow(StrictJsonError);
      expect(() => JSON.parse(bad), bad).toThrow();
    }
  });

  it("reads the literals and numbers", () => {
    expect(parseStrictJson("[true,false,null,0,-0.5,1e3,2E-2,10]")).toEqual([
      true,
      false,
      null,
      0,
      -0.5,
      1000,
      0.02,
      10,
    ]);
    expect(parseStrictJson('{"t":true,"f":false,"n":null}')).toEqual({ t: true, f: false, n: null });
  });
});
