// The `kube` step kind. Placeholder until its executor lands.
import type { StepOutcome } from "../engine/events.js";
import type { Executor } from "./types.js";

export const execute: Executor = async (): Promise<StepOutcome> => ({
  status: "failed",
  summary: "the kube step kind is not implemented yet",
  error: "not implemented",
});

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeKube as describe } from "../checklist/describe.js";
