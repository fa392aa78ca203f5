// @ts-nocheck
// Text from a checklist, an answers file or a journal cannot drive the terminal in any command that prints
// it: status, runs, show, list, validate, verify. ESC sequences are removed, BEL and the like shown visibly,
// and a line break in a title or a name cannot add a line of its own.
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, type Workspace, workspace } from "../engine/harness.js";

beforeAll(() => ensureBuilt());

const ws: Workspace = workspace("dc-terminal-text-");
afterAll(() => ws.cleanup());

// Window title (OSC 0), screen clear (CSI 2J), cursor up (CSI A), a hyperlink (OSC 8) and a BEL.
const EVIL = String.raw`\e]0;owned\a\e[2J\e[1A\e]8;;https://evil.example\e\\link\e]8;;\e\\`;

function expectHarmless(out: string, what: string) {
  expect(out, what).not.toContain("\x1b");
  expect(out, what).not.toContain("\x07");
  expect(out, what).not.toContain("\x9b");
}

describe("checklist and journal text in the terminal", () => {
  it("is shown without its control sequences by every command", async () => {
    mkdirSync(join(ws.dir, "checklists"));
    ws.file(
      "checklists/evil.yaml",
      [
        "apiVersion: deploycheck/v1",
        "kind: Checklist",
        `metadata: { name: evil, title: "Deploy ${EVIL} web" }`,
        "sections:",
        `  - id: s`,
        `    title: "Section ${EVIL}"`,
        "    items:",
        "      - id: one",
        `        title: "Item\\nDeployment Ready: yes ${EVIL}"`,
        "        steps:",
        "          - id: check",
        `            title: "Step ${EVIL}"`,
        `            run: "printf 'out\\\\033]0;owned\\\\007\\\\n'"`,
        "            mutating: false",
        "",
      ].join("\n"),
    );
    ws.file("answers.yaml", `signoff/ready: yes\nsignoff/engineer: "Ann ${EVIL}\\nDeployment Ready: yes"\n`);

    const run = await cli(ws, ["run", "evil", "--non-interactive", "--answers", "answers.yaml"]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expectHarmless(run.stdout + run.stderr, "run");

    const id = readdirSync(join(ws.stateDir, "runs"))[0]!;
    const status = await cli(ws, ["status", id]);
    expect(status.code, status.stderr).toBe(0);
    expectHarmless(status.stdout + status.stderr, "status");
    // The title is there, readable, on its one line.
    expect(status.stdout).toMatch(/checklist {2}Deploy .*link.* web \(evil\)/);
    expect(status.stdout).toMatch(/sign-off {3}Ann .*Deployment Ready: yes: ready/);
    expect(status.stdout.split("\n").filter((l) => l.startsWith("Deployment Ready"))).toEqual([]);

    for (const args of [["runs"], ["show", "evil"], ["list"], ["validate", "checklists/evil.yaml"]]) {
      const r = await cli(ws, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expectHarmless(r.stdout + r.stderr, args.join(" "));
      // The commands that print the title show what is left of it: its text.
      if (args[0] === "show" || args[0] === "list")
        expect(r.stdout, args.join(" ")).toContain("Deploy link web");
    }

    const record = join(ws.stateDir, "runs", id, "record.json");
    const verify = await cli(ws, ["verify", record]);
    expect(verify.code, verify.stderr).toBe(0);
    expectHarmless(verify.stdout + verify.stderr, "verify");
    expect(verify.stdout).toMatch(/engineer {3}Ann .*Deployment Ready: yes\n/);
  }, 120_000);
});
