// @ts-nocheck
// The `note` step kind: text for the engineer, nothing to do. The runner shows it; the executor only
// records that it was shown.
import { interpolate } from "../checklist/vars.js";
import type { Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeNote as describe } from "../checklist/describe.js";

export const execute: Executor = async (step, ctx) => ({
  status: "passed",
  summary: "noted",
  details: { text: ctx.redact(interpolate(step.note ?? "", ctx.vars, ctx.env)) },
});
