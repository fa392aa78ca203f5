// Simple commands, redirections and here-documents as the tokenizer must see them: where a word ends,
// what a redirection consumes, where a here-document body stops. Each expectation was checked against
// bash 5.2 by hand (the injection matrix proves the renderings); the tests stay pure.
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../../src/checklist/shell-refs.js";
import { placedContexts as ctx } from "../../helpers/shell-contexts.js";

const cannot = (reason: string, line: number, col: number) =>
  `refused: a command deploycheck cannot follow (${reason}, at line ${line}, column ${col} of the command)`;
const PRINTF_FIRST = "bare name: printf's first argument (a value such as -vNAME would name a variable)";

describe("a simple command's words and redirections", () => {
  it.each<[string, string[]]>([
    // `&>` redirects both streams: the command goes on after its target.
    ["echo &>/dev/null ${v}", ["bare"]],
    ["printf &>/dev/null ${v}", [PRINTF_FIRST]],
    ["printf &>>/tmp/log ${v}", [PRINTF_FIRST]],
    // A redirection is not a word: the value after it is still printf's format.
    ["printf >/dev/null ${v}", [PRINTF_FIRST]],
    ["printf 10>/dev/null ${v}", [PRINTF_FIRST]],
    ["printf {out}>/dev/null ${v}", [PRINTF_FIRST]],
    ["printf {fd}>&2 ${v}", [PRINTF_FIRST]],
    ["printf 2>&1 ${v}", [PRINTF_FIRST]],
    ["printf <<EOF ${v}\nx\nEOF", [PRINTF_FIRST]],
    // A word that is not a descriptor stays a word: the value is then an argument.
    ["printf x10>/dev/null ${v}", ["bare"]],
    ["printf {1x}>/dev/null ${v}", ["bare"]],
    // A process substitution is a command of its own.
    ["cat <(echo ${v}) >(grep -e x) ${v}", ["bare", "bare"]],
    [
      "tee >(eval ${v}) <(sh -c ${v})",
      ["bare code: an argument of `eval` (code)", "bare code: the command string of sh -c"],
    ],
    ["diff <(${v}) -", ["bare code: the command name"]],
    // # starts a comment at the start of a word, also when a reference follows it directly.
    ["echo a #${v}", ["raw"]],
    ["echo a;#${v}", ["raw"]],
    ["echo a#${v}", ["bare"]],
  ])("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["${v}() { :; }", ["bare code: a function name"]],
    ["${v} ( ) { :; }", ["bare code: a function name"]],
    ["f${v} ()\n{ :; }", ["bare code: a function name"]],
    ["${v}() { :; }; echo ${v}", ["bare code: a function name", "bare"]],
    ["echo ${v} ()", [cannot("`(` in the middle of a command is not understood", 1, 11)]],
    ["f (echo ${v}) ()", [cannot("`(` in the middle of a command is not understood", 1, 3)]],
    ["echo @(${v})", [cannot("`(` in the middle of a command is not understood", 1, 7)]],
  ])("a function definition: %j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });

  it("keeps the first reason a reference is unsafe or refused", () => {
    expect(analyzeCommand("eval $(( ${v} ))").refs).toEqual([
      {
        ref: "v",
        start: 9,
        end: 13,
        placement: "raw",
        unsafe: { kind: "arith", context: "an arithmetic expansion $(( ))" },
      },
    ]);
    expect(analyzeCommand("eval `echo ${v}`").refs).toEqual([
      {
        ref: "v",
        start: 11,
        end: 15,
        placement: "raw",
        refused: "inside `...` (backquotes), where bash parses the text twice: use $( ) instead",
      },
    ]);
    expect(ctx("${v}() { :; }; eval ${v}")).toEqual([
      "bare code: a function name",
      "bare code: an argument of `eval` (code)",
    ]);
  });
});

describe("here-documents", () => {
  it.each<[string, string[]]>([
    // The delimiter is the word after quote removal: "$"${v} is $${v}, a line without a reference.
    ['cat <<"$"${v}\nbody\n$${v}', ["refused: a here-document delimiter"]],
    ["cat <<\\EOF\n${v}\nEOF", ["refused: a quoted here-document (<<'EOF'), where bash expands nothing"]],
    ["cat <<E\\OF\n${v}\nEOF", ["refused: a quoted here-document (<<'EOF'), where bash expands nothing"]],
    ['cat <<"EOF"\n${v}\nEOF', ["refused: a quoted here-document (<<'EOF'), where bash expands nothing"]],
    // Quote removal as bash does it: a quote of the other kind inside quotes is part of the delimiter.
    // (The body below ends at E', so ${v} is a command name: bash runs the value.)
    ["cat <<\"E'\"\nE\ncat <<X\nE'\n${v}\nX", ["bare code: the command name"]],
    ["cat <<'E\"'\n${v}\nE\"", ["refused: a quoted here-document (<<'E\"'), where bash expands nothing"]],
    [
      'cat <<"E\\q\\$"\n${v}\nE\\q$',
      ["refused: a quoted here-document (<<'E\\q$'), where bash expands nothing"],
    ],
    [
      "cat <<E\"x\"'y'\\z\n${v}\nExyz",
      ["refused: a quoted here-document (<<'Exyz'), where bash expands nothing"],
    ],
    ["cat <<\\$'E'\n${v}\n$E", ["refused: a quoted here-document (<<'$E'), where bash expands nothing"]],
    ["cat <<''\n\n${v}", ["bare code: the command name"]],
    [
      "cat <<E\\ F\n${v}\nE F\n${v}",
      [
        "refused: a quoted here-document (<<'E F'), where bash expands nothing",
        "bare code: the command name",
      ],
    ],
    [
      'cat <<"G\\ H"\n${v}\nG\\ H\n${v}',
      [
        "refused: a quoted here-document (<<'G\\ H'), where bash expands nothing",
        "bare code: the command name",
      ],
    ],
    // An unquoted $ is part of the delimiter, as written.
    ["cat <<$E\n${v}\n$E\n${v}", ["raw", "bare code: the command name"]],
    // bash decodes $'...' and $"..." in a delimiter: not followed.
    [
      "cat <<$'E'\n${v}\nE",
      [cannot("a here-document delimiter in $'...' or $\"...\" is not understood", 1, 7)],
    ],
    [
      'cat <<$"E"\n${v}\nE',
      [cannot("a here-document delimiter in $'...' or $\"...\" is not understood", 1, 7)],
    ],
    [
      "cat <<E$'x'\n${v}\nEx",
      [cannot("a here-document delimiter in $'...' or $\"...\" is not understood", 1, 7)],
    ],
    // Only <<- strips leading tabs, and only leading ones.
    ["cat <<EOF\n\tEOF\n${v}\nEOF", ["raw"]],
    ["cat <<-EOF\n\t${v}\n\t\tEOF\necho ${v}", ["raw", "bare"]],
    ["cat <<-EOF\nEOF\t\n${v}\nEOF", ["raw"]],
    ["cat <<-EOF\n\t${v}\n\tEOF", ["raw"]],
    // An empty delimiter ends the body at the first empty line, also the last one.
    ["cat <<''\n${v}\n", ["refused: a quoted here-document (<<''), where bash expands nothing"]],
    // The command after the body starts on the line after the delimiter line.
    ['cat <<"E("\nbody\nE(\necho ${v}', ["bare"]],
    ["cat <<EOF\nbody\nEOF\n${v}", ["bare code: the command name"]],
    ["cat <<EOF; echo ${v}\n${v}\nEOF\necho ${v}", ["bare", "raw", "bare"]],
    ["cat <<EOF\n${v}", [cannot("here-document <<EOF is not closed by a line EOF", 1, 7)]],
    [
      "echo ${v}; cat <<-END\n\tbody\n\tEN",
      [cannot("here-document <<END is not closed by a line END", 1, 19)],
    ],
  ])("%j", (command, expected) => {
    expect(ctx(command)).toEqual(expected);
  });
});
