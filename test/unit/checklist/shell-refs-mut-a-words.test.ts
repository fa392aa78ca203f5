// Which command words make a value code, a variable name or plain data: every shell, interpreter, awk,
// wrapper, code and name builtin the tokenizer knows, the reserved words that start a new command, the
// dangerous variables, and the characters that end a word. Each expectation is what bash does with the
// command (checked by hand against bash 5.2 with a value such as $(touch /tmp/pwned)); the committed tests
// are pure.
import { describe, expect, it } from "vitest";
import { analyzeCommand, isDangerousVariable } from "../../../src/checklist/shell-refs.js";
import { contexts } from "../../helpers/shell-contexts.js";

const EVAL = "code: an argument of `eval` (code)";

describe("shells and interpreters run their -c/-e string", () => {
  it.each(["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "yash", "fish", "/bin/dash"])(
    "%s -c",
    (shell) => {
      const name = shell.slice(shell.lastIndexOf("/") + 1);
      expect(contexts(`${shell} -c \${v}`)).toEqual([`code: the command string of ${name} -c`]);
    },
  );

  it("busybox runs the applet a value names", () => {
    expect(contexts("busybox ${v}")).toEqual(["code: the script busybox runs"]);
  });

  it.each([
    ["python", "-c"],
    ["python2", "-c"],
    ["python3", "-c"],
    ["perl", "-e"],
    ["ruby", "-e"],
    ["node", "-e"],
    ["nodejs", "-e"],
    ["php", "-r"],
    ["bun", "-e"],
    ["lua", "-e"],
    ["Rscript", "-e"],
    ["osascript", "-e"],
    ["pwsh", "-c"],
  ])("%s %s", (interpreter, flag) => {
    expect(contexts(`${interpreter} ${flag} \${v}`)).toEqual([
      `code: the command string of ${interpreter} -c/-e`,
    ]);
  });

  it("deno runs the script a value names", () => {
    expect(contexts("deno ${v}")).toEqual(["code: the script deno runs"]);
  });

  it.each(["awk", "gawk", "mawk", "nawk"])("%s runs its first operand as its program", (awk) => {
    expect(contexts(`${awk} \${v} file`)).toEqual([`code: the ${awk} program`]);
  });
});

describe("wrappers run the command that follows them", () => {
  it.each(["command", "builtin"])("%s eval", (wrapper) => {
    expect(contexts(`${wrapper} eval \${v}`)).toEqual([EVAL]);
  });

  it.each([
    "exec awk ${v}",
    "nohup awk ${v}",
    "env awk ${v}",
    "doas awk ${v}",
    "nice awk ${v}",
    "ionice awk ${v}",
    "timeout 5 awk ${v}",
    "stdbuf -oL awk ${v}",
    "setsid awk ${v}",
    "unbuffer awk ${v}",
    // `command` keeps `time` from being the reserved word: the time program runs awk.
    "command time awk ${v}",
  ])("%s", (command) => {
    expect(contexts(command)).toEqual(["code: the awk program"]);
  });

  it("flock runs the command after its lock file", () => {
    // flock takes `awk` as the lock file and runs the value as the command.
    expect(analyzeCommand("flock awk ${v}").refs[0]!.unsafe?.kind).toBe("code");
  });
});

describe("builtins whose arguments are code or variable names", () => {
  it.each([
    ["alias", "alias ${v}"],
    ["bind", "bind -x ${v}"],
    ["fc", "fc -e ${v}"],
    ["compgen", "compgen -C ${v} x"],
    ["complete", "complete -C ${v} x"],
    ["enable", "enable -f ${v} x"],
    ["watch", "watch ${v}"],
    ["coproc", "coproc ${v}"],
  ])("%s", (name, command) => {
    expect(contexts(command)).toEqual([`code: an argument of \`${name}\` (code)`]);
  });

  it.each([
    ["mapfile", "mapfile ${v}"],
    ["readarray", "readarray -t ${v}"],
    ["getopts", "getopts ab ${v}"],
    ["wait", "wait -n -p ${v}"],
    ["read", "read -r ${v}"],
    ["unset", "unset ${v}"],
  ])("%s", (name, command) => {
    expect(contexts(command)).toEqual([`name: an argument of \`${name}\` (variable names)`]);
  });

  it("a command named by an empty word is no builtin, shell or wrapper: its arguments are data", () => {
    // bash looks for a command named "" and finds none; nothing runs the value.
    expect(contexts("'' ${v}")).toEqual(["bare"]);
    expect(contexts("'' -c ${v}")).toEqual(["bare"]);
    expect(contexts("echo '' -c ${v}")).toEqual(["bare"]);
    expect(contexts('"" eval ${v}')).toEqual(["bare"]);
  });
});

describe("dangerous variables", () => {
  it.each([
    "BASH_ENV",
    "ENV",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PROMPT_COMMAND",
    "SHELLOPTS",
    "BASHOPTS",
    "BASH_XTRACEFD",
    "IFS",
    "PATH",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "NODE_OPTIONS",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "RUBYOPT",
    "GIT_SSH_COMMAND",
    "EDITOR",
    "PAGER",
    "BASH_FUNC_f%%",
    "DYLD_INSERT_LIBRARIES",
  ])("%s is dangerous", (name) => {
    expect(isDangerousVariable(name)).toBe(true);
  });

  it.each(["", "HOME", "TAG", "MY_BASH_FUNC_", "X_DYLD_", "path", "BASH_FUNC"])("%j is not", (name) => {
    expect(isDangerousVariable(name)).toBe(false);
  });

  it("an assignment to one of them is code", () => {
    expect(contexts("PROMPT_COMMAND=${v} bash -i")).toEqual([
      "code: an assignment to PROMPT_COMMAND (bash or the programs it starts run or search it)",
    ]);
  });
});

describe("reserved words start a new command", () => {
  it.each([
    "if eval ${v}; then :; fi",
    "if :; then eval ${v}; fi",
    "if false; then :; elif eval ${v}; then :; fi",
    "if false; then :; else eval ${v}; fi",
    "while false; do eval ${v}; done",
    "while eval ${v}; do break; done",
    "until eval ${v}; do :; done",
    "! eval ${v}",
    "{ eval ${v}; }",
    "time eval ${v}",
    "time { eval ${v}; }",
    "time ! eval ${v}",
    // bash's time takes -p and then -- before the pipeline it times.
    "time -p eval ${v}",
    "time -p -- eval ${v}",
    "time -- eval ${v}",
    "time\t-p\teval ${v}",
  ])("%j", (command) => {
    expect(contexts(command)).toEqual([EVAL]);
  });

  it.each([
    // Only one -p, and only before --: bash runs a command named -p, -x or -- here.
    "time -p -p eval ${v}",
    "time -- -p eval ${v}",
    "time -x eval ${v}",
    "time -pp eval ${v}",
    "! -- eval ${v}",
    "! -p eval ${v}",
  ])("%j runs a command named by an option word: the value is its argument", (command) => {
    expect(contexts(command)).toEqual(["bare"]);
  });

  it.each(["if :; then :; fi eval ${v}", "while false; do :; done eval ${v}", "{ :; } eval ${v}"])(
    "%j: a word after fi, done or } is not an argument of a command named so",
    (command) => {
      // bash refuses these; the tokenizer does not read eval as a harmless argument either.
      expect(contexts(command)).toEqual([EVAL]);
    },
  );
});

describe("the characters that end a word", () => {
  it.each([
    ["a tab", "eval\t${v}", EVAL],
    ["&", ":&eval ${v}", EVAL],
    ["|", ":|eval ${v}", EVAL],
    ["&&", ":&&eval ${v}", EVAL],
    ["||", "false||eval ${v}", EVAL],
    ["|&", ":|&eval ${v}", EVAL],
    ["& then a space", ": &eval ${v}", EVAL],
    ["| then a space", ": |eval ${v}", EVAL],
    ["&& then a space", ": &&eval ${v}", EVAL],
    ["||, spaced", ": || eval ${v}", EVAL],
    // The value names the file eval's output goes to: bash opens it, never runs it.
    [">", "eval :>${v}", "bare"],
    ["<", "eval :<${v}", "bare"],
  ])("%s", (_what, command, context) => {
    expect(contexts(command)).toEqual([context]);
  });
});
