// The per-command rules: printf -v, test/[, awk, sed, find -exec, ssh and su. A value is code where the
// program runs it (an awk program, a sed script, find's -exec command, ssh's remote command, su -c), a name
// where bash names a variable with it (printf -v, test -v), and data elsewhere. Checked by hand against bash
// 5.2, GNU awk/sed/find, OpenSSH and util-linux su (e.g. `echo a | sed -l 5 p` prints a twice: 5 is -l's).
import { describe, expect, it } from "vitest";
import { contexts } from "../../helpers/shell-contexts.js";

const SED_WORD = "code: a word of sed (GNU sed reads an option anywhere: a value like -es/x/cmd/e runs cmd)";
const PRINTF_FIRST = "name: printf's first argument (a value such as -vNAME would name a variable)";

describe("printf and test", () => {
  it.each([
    ["printf -v ${v} x", ["name: the variable name of `printf -v`"]],
    // After -v NAME bash still reads options: a value -vOTHER there names another variable.
    ["printf -v x ${v} y", [PRINTF_FIRST]],
    ["printf ${v}", [PRINTF_FIRST]],
    ["printf ${v} ${v}", [PRINTF_FIRST, PRINTF_FIRST]],
    ["printf -vx ${v} y", [PRINTF_FIRST]],
    ["printf -vx -vy ${v} z", [PRINTF_FIRST]],
    ["printf -vx %s ${v}", ["bare"]],
    ['fmt=%s; printf "$fmt" ${v}', ["bare"]],
    // The format and the arguments after it are data.
    ["printf %s ${v}", ["bare"]],
    ["printf -v x %s ${v}", ["bare"]],
    ["printf -- ${v}", ["bare"]],
    ["printf -- %s ${v}", ["bare"]],
    ["echo ${v}; printf -v", ["bare"]],
    ["test -v ${v}", ["name: the variable name of test -v"]],
    ["[ -v ${v} ]", ["name: the variable name of [ -v"]],
    ["test -R ${v}", ["name: the variable name of test -R"]],
    ["[ ${v} ${v} ]", ["bare", "name: [ with two values side by side (one could be an operator such as -v)"]],
    // test's -eq compares numbers without arithmetic evaluation: a[$(cmd)] is only an error there.
    ["test ${v} -eq 1", ["bare"]],
    ["[ x = ${v} ]", ["bare"]],
    ["[ -n ${v} ]", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("awk and sed", () => {
  it.each([
    ["awk ${v}", ["code: the awk program"]],
    ["gawk ${v} f", ["code: the gawk program"]],
    ["awk -- ${v}", ["code: the awk program"]],
    ["awk -F, ${v}", ["code: the awk program"]],
    ["awk -v x=1 ${v}", ["code: the awk program"]],
    ["awk --assign x=1 ${v}", ["code: the awk program"]],
    ["awk -F : ${v}", ["code: the awk program"]],
    ["awk --field-separator : ${v}", ["code: the awk program"]],
    ["awk -W interactive ${v}", ["code: the awk program"]],
    // Option values and input files are data.
    ["awk -v x=${v} '{print}'", ["bare"]],
    ["awk -F ${v} '{print}'", ["bare"]],
    ["awk '{print}' ${v}", ["bare"]],
    ["awk -f prog.awk ${v}", ["bare"]],
    ["awk -F: -f prog.awk ${v}", ["bare"]],
    ["awk -f prog.awk -F ${v} f", ["bare"]],
    ["echo ${v} | awk -F:", ["bare"]],
    ["echo ${v} | awk -f", ["bare"]],
    ["echo ${v} | awk -v", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    // The program, a program file, a source file to include, a library to load, -W source=...: code.
    ["-f", true],
    ["--file", true],
    ["-e", true],
    ["--source", true],
    ["-E", true],
    ["--exec", true],
    ["-i", false],
    ["--include", false],
    ["-l", false],
    ["--load", false],
    ["-W", false],
  ])("gawk %s: its argument is code; it gives the program: %s", (option, givesProgram) => {
    expect(contexts(`gawk ${option} \${v} x \${w}`)).toEqual([
      `code: the code given to gawk ${option}`,
      // ${w} is an input file either way: x is the program when the option does not give one.
      "bare",
    ]);
    expect(contexts(`gawk ${option} x \${w}`)).toEqual([givesProgram ? "bare" : "code: the gawk program"]);
  });

  it.each([
    ["sed ${v} f", ["code: the sed script (GNU sed can run commands)"]],
    ["sed -n ${v}", ["code: the sed script (GNU sed can run commands)"]],
    ["sed -l 5 ${v}", ["code: the sed script (GNU sed can run commands)"]],
    ["sed --line-length 5 ${v}", ["code: the sed script (GNU sed can run commands)"]],
    ["sed -e ${v} f", ["code: a sed script (GNU sed can run commands)"]],
    ["sed --expression ${v}", ["code: a sed script (GNU sed can run commands)"]],
    ["sed -f ${v}", ["code: a sed script (GNU sed can run commands)"]],
    ["sed --file ${v}", ["code: a sed script (GNU sed can run commands)"]],
    // Input files are data.
    // -$x could be -e, or split into -e SCRIPT -e: every word after it (x=e; sed -$x "1e cmd" runs cmd).
    ["sed -$x ${v}", ["code: a word after a sed option that expands"]],
    // Also after a script: the value is a cluster such as `es/.*/cmd/e`, -e with a script that runs cmd.
    ["sed -e p -${v}", ["code: the sed script (GNU sed can run commands)"]],
    ["sed -n -$x p ${v}", ["code: a word after a sed option that expands"]],
    // A command whose name expands ($BASH, $d/bash) may be bash -c or eval: its words are code.
    ["$BASH -c ${v}", ["code: an argument of a command whose name expands"]],
    ['"$d/bash" -c ${v}', ["code: an argument of a command whose name expands"]],
    // GNU sed reads an option after its operands too: `echo a | sed -e p "$v"` with v=`-es/.*/touch x/e`
    // runs touch. A sed operand is code up to `--`; after it, a file name.
    ["sed p ${v}", [SED_WORD]],
    ["sed -n p ${v}", [SED_WORD]],
    ["sed -e p ${v}", [SED_WORD]],
    ["sed --expression p ${v}", [SED_WORD]],
    ["sed -f s.sed ${v}", [SED_WORD]],
    ["sed --file s.sed ${v}", [SED_WORD]],
    ["sed -e p -i ${v}", [SED_WORD]],
    ['sed -n p "${v}"', [SED_WORD]],
    ["sed p -- ${v}", ["bare"]],
    ["sed -n -- p ${v}", ["bare"]],
    ["echo ${v} | sed -n", ["bare"]],
    ["echo ${v} | sed -e", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});

describe("find, ssh, kubectl and su", () => {
  const EXEC = "code: the command of find -exec";
  it.each([
    ["find . -exec echo ${v} \\;", [EXEC]],
    ["find . -execdir echo ${v} +", [EXEC]],
    ["find . -ok echo ${v} \\;", [EXEC]],
    ["find . -okdir echo ${v} \\;", [EXEC]],
    ["find . -exec ${v} {} +", [EXEC]],
    // Around the -exec command: paths and tests, data.
    ["find ${v} -exec ls {} +", ["bare"]],
    ["find . -name ${v} -exec ls {} \\;", ["bare"]],
    ["find . -exec echo {} \\; -name ${v}", ["bare"]],
    ["find . -exec echo {} + -name ${v}", ["bare"]],
    ["find . -exec echo {} + -exec echo ${v} \\;", [EXEC]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  const HOST = "code: the host of ssh (a value such as -oProxyCommand=... is an option)";
  const REMOTE = "code: the remote command of ssh (a shell on the other host runs it)";
  it.each([
    ["ssh ${v} ls", [HOST]],
    ["ssh -v ${v}", [HOST]],
    ["ssh -p 22 ${v}", [HOST]],
    ["ssh -tt ${v}", [HOST]],
    ["ssh h ${v}", [REMOTE]],
    ["ssh -p 22 h ${v}", [REMOTE]],
    ["ssh h ls ${v}", [REMOTE]],
    ["ssh h -- ${v}", [REMOTE]],
    // -o ProxyCommand=..., -F a config with one, -I a PKCS#11 library: an option's argument can run code.
    ["ssh -o ${v} h", ["code: the argument of ssh -o (-o ProxyCommand=... runs a command)"]],
    ["ssh -F ${v} h", ["code: the argument of ssh -F (-o ProxyCommand=... runs a command)"]],
    ["ssh -I ${v} h", ["code: the argument of ssh -I (-o ProxyCommand=... runs a command)"]],
    ["ssh -B ${v} h", ["code: the argument of ssh -B (-o ProxyCommand=... runs a command)"]],
    ["ssh -oBatchMode=yes -p ${v} h", ["code: the argument of ssh -p (-o ProxyCommand=... runs a command)"]],
    ["echo ${v}; ssh -p", ["bare"]],
    ["ssh -p22 ${v}", [HOST]],
    ["ssh --p ${v}", [HOST]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    "b",
    "c",
    "D",
    "E",
    "e",
    "F",
    "I",
    "i",
    "J",
    "L",
    "l",
    "m",
    "O",
    "o",
    "P",
    "p",
    "Q",
    "R",
    "S",
    "W",
    "w",
  ])("ssh -%s takes the next word", (letter) => {
    expect(contexts(`ssh -${letter} \${v} h \${w}`)).toEqual([
      `code: the argument of ssh -${letter} (-o ProxyCommand=... runs a command)`,
      REMOTE,
    ]);
  });

  it.each([
    // kubectl exec ... -- CMD: the container runs CMD, with the same rules as a command here.
    ["kubectl exec p -- ${v}", ["code: the command name"]],
    ["kubectl exec -it deploy/web -c app -- awk ${v}", ["code: the awk program"]],
    ["kubectl exec p -- env PATH=${v} ls", ["code: an assignment to PATH for env"]],
    ["kubectl exec p -- ls ${v}", ["bare"]],
    ["kubectl exec p -- ls -- ${v}", ["bare"]],
    ["kubectl get pods -l app=${v}", ["bare"]],
    ["kubectl exec ${v} -c app", ["bare"]],
    ["kubectl exec p --; echo ${v}", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  const SU_ARG = "code: an argument of su (a value such as -cCOMMAND is an option)";
  it.each([
    ["su -c ${v} root", ["code: the command of su -c"]],
    ["su --command ${v}", ["code: the command of su -c"]],
    ["su root -c ${v}", ["code: the command of su -c"]],
    // su -cid and su --command=id run id: any value among su's words may be an option.
    ["su ${v}", [SU_ARG]],
    ["su root ${v}", [SU_ARG]],
    ["su - ${v} -c ls", [SU_ARG]],
    ["echo ${v}; su -c", ["bare"]],
    ["echo ${v}; su root", ["bare"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });
});
