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

  it("masks secrets without quoting them", () => {
    expect(interpolateCommand("curl -H 'X: ${v}'", vars, {}, { mask: new Set(["v"]) })).toBe(
      "curl -H 'X: ****'",
    );
  });
});
