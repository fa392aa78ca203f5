// @ts-nocheck
// Values as data through the built CLI: validate refuses `let n=${tag}` with file:line:col (exit 2) and
// accepts it with a strict pattern, a hostile --var fails that step before it runs, and hostile values
// typed into a pseudo-terminal or given in an answers file reach commands as data. The journal and the
// record keep the command with its ${references}, never the value.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, journalEvents, onlyRunId, Tmux, type Workspace, workspace } from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
let tmux: Tmux | undefined;
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
  ws?.cleanup();
});

const letChecklist = (vars: string) => `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: bump, title: Bump }
vars:
  tag: ${vars}
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: bump
            run: 'let n=\${tag}+1; echo "n=$n" > n.out'
`;

describe("values in run commands (CLI)", () => {
  it("validate refuses let n=${tag} with file:line:col and exit 2, and accepts it with a strict pattern", async () => {
    ws = workspace();
    ws.file("c.yaml", letChecklist('{ default: "1" }'));
    const refused = await cli(ws, ["validate", "c.yaml"]);
    expect(refused.code).toBe(2);
    const out = refused.stdout + refused.stderr;
    expect(out).toContain(
      'c.yaml:14:25: ${tag} is in an argument of `let` (arithmetic): a value there is evaluated, and a[$(cmd)] in it runs cmd; pass it through `env:` and validate it in your script, or declare a strict pattern for tag (vars: { tag: { pattern: "^[0-9]+$" } })',
    );
    ws.file("p.yaml", letChecklist('{ default: "1", pattern: "^[0-9]+$" }'));
    const ok = await cli(ws, ["validate", "p.yaml"]);
    expect(ok.stdout + ok.stderr).toContain("✓ p.yaml");
    expect(ok.code).toBe(0);
  });

  it("a --var that does not match the strict pattern fails that step before it runs", async () => {
    ws = workspace();
    ws.file("p.yaml", letChecklist('{ default: "1", pattern: "^[0-9]+$" }'));
    ws.file("answers.yaml", 'signoff/ready: "no"\n');
    const marker = join(ws.dir, "x");
    const r = await cli(ws, [
      "run",
      "p.yaml",
      "--non-interactive",
      "--answers",
      "answers.yaml",
      "--var",
      `tag=a[$(touch ${marker})]`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(
      `the value of \${tag} ("a[$(touch ${marker})]") does not match its pattern ^[0-9]+$ (it is used in an argument of \`let\` (arithmetic), where bash evaluates it): the step did not run`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(ws.dir, "n.out"))).toBe(false);
    // With a number it runs.
    const good = await cli(ws, [
      "run",
      "p.yaml",
      "--non-interactive",
      "--answers",
      "answers.yaml",
      "--new",
      "--var",
      "tag=41",
    ]);
    expect(good.stdout + good.stderr).not.toContain("did not run");
    expect(ws.read("n.out")).toBe("n=42\n");
  });

  it("a value typed in a pseudo-terminal and one from an answers file reach the command as data; the journal keeps ${references}", async () => {
    ws = workspace();
    const marker = join(ws.dir, "pwned");
    ws.file(
      "c.yaml",
      `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: typed, title: Typed }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: ask
            input: { prompt: "Release name?", saveAs: release }
          - id: use
            run: |
              printf '%s' \${release} > typed.out && cat <<EOF > heredoc.out
              \${release}
              EOF
`,
    );
    const typed = `x'"; touch ${marker}; $(touch ${marker}) \`touch ${marker}\``;
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor("Release name?");
    tmux.answer(typed);
    await tmux.waitFor("Engineer:");
    tmux.keys("C-u");
    tmux.answer("ann");
    await tmux.waitFor("Deployment ready?");
    tmux.keys("y", "Enter");
    await tmux.waitFor("Notes:");
    tmux.answer("");
    await tmux.waitFor("Issues/Blockers:");
    tmux.answer("");
    expect(await tmux.exitCode()).toBe(0);
    expect(ws.read("typed.out")).toBe(typed);
    expect(ws.read("heredoc.out")).toBe(`${typed}\n`);
    expect(existsSync(marker)).toBe(false);
    const events = journalEvents(ws.stateDir, onlyRunId(ws.stateDir));
    const use = events.find((e) => e["type"] === "step-finished" && String(e["key"]).endsWith("/use"));
    const command = ((use?.["outcome"] as Record<string, unknown>)?.["details"] as Record<string, unknown>)?.[
      "command"
    ];
    expect(command).toBe("printf '%s' ${release} > typed.out && cat <<EOF > heredoc.out\n${release}\nEOF\n");

    // The same value from an answers file, non-interactive.
    ws.file("answers.yaml", `i/ask: ${JSON.stringify(typed)}\nsignoff/ready: "no"\n`);
    await cli(ws, ["run", "c.yaml", "--non-interactive", "--answers", "answers.yaml", "--new"]);
    expect(ws.read("typed.out")).toBe(typed);
    expect(existsSync(marker)).toBe(false);
    const runs = readdirSync(join(ws.stateDir, "runs"));
    for (const run of runs)
      expect(readFileSync(join(ws.stateDir, "runs", run, "journal.jsonl"), "utf8")).not.toContain("__dc_");
  });
});
