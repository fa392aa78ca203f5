// How a step's run state becomes a record status, and how an item's status follows from its steps.
// Pure; shared by the summary table, the record and the reports.
import type { StepState } from "../engine/state.js";
import type { RecordStatus, SummaryCounts } from "./schema.js";

export function stepRecordStatus(s: StepState | undefined): RecordStatus {
  switch (s?.status) {
    case "passed":
    case "failed":
    case "overridden":
    case "skipped":
    case "not-applicable":
    case "described":
      return s.status;
    default:
      // Never started, running when the process died, or interrupted: no final result yet.
      return "pending";
  }
}

/**
 * An item's status from its steps: failed if a required step failed (an optional step's failure does
 * not block), pending while a step has no result, overridden if a person marked a step done, skipped if
 * a required step was skipped, not-applicable when every step was, else passed.
 */
export function itemStatus(steps: readonly { status: RecordStatus; optional: boolean }[]): RecordStatus {
  if (steps.some((s) => s.status === "failed" && !s.optional)) return "failed";
  if (steps.some((s) => s.status === "pending")) return "pending";
  if (steps.some((s) => s.status === "described")) return "described";
  if (steps.some((s) => s.status === "overridden")) return "overridden";
  if (steps.some((s) => s.status === "skipped" && !s.optional)) return "skipped";
  // Stryker disable next-line EqualityOperator,ConditionalExpression: `>= 0` / `true` differ only for an item with no steps, and validate requires at least one
  const hasSteps = steps.length > 0;
  if (hasSteps && steps.every((s) => s.status === "not-applicable")) return "not-applicable";
  return "passed";
}

/** Item counts by status; `requiredFailures` counts required items that failed without override. */
export function countItems(items: readonly { status: RecordStatus; required: boolean }[]): SummaryCounts {
  const counts: SummaryCounts = {
    total: items.length,
    passed: 0,
    failed: 0,
    overridden: 0,
    skipped: 0,
    notApplicable: 0,
    described: 0,
    pending: 0,
    requiredFailures: 0,
  };
  for (const item of items) {
    if (item.status === "not-applicable") counts.notApplicable += 1;
    else counts[item.status] += 1;
    if (item.status === "failed" && item.required) counts.requiredFailures += 1;
  }
  return counts;
}

/** The symbols reports use for a status (plain text, no colour). */
export const STATUS_LABEL: Record<RecordStatus, string> = {
  passed: "passed",
  failed: "FAILED",
  overridden: "overridden",
  skipped: "skipped",
  "not-applicable": "n/a",
  described: "described (dry run)",
  pending: "pending",
};
