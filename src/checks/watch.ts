// The `watch` step kind. Placeholder until its executor lands.
import type { StepOutcome } from "../engine/events.js";
import type { Describer, Executor } from "./types.js";

export const execute: Executor = async (): Promise<StepOutcome> => ({
  status: "failed",
  summary: "the watch step kind is not implemented yet",
  error: "not implemented",
});

export const describe: Describer = () => "watch";
