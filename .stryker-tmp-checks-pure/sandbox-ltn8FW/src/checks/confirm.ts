// @ts-nocheck
// The `confirm` step kind: a yes/no question to the engineer (and a note with requireNote). "no" fails
// the step; a non-interactive run takes the answer from --answers and never approves by default.
import type { NestedStep, Step } from "../checklist/schema.js";
import { interpolate } from "../checklist/vars.js";
import { InternalError } from "../errors.js";
import { failure, noAnswer } from "./format.js";
import type { Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeConfirm as describe } from "../checklist/describe.js";

const YES = new Set(["yes", "y", "true"]);
const NO = new Set(["no", "n", "false"]);

function specOf(step: Step | NestedStep): { prompt: string; requireNote: boolean } {
  const c = step.confirm;
  if (c === undefined)
    throw new InternalError("confirm executor called for a step that is not a confirm step");
  return typeof c === "string"
    ? { prompt: c, requireNote: false }
    : { prompt: c.prompt, requireNote: !!c.requireNote };
}

/** "yes", or "yes: checked with the DBA" (answer and note in one line). */
function parseAnswer(text: string): { yes?: boolean; note?: string } {
  const m = /^\s*([A-Za-z]+)\s*(?::\s*(.*))?$/s.exec(text);
  const word = m?.[1]?.toLowerCase() ?? "";
  const yes = YES.has(word) ? true : NO.has(word) ? false : undefined;
  const note = m?.[2]?.trim();
  return { ...(yes === undefined ? {} : { yes }), ...(note ? { note } : {}) };
}

export const execute: Executor = async (step, ctx) => {
  const spec = specOf(step);
  const question = interpolate(spec.prompt, ctx.vars, ctx.env);
  let yes: boolean;
  let note: string | undefined;
  if (ctx.answer !== undefined) {
    const parsed = parseAnswer(ctx.answer);
    if (parsed.yes === undefined)
      return failure(`the answer for ${ctx.key} must be yes or no, not ${JSON.stringify(ctx.answer)}`);
    yes = parsed.yes;
    note = ctx.answerNote?.trim() || parsed.note;
    if (spec.requireNote && !note)
      return failure(`${ctx.key} needs a note: answer it as { value: ${yes ? "yes" : "no"}, note: "..." }`);
  } else if (!ctx.interactive) {
    return noAnswer(ctx, spec.requireNote ? '{ value: yes, note: "..." }' : "yes");
  } else {
    // No default: pressing Enter must not approve anything.
    yes = await ctx.prompter.confirm(question, { default: false });
    if (spec.requireNote) note = (await ctx.prompter.text("Note", { required: true })).trim();
  }
  const answer = yes ? "yes" : "no";
  const withNote = note ? { note } : {};
  // Redacted whole, then cut: a secret cut in two would not be recognised.
  const safeNote = note ? ctx.redact(note) : "";
  const shownNote = safeNote ? ` (${safeNote.length > 60 ? `${safeNote.slice(0, 57)}...` : safeNote})` : "";
  if (yes) return { status: "passed", summary: `confirmed${shownNote}`, answer, ...withNote };
  return failure(`answered no${shownNote}`, { answer, ...withNote });
};
