// What to do next in a run, from the checklist and the folded state: pure, no I/O, no clock.
// Guards first, then the first step without a final result, then sign-off, then finishing.
import type { Checklist, Step } from "../checklist/schema.js";
import { evalWhen } from "../checklist/vars.js";
import { guardKey, type StepRef, walkSteps } from "../checklist/walk.js";
import type { StepKey } from "./events.js";
import type { RunState, StepState } from "./state.js";

export type NextAction =
  | { type: "guard"; index: number; key: StepKey; step: Step }
  | { type: "not-applicable"; ref: StepRef; reason: string }
  | { type: "step"; ref: StepRef; attempt: number; reason: "pending" | "interrupted" | "failed" }
  /** A required step failed and nobody decided what to do about it (menu, stop, or re-run on resume). */
  | { type: "failed"; ref: StepRef; state: StepState }
  | { type: "signoff" }
  /** Signed off; the record and run-finished are still to be written. */
  | { type: "finish" }
  | { type: "done" };

export interface PlanInput {
  checklist: Checklist;
  state: RunState;
  /** Declared variable values plus saveAs values so far: `when` conditions are evaluated on these. */
  vars: Record<string, string>;
  env: Record<string, string | undefined>;
  /** --keep-going: a failed required step counts as final and the run moves on. */
  acceptFailures: boolean;
  /** walkSteps(checklist), computed once by the caller. */
  refs?: readonly StepRef[];
  /**
   * Refs before this index are known to be settled (the runner's position), so a long run does not
   * rescan its whole past for every step. 0, the default, is always correct.
   */
  from?: number;
}

/** A step whose failure does not block "ready": optional itself, or in an optional item. */
export function isOptionalStep(ref: Pick<StepRef, "item" | "step">): boolean {
  return ref.step.optional === true || ref.item.optional === true;
}

/** Final from the planner's point of view: nothing more to do for this step. */
export function isSettled(s: StepState | undefined, ref: StepRef, acceptFailures: boolean): boolean {
  if (!s) return false;
  switch (s.status) {
    case "passed":
    case "overridden":
    case "skipped":
    case "not-applicable":
    case "described":
      return true;
    case "failed":
      return acceptFailures || isOptionalStep(ref);
    default:
      return false;
  }
}

function whenFalse(
  ref: StepRef,
  vars: Record<string, string>,
  env: Record<string, string | undefined>,
): string | undefined {
  const levels: [string, string | boolean | undefined][] = [
    ["section", ref.section.when],
    ["item", ref.item.when],
    ["step", ref.step.when],
  ];
  for (const [level, when] of levels) {
    // Stryker disable next-line ConditionalExpression: evalWhen(undefined) is true, so the guard only saves a call
    if (when !== undefined && !evalWhen(when, vars, env))
      return `${level} condition ${JSON.stringify(when)} is false`;
  }
  return undefined;
}

export function nextAction(input: PlanInput): NextAction {
  const { checklist, state, vars, env, acceptFailures } = input;
  if (state.finished || state.aborted?.abandoned) return { type: "done" };
  const guards = checklist.guards ?? [];
  for (let i = 0; i < guards.length; i++) {
    const key = guardKey(i);
    if (state.steps[key]?.status !== "passed") return { type: "guard", index: i, key, step: guards[i]! };
  }
  const refs = input.refs ?? walkSteps(checklist);
  for (let i = input.from ?? 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const s = state.steps[ref.key];
    if (isSettled(s, ref, acceptFailures)) continue;
    if (s?.status === "failed") return { type: "failed", ref, state: s };
    const attempt = (s?.attempts ?? 0) + 1;
    if (!s || s.status === "pending") {
      const reason = whenFalse(ref, vars, env);
      if (reason) return { type: "not-applicable", ref, reason };
      return { type: "step", ref, attempt, reason: "pending" };
    }
    // running (started, never finished: killed) or interrupted: run it again.
    return { type: "step", ref, attempt, reason: "interrupted" };
  }
  if (!state.signoff) return { type: "signoff" };
  return { type: "finish" };
}

/** Steps whose failure blocks "ready": required, failed, not overridden or skipped. */
export function blockingFailures(
  checklist: Checklist,
  state: RunState,
  refs: readonly StepRef[] = walkSteps(checklist),
): StepRef[] {
  return refs.filter((ref) => state.steps[ref.key]?.status === "failed" && !isOptionalStep(ref));
}
