import { describe, expect, it } from "vitest";
import { interpolateCommand } from "../../../src/checklist/shell-interpolate.js";

const vars = { v: "a'b\"c$(x)`y`" };
const run = (cmd: string) => interpolateCommand(cmd, vars, { HOME: "/home/me" });

describe("interpolateCommand", () => {
  it("quotes for the context each reference is in", () => {
    expect(run("echo ${v}")).toBe(`echo 'a'\\''b"c$(x)\`y\`'`);
    expect(run(`echo "${"${v}"}"`)).toBe(`echo "a'b\\"c\\$(x)\\\`y\\\`"`);
    expect(run("echo '<${v}>'")).toBe(`echo '<a'\\''b"c$(x)\`y\`>'`);
    expect(run("echo $'${v}'")).toBe(`echo $'a\\'b"c$(x)\`y\`'`);
  });

  it("treats $(...) inside double quotes as a new context", () => {
    expect(run('echo "$(printf %s ${v})"')).toBe(`echo "$(printf %s 'a'\\''b"c$(x)\`y\`')"`);
  });

  it("leaves unknown names, escaped text and comments alone", () => {
    expect(run("echo ${nope} \\${v} # it's ${v}")).toBe("echo ${nope} \\${v} # it's ${v}");
    expect(run("echo ${env.HOME} ${env.MISSING}")).toBe("echo /home/me ''");
  });

  it("escapes values in here-documents, literal in quoted ones, and leaves here-strings as words", () => {
    expect(run("cat <<EOF\n<${v}>\nEOF\necho ${v}")).toBe(
      `cat <<EOF\n<a'b"c\\$(x)\\\`y\\\`>\nEOF\necho 'a'\\''b"c$(x)\`y\`'`,
    );
    expect(run("cat <<'EOF'\n${v}\nEOF")).toBe(`cat <<'EOF'\na'b"c$(x)\`y\`\nEOF`);
    expect(run("cat <<< ${v}")).toBe(`cat <<< 'a'\\''b"c$(x)\`y\`'`);
  });

  it("puts numbers bare into arithmetic, where a shift is not a here-document", () => {
    const n = (cmd: string) => interpolateCommand(cmd, { n: "3", s: "x y", c: "$(x)" }, {});
    expect(n("echo $(( ${n} << 2 )) ${s}")).toBe("echo $(( 3 << 2 )) 'x y'");
    expect(() => n("(( ${c} > 1 ))")).toThrow(
      "the value of ${c} is used in arithmetic but is not an integer",
    );
    expect(interpolateCommand("(( ${c} > 1 ))", { c: "$(x)" }, {}, { lenient: true })).toBe(
      "(( \\$(x) > 1 ))",
    );
  });

  it("refuses array-subscript tricks where [[ ]] evaluates arithmetic", () => {
    const t = (v: string) => interpolateCommand('[[ "${v}" -eq 1 ]] && echo ${v}', { v }, {});
    expect(() => t("a[$(touch x)]")).toThrow("could run a command through arithmetic evaluation in [[ ]]");
    expect(t("a[1]")).toBe("[[ \"a[1]\" -eq 1 ]] && echo 'a[1]'");
    expect(interpolateCommand("echo ${v} [x]", { v: "a[$(y)]" }, {})).toBe("echo 'a[$(y)]' [x]");
  });

  it("masks secrets without quoting them", () => {
    expect(interpolateCommand("curl -H 'X: ${v}'", vars, {}, { mask: new Set(["v"]) })).toBe(
      "curl -H 'X: ****'",
    );
  });
});
