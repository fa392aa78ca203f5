// The `http` step kind. Placeholder until its executor lands.
import type { StepOutcome } from "../engine/events.js";
import type { Executor } from "./types.js";

export const execute: Executor = async (): Promise<StepOutcome> => ({
  status: "failed",
  summary: "the http step kind is not implemented yet",
  error: "not implemented",
});

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeHttp as describe } from "../checklist/describe.js";
