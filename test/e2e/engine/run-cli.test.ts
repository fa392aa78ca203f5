// The run, resume, status and runs commands end to end, non-interactive (stdin is not a TTY).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  cli,
  ensureBuilt,
  journalEvents,
  onlyRunId,
  readdirSafe,
  spawnCli,
  type Workspace,
  workspace,
} from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
afterEach(() => ws?.cleanup());

const HEADER = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: demo, title: Demo checklist }
`;

/** Items a, b, c: a appends to side.txt, b is a confirm, c runs ./gate.sh (fails until gate-open exists). */
const BASIC = `${HEADER}vars:
  who: { default: world }
sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Append
        steps:
          - id: append
            run: echo "a \${who}" >> side.txt
      - id: b
        title: Confirm
        steps:
          - id: sure
            confirm: Is the backup owner informed?
          - id: aws
            confirm: AWS only?
            when: "\${who} == aws"
      - id: c
        title: Gate
        steps:
          - id: gate
            run: test -f gate-open
`;

const ANSWERS = "b/sure: yes\nsignoff/ready: yes\nsignoff/engineer: Ann\n";

describe("deploycheck run (non-interactive)", () => {
  it("lists every missing answer before anything runs", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    const r = await cli(ws, ["run", "c.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("b/sure: yes or no");
    expect(r.stderr).toContain("signoff/ready: yes or no");
    expect(r.stderr).not.toContain("b/aws"); // its when is false
    expect(existsSync(join(ws.dir, "side.txt"))).toBe(false);
    expect(readdirSafe(join(ws.stateDir, "runs"))).toEqual([]);
  });

  it("runs to sign-off with --answers: record written, status and runs report it", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    ws.file("gate-open", "");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const id = onlyRunId(ws.stateDir);
    expect(id).toMatch(/^demo-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(r.stdout).toContain("[1/3] Append");
    expect(r.stdout).toMatch(new RegExp(`^  deploycheck export ${id}$`, "m"));
    expect(existsSync(join(ws.stateDir, "runs", id, "record.json"))).toBe(true);
    const events = journalEvents(ws.stateDir, id);
    expect(events.at(-1)).toMatchObject({ type: "run-finished", exitCode: 0 });
    expect(events.find((e) => e.key === "b/aws")).toMatchObject({ outcome: { status: "not-applicable" } });

    const status = await cli(ws, ["status", id, "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      id,
      phase: "finished",
      engineer: "Ann",
      ready: true,
      counts: { total: 3, done: 3, failed: 0, pending: 0 },
    });
    expect(JSON.parse(status.stdout).items[0]).toMatchObject({
      id: "a",
      status: "passed",
      by: "Ann", // the session's engineer (from the answers file), not user@host
    });
    const runs = await cli(ws, ["runs", "--json"]);
    expect(JSON.parse(runs.stdout).runs).toMatchObject([
      { id, checklist: "demo", phase: "finished", engineer: "Ann" },
    ]);
    const resume = await cli(ws, ["resume", id]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain(`run ${id} is already finished`);
  });

  it("stops at a required failure (exit 1); run again needs --resume or --new; resume keeps done steps", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    const first = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("Stopped: required step c/gate");
    const id = onlyRunId(ws.stateDir);

    const again = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`run ${id} of demo is unfinished`);
    expect(again.stderr).toContain("--resume");

    const status = await cli(ws, ["status"]);
    expect(status.stdout).toContain("1 failed");
    expect(status.stdout).toMatch(new RegExp(`Resume it with:\n  deploycheck resume ${id}\n`));

    ws.file("gate-open", "");
    const resumed = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--resume"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(ws.read("side.txt")).toBe("a world\n"); // not run twice
    expect(readdirSafe(join(ws.stateDir, "runs"))).toEqual([id]);
  });

  it("--keep-going continues past a failure and refuses 'ready'", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--keep-going", "--json"]);
    expect(r.code).toBe(1);
    // --json: progress on stderr, one JSON result on stdout.
    expect(r.stderr).toContain('"ready" is refused');
    const id = onlyRunId(ws.stateDir);
    expect(JSON.parse(r.stdout)).toMatchObject({ runId: id, checklist: "demo", exitCode: 1 });
    // The answers say ready: refused, so nothing is signed (the run stays resumable).
    const events = journalEvents(ws.stateDir, id);
    expect(events.find((e) => e.type === "signoff")).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: "run-aborted", abandoned: false });
  });

  it("--new abandons the unfinished run and starts another", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    const old = onlyRunId(ws.stateDir);
    ws.file("gate-open", "");
    // `deploycheck <checklist>` is short for `deploycheck run <checklist>`.
    const r = await cli(ws, ["c.yaml", "--answers", "answers.yaml", "--new"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Abandoned run ${old}`);
    const runs = JSON.parse((await cli(ws, ["runs", "--json"])).stdout).runs as {
      id: string;
      phase: string;
    }[];
    expect(runs.map((x) => x.phase).sort()).toEqual(["abandoned", "finished"]);
  });

  it("a refused guard runs nothing and exits 3 with the guard's message", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      BASIC.replace(
        "sections:",
        "guards:\n  - id: ctx\n    mutating: false\n    run: echo 'current context is prod, expected staging' >&2; exit 1\nsections:",
      ),
    );
    ws.file("answers.yaml", ANSWERS);
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(r.code).toBe(3);
    expect(existsSync(join(ws.dir, "side.txt"))).toBe(false);
    expect(r.stderr).toContain("deploycheck:");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    // The refusal is kept (its journal says why) but it is no run: `runs` leaves it out, says so, --all shows it.
    const id = onlyRunId(ws.stateDir);
    expect(journalEvents(ws.stateDir, id).at(-1)).toMatchObject({ type: "run-aborted", abandoned: true });
    const listed = await cli(ws, ["runs"]);
    expect(listed.stdout).not.toContain(id);
    expect(listed.stdout).toContain(
      "(1 run refused by a guard before any step ran not shown; deploycheck runs --all lists it)",
    );
    expect((await cli(ws, ["runs", "--json"])).stdout).not.toContain(id);
    const all = await cli(ws, ["runs", "--all"]);
    expect(all.stdout).toMatch(new RegExp(`${id}\\s+demo\\s+abandoned`));
  });

  it("dry run executes read-only steps and only describes mutating ones", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      BASIC.replace(
        'run: echo "a ${who}" >> side.txt',
        'run: echo "a ${who}" >> side.txt\n            mutating: true',
      ),
    );
    ws.file("answers.yaml", ANSWERS);
    ws.file("gate-open", "");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(ws.dir, "side.txt"))).toBe(false);
    const events = journalEvents(ws.stateDir, onlyRunId(ws.stateDir));
    expect(events.find((e) => e.type === "step-finished" && e.key === "a/append")).toMatchObject({
      outcome: { status: "described", dryRun: true },
    });
    // A run step not declared read-only is only described too; the report lists what ran and what not.
    expect(events.find((e) => e.type === "step-finished" && e.key === "c/gate")).toMatchObject({
      outcome: { status: "described" },
    });
    expect(r.stdout).toContain("Dry run: these steps ran (read-only):\n  b/sure\n");
    expect(r.stdout).toContain("Only described, not run (mutating):\n  a/append\n  c/gate\n");
    expect(events.find((e) => e.type === "signoff")).toMatchObject({ ready: false });
  });

  it("resume after a checklist change re-runs exactly the changed steps", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    const id = onlyRunId(ws.stateDir);
    ws.file(
      "c.yaml",
      BASIC.replace('echo "a ${who}"', 'echo "A2 ${who}"').replace("test -f gate-open", "exit 0"),
    );
    const r = await cli(ws, ["resume", id, "--answers", "answers.yaml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/these steps changed and run again: a\/append, c\/gate/);
    expect(ws.read("side.txt")).toBe("a world\nA2 world\n");
    const resumed = journalEvents(ws.stateDir, id).find((e) => e.type === "run-resumed");
    expect(resumed).toMatchObject({ changedSteps: ["a/append", "c/gate"] });
  });

  it("a torn last journal line is ignored; a corrupt earlier line names file and line", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    const id = onlyRunId(ws.stateDir);
    const journal = join(ws.stateDir, "runs", id, "journal.jsonl");
    appendFileSync(journal, '{"v":1,"type":"step-sta');
    ws.file("gate-open", "");
    const ok = await cli(ws, ["resume", "--answers", "answers.yaml"]);
    expect(ok.code, ok.stderr).toBe(0);
    const lines = readFileSync(journal, "utf8").split("\n");
    lines[2] = "{ not json";
    writeFileSync(journal, lines.join("\n"));
    const bad = await cli(ws, ["status", id]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${journal}:3: corrupt journal line`);
  });

  it("of two concurrent runs of a checklist exactly one wins the lock", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC.replace("test -f gate-open", "sleep 1"));
    ws.file("answers.yaml", ANSWERS);
    const [r1, r2] = await Promise.all([
      cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]),
      cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]),
    ]);
    const codes = [r1.code, r2.code].sort();
    expect(codes).toEqual([0, 2]);
    const loser = r1.code === 2 ? r1 : r2;
    expect(loser.stderr).toMatch(/run demo-\S+ of demo is held by pid \d+ on host \S+ since /);
    expect(readdirSafe(join(ws.stateDir, "runs"))).toHaveLength(1);
    expect(ws.read("side.txt")).toBe("a world\n");
  });

  it("a stale lock (dead pid on this host) is taken over and noted in the journal", async () => {
    ws = workspace();
    ws.file("c.yaml", BASIC);
    ws.file("answers.yaml", ANSWERS);
    ws.file("gate-open", "");
    const child = spawnCli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    child.kill("SIGKILL");
    await child.exited;
    const { hostname } = await import("node:os");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(ws.stateDir, "locks"), { recursive: true });
    writeFileSync(
      join(ws.stateDir, "locks", "demo.lock"),
      JSON.stringify({
        pid: child.pid,
        host: hostname(),
        startedAt: "2026-01-01T00:00:00Z",
        runId: "demo-x",
        checklist: "demo",
      }),
    );
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--new"]);
    expect(r.code, r.stderr).toBe(0);
    const id = readdirSafe(join(ws.stateDir, "runs")).at(-1)!;
    expect(journalEvents(ws.stateDir, id).some((e) => e.type === "lock-taken-over")).toBe(true);
  });
});

describe("shell metacharacters are data", () => {
  it("in a --var and in an input answer, nothing is executed", async () => {
    ws = workspace();
    const nasty = [
      `$(touch pwned1)`,
      "`touch pwned2`",
      "x; touch pwned3",
      `"'; touch pwned4; '"`,
      "a\ntouch pwned5",
    ];
    ws.file(
      "c.yaml",
      `${HEADER}vars:
  v0: { default: "" }
  v1: { default: "" }
  v2: { default: "" }
  v3: { default: "" }
  v4: { default: "" }
sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Vars
        steps:
          - id: echo-vars
            run: printf '%s|' \${v0} \${v1} \${v2} \${v3} \${v4} > vars.out
          - id: ask
            input: { prompt: "Anything?", saveAs: typed }
          - id: echo-input
            run: printf '%s' \${typed} > input.out
`,
    );
    ws.file(
      "answers.yaml",
      `a/ask: ${JSON.stringify(nasty.join(" "))}\nsignoff/ready: yes\nsignoff/engineer: Ann\n`,
    );
    const args = ["run", "c.yaml", "--answers", "answers.yaml"];
    for (const [i, value] of nasty.entries()) args.push("--var", `v${i}=${value}`);
    const r = await cli(ws, args);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (let i = 1; i <= 5; i++) expect(existsSync(join(ws.dir, `pwned${i}`))).toBe(false);
    expect(ws.read("vars.out")).toBe(`${nasty.join("|")}|`);
    expect(ws.read("input.out")).toBe(nasty.join(" "));
  });
});
