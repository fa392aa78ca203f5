// `[[ ... ]]`: which operands bash evaluates (arithmetic comparisons, -v/-R names), what the regular
// expression after =~ takes in (( ) and | are its own), and the refusal of what bash refuses. Each
// expectation is what bash does (checked by hand against bash 5.2 with a value such as
// a[$(touch /tmp/pwned)], which runs only where bash evaluates it); the committed tests are pure.
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../../src/checklist/shell-refs.js";
import { contexts } from "../../helpers/shell-contexts.js";

const cannot = (reason: string, col: number) =>
  `a command deploycheck cannot follow (${reason}, at line 1, column ${col} of the command)`;
const operand = (op: string) => `arith: an operand of [[ ${op} ]] (arithmetic)`;

describe("[[ operands bash evaluates", () => {
  it.each([
    ["[[ 1 -eq ${v} ]]", operand("-eq")],
    ["[[ ${v} -ne 1 ]]", operand("-ne")],
    ["[[ 1 -lt ${v} ]]", operand("-lt")],
    ["[[ 1 -le ${v} ]]", operand("-le")],
    ["[[ ${v} -gt 1 ]]", operand("-gt")],
    ["[[ ${v} -ge 1 ]]", operand("-ge")],
    ["[[ -v ${v} ]]", "name: the variable name of [[ -v ]]"],
    ["[[ -R ${v} ]]", "name: the variable name of [[ -R ]]"],
    // Next to an operator token: && || ( ) are not words.
    ["[[ -n a && ${v} -eq 1 ]]", operand("-eq")],
    ["[[ -z a || ${v} -gt 1 ]]", operand("-gt")],
    ["[[ -n a &&\n ${v} -eq 1 ]]", operand("-eq")],
    ["[[ ( ${v} -eq 1 ) ]]", operand("-eq")],
    ["[[ ! ( 1 -lt ${v} ) ]]", operand("-lt")],
    ["[[ x =~ (x) && ${v} -eq 1 ]]", operand("-eq")],
    ["[[ ( x =~ (x)) && ${v} -eq 1 ]]", operand("-eq")],
    // bash refuses a regular expression followed by -eq; the tokenizer does not call the value data.
    ["[[ a =~ ${v} -eq 1 ]]", operand("-eq")],
  ])("%j", (command, context) => {
    expect(contexts(command)).toEqual([context]);
  });

  it("keeps the innermost context of a value already evaluated inside the operand", () => {
    expect(contexts("[[ $(( ${v} )) -eq 1 ]]")).toEqual(["arith: an arithmetic expansion $(( ))"]);
  });

  it("does not mark a refused reference unsafe as well", () => {
    expect(analyzeCommand("[[ `echo ${v}` -eq 1 ]]").refs).toStrictEqual([
      {
        ref: "v",
        start: 9,
        end: 13,
        placement: "raw",
        refused: "inside `...` (backquotes), where bash parses the text twice: use $( ) instead",
      },
    ]);
  });
});

describe("[[ operands bash takes as data", () => {
  it.each([
    "[[ -n ${v} && -n a ]]",
    "[[ ${v} == a || -z b ]]",
    "[[ ${v} < b ]]",
    "[[ ${v} > b ]]",
    "[[ ${v} < -eq ]]",
    "[[ -eq > ${v} ]]",
    "[[ ( ${v} == a ) ]]",
    // `]]x` is a word, not the end: the rest is not a command.
    "[[ ]]eval == ${v} ]]",
    "[[ ${v} == a ]]&& :",
  ])("%j", (command) => {
    expect(contexts(command)).toEqual(["bare"]);
  });
});

describe("the regular expression after =~", () => {
  it.each([
    ["[[ ${v} =~ a|b ]]", ["bare"]],
    ["[[ ${v} =~ ^(x)(a|b)$ ]]", ["bare"]],
    ["[[ x =~ (a|b) ]] && echo ${v}", ["bare"]],
    // Blanks inside parentheses belong to it, so -eq there is no operator.
    ["[[ a =~ (${v} -eq 1) ]]", ["bare"]],
    ["[[ a =~ ((x) ${v} -eq 1) ]]", ["bare"]],
    // An unmatched ) ends it (it closes the group of the [[ ]]).
    ["[[ ( ${v} =~ x) ]]", ["bare"]],
    ["[[ ${v} =~ x\t]]", ["bare"]],
    ["[[ ${v} =~ x\n]]", ["bare"]],
    ["[[ ${v} =~ 'a b' ]]", ["bare"]],
    ["[[ a =~ 'x ${v}' ]]", ["single"]],
    ['[[ a =~ x"${v} "\\) ]]', ["double"]],
    ["[[ a =~ x\\ ${v} ]]", ["bare"]],
    ["[[ a =~ $'${v}' ]]", ["ansi"]],
    [
      "[[ a =~ `echo ${v}` ]]",
      ["inside `...` (backquotes), where bash parses the text twice: use $( ) instead"],
    ],
    ["[[ a =~ $(echo ${v}) ]]", ["bare"]],
    ["[[ a =~ ${v} && 1 -eq 1 ]]", ["bare"]],
  ])("%j", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("[[ refusals", () => {
  it.each([
    ["[[ -n ${v}", cannot("`[[` is not closed by `]]`", 11)],
    ["[[ ${v} =~ a", cannot("`[[` is not closed by `]]`", 13)],
    // An escaped blank does not end the regular expression: `]]` is part of it, as for bash.
    ["[[ ${v} =~ x\\ ]]", cannot("`[[` is not closed by `]]`", 17)],
    ["[[ ${v} =~ (x ]]", cannot("`[[` is not closed by `]]`", 17)],
    // bash: "unexpected token" for a lone | & or ; (and the tokenizer used to loop forever on them).
    ["[[ a | b ]] ${v}", cannot("`[[` holds an operator that is not understood", 6)],
    ["[[ ${v} & b ]]", cannot("`[[` holds an operator that is not understood", 9)],
    ["[[ ${v} ; ]]", cannot("`[[` holds an operator that is not understood", 9)],
  ])("%j", (command, reason) => {
    expect(contexts(command)).toEqual([reason]);
  });
});
