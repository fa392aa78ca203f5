// Strict patterns: what strictPatternProblem lets through for a value bash evaluates (arithmetic, a name,
// code), with its exact reason when it does not, and valueFitsStrict's own check of each value. The character
// sets are JavaScript's (a pattern is a JavaScript regular expression without flags). Pure.
import { describe, expect, it } from "vitest";
import { strictPatternProblem, valueFitsStrict } from "../../../src/checklist/shell-refs.js";

const NAME = "here only letters, digits, _ . : / + and - are safe";
const ARITH = "here only digits, + and - are safe";
const ANCHORS = "it is not anchored with ^ at the start and $ at the end";

describe("strictPatternProblem", () => {
  it.each([
    ["^\\w+$", "name"],
    ["^\\w+$", "code"],
    ["^\\d+$", "arith"],
    ["^[\\d]+$", "arith"],
    ["^[\\-a]+$", "name"],
    ["^[a-c]+$", "name"],
    ["^[a-]+$", "name"],
    ["^[-+]?[0-9]+$", "arith"],
    ["^ab+$", "name"],
    ["^ab*c?$", "name"],
    ["^a{10}$", "name"],
    ["^a{3}$", "name"],
    ["^a{2,}$", "name"],
    ["^a+?b$", "name"],
    ["^v\\.\\d+$", "code"],
  ] as const)("%s is strict for %s", (pattern, kind) => {
    expect(strictPatternProblem(pattern, kind)).toBeUndefined();
  });

  it.each([
    // anchors
    ["^abc", "name", ANCHORS],
    ["abc$", "name", ANCHORS],
    ["^a\\$", "name", ANCHORS],
    ["^$", "name", "it matches only the empty value"],
    // what a pattern may match, first five shown
    ["^[a-z]+$", "arith", `it allows "a" "b" "c" "d" "e"; ${ARITH}`],
    ["^\\w+$", "arith", `it allows "a" "b" "c" "d" "e"; ${ARITH}`],
    ["^[a-z$]+$", "name", `it allows "$"; ${NAME}`],
    ["^\\.a$", "arith", `it allows "." "a"; ${ARITH}`],
    ["^[0-:]+$", "arith", `it allows ":"; ${ARITH}`],
    ["^[+-/]$", "arith", `it allows "," "." "/"; ${ARITH}`],
    ["^[x-~]+$", "name", `it allows "{" "|" "}" "~"; ${NAME}`],
    ["^[a$c]+$", "name", `it allows "$"; ${NAME}`],
    ["^[ -\uffff]+$", "name", `it allows " " "!" "\\"" "#" "$"; ${NAME}`],
    ["^[\u0100-\uffff]+$", "name", `it allows "\u0100" "\u0101" "\u0102" "\u0103" "\u0104"; ${NAME}`],
    // escapes in a class
    ["^[a\\$]+$", "name", `it allows "$"; ${NAME}`],
    ["^[\\-$]+$", "name", `it allows "$"; ${NAME}`],
    ["^[\\s]+$", "name", "the escape \\s is not allowed"],
    ["^[a\\x41]+$", "name", "the escape \\x is not allowed"],
    // class syntax
    ["^[a[]+$", "name", "it uses [ inside a character class"],
    ["^[abc$", "name", "a character class is not closed"],
    ["^[a\\]$", "name", "a character class is not closed"],
    ["^a[b$", "name", "a character class is not closed"],
  ] as const)("%s for %s: %s", (pattern, kind, problem) => {
    expect(strictPatternProblem(pattern, kind)).toBe(problem);
  });
});

describe("valueFitsStrict checks each character itself, whatever the pattern allows", () => {
  it.each([
    ["42", "^[0-9]+$", "arith", true],
    ["-7", "^-?[0-9]+$", "arith", true],
    ["a", "^[a0-9]+$", "arith", false],
    ["web-1", "^[a-z0-9-]+$", "name", true],
    ["web-1", "^[a-z0-9-]+$", "code", true],
    ["$(id)", "^.*$", "code", false],
    ["a$(id)", "^.*$", "code", false],
    ["a b", "^.*$", "name", false],
    ["abc", "^[a-z]{2}$", "name", false],
    // a pattern that does not compile fits no value
    ["1", "^[z-a]$", "arith", false],
    ["a", "^a{2,1}$", "name", false],
  ] as const)("%j under %s for %s: %s", (value, pattern, kind, fits) => {
    expect(valueFitsStrict(value, pattern, kind)).toBe(fits);
  });
});
