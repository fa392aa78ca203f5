// Resume says what changed (issue 12.1-3), with the built CLI: variables changed on resume are listed
// and need --allow-var-change (or a confirmation), the steps they change run again, the record names
// each session's values and engineer; a secret is never shown; a dry run stays a dry run.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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

/** a/show writes the window it ran with; b/tok uses the secret; c/gate fails until `open` exists. */
const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: vc, title: Var change }
vars:
  window: { default: "30m" }
  token: { secret: true, env: TOKEN }
sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Uses the window
        steps:
          - id: show
            run: echo "window=\${window}" >> out.txt
            mutating: false
      - id: b
        title: Uses the token
        steps:
          - id: tok
            run: test -n "\${token}" && echo tok >> out.txt
            mutating: false
      - id: c
        title: Gate
        steps:
          - id: gate
            run: test -f open
            mutating: false
`;

interface RecordJson {
  variables: Record<string, string>;
  sessions: {
    n: number;
    kind: string;
    engineer?: string;
    variables?: Record<string, string>;
    changedVariables: string[];
  }[];
  resumes: { changedSteps: string[]; changedVariables?: string[]; rerunSteps?: string[]; by?: string }[];
  sections: { items: { steps: { key: string; session?: number; summary?: string }[] }[] }[];
  signoff?: { engineer: string };
}

function record(id: string): RecordJson {
  return JSON.parse(readFileSync(join(ws.stateDir, "runs", id, "record.json"), "utf8")) as RecordJson;
}

function journalText(id: string): string {
  return readFileSync(join(ws.stateDir, "runs", id, "journal.jsonl"), "utf8");
}

/** Every file under the workspace, as text (to look for a secret anywhere it could have been written). */
function allFiles(dir: string): string {
  let out = "";
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? allFiles(p) : readFileSync(p, "latin1");
  }
  return out;
}

/** A run that stopped at c/gate after a/show and b/tok passed with window=30m. */
async function stoppedRun(extraEnv: Record<string, string> = {}): Promise<string> {
  ws = workspace();
  ws.file("c.yaml", CHECKLIST);
  ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
  const first = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"], {
    TOKEN: "tok-first-111",
    ...extraEnv,
  });
  expect(first.code, first.stderr + first.stdout).toBe(1);
  return onlyRunId(ws.stateDir);
}

describe("variables changed on resume", () => {
  it("non-interactive: refused with the list (exit 2), nothing run or journaled; --allow-var-change re-runs the done step and the record shows both sessions", async () => {
    const id = await stoppedRun();
    ws.file("open", "");
    const before = journalText(id);

    const refused = await cli(ws, ["resume", id, "--answers", "answers.yaml", "--var", "window=1m"], {
      TOKEN: "tok-first-111",
    });
    expect(refused.code, refused.stdout).toBe(2);
    expect(refused.stderr).toContain(`Variables differ from the previous session of run ${id}:`);
    expect(refused.stderr).toContain('window: "30m" -> "1m"');
    expect(refused.stderr).toContain("a/show (had a result: passed; runs again)");
    expect(refused.stderr).not.toContain("b/tok");
    expect(refused.stderr).toContain("pass --allow-var-change to accept");
    expect(journalText(id)).toBe(before);
    expect(ws.read("out.txt")).toBe("window=30m\ntok\n");

    const accepted = await cli(
      ws,
      ["resume", id, "--answers", "answers.yaml", "--var", "window=1m", "--allow-var-change"],
      { TOKEN: "tok-first-111" },
    );
    expect(accepted.code, accepted.stderr + accepted.stdout).toBe(0);
    expect(accepted.stderr + accepted.stdout).toContain("Accepted (--allow-var-change).");
    // a/show ran again with the new value; b/tok (unchanged) kept its result.
    expect(ws.read("out.txt")).toBe("window=30m\ntok\nwindow=1m\n");

    const resumed = journalEvents(ws.stateDir, id).find((e) => e.type === "run-resumed");
    expect(resumed).toMatchObject({
      vars: { window: "1m", token: "[REDACTED]" },
      changedVars: ["window"],
      varChangedSteps: ["a/show"],
      editedSteps: [],
      changedSteps: ["a/show"],
    });
    const r = record(id);
    expect(r.variables).toEqual({ window: "1m", token: "[REDACTED]" });
    expect(r.sessions.map((s) => [s.n, s.kind, s.variables?.["window"], s.changedVariables])).toEqual([
      [1, "start", "30m", []],
      [2, "resume", "1m", ["window"]],
    ]);
    expect(r.resumes).toEqual([
      expect.objectContaining({ changedSteps: ["a/show"], changedVariables: ["window"] }),
    ]);
    const steps = Object.fromEntries(
      r.sections[0]!.items.flatMap((i) => i.steps).map((s) => [s.key, s.session]),
    );
    expect(steps).toEqual({ "a/show": 2, "b/tok": 1, "c/gate": 2 });

    const status = await cli(ws, ["status", id]);
    expect(status.stdout).toMatch(
      /resumed +\S+ by Ann \(\S+\) \(variables changed: window; re-ran changed: a\/show\)/,
    );
    // The signed record with its sessions verifies.
    const verified = await cli(ws, ["verify", join(ws.stateDir, "runs", id, "record.json")]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(
      "sessions   1 start by Ann; 2 resume by Ann (variables changed: window)",
    );
  }, 60_000);

  it("an unchanged resume asks nothing; a changed secret is listed as changed and its values are never written or printed", async () => {
    const id = await stoppedRun();
    const same = await cli(ws, ["resume", id, "--answers", "answers.yaml"], { TOKEN: "tok-first-111" });
    expect(same.code).toBe(1); // the gate is still closed; no variable changed
    expect(same.stderr + same.stdout).not.toContain("Variables differ");

    ws.file("open", "");
    const refused = await cli(ws, ["resume", id, "--answers", "answers.yaml"], { TOKEN: "tok-second-222" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("token: changed (secret, value not shown)");
    expect(refused.stderr).toContain("b/tok (had a result: passed; runs again)");

    const accepted = await cli(ws, ["resume", id, "--answers", "answers.yaml", "--allow-var-change"], {
      TOKEN: "tok-second-222",
    });
    expect(accepted.code, accepted.stderr + accepted.stdout).toBe(0);
    expect(ws.read("out.txt")).toBe("window=30m\ntok\ntok\n");
    const printed =
      refused.stdout + refused.stderr + accepted.stdout + accepted.stderr + same.stdout + same.stderr;
    const written = allFiles(ws.stateDir);
    for (const secret of ["tok-first-111", "tok-second-222"]) {
      expect(printed).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
    const r = record(id);
    expect(r.sessions.at(-1)).toMatchObject({
      variables: { token: "[REDACTED]" },
      changedVariables: ["token"],
    });
    expect(r.resumes.at(-1)).toMatchObject({ changedSteps: ["b/tok"], changedVariables: ["token"] });
  }, 60_000);

  it("interactive: the confirmation defaults to No (nothing changed, exit 1); yes continues with the new value", async () => {
    const id = await stoppedRun();
    ws.file("open", "");
    const before = journalText(id);
    ws.env["TOKEN"] = "tok-first-111";
    tmux = new Tmux(ws);
    tmux.start(["resume", id, "--var", "window=1m"]);
    await tmux.waitFor('window: "30m" -> "1m"');
    await tmux.waitFor(/Resume with the changed variables\? \(y\/N\)/);
    tmux.keys("Enter");
    expect(await tmux.exitCode()).toBe(1);
    expect(tmux.screen()).toContain(`Nothing was changed or run. Run ${id} keeps its variables.`);
    expect(journalText(id)).toBe(before);
    tmux.kill();

    tmux = new Tmux(ws);
    tmux.start(["resume", id, "--var", "window=1m"]);
    await tmux.waitFor(/Resume with the changed variables\? \(y\/N\)/);
    tmux.keys("y", "Enter");
    await tmux.waitFor(/\? Engineer:/);
    expect(ws.read("out.txt")).toBe("window=30m\ntok\nwindow=1m\n");
    expect(journalEvents(ws.stateDir, id).find((e) => e.type === "run-resumed")).toMatchObject({
      changedVars: ["window"],
      varChangedSteps: ["a/show"],
    });
  }, 60_000);
});

describe("the engineer, once per session", () => {
  it("DEPLOYCHECK_ENGINEER at the start, --engineer on resume: the header, status, sign-off default and record name them", async () => {
    ws = workspace();
    ws.file("c.yaml", CHECKLIST);
    ws.file("answers.yaml", "signoff/ready: yes\n");
    const first = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"], {
      TOKEN: "tok-first-111",
      DEPLOYCHECK_ENGINEER: "Eve Example",
    });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("Engineer (this session): Eve Example");
    const id = onlyRunId(ws.stateDir);
    const status = await cli(ws, ["status", id]);
    expect(status.stdout).toMatch(/started +\S+ by Eve Example on /);
    expect(status.stdout).toMatch(/\[1\/3\] passed +Uses the window +\S+ by Eve Example/);

    ws.file("open", "");
    const resumed = await cli(ws, ["resume", id, "--answers", "answers.yaml", "--engineer", "Bob Builder"], {
      TOKEN: "tok-first-111",
      DEPLOYCHECK_ENGINEER: "Eve Example",
    });
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain("Engineer (this session): Bob Builder");
    const r = record(id);
    expect(r.sessions.map((s) => s.engineer)).toEqual(["Eve Example", "Bob Builder"]);
    expect(r.signoff?.engineer).toBe("Bob Builder");
    expect(r.resumes[0]?.by).toMatch(/^Bob Builder \(/);
    const status2 = await cli(ws, ["status", id]);
    expect(status2.stdout).toMatch(/\[3\/3\] passed +Gate +\S+ by Bob Builder/);
  }, 60_000);

  it("an engineer name with control sequences is shown on one line, without them; the journal keeps it as given", async () => {
    ws = workspace();
    ws.file("c.yaml", CHECKLIST);
    ws.file("answers.yaml", "signoff/ready: yes\n");
    const name = "Eve\u001b[2J\nEngineer (this session): Mallory";
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--engineer", name], {
      TOKEN: "tok-first-111",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("\u001b");
    // One header line: the name's line break cannot start a second, spoofed one.
    expect(r.stdout.match(/^Engineer \(this session\)/gm)).toHaveLength(1);
    expect(r.stdout).toContain("Engineer (this session): Eve Engineer (this session): Mallory");
    const started = journalEvents(ws.stateDir, onlyRunId(ws.stateDir))[0];
    expect(started).toMatchObject({ environment: { engineer: name } });
  });
});

const DRY = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: dry, title: Dry }
sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Gate
        steps:
          - id: gate
            run: test -f open
            mutating: false
      - id: b
        title: Deploy
        steps:
          - id: deploy
            run: touch deployed
`;

describe("dry run: the mode is part of the run", () => {
  it("a dry run resumed without --dry-run stays a dry run: the mutating step is only described", async () => {
    ws = workspace();
    ws.file("c.yaml", DRY);
    ws.file("answers.yaml", "signoff/ready: no\nsignoff/engineer: Ann\n");
    const first = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--dry-run"]);
    expect(first.code).toBe(1);
    const id = onlyRunId(ws.stateDir);
    ws.file("open", "");
    const resumed = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain(`Resuming run ${id} of Dry (dry run)`);
    expect(resumed.stdout).toContain("This run was started with --dry-run: it continues as a dry run");
    expect(resumed.stdout).toContain("deploycheck run dry --new");
    expect(existsSync(join(ws.dir, "deployed"))).toBe(false);
    const steps = JSON.parse(readFileSync(join(ws.stateDir, "runs", id, "record.json"), "utf8")).sections[0]
      .items[1].steps;
    expect(steps[0]).toMatchObject({ key: "b/deploy", status: "described", dryRun: true });
  }, 60_000);

  it("a real run resumed with --dry-run is refused (exit 2), nothing run", async () => {
    ws = workspace();
    ws.file("c.yaml", DRY);
    ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
    const first = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(first.code).toBe(1);
    const id = onlyRunId(ws.stateDir);
    const before = journalText(id);
    ws.file("open", "");
    const r = await cli(ws, ["resume", id, "--answers", "answers.yaml", "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `run ${id} was started for real, not with --dry-run: a dry run cannot continue it`,
    );
    expect(r.stderr).toContain("deploycheck run dry --dry-run --new");
    expect(journalText(id)).toBe(before);
    const viaRun = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--dry-run", "--resume"]);
    expect(viaRun.code).toBe(2);
    expect(journalText(id)).toBe(before);
    expect(existsSync(join(ws.dir, "deployed"))).toBe(false);
  }, 60_000);
});
