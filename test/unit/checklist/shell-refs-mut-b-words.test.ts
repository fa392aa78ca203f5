// Words as bash reads them: quote removal (which decides the command name a value is given to),
// assignments and array subscripts, $-expansions, ${...} operators and arithmetic. Each expectation was
// checked against bash 5.2 by hand (e.g. a value `a[$(touch pwned)0]` where arithmetic is claimed);
// the tests stay pure.
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../../src/checklist/shell-refs.js";
import { placedContexts as ctx } from "../../helpers/shell-contexts.js";

const cannot = (reason: string, line: number, col: number) =>
  `refused: a command deploycheck cannot follow (${reason}, at line ${line}, column ${col} of the command)`;
const EVAL = "bare code: an argument of `eval` (code)";
const BACKQUOTES = "refused: inside `...` (backquotes), where bash parses the text twice: use $( ) instead";
const SUBSCRIPT = "raw arith: an array subscript ${a[...]} (arithmetic)";
const ARITH = "raw arith: an arithmetic expansion $(( ))";
const table = (rows: [string, string[]][]) => rows;

describe("quote removal decides the command name", () => {
  it.each(
    table([
      ["e\\val ${v}", [EVAL]],
      ["ev\\\nal ${v}", [EVAL]],
      ["e'val' ${v}", [EVAL]],
      ["'ev'al ${v}", [EVAL]],
      ['"eval" ${v}', [EVAL]],
      ["e\"v\"'a'l ${v}", [EVAL]],
      ['"ev\\\nal" ${v}', [EVAL]],
      ['$"eval" ${v}', [EVAL]],
      // A backslash before an ordinary character stays inside double quotes: the name is ev\al.
      ['"ev\\al" ${v}', ["bare"]],
      ['"e\\val" ${v}', ["bare"]],
      // A quoted reference is no literal text: the word is no longer `eval`.
      ["echo 'x' ${v}", ["bare"]],
      ["echo ${v}; e'val' ${w}", ["bare", EVAL]],
      ["sed -'${v}' file", ["single code: the sed script (GNU sed can run commands)"]],
      ["sed -e'${v}' file", ["single code: the sed script (GNU sed can run commands)"]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  // declare's message repeats its option letters as bash received them after quote removal (an option
  // bash does not know makes every value code: declare fails, but nothing is assumed).
  it.each(
    table([
      ['declare "-\\$" a=${v}', ["bare code: a value of `declare -$`"]],
      ['declare "-\\`" a=${v}', ["bare code: a value of `declare -``"]],
      ['declare "-\\\\" a=${v}', ["bare code: a value of `declare -\\`"]],
      ['declare "-\\"" a=${v}', ['bare code: a value of `declare -"`']],
      ['declare "-\\q" a=${v}', ["bare code: a value of `declare -\\q`"]],
      ['declare "-x\\\ny" a=${v}', ["bare code: a value of `declare -xy`"]],
      ['declare "-$" a=${v}', ["bare code: a value of `declare -$`"]],
      ['declare "-$%" a=${v}', ["bare code: a value of `declare -$%`"]],
      ["declare -$ a=${v}", ["bare code: a value of `declare -$`"]],
      ["declare -x a=${v}", ["bare"]],
      // An option word holding an expansion and a space is never a valid option: declare fails.
      ['declare "-$x " b=${v}', ["bare"]],
      ['declare -"$x a" b=${v}', ["bare"]],
      ['declare -"$x\\q" b=${v}', ["bare"]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  it.each(
    table([
      ['echo "`echo ${v}`" ${v}', [BACKQUOTES, "bare"]],
      ['echo "a${v}b" "$"${v}', ["double", "bare"]],
      ["echo `printf '\\`'` ${v}", ["bare"]],
      ["echo `${v}", [cannot("a backquote is not closed", 1, 6)]],
      ["echo ${v} 'x", [cannot("a single quote is not closed", 1, 11)]],
      ['echo "${v}', [cannot("a double quote is not closed", 1, 11)]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  it("gives each reference its offsets in the command", () => {
    expect(analyzeCommand('echo "${v}" ${w}').refs).toEqual([
      { ref: "v", start: 6, end: 10, placement: "double" },
      { ref: "w", start: 12, end: 16, placement: "bare" },
    ]);
  });
});

describe("assignments and array subscripts", () => {
  it.each(
    table([
      ["a[0]=${v}", ["bare"]],
      ["a[0]+=${v}", ["bare"]],
      ["a[(1)]+=${v}", ["bare"]],
      ["a[$((1))]=${v} b[1]+=${v}", ["bare", "bare"]],
      // bash refuses a list for one element at run time; the value is never evaluated.
      ["a[0]=(${v})", ["bare"]],
      // Not an assignment: a command named a[1]x, the value its argument.
      ["a[1]x ${v}", ["bare"]],
      ["a[${v}]=x", ["raw arith: an array subscript (arithmetic)"]],
      ["a=([${v}]=x [2]=${v} ${v})", ["raw arith: an array subscript (arithmetic)", "bare", "bare"]],
      ["a=(\n  [1]=x # one\n  ${v}\n)", ["bare"]],
      ["a=(${v}", [cannot("an array assignment `(` is not closed", 1, 8)]],
      // bash rejects a metacharacter inside ( ) (syntax error); a process substitution is a word.
      ["a=(x | ${v})", [cannot("`|` in an array assignment is not understood", 1, 6)]],
      ["a=(x; ${v})", [cannot("`;` in an array assignment is not understood", 1, 5)]],
      ["a=(${v} & y)", [cannot("`&` in an array assignment is not understood", 1, 9)]],
      ["a=(x >${v})", [cannot("`>` in an array assignment is not understood", 1, 6)]],
      ["a=(<(echo ${v}) [1]=${v})", ["bare", "bare"]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });
});

describe("$ expansions", () => {
  it.each(
    table([
      // $${ is the format's escape for bash's own ${.
      ["echo $${a[${v}]}", [SUBSCRIPT]],
      ["echo $${x:-${v}} $${HOME}", ["bare"]],
      ["echo $x{${v}}", ["bare"]],
      ["echo $$ ${v}", ["bare"]],
      // $$ is the PID; the quote after it is a plain single quote, not $'...'.
      ["echo $$'${v}'", ["single"]],
      ["echo $abc; x=$a${v}", ["bare"]],
      // Inside double quotes $' and $" are not quotes of their own.
      ["echo \"$'${v}'\"", ["double"]],
      ['echo "$" ${v}', ["bare"]],
      ["echo $'it\\'s ${v}'", ["ansi"]],
      ["echo $'a${v}b' ${v}", ["ansi", "bare"]],
      ["echo $'a${v}' ${v}", ["ansi", "bare"]],
      ["echo $'${v}", [cannot("a $'...' quote is not closed", 1, 6)]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });
});

describe("${...} operators", () => {
  it.each(
    table([
      ["echo ${!a[${v}]}", [SUBSCRIPT]],
      ["echo ${#a[${v}]}", [SUBSCRIPT]],
      ["echo ${#} ${!} ${v}", ["bare"]],
      ["echo ${#x} ${!x} ${v}", ["bare"]],
      // The names of the variables starting with BASH: nothing is evaluated.
      ['echo ${!BASH*} "${!BASH@}" ${v}', ["bare"]],
      ["echo ${!BASH*x} ${v}", [cannot("a ${...} expansion is not understood", 1, 13)]],
      ["echo ${#BASH*} ${v}", [cannot("a ${...} expansion is not understood", 1, 13)]],
      ["echo ${%x} ${v}", [cannot("a ${...} expansion is not understood", 1, 8)]],
      ["echo ${x;} ${v}", [cannot("a ${...} expansion is not understood", 1, 9)]],
      ["echo ${x;:-a} ${v}", [cannot("a ${...} expansion is not understood", 1, 9)]],
      ["echo ${x@Q} ${v}", ["bare"]],
      ["echo ${x@Qab} ${v}", [cannot("a ${...@op} expansion is not understood", 1, 11)]],
      ["echo ${x:-${v}", [cannot("a ${...} expansion is not closed", 1, 15)]],
      ['echo ${x:-"a"} ${v}', ["bare"]],
      ['echo ${x:-\\"${v}} x', ["bare"]],
      ["echo ${x:-a(${v})}", ["bare"]],
      ["echo ${x:-a${v}b}", ["bare"]],
      // A nested ${...} ends at its own brace: what follows is still the outer pattern.
      ["echo ${a#${b#${1}}${v}}", ["bare pattern: the pattern of ${...#...}"]],
      ["echo ${a#${x@Q}${v}}", ["bare pattern: the pattern of ${...#...}"]],
      ["echo ${a%${b:-${#}}${v}}", ["bare pattern: the pattern of ${...%...}"]],
      ["echo ${x:-'${v}'} ${x:-\"${v}\"}", ["single", "double"]],
      ["echo ${x:-`echo ${v}`}", [BACKQUOTES]],
      [
        "echo \"${x:-'${v}'}\"",
        [cannot("quotes inside a ${...} word in double quotes are not understood", 1, 12)],
      ],
      ["echo $(( ${x:-${v}} + ${x:-${y:-${v}}} ))", [ARITH, ARITH]],
      [
        "echo ${x:${v}} ${x:1:${v}}",
        [
          "raw arith: a substring offset ${x:...} (arithmetic)",
          "raw arith: a substring offset ${x:...} (arithmetic)",
        ],
      ],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  it.each(["-", "+", "?", ":-", ":+", ":?", "=", ":="])("${x%s...} takes its word as a value", (op) => {
    expect(ctx(`echo \${x${op}\${v}} "\${x${op}\${v}}"`)).toEqual(["bare", "double"]);
  });

  it.each(["#", "##", "%", "%%", "/", "//", "/#", "/%", "^", "^^", ",", ",,"])(
    "${x%s...} takes its word as a pattern",
    (op) => {
      expect(ctx(`echo \${x${op}\${v}}`)).toEqual([`bare pattern: the pattern of \${...${op}...}`]);
    },
  );

  // ${name:=word} assigns like name=word: bash evaluates a value given to an integer, and PATH & co. run it.
  it.each(
    table([
      ["declare -i n; echo ${n:=${v}}", ["bare arith: an assignment to n, declared integer (declare -i)"]],
      ['declare -i n; echo "${n=${v}}"', ["double arith: an assignment to n, declared integer (declare -i)"]],
      [
        "echo ${PATH:=${v}}",
        ["bare code: an assignment to PATH (bash or the programs it starts run or search it)"],
      ],
      ["echo ${!x:=${v}}", ["bare code: an assignment through ${!x:=...} (to a variable named by x)"]],
      ["declare -i n; echo ${n:-${v}} ${m:=${v}}", ["bare", "bare"]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });
});

describe("arithmetic", () => {
  it.each(
    table([
      ["echo $(( (${v}) ))", [ARITH]],
      ["echo $(( (1+(${v})) ))", [ARITH]],
      ["echo $(( a[${v}] )) $(( a[1] + ${v} ))", [ARITH, ARITH]],
      ["echo ${a[b[${v}]]}", [SUBSCRIPT]],
      ["echo $((\n${v}\n))", [ARITH]],
      ['echo $(( "${v}" ))', ["double arith: an arithmetic expansion $(( ))"]],
      ["echo $(( `echo ${v}` ))", [BACKQUOTES]],
      ["declare -A a; echo ${a[\\]]} ${v}", ["bare"]],
      ["echo $(( ${v}", [cannot("an arithmetic expression is not closed by ))", 1, 14)]],
      ["echo $[${v}", [cannot("an arithmetic expression is not closed by ]", 1, 12)]],
      ["echo ${x:${v}", [cannot("an arithmetic expression is not closed by }", 1, 14)]],
      ["echo $(( ${v} ) ))", [cannot("unbalanced parentheses in arithmetic", 1, 15)]],
      ["echo $(( '${v}' ))", [cannot("a single quote in arithmetic is not understood", 1, 10)]],
      ["echo ${x:1\n} ${v}", [cannot("a newline inside ${...} is not understood", 1, 11)]],
      ["echo ${x:1} ${v}", ["bare"]],
    ]),
  )("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });
});
