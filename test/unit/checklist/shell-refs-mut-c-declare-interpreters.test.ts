// declare and its kin, and shells and interpreters. declare/typeset/local evaluate a value like ([0]=$(cmd))
// for an array, -i values are arithmetic, -n values are names; export assigns as is. A shell or interpreter
// runs its -c/-e string or its script, which comes after its options and their arguments (-o NAME, -eo NAME,
// --rcfile FILE, python's -m/-W/-X); what follows is data. Checked by hand against bash 5.2 and python 3
// (e.g. `local a=$v` inside a function that declared the local array a runs $(...) from $v, and
// `bash -eo pipefail script` runs script).
import { describe, expect, it } from "vitest";
import { contexts } from "../../helpers/shell-contexts.js";

const ARRAY = "code: a declare of the array a, where bash evaluates a value like ([0]=...)";

describe("declare, typeset, local, export, readonly", () => {
  it.each([
    ["declare ${v}", ["name: a variable name of `declare`"]],
    ["local a-${v}", ["name: a variable name of `local`"]],
    ["declare -${v}", ["name: an option of `declare`"]],
    ["typeset +${v} x", ["name: an option of `typeset`"]],
    ["export -p ${v}", ["name: a variable name of `export`"]],
    // Plain values of plain names: data.
    ["declare x=${v}", ["bare"]],
    ["declare -x -r a=${v}", ["bare"]],
    ["declare foo-i x=${v}", ["bare"]],
    ["declare ni x=${v}", ["bare"]],
    ["local -r a=${v}", ["bare"]],
    ["local -- a=${v}", ["bare"]],
    // An option that expands could be -a: w=a; declare -"$w" b="$v" evaluates ([0$(cmd)]=x).
    ['declare -"$x" b=${v}', ["code: a value of `declare` after an option that expands"]],
    [
      "declare -${w} b=${v}",
      ["name: an option of `declare`", "code: a value of `declare` after an option that expands"],
    ],
    ["a=(1); declare -- a=${v}", [ARRAY]],
    ...["-x", "-r", "-g", "-l", "-t", "-u", "-xr", "+x"].map((f) => [`declare ${f} a=\${v}`, ["bare"]]),
    // Arithmetic, names and arrays.
    ["declare -i x=${v}", ["arith: a value of `declare -i` (arithmetic)"]],
    ["local -ri x=${v}", ["arith: a value of `local -i` (arithmetic)"]],
    ["declare -i -x x=1 y=${v}", ["arith: a value of `declare -i` (arithmetic)"]],
    ["declare -a x=${v}", ["code: a value of `declare -a`, where bash evaluates array and name syntax"]],
    ["typeset -A x=${v}", ["code: a value of `typeset -A`, where bash evaluates array and name syntax"]],
    ["declare -n x=${v}", ["code: a value of `declare -n`, where bash evaluates array and name syntax"]],
    ["declare -x -a x=${v}", ["code: a value of `declare -xa`, where bash evaluates array and name syntax"]],
    // A flag not known to leave the value alone.
    ["declare -p x=${v}", ["code: a value of `declare -p`"]],
    ["declare -f -x x=${v}", ["code: a value of `declare -fx`"]],
    // An array declared anywhere in the command.
    ["a=(1); declare a=${v}", [ARRAY]],
    ["a=(1); declare -x a=${v}", [ARRAY]],
    ["a=(1); typeset a=${v}", [ARRAY]],
    ["f() { local a=(1); local a=${v}; }", [ARRAY]],
    ["a=(1); export a=${v}", ["bare"]],
    ["export PATH=${v}", ["code: an assignment to PATH (bash or the programs it starts run or search it)"]],
    ["declare -i n; local n=${v}", ["arith: an assignment to n, declared integer (declare -i)"]],
  ])("%s", (command, expected) => {
    expect(contexts(command as string)).toEqual(expected);
  });
});

describe("shells and interpreters", () => {
  const SCRIPT = (name: string) => `code: the script ${name} runs`;
  const OPTION = (name: string) => `code: an option of ${name}`;
  it.each([
    ["bash ${v}", [SCRIPT("bash")]],
    ["bash -x ${v}", [SCRIPT("bash")]],
    ["bash -m ${v}", [SCRIPT("bash")]],
    ["bash -c ${v}", ["code: the command string of bash -c"]],
    ["bash -xc ${v}", ["code: the command string of bash -c"]],
    ["sh -ec ${v} x", ["code: the command string of sh -c"]],
    // Each o or O of a cluster takes a word; --rcfile and --init-file take a file.
    ["bash -o errexit ${v}", [SCRIPT("bash")]],
    ["bash -eo pipefail ${v}", [SCRIPT("bash")]],
    ["bash +O extglob ${v}", [SCRIPT("bash")]],
    ["bash -O extglob -O nullglob ${v}", [SCRIPT("bash")]],
    ["bash --rcfile f ${v}", [SCRIPT("bash")]],
    ["bash --init-file f ${v}", [SCRIPT("bash")]],
    ["bash -o ${v} x", [OPTION("bash")]],
    ["bash --rcfile ${v} x", [OPTION("bash")]],
    ["bash -eo ${v} x", [OPTION("bash")]],
    // A shell takes the word after - or -- as its script, whatever it looks like.
    ["bash - ${v}", [SCRIPT("bash")]],
    ["bash -- ${v}", [SCRIPT("bash")]],
    ["bash -- -c ${v}", ["bare"]],
    ["bash - -x ${v}", ["bare"]],
    // A value that starts like an option, or follows one that is not known: an option.
    ["bash -${v}", [OPTION("bash")]],
    ["bash +${v} x", [OPTION("bash")]],
    ["bash -$X ${v}", [SCRIPT("bash")]],
    // After the script or the command string: its arguments, data.
    ["bash my-script.sh ${v}", ["bare"]],
    ["bash -c 'echo' ${v}", ["bare"]],
    ["sh x.sh -c ${v}", ["bare"]],
    ["echo ${v}; bash -o", ["bare"]],
    ["echo ${v}; bash -eo", ["bare"]],
    ["echo ${v} | bash -x", ["bare"]],
    ["echo ${v} | bash --rcfile", ["bare"]],
    ["bash --noprofile ${v}", [SCRIPT("bash")]],
    ["bash --norc -o posix ${v}", [SCRIPT("bash")]],
    ["bash -m -c ${v}", ["code: the command string of bash -c"]],
  ])("%s", (command, expected) => {
    expect(contexts(command)).toEqual(expected);
  });

  it.each([
    ["python ${v}", [SCRIPT("python")]],
    ["python -u ${v}", [SCRIPT("python")]],
    ["python -O ${v}", [SCRIPT("python")]],
    ["python3 -Werror ${v}", [SCRIPT("python3")]],
    ["python3 -W ignore ${v}", [SCRIPT("python3")]],
    ["python3 -X dev ${v}", [SCRIPT("python3")]],
    ["python3 -- ${v}", [SCRIPT("python3")]],
    ["python -m ${v}", [SCRIPT("python")]],
    ["python -u -m ${v} x", [SCRIPT("python")]],
    ["python -W ${v} x", [OPTION("python")]],
    ["python -X ${v} x", [OPTION("python")]],
    ["ruby -I ${v} x", [OPTION("ruby")]],
    ["python -c ${v}", ["code: the command string of python -c/-e"]],
    ["node -e ${v}", ["code: the command string of node -c/-e"]],
    ["node --eval ${v}", ["code: the command string of node -c/-e"]],
    ["perl -E ${v}", ["code: the command string of perl -c/-e"]],
    ["php -r ${v}", ["code: the command string of php -c/-e"]],
    ["php -r 'echo 1;' ${v}", ["bare"]],
    // ruby -r and node -r load a module: the script comes after it.
    ...["-r", "--require", "--import", "--loader", "--experimental-loader"].map((o) => [
      `node ${o} m.js \${v}`,
      [SCRIPT("node")],
    ]),
    ...["-r", "--require", "--import", "--loader", "--experimental-loader"].map((o) => [
      `node ${o} \${v} x`,
      [OPTION("node")],
    ]),
    ["ruby -r json ${v}", [SCRIPT("ruby")]],
    ["perl -I lib ${v}", [SCRIPT("perl")]],
    ["python3 -X dev -W error ${v}", [SCRIPT("python3")]],
    ["pwsh --command ${v}", ["code: the command string of pwsh -c/-e"]],
    ["python3 -${v}", [OPTION("python3")]],
    // For python and the others, - is the program (read from stdin): what follows is data.
    ["python - ${v}", ["bare"]],
    ["python -m http.server ${v}", ["bare"]],
    ["perl -e 'print 1' ${v}", ["bare"]],
    ["python3 -c 'import sys' ${v}", ["bare"]],
    ["echo ${v} | python3 -m", ["bare"]],
    // deno and bun take a subcommand first: deno eval CODE, deno run SCRIPT, bun x PACKAGE (once).
    ...["run", "eval", "serve", "task", "test", "bench", "x", "repl"].map((c) => [
      `deno ${c} \${v}`,
      [SCRIPT("deno")],
    ]),
    ...["run", "x", "exec", "test", "create", "repl"].map((c) => [`bun ${c} \${v}`, [SCRIPT("bun")]]),
    ["deno run -A main.ts ${v}", ["bare"]],
    ["deno run run ${v}", ["bare"]],
    ["deno fmt ${v}", ["bare"]],
    ["node run ${v}", ["bare"]],
    // A shell or interpreter anywhere in a command's words.
    ["kubectl exec p -- python3 -c ${v}", ["code: the command string of python3 -c/-e"]],
    ["docker run img /bin/sh -c ${v}", ["code: the command string of sh -c"]],
  ])("%s", (command, expected) => {
    expect(contexts(command as string)).toEqual(expected);
  });
});
