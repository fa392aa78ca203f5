// The run session the runner's unit suites start from: a non-interactive first session of run "demo-1"
// by "ann", answered ready; each test overrides what it is about.
import type { Checklist } from "../../../src/checklist/schema.js";
import type { Answers } from "../../../src/engine/answers.js";
import { EVENT_VERSION, type RunEvent } from "../../../src/engine/events.js";
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

/** The journal's first event for that session, started at `at`; each test overrides what it is about. */
export function startEvent(
  c: Checklist,
  at: string,
  over: Partial<Extract<RunEvent, { type: "run-started" }>> = {},
): RunEvent {
  return {
    v: EVENT_VERSION,
    type: "run-started",
    at,
    runId: "demo-1",
    checklist: { name: c.metadata.name, title: c.metadata.title, path: "/x.yaml", sha256: "s" },
    vars: {},
    secretVars: [],
    environment: { host: "h", user: "u", toolVersion: "0", node: "20", platform: "linux", cwd: "/" },
    options: { dryRun: false, interactive: false, keepGoing: false },
    stepHashes: {},
    ...over,
  } as RunEvent;
}
