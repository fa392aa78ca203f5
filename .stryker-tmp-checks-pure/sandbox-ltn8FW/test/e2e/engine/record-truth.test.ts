// @ts-nocheck
// The record says what happened (issue 12): the watch window actually observed, and more below.

import { existsSync, readFileSync } from "node:fs";
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

const HEADER = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: truth, title: Truth checklist }
`;

interface StepJson {
  key: string;
  status: string;
  summary?: string;
  details?: Record<string, unknown>;
}
interface RecordJson {
  sections: { items: { steps: StepJson[] }[] }[];
  signoff?: { ready: boolean; blockers: string };
  resumes: Record<string, unknown>[];
}

function recordOf(w: Workspace): RecordJson {
  const id = onlyRunId(w.stateDir);
  return JSON.parse(readFileSync(join(w.stateDir, "runs", id, "record.json"), "utf8")) as RecordJson;
}

function stepsOf(record: RecordJson): StepJson[] {
  return record.sections.flatMap((s) => s.items.flatMap((i) => i.steps));
}

describe("the watch window in the record", () => {
  it("duration 5s, interval 2s: rounds at both ends, first and last at least 5 s apart", async () => {
    ws = workspace();
    ws.file(
      "c.yaml",
      `${HEADER}sections:
  - id: main
    title: Main
    items:
      - id: monitor
        title: Monitor
        steps:
          - id: watch
            watch:
              duration: 5s
              interval: 2s
              steps:
                - id: alive
                  run: "true"
                  mutating: false
`,
    );
    ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const watch = stepsOf(recordOf(ws)).find((s) => s.key === "monitor/watch")!;
    const rounds = watch.details?.["rounds"] as { startedAt: string }[];
    expect(rounds).toHaveLength(4);
    const span = Date.parse(rounds.at(-1)!.startedAt) - Date.parse(rounds[0]!.startedAt);
    expect(span).toBeGreaterThanOrEqual(5000);
    expect(watch.details?.["window"]).toMatchObject({
      firstRoundAt: rounds[0]!.startedAt,
      lastRoundAt: rounds.at(-1)!.startedAt,
      observedMs: span,
    });
    expect(watch.summary).toMatch(
      /^4\/4 rounds passed, 5(\.\d)?s from first to last round \(window 5s, every 2s\)$/,
    );
  }, 30_000);
});

/** Item a fails (exit 1); item b passes. */
const FAILING = `${HEADER}sections:
  - id: main
    title: Main
    items:
      - id: a
        title: Gate
        steps:
          - id: gate
            run: exit 1
      - id: b
        title: Fine
        steps:
          - id: fine
            run: "true"
`;

describe("sign-off: ready is refused while a required step failed or was skipped", () => {
  it("non-interactive: 'ready: yes' after a failure signs nothing (exit 1, no record); 'no' signs not ready", async () => {
    ws = workspace();
    ws.file("c.yaml", FAILING);
    ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--keep-going"]);
    expect(r.code, r.stderr + r.stdout).toBe(1);
    const id = onlyRunId(ws.stateDir);
    expect(r.stdout).toContain(
      'Nothing was signed: the answers say ready, but "ready" is refused: 1 required step failed or skipped without override: a/gate (failed).',
    );
    expect(r.stdout).toContain(`deploycheck resume ${id} --answers answers.yaml`);
    expect(existsSync(join(ws.stateDir, "runs", id, "record.json"))).toBe(false);
    expect(journalEvents(ws.stateDir, id).map((e) => e.type)).not.toContain("signoff");

    // The printed command, with the answer changed to no, signs it off as not ready.
    ws.file("answers.yaml", "signoff/ready: no\nsignoff/engineer: Ann\n");
    const resumed = await cli(ws, ["resume", id, "--answers", "answers.yaml", "--keep-going"]);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(1);
    const record = recordOf(ws);
    expect(record.signoff).toMatchObject({ ready: false });
  }, 60_000);

  it("interactive: the question defaults to No, and 'yes' after a skip is refused and asked again", async () => {
    ws = workspace();
    ws.file("c.yaml", FAILING);
    tmux = new Tmux(ws);
    tmux.start(["run", "c.yaml"]);
    await tmux.waitFor("What now?");
    tmux.keys("Down", "Down", "Down", "Enter"); // Retry, Show output, Override, Skip
    await tmux.waitFor("Why skip it?");
    tmux.answer("not in staging");
    await tmux.waitFor("Engineer:");
    tmux.answer("");
    await tmux.waitFor(/Deployment ready\? \(y\/N\)/);
    tmux.keys("y", "Enter");
    await tmux.waitFor("Answer No to sign it off as not ready.");
    await tmux.waitFor(/Deployment ready\? \(y\/N\)\s*$/m);
    tmux.keys("Enter"); // the default: No
    await tmux.waitFor("Notes:");
    tmux.answer("");
    await tmux.waitFor("Issues/Blockers:");
    tmux.keys("Enter");
    expect(await tmux.exitCode()).toBe(1);
    const record = recordOf(ws);
    expect(record.signoff).toMatchObject({
      ready: false,
      blockers: expect.stringContaining("a/gate (skipped)"),
    });
  }, 60_000);
});
