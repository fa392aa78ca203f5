// @ts-nocheck
// Limits that hold in the built CLI: a step's timeout ends it whatever its children do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../../src/engine/events.js";
import { fold } from "../../../src/engine/state.js";
import { alive, cli, ensureBuilt, onlyRunId, type Workspace, workspace } from "./harness.js";

beforeAll(() => ensureBuilt());

const workspaces: Workspace[] = [];
const daemons: number[] = [];
afterEach(() => {
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // stopped by the run, as it should be
    }
  }
  for (const ws of workspaces.splice(0)) ws.cleanup();
});

function events(ws: Workspace, id: string): RunEvent[] {
  const text = readFileSync(join(ws.stateDir, "runs", id, "journal.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as RunEvent);
}

describe("step timeouts in the CLI", () => {
  it("a `setsid sleep 1000 & echo x` step with timeout: 2s ends, and its daemon is handled", async () => {
    const ws = workspace("dc-limits-");
    workspaces.push(ws);
    const untilLeft = 'until [ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ]; do :; done';
    ws.file(
      "c.yaml",
      [
        "apiVersion: deploycheck/v1",
        "kind: Checklist",
        "metadata: { name: limits, title: Limits }",
        "sections:",
        "  - id: s",
        "    title: S",
        "    items:",
        "      - id: daemon",
        "        title: Daemon",
        "        steps:",
        "          - id: left",
        // bash must not exit before the daemon has left its group (setsid, then exec sleep): under load
        // the group stop would otherwise catch it as a member, and it would not be a stray at all.
        `            run: 'setsid sleep 1000 & echo $! > left.pid; ${untilLeft}; echo x'`,
        "            timeout: 2s",
        "          - id: waited",
        `            run: 'setsid sleep 1000 & echo $! > waited.pid; ${untilLeft}; echo x; wait'`,
        "            timeout: 2s",
        "            optional: true",
        "",
      ].join("\n"),
    );
    ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    const left = Number(ws.read("left.pid"));
    const waited = Number(ws.read("waited.pid"));
    daemons.push(left, waited);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const state = fold(events(ws, onlyRunId(ws.stateDir)));
    expect(state.steps["daemon/left"]?.status).toBe("passed");
    expect(state.steps["daemon/left"]?.outcome?.details?.["strayProcesses"]).toEqual([
      { pid: left, command: "sleep 1000" },
    ]);
    expect(state.steps["daemon/waited"]?.outcome?.summary).toBe("timed out after 2s");
    expect(state.steps["daemon/waited"]?.outcome?.details?.["strayProcesses"]).toEqual([
      { pid: waited, command: "sleep 1000" },
    ]);
    expect(alive(left)).toBe(false);
    expect(alive(waited)).toBe(false);
    // Each step's process group was journaled before its command ran.
    expect(Object.keys(state.processes ?? {}).sort()).toEqual(["daemon/left", "daemon/waited"]);
  }, 60_000);
});
