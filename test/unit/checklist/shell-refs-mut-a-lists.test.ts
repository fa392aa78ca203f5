// Lists, separators, case, for/select and function: where the tokenizer says a command starts and ends,
// and the exact refusal (reason and position) when bash would not accept the command. Each expectation is
// what bash does with the command (checked by hand against bash 5.2 with a value such as
// $(touch /tmp/pwned)); the committed tests are pure.
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../../src/checklist/shell-refs.js";
import { contexts } from "../../helpers/shell-contexts.js";

const cannot = (reason: string, col: number, line = 1) =>
  `a command deploycheck cannot follow (${reason}, at line ${line}, column ${col} of the command)`;

const EVAL = "code: an argument of `eval` (code)";

describe("refusals where bash would not run the command, with their position", () => {
  it.each([
    // bash warns and runs cat without a body; the tokenizer cannot tell where the body was meant to end.
    ["cat <<E ${v}", cannot("here-document <<E has no body", 13)],
    // The comment runs to the end of the text: the position is the end, not one past it.
    ["cat <<E # ${v}", cannot("here-document <<E has no body", 15)],
    ["(echo ${v}", cannot("a `(` or `$(` is not closed", 11)],
    ["echo $(echo ${v}", cannot("a `(` or `$(` is not closed", 17)],
    ["case a in a) echo ${v}", cannot("a `case` is not closed by `esac`", 23)],
    ["case a in a) echo ${v};;", cannot("a `case` is not closed by `esac`", 25)],
    ["case a in a) echo ${v};;\n", cannot("a `case` is not closed by `esac`", 1, 2)],
    ["echo ${v};; echo", cannot("`;;` outside a case", 10)],
    ["echo ${v} ;;", cannot("`;;` outside a case", 11)],
    ["echo ${v};& echo", cannot("`;;` outside a case", 10)],
    ["echo ${v})", cannot("unexpected `)`", 10)],
    ["esac ${v}", cannot("`esac` outside a case", 1)],
    ["echo ${v}; esac", cannot("`esac` outside a case", 12)],
    ["(echo ${v}; esac)", cannot("`esac` outside a case", 13)],
    ["case ${v} x", cannot("`case` without `in`", 11)],
    ["case ${v}", cannot("`case` without `in`", 10)],
    ["case ${v} in a;b) :;; esac", cannot("a `case` pattern is not understood", 15)],
  ])("%j", (command, reason) => {
    const refs = analyzeCommand(command).refs;
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs)
      expect(r).toEqual({ ref: "v", start: r.start, end: r.start + 4, placement: "raw", refused: reason });
  });

  it("refuses every reference of a command with ;; outside a case, not only those before it", () => {
    expect(contexts("echo ${v};; echo ${v}")).toEqual([
      cannot("`;;` outside a case", 10),
      cannot("`;;` outside a case", 10),
    ]);
  });
});

describe("separators", () => {
  it.each([
    ["cmd &", "sleep 1 & eval ${v}"],
    ["cmd; newline", "echo;\neval ${v}"],
    ["&& at the start of a line", "true\n&& eval ${v}"],
  ])("%s", (_what, command) => {
    // (bash refuses the last; the tokenizer still reads eval's argument as code)
    expect(contexts(command)).toEqual([EVAL]);
  });
});

describe("case", () => {
  it.each([
    // An item may end at esac without ;;.
    ["case ${v} in x) esac", ["bare"]],
    ["case ${v} in a) eval ${v}\nesac", ["bare", EVAL]],
    ["case ${v} in a) eval ${v} ; esac", ["bare", EVAL]],
    // ;;& and ;& end an item too (bash tests the next patterns, or runs the next item).
    ["case ${v} in a) :;;& *) eval ${v};; esac", ["bare", EVAL]],
    ["case ${v} in a) :;& b) eval ${v};; esac", ["bare", EVAL]],
    ["case ${v} in a) :;;\n(b|c) eval ${v};;\nesac", ["bare", EVAL]],
    ["case a in a) case ${v} in b) :;; esac;; esac; eval ${v}", ["bare", EVAL]],
    // esac as an argument is a word, not the end of the case.
    ["case a in a) echo esac ${v};; esac", ["bare"]],
    ["case a in ${v}|b) :;; esac", ["pattern: a `case` pattern"]],
  ])("%j", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("for and select", () => {
  it.each([
    ["for ${v} in a; do :; done", ["name: the variable name of `for`"]],
    ["select ${v} in a; do :; done", ["name: the variable name of `select`"]],
    // The word list is data, even when it reads like a command; `in` may be on the next line.
    ["for x in sh -c ${v}; do :; done", ["bare"]],
    ["for x\nin sh -c ${v}; do :; done", ["bare"]],
    ["for x\n\n  in sh -c ${v}; do :; done", ["bare"]],
    ["select x in sh -c ${v}; do break; done", ["bare"]],
    // Without `in` the body follows; its commands are commands.
    ["for x; do eval ${v}; done", [EVAL]],
    ["for x\ndo eval ${v}; done", [EVAL]],
    // After `;` only `do` may come: bash refuses `for x; in ...`, and `in` is not read as a word list.
    ["for x; in sh -c ${v}; do :; done", ["code: the command string of sh -c"]],
    ["for ((i = ${v}; i < 2; i++)); do :; done", ["arith: an arithmetic for (( ))"]],
    // The newline before `in` ends the line: a pending here-document's body follows it (bash reads it
    // there). It used to be read as commands, where '$(eval ${v})' looked like single-quoted data while
    // bash ran the eval (checked: a value naming a script ran it).
    ["cat <<E; for x\n${v}\nE\nin sh -c ${v}; do :; done", ["raw", "bare"]],
    [
      "cat <<E; for x\n: '$(eval ${v})'\nE\nin a; do :; done",
      ["a here-document whose body runs commands ($( ) or `...`)"],
    ],
    // select has no arithmetic form: bash refuses it, and the (( )) is read as an arithmetic command.
    ["select ((${v})); do :; done", ["arith: an arithmetic command (( ))"]],
  ])("%j", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("function definitions", () => {
  it.each([
    ["function ${v} { :; }", ["code: a function name"]],
    ["function ${v}() { :; }", ["code: a function name"]],
    ["function f() { eval ${v}; }", [EVAL]],
    ["function f () { eval ${v}; }", [EVAL]],
    // `function f (list)`: a subshell is the body (bash runs it when f is called).
    ["function f (eval ${v})", [EVAL]],
    ["function f\n{ eval ${v}; }", [EVAL]],
  ])("%j", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("blanks, line continuations and comments", () => {
  it.each([
    // A backslash-newline is removed before bash reads words: `# ...` is a comment.
    ["echo a \\\n# ${v}", ["raw"]],
    ["echo a \\\n\\\n  # ${v}", ["raw"]],
    ["eval \\\n ${v}", [EVAL]],
    // A backslash before another character quotes it: \eval is still eval.
    ["\\eval ${v}", [EVAL]],
    [":\n\\eval ${v}", [EVAL]],
    ["echo \\&eval ${v}", ["bare"]],
    ["eval\t\t${v}", [EVAL]],
    ["\t eval ${v}", [EVAL]],
    ["# ${v}", ["raw"]],
    ["echo a # ${v}\neval ${v}", ["raw", EVAL]],
  ])("%j", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("references bash takes literally keep their place", () => {
  it.each([
    ["echo '${v}'", 6, "single"],
    ["# ${v}", 2, "raw"],
    ["echo $'a${v}'", 8, "ansi"],
    ["cat <<'E'\n${v}\nE", 10, undefined],
  ])("%j", (command, start, placement) => {
    const [ref] = analyzeCommand(command).refs;
    expect(ref!.start).toBe(start);
    expect(ref!.end).toBe(start + 4);
    if (placement) expect(ref!.placement).toBe(placement);
  });
});

describe("the first reason wins", () => {
  it("a value in arithmetic inside a substring offset keeps the innermost context", () => {
    expect(contexts("echo ${x:$(( ${v} ))}")).toEqual(["arith: an arithmetic expansion $(( ))"]);
  });

  it("a refused reference is not also marked unsafe", () => {
    expect(analyzeCommand("echo $(( `echo ${v}` ))").refs).toStrictEqual([
      {
        ref: "v",
        start: 15,
        end: 19,
        placement: "raw",
        refused: "inside `...` (backquotes), where bash parses the text twice: use $( ) instead",
      },
    ]);
  });
});
