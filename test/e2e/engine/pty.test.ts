// Interactive runs in a real pseudo-terminal (tmux on a private socket): prompts answered with
// keystrokes, the failure menu, sign-off, Ctrl-C during a running command, and the resume question.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { suggestedCommands } from "../helpers/suggested.js";
import {
  alive,
  ensureBuilt,
  journalEvents,
  onlyRunId,
  readdirSafe,
  Tmux,
  type Workspace,
  waitUntil,
  workspace,
} from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
let tmux: Tmux | undefined;
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
  ws?.cleanup();
});

/** The sign-off by keystrokes: the default engineer, "ready", no notes and no blockers. */
async function signOffReady(t: Tmux): Promise<void> {
  await t.waitFor("Engineer:");
  t.answer("");
  await t.waitFor("Deployment ready?");
  t.keys("y", "Enter");
  await t.waitFor("Notes:");
  t.answer("");
  await t.waitFor("Issues/Blockers:");
  t.answer("");
}

const HEADER = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: inter, title: Interactive checklist }
`;

const INTERACTIVE = `${HEADER}sections:
  - id: s1
    title: Before
    items:
      - id: a
        title: Run and ask
        steps:
          - id: hello
            run: echo hello
          - id: sure
            confirm: Is the backup owner informed?
          - id: rev
            input: { prompt: "Revision before the rollback test?", pattern: "^[0-9]+$", saveAs: rev }
          - id: use-rev
            run: echo "rev=\${rev}" > rev.out
      - id: b
        title: Gate
        steps:
          - id: gate
            run: "echo 'gate is closed' >&2; exit 3"
`;

describe("interactive runs in a pseudo-terminal", () => {
  it("answers prompts, re-asks an input that does not match, overrides a failure with a reason, signs off", async () => {
    ws = workspace();
    ws.file("c.yaml", INTERACTIVE);
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor("Is the backup owner informed?");
    tmux.keys("y", "Enter");
    await tmux.waitFor("Revision before the rollback test?");
    tmux.answer("abc");
    await tmux.waitFor("must match ^[0-9]+$");
    tmux.keys("C-u");
    tmux.answer("42");
    await tmux.waitFor("failed. What now?");
    // Show full output, then Override (menu: Retry, Show full output, Override, Skip, Abort).
    tmux.keys("Down", "Enter");
    await tmux.waitFor(/gate is closed[\s\S]*gate is closed/);
    // The full output says what ran, where and how it ended.
    await tmux.waitFor(/command: {3}.*gate[\s\S]*cwd: {7}\/[\s\S]*exit code: 3/);
    await waitUntil("menu again", () => (tmux!.screen().match(/failed\. What now\?/g) ?? []).length >= 2);
    tmux.keys("Down", "Down", "Enter");
    await tmux.waitFor("Why is it done anyway?");
    // Esc goes back to the menu without recording anything; then Override for real.
    tmux.keys("Escape");
    await waitUntil("menu after Esc", () => (tmux!.screen().match(/failed\. What now\?/g) ?? []).length >= 3);
    tmux.keys("Down", "Down", "Enter");
    await waitUntil(
      "asked again",
      () => (tmux!.screen().match(/Why is it done anyway\?/g) ?? []).length >= 2,
    );
    tmux.answer("checked the gate by hand");
    await tmux.waitFor("Engineer:");
    tmux.keys("C-u");
    tmux.answer("Ann Engineer");
    await tmux.waitFor("Deployment ready?");
    tmux.keys("y", "Enter");
    await tmux.waitFor("Notes:");
    tmux.answer("smooth");
    await tmux.waitFor("Issues/Blockers:");
    tmux.answer("");
    expect(await tmux.exitCode()).toBe(0);
    const screen = tmux.screen();
    expect(screen).toContain("[1/2] Run and ask");
    expect(screen).toContain("Deployment signed off as ready.");
    expect(ws.read("rev.out")).toBe("rev=42\n");
    const id = onlyRunId(ws.stateDir);
    const events = journalEvents(ws.stateDir, id);
    expect(events.find((e) => e.type === "step-overridden")).toMatchObject({
      key: "b/gate",
      reason: "checked the gate by hand",
    });
    expect(events.find((e) => e.type === "signoff")).toMatchObject({
      engineer: "Ann Engineer",
      ready: true,
      notes: "smooth",
    });
    expect(existsSync(join(ws.stateDir, "runs", id, "record.json"))).toBe(true);
  });

  it("Ctrl-C stops the running command's whole process tree, records the interruption (exit 130); resume finishes", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      `${HEADER}sections:
  - id: s1
    title: Long
    items:
      - id: a
        title: Long command
        steps:
          - id: first
            run: echo first >> side.txt
          - id: long
            run: "if [ -f marker ]; then echo second >> side.txt; exit 0; fi; touch marker; echo $$ > pids.tmp; sleep 30 & echo $! >> pids.tmp; mv pids.tmp pids; wait"
`,
    );
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    const pidsFile = join(ws.dir, "pids");
    await waitUntil("the command's pids", () => existsSync(pidsFile));
    const pids = readFileSync(pidsFile, "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    // Twice: the second Ctrl-C arrives while the state is being saved and must not corrupt it.
    tmux.keys("C-c");
    tmux.keys("C-c");
    expect(await tmux.exitCode()).toBe(130);
    const id = onlyRunId(ws.stateDir);
    expect(tmux.screen()).toContain("run interrupted; everything so far is saved");
    // The command it prints is the one run next (the state dir comes from DEPLOYCHECK_STATE_DIR).
    expect(suggestedCommands(tmux.screen())).toEqual([`deploycheck resume ${id}`]);
    await waitUntil("the child and grandchild to be gone", () => !pids.some(alive), 5000);
    const events = journalEvents(ws.stateDir, id);
    expect(readFileSync(join(ws.stateDir, "runs", id, "journal.jsonl"), "utf8").endsWith("\n")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "step-interrupted", key: "a/long" });

    tmux.kill();
    tmux = new Tmux(ws);
    tmux.start(["resume", id]);
    await signOffReady(tmux);
    expect(await tmux.exitCode()).toBe(0);
    expect(ws.read("side.txt")).toBe("first\nsecond\n");
    const after = journalEvents(ws.stateDir, id);
    expect(after.filter((e) => e.type === "step-finished" && e.key === "a/long")).toHaveLength(1);
  });

  it("Abort in the failure menu prints a resume command that, pasted as printed, finishes the run", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      `${HEADER}sections:
  - id: s1
    title: One
    items:
      - id: a
        title: Gate
        steps:
          - id: gate
            run: test -f open
`,
    );
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor("failed. What now?");
    tmux.keys("Down", "Down", "Down", "Down", "Enter"); // Retry, Show full output, Override, Skip, Abort
    const code = await tmux.exitCode();
    expect(code).not.toBe(0);
    const id = onlyRunId(ws.stateDir);
    const printed = suggestedCommands(tmux.screen());
    expect(printed).toEqual([`deploycheck resume ${id}`]);
    tmux.kill();

    ws.file("open", "");
    tmux = new Tmux(ws);
    tmux.start(printed[0]!.split(" ").slice(1));
    await signOffReady(tmux);
    expect(await tmux.exitCode()).toBe(0);
    expect(journalEvents(ws.stateDir, id).find((e) => e.type === "signoff")).toMatchObject({ ready: true });
  });

  it("starting a checklist with an unfinished run asks: resume, abandon and start new, or cancel", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      `${HEADER}sections:
  - id: s1
    title: One
    items:
      - id: a
        title: Gate
        steps:
          - id: gate
            run: test -f open
`,
    );
    ws.file("answers.yaml", "signoff/ready: yes\n");
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml", "--non-interactive", "--answers", "answers.yaml"]);
    expect(await tmux.exitCode()).toBe(1);
    const first = onlyRunId(ws.stateDir);
    tmux.kill();
    ws.file("open", "");
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor(`Run ${first} of inter is unfinished`);
    tmux.keys("Down", "Enter"); // Abandon it and start a new run
    await signOffReady(tmux);
    expect(await tmux.exitCode()).toBe(0);
    expect(tmux.screen()).toContain(`Abandoned run ${first}`);
    expect(readdirSafe(join(ws.stateDir, "runs"))).toHaveLength(2);
  });

  it("Ctrl-C inside a prompt records the step as interrupted (exit 130); resume asks again", async () => {
    ws = workspace();
    ws.file("c.yaml", INTERACTIVE);
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor("Is the backup owner informed?");
    tmux.keys("C-c");
    expect(await tmux.exitCode()).toBe(130);
    const id = onlyRunId(ws.stateDir);
    expect(suggestedCommands(tmux.screen())).toEqual([`deploycheck resume ${id}`]);
    expect(journalEvents(ws.stateDir, id).at(-1)).toMatchObject({ type: "step-interrupted", key: "a/sure" });
    tmux.kill();
    tmux = new Tmux(ws);
    tmux.start(["resume"]);
    await tmux.waitFor("Is the backup owner informed?");
    expect(tmux.screen()).toContain(`Resuming run ${id}`);
  });
});
