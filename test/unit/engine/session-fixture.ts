// The run session the runner's unit suites start from: a non-interactive first session of run "demo-1"
// by "ann", answered ready; each test overrides what it is about.
import type { Checklist } from "../../../src/checklist/schema.js";
import type { Answers } from "../../../src/engine/answers.js";
import type { RunSession } from "../../../src/engine/runner.js";

export const READY: Answers = { "signoff/ready": { value: "yes" }, "signoff/engineer": { value: "ann" } };

export function testSession(c: Checklist, over: Partial<RunSession> = {}): RunSession {
  return {
    runId: "demo-1",
    checklist: c,
    vars: {},
    secretVars: [],
    env: {},
    cwd: "/",
    interactive: false,
    dryRun: false,
    keepGoing: false,
    answers: READY,
    kube: {},
    signal: new AbortController().signal,
    engineer: "ann",
    firstSession: true,
    ...over,
  };
}
