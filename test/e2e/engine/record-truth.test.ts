// The record says what happened (issue 12): the watch window actually observed, and more below.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, onlyRunId, type Workspace, workspace } from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
afterEach(() => ws?.cleanup());

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
  signoff?: { ready: boolean };
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
