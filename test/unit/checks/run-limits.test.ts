// Limits that hold whatever a run step's command does: processes that leave the step's process group
// (setsid, daemons) cannot keep the step open past its end or its timeout, and the record names them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { groupAlive, identityAlive, STEP_MARKER_VAR } from "../../../src/checks/process-group.js";
import { execute } from "../../../src/checks/run.js";
import { makeContext, tempDir } from "./context.js";

const step = (run: Step["run"]): Step => ({ id: "s", run }) as Step;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

const pidIn = (file: string) => Number(readFileSync(file, "utf8").trim());

let dir: string;
let cleanup: () => void;
const started: number[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir("dc-limits-"));
});
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
  }
  cleanup();
});

describe("run step limits", () => {
  it("ends a step whose command left a setsid daemon holding its output, and stops the daemon", async () => {
    const pidFile = path.join(dir, "daemon");
    const out = await execute(
      // bash waits until the child has become sleep (setsid() comes before the exec): under load bash
      // could otherwise exit first, and the child, still in the step's group, would be stopped with it.
      step(
        `setsid sleep 1099 & echo $! > ${pidFile}; until [ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ]; do :; done; echo started`,
      ),
      makeContext({ cwd: dir, signal: AbortSignal.timeout(2000), timeoutMs: 2000 }),
    );
    const daemon = pidIn(pidFile);
    started.push(daemon);
    expect(out.status).toBe("passed");
    expect(out.output).toBe("started");
    expect(out.details?.["strayProcesses"]).toEqual([{ pid: daemon, command: "sleep 1099" }]);
    expect(isRunning(daemon)).toBe(false);
  }, 20_000);

  it("a timeout ends the step, stops processes that left its group, and says it timed out", async () => {
    const pidFile = path.join(dir, "daemon");
    const out = await execute(
      step(`setsid sleep 1099 & echo $! > ${pidFile}; echo started; wait`),
      makeContext({ cwd: dir, signal: AbortSignal.timeout(1000), timeoutMs: 1000 }),
    );
    const daemon = pidIn(pidFile);
    started.push(daemon);
    expect(out).toMatchObject({ status: "failed", summary: "timed out after 1s", output: "started" });
    expect(out.details?.["strayProcesses"]).toEqual([{ pid: daemon, command: "sleep 1099" }]);
    expect(isRunning(daemon)).toBe(false);
  }, 20_000);

  it("closes the output held by a process it cannot find, and the record says so", async () => {
    const pidFile = path.join(dir, "daemon");
    // env -i drops the step's marker: nothing identifies this process as the step's any more.
    const out = await execute(
      // Wait until the job has become sleep (env -i done): before that it still carries the marker. Its
      // name, not its command line: env's own command line already holds the word sleep.
      step(
        `env -i /usr/bin/setsid /usr/bin/sleep 1099 & p=$!; echo $p > ${pidFile}; until [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done; echo started`,
      ),
      makeContext({ cwd: dir, signal: AbortSignal.timeout(2000), timeoutMs: 2000 }),
    );
    started.push(pidIn(pidFile));
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(
      /; its output was held open by a process it could not find \(left running\)$/,
    );
    expect(out.details?.["outputHeldOpen"]).toBe(true);
  }, 20_000);

  it("hands the runner the group's identity before the command runs; it is dead once the step ends", async () => {
    const ctx = makeContext({ cwd: dir });
    let identity: Parameters<NonNullable<typeof ctx.recordProcess>>[0] | undefined;
    let aliveDuring = false;
    ctx.recordProcess = async (group) => {
      identity = group;
      aliveDuring = identityAlive(group) && groupAlive(group.pgid);
    };
    const out = await execute(step(`echo "$${STEP_MARKER_VAR}"`), ctx);
    expect(out.status).toBe("passed");
    expect(identity?.marker).toBeTruthy();
    expect(out.output).toBe(identity?.marker);
    expect(aliveDuring).toBe(true);
    expect(identityAlive(identity!)).toBe(false);
    expect(identityAlive({ ...identity!, startTime: "1" })).toBe(false);
  });
});
