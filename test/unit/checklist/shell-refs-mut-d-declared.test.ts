// Names a command declares integer or array, and what that makes of a later `${v}` assignment; the
// analysis cache; commands the tokenizer cannot follow (escaped references, nesting deeper than the stack).
// Every expectation was checked by hand against bash 5.2 with a value like x[$(touch f)] (integer) or
// ([0]=$(touch f)) (array): the file was made exactly where a row says arith or code. Pure: no bash here.
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../../src/checklist/shell-refs.js";
import { contexts } from "../../helpers/shell-contexts.js";

const integer = (name: string) => `arith: an assignment to ${name}, declared integer (declare -i)`;
const array = (name: string) =>
  `code: a declare of the array ${name}, where bash evaluates a value like ([0]=...)`;

describe("names declared integer: a later NAME=${v} is arithmetic", () => {
  it.each([
    ["declare -ix n; n=${v}", "n"],
    ["declare -xi n; n=${v}", "n"],
    ["declare -x -i n; n=${v}", "n"],
    ["declare  -i n; n=${v}", "n"],
    ["declare -i  n; n=${v}", "n"],
    ["declare -i count; count=${v}", "count"],
    ["declare -i a b; b=${v}", "b"],
    ["declare -i n=10 m; m=${v}", "m"],
    ["typeset -i total=0 step; step=${v}", "step"],
    ["declare -i -- n; n=${v}", "n"],
    ['declare -i "n"; n=${v}', "n"],
    ["declare -i 'n'; n=${v}", "n"],
    ['declare -i a="1 + 2" b; b=${v}', "b"],
    ["declare -i \\\n n; n=${v}", "n"],
    ["declare \\\n -i n; n=${v}", "n"],
    // A quoted ; | or & does not end the declare.
    ['declare -i a="1|2" b; b=${v}', "b"],
    ["declare -i a='1&3' b; b=${v}", "b"],
  ])("%s", (command, name) => {
    expect(contexts(command)).toEqual([integer(name)]);
  });

  it.each([
    // The value of n=abc is no name: abc (and any piece of it) stays a plain variable.
    "declare -i n=abc m; abc=${v}",
    "declare -i n=abc m; bc=${v}",
    "declare -x n; n=${v}",
    "declare +i n; n=${v}",
    "declare -i n; m=${v}",
  ])("%s stays a plain assignment", (command) => {
    expect(contexts(command)).toEqual(["bare"]);
  });
});

describe("names that are arrays: a later declare NAME=${v} evaluates ([0]=...)", () => {
  it.each([
    ["declare -a list; declare list=${v}", "list"],
    ["declare -gA map; declare map=${v}", "map"],
    ["declare -a -- list; declare list=${v}", "list"],
    ['declare -a a=("x\\";y") other; declare other=${v}', "other"],
    ["declare -a a=(x\\;y) other; declare other=${v}", "other"],
    ['read -p "a; b" -a parts; declare parts=${v}', "parts"],
    ["read -p 'a|b' -a parts; declare parts=${v}", "parts"],
    ['read -p "\\"; " -a parts; declare parts=${v}', "parts"],
    ['mapfile -d ";" rows; declare rows=${v}', "rows"],
    ["readarray -d '|' rows; declare rows=${v}", "rows"],
    ["readarray -d \\| rows; declare rows=${v}", "rows"],
    ["items=(a b); declare items=${v}", "items"],
    ["items+=(c); typeset items=${v}", "items"],
    ["read -a parts; declare parts=${v}", "parts"],
    ["read -ra parts; declare parts=${v}", "parts"],
    ["read -aparts; declare parts=${v}", "parts"],
    ['read -a "parts"; declare parts=${v}', "parts"],
    ["read -r -p prompt -a parts; declare parts=${v}", "parts"],
    ["mapfile -t lines < f; declare lines=${v}", "lines"],
    ["readarray -n 5 rows; declare rows=${v}", "rows"],
    ["readarray rows; typeset rows=${v}", "rows"],
    ["read -era parts; declare parts=${v}", "parts"],
    ["coproc worker { cat; }; declare worker=${v}", "worker"],
    // bash's own arrays
    ["declare DIRSTACK=${v}", "DIRSTACK"],
    ["declare BASH_ALIASES=${v}", "BASH_ALIASES"],
    ["declare BASH_CMDS=${v}", "BASH_CMDS"],
    ["true | true; declare PIPESTATUS=${v}", "PIPESTATUS"],
    ["[[ $x =~ (a) ]]; declare BASH_REMATCH=${v}", "BASH_REMATCH"],
    ["coproc { cat; }; declare COPROC=${v}", "COPROC"],
    ["mapfile < /etc/hosts; declare MAPFILE=${v}", "MAPFILE"],
  ])("%s", (command, name) => {
    expect(contexts(command)).toEqual([array(name)]);
  });

  it.each([
    // Scalars: declare puts the value as it is.
    "read -r line; declare line=${v}",
    "mapfile -t lines < names; declare names=${v}",
    "declare list=${v}",
  ])("%s stays a plain value", (command) => {
    expect(contexts(command)).toEqual(["bare"]);
  });
});

describe("namerefs: a later NAME=${v} names a variable (bash evaluates its subscript on use)", () => {
  it.each([
    ['declare -n r; r=${v}; echo "$r"', "r"],
    ["typeset -n ref; ref=${v}", "ref"],
    ["declare -gn r; r=${v}", "r"],
    ['declare -n r; : "${r:=${v}}"; echo "$r"', "r"],
  ])("%s", (command, name) => {
    expect(contexts(command)).toEqual([
      `name: an assignment to ${name}, declared nameref (declare -n): a variable name`,
    ]);
  });

  it("a declare of a nameref stays a declare of an array (code)", () => {
    expect(contexts("declare -n r; declare r=${v}")).toEqual([array("r")]);
  });
});

describe("printf -v into an integer or a nameref: what it puts is evaluated", () => {
  it.each([
    [
      "declare -i n; printf -v n %s ${v}",
      "arith: a value `printf -v n` puts into a variable declared integer",
    ],
    ["declare -i n; printf -v n ${v}", "arith: a value `printf -v n` puts into a variable declared integer"],
    [
      "declare -n r; printf -v r %s ${v}",
      "name: a value `printf -v r` puts into a variable declared nameref",
    ],
    ["printf -v s %s ${v}", "bare"],
  ])("%s", (command, context) => {
    expect(contexts(command)).toEqual([context]);
  });
});

describe("a command name given with its path", () => {
  it.each([
    ["/bin/bash -c ${v}", "code: the command string of bash -c"],
    ["/usr/bin/env /bin/sh -c ${v}", "code: the command string of sh -c"],
    ["/usr/bin/python3 -c ${v}", "code: the command string of python3 -c/-e"],
  ])("%s", (command, context) => {
    expect(contexts(command)).toEqual([context]);
  });
});

describe("analyzeCommand", () => {
  it("gives the same analysis again for the same command", () => {
    const command = "echo ${v} # same";
    expect(analyzeCommand(command)).toBe(analyzeCommand(command));
  });

  it("keeps at most 501 analyses, then starts over", () => {
    const first = "echo ${v} #cache-first";
    const kept = analyzeCommand(first);
    // Find the moment the cache starts over (somewhere within 502 new commands)...
    let n = 0;
    while (analyzeCommand(first) === kept && n < 600) analyzeCommand(`echo \${v} #cache-a${n++}`);
    expect(n).toBeLessThanOrEqual(502);
    // ...now it holds the last of those and `first` again: 499 more fit, the 500th starts over.
    const again = analyzeCommand(first);
    for (let k = 0; k < 499; k++) analyzeCommand(`echo \${v} #cache-b${k}`);
    expect(analyzeCommand(first)).toBe(again);
    analyzeCommand("echo ${v} #cache-c");
    expect(analyzeCommand(first)).not.toBe(again);
    expect(analyzeCommand(first)).toEqual(again);
  });

  it("refuses a reference bash would not read as one (an escaped \\${v})", () => {
    expect(analyzeCommand("echo \\${v} ${w}").refs).toEqual([
      {
        ref: "v",
        start: 6,
        end: 10,
        placement: "raw",
        refused:
          "a command deploycheck cannot follow (the tokenizer lost track of a reference, at line 1, column 1 of the command)",
      },
      {
        ref: "w",
        start: 11,
        end: 15,
        placement: "raw",
        refused:
          "a command deploycheck cannot follow (the tokenizer lost track of a reference, at line 1, column 1 of the command)",
      },
    ]);
  });

  it("refuses, without a stack overflow, a command nested deeper than the tokenizer can follow", () => {
    const depth = 50_000;
    for (const command of [
      `${"$(".repeat(depth)}echo \${v}${")".repeat(depth)}`,
      `${'"$('.repeat(depth)}\${v}`,
    ]) {
      expect(analyzeCommand(command).refs).toEqual([
        {
          ref: "v",
          start: command.indexOf("${v}"),
          end: command.indexOf("${v}") + 4,
          placement: "raw",
          refused:
            "a command deploycheck cannot follow (it nests too deeply, at line 1, column 1 of the command)",
        },
      ]);
    }
    // Without a reference nothing is tokenized.
    expect(analyzeCommand("$(".repeat(depth)).refs).toEqual([]);
  });
});
