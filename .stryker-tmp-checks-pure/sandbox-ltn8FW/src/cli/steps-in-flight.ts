// @ts-nocheck
// Resume after a crash: a step's command may still be running (deploycheck was killed with kill -9, or
// its terminal closed mid-step). Before anything runs again, every journaled process group that is
// still alive is waited for or stopped, so two copies of a step never run at once.
import { identityAlive, type ProcessInfo, stopIdentity } from "../checks/process-group.js";
import type { Output, Prompter } from "../engine/ports.js";
import type { RunState, StepProcess } from "../engine/state.js";
import { InterruptedError, StateError } from "../errors.js";

/** Time a left-over group gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 2000;
const POLL_MS = 100;

export interface InFlightOptions {
  interactive: boolean;
  prompter: () => Prompter;
  output: Output;
  signal: AbortSignal;
}

/** The journaled process groups of this run that still run on this machine. */
export function stepsStillRunning(state: RunState): StepProcess[] {
  return Object.values(state.processes ?? {}).filter((p) => identityAlive(p));
}

/**
 * Wait for or stop every step command left running by an earlier session. Interactive: ask (wait, or
 * stop it now); non-interactive: stop it. Either way the step then runs again from its start.
 */
export async function settleStepsInFlight(state: RunState, options: InFlightOptions): Promise<void> {
  for (const proc of stepsStillRunning(state)) {
    const what = `Step ${proc.key} from an earlier session is still running (process group ${proc.pgid})`;
    let choice: "wait" | "stop" = "stop";
    if (options.interactive) {
      choice = await options.prompter().select(
        `${what}. It must end before the run goes on. What now?`,
        [
          { value: "wait", name: "Wait for it to finish", description: "then run the step again" },
          {
            value: "stop",
            name: "Stop it now",
            description: "SIGTERM, then SIGKILL; then run the step again",
          },
        ],
        { default: "wait" },
      );
    }
    if (choice === "wait") {
      options.output.info(
        `${what}: waiting for it to end (Ctrl-C to stop waiting; the run stays resumable).`,
      );
      while (identityAlive(proc)) {
        if (options.signal.aborted)
          throw new InterruptedError(
            `Run interrupted while waiting for step ${proc.key}. Resume with: deploycheck resume ${state.runId}`,
          );
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      options.output.info(`Step ${proc.key}: the earlier copy ended; the step runs again.`);
      continue;
    }
    const left: ProcessInfo[] = await stopIdentity(proc, STOP_GRACE_MS);
    if (left.length || identityAlive(proc)) {
      throw new StateError(
        `${what} and could not be stopped${left.length ? `: ${left.map((p) => `${p.pid} (${p.command})`).join(", ")}` : ""}; not running a second copy`,
        { hint: "Stop those processes (or wait for them to end), then resume again." },
      );
    }
    options.output.warn(`${what}: stopped it; the step runs again.`);
  }
}
