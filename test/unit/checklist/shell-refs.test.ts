// The tokenizer's view of where each ${name} stands, the command bash gets, and strict patterns. The
// matrix (injection-matrix.test.ts) checks the same against real bash.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  analyzeCommand,
  envNameFor,
  renderCommand,
  strictPatternProblem,
  valueFitsStrict,
} from "../../../src/checklist/shell-refs.js";
import { contexts } from "../../helpers/shell-contexts.js";

const render = (command: string) => renderCommand(command, analyzeCommand(command), () => true);

describe("renderCommand", () => {
  it("puts a reference to the environment, never a value, quoted for the context", () => {
    expect(render("echo ${v} \"${v}\" '${v}' $'${v}' ${env.HOME}")).toBe(
      `echo "\${__dc_v}" "\${__dc_v}" ''"\${__dc_v}"'' $''"\${__dc_v}"$'' "\${__DCENV_HOME}"`,
    );
    expect(render("cat <<EOF\n<${v}>\nEOF")).toBe("cat <<EOF\n<${__dc_v}>\nEOF");
    expect(envNameFor("tag")).toBe("__dc_tag");
    expect(envNameFor("env.TAG")).toBe("__DCENV_TAG");
  });

  it("turns $${NAME} into ${NAME} and leaves references without a value as written", () => {
    const command = "echo $${HOME} ${v} ${other}";
    expect(renderCommand(command, analyzeCommand(command), (ref) => ref === "v")).toBe(
      'echo ${HOME} "${__dc_v}" ${other}',
    );
  });

  it("gives bash a command it parses (bash -n) for every safe context of the matrix", async () => {
    const { SAFE } = await import("./injection-matrix.js");
    for (const c of SAFE) {
      const r = spawnSync("bash", ["-n", "-c", render(c.command)], { encoding: "utf8" });
      expect(r.status, `${c.command}\n${r.stderr}`).toBe(0);
    }
  });
});

describe("analyzeCommand", () => {
  it("follows case items, nested $( ) and quotes to the right context", () => {
    expect(contexts('x="$(case a in a) echo ${v} ;; (b|c) : ;; esac)"; echo "${v}"')).toEqual([
      "bare",
      "double",
    ]);
    expect(contexts('echo "$(printf \'%s\' "$(echo ${v})")"')).toEqual(["bare"]);
    expect(contexts('echo "${X:-${v}}" ${X:-${v}}')).toEqual(["double", "bare"]);
    expect(contexts("# ${v} in a comment\necho ${v}")).toEqual(["raw", "bare"]);
  });

  it("names arithmetic, name and code contexts", () => {
    expect(contexts("let n=${v}+1")).toEqual(["arith: an argument of `let` (arithmetic)"]);
    expect(contexts("declare -i n; n=${v}")).toEqual([
      "arith: an assignment to n, declared integer (declare -i)",
    ]);
    expect(contexts("echo ${a[${v}]} $(( ${v} )) $[${v}]")).toEqual([
      "arith: an array subscript ${a[...]} (arithmetic)",
      "arith: an arithmetic expansion $(( ))",
      "arith: an arithmetic expansion $[ ]",
    ]);
    expect(contexts("[[ ${v} -gt 1 ]] && [[ -v ${v} ]]")).toEqual([
      "arith: an operand of [[ -gt ]] (arithmetic)",
      "name: the variable name of [[ -v ]]",
    ]);
    expect(contexts("eval ${v}; bash -xc ${v}; sudo ${v}")).toEqual([
      "code: an argument of `eval` (code)",
      "code: the command string of bash -c",
      "code: the command name",
    ]);
    // A value that reaches arithmetic through a command substitution is as dangerous as a direct one.
    expect(contexts("echo $(( $(echo ${v}) + 1 ))")[0]).toBe("arith: an arithmetic expansion $(( ))");
    expect(contexts('kubectl exec pod -- sh -c "echo ${v}"')[0]).toMatch(
      /^code: the command string of sh -c/,
    );
  });

  it("refuses what it cannot follow, naming where it stopped, and never guesses", () => {
    expect(contexts("echo @(a|${v})")[0]).toMatch(
      /^a command deploycheck cannot follow \(`\(` in the middle of a command is not understood, at line 1, column 7/,
    );
    expect(contexts('echo "${v}')[0]).toMatch(/a double quote is not closed/);
    expect(contexts("cat <<'EOF'\n${v}\nEOF")[0]).toBe(
      "a quoted here-document (<<'EOF'), where bash expands nothing",
    );
    expect(contexts("echo `echo ${v}`")[0]).toMatch(/^inside `...` \(backquotes\)/);
  });

  it("does not tokenize a command without references", () => {
    expect(analyzeCommand("echo @(unbalanced").refs).toEqual([]);
  });
});

describe("strict patterns", () => {
  it("accepts anchored patterns of literal characters and classes within the safe characters", () => {
    expect(strictPatternProblem("^[0-9]+$", "arith")).toBeUndefined();
    expect(strictPatternProblem("^-?\\d{1,5}$", "arith")).toBeUndefined();
    expect(strictPatternProblem("^[a-z0-9-]{1,63}$", "name")).toBeUndefined();
    expect(strictPatternProblem("^v\\d+\\.\\d+$", "code")).toBeUndefined();
  });

  it("says why a pattern is not strict", () => {
    expect(strictPatternProblem("[0-9]+", "arith")).toBe(
      "it is not anchored with ^ at the start and $ at the end",
    );
    expect(strictPatternProblem("^[a-z]+$", "arith")).toMatch(
      /^it allows "a" "b" "c" "d" "e"; here only digits/,
    );
    expect(strictPatternProblem("^.+$", "name")).toBe("it uses . outside a character class or repetition");
    expect(strictPatternProblem("^(a|b)$", "name")).toBe(
      "it uses `(` outside a character class or repetition",
    );
    expect(strictPatternProblem("^[^x]+$", "name")).toBe("it uses a negated character class [^...]");
    expect(strictPatternProblem("^\\S+$", "name")).toBe("the escape \\S is not allowed");
    expect(strictPatternProblem("^[a-z$]+$", "name")).toMatch(/it allows "\$"/);
  });

  it("checks a value against the pattern and the safe characters", () => {
    expect(valueFitsStrict("42", "^[0-9]+$", "arith")).toBe(true);
    expect(valueFitsStrict("4\n", "^[0-9]+$", "arith")).toBe(false);
    expect(valueFitsStrict("a[$(x)]", "^[0-9]+$", "arith")).toBe(false);
  });
});
