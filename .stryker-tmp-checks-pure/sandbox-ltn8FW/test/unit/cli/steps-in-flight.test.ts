// @ts-nocheck
// Resume after a crash with a step's command still running: it is waited for or stopped (never run
// twice at once). Real process groups; a scripted prompter for the interactive choice.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { groupAlive, groupIdentity } from "../../../src/checks/process-group.js";
import { settleStepsInFlight, stepsStillRunning } from "../../../src/cli/steps-in-flight.js";
import type { RunState } from "../../../src/engine/state.js";
import { FakePrompter, RecordingOutput } from "../../helpers/fakes.js";

const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

/** A detached `bash -c script` (its own process group), as a run step's command runs. */
function startGroup(script: string): number {
  const child = spawn("bash", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  groups.push(child.pid!);
  return child.pid!;
}

function stateWith(pgid: number): RunState {
  return {
    runId: "r-1",
    processes: {
      "a/deploy": { at: "2026-11-30T00:00:00.000Z", key: "a/deploy", attempt: 1, ...groupIdentity(pgid) },
    },
  } as unknown as RunState;
}

const options = (prompter: FakePrompter, interactive: boolean, output = new RecordingOutput()) => ({
  interactive,
  prompter: () => prompter,
  output,
  signal: new AbortController().signal,
});

describe("steps left running by an earlier session", () => {
  it("non-interactive: stops the group, then lets the step run again", async () => {
    const pgid = startGroup("sleep 30 & wait");
    await new Promise((r) => setTimeout(r, 100));
    const state = stateWith(pgid);
    expect(stepsStillRunning(state).map((p) => p.key)).toEqual(["a/deploy"]);
    const output = new RecordingOutput();
    await settleStepsInFlight(state, options(new FakePrompter(), false, output));
    expect(groupAlive(pgid)).toBe(false);
    expect(output.text()).toContain("Step a/deploy from an earlier session is still running");
    expect(output.text()).toContain("stopped it; the step runs again");
  });

  it("interactive: waits for it when asked to, without stopping it", async () => {
    const pgid = startGroup("sleep 0.6; touch /dev/null");
    await new Promise((r) => setTimeout(r, 100));
    const prompter = new FakePrompter([{ q: "still running", a: "wait" }]);
    const output = new RecordingOutput();
    await settleStepsInFlight(stateWith(pgid), options(prompter, true, output));
    expect(groupAlive(pgid)).toBe(false);
    expect(output.text()).toContain("the earlier copy ended");
  });

  it("interactive: stops it when asked to", async () => {
    const pgid = startGroup("sleep 30 & wait");
    await new Promise((r) => setTimeout(r, 100));
    const prompter = new FakePrompter([{ q: "still running", a: "stop" }]);
    await settleStepsInFlight(stateWith(pgid), options(prompter, true));
    expect(groupAlive(pgid)).toBe(false);
  });

  it("a group that ended, or whose pid now belongs to another process, is not in flight", async () => {
    const pgid = startGroup("exit 0");
    await new Promise((r) => setTimeout(r, 200));
    expect(stepsStillRunning(stateWith(pgid))).toEqual([]);
    const other = startGroup("sleep 30");
    await new Promise((r) => setTimeout(r, 100));
    const reused = stateWith(other);
    reused.processes!["a/deploy"]!.startTime = "1";
    expect(stepsStillRunning(reused)).toEqual([]);
  });
});
