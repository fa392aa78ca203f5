// @ts-nocheck
// The `input` step kind: a value typed by the engineer (or given in --answers), checked against its
// pattern and saved as a variable for later steps. Secret values never appear in the summary.
import type { InputStep, NestedStep, Step } from "../checklist/schema.js";
import { userPattern } from "../checklist/user-pattern.js";
import { interpolate } from "../checklist/vars.js";
import { InternalError } from "../errors.js";
import { MIN_SECRET_LENGTH } from "../redact.js";
import { failure, noAnswer } from "./format.js";
import type { Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeInput as describe } from "../checklist/describe.js";

/** Why a secret answer is refused: too short to redact (see MIN_SECRET_LENGTH), or undefined. */
function secretTooShort(value: string): string | undefined {
  if (value.length >= MIN_SECRET_LENGTH) return undefined;
  return `a secret answer needs at least ${MIN_SECRET_LENGTH} characters (this one has ${value.length}): a shorter one cannot be redacted from output without garbling it`;
}

function specOf(step: Step | NestedStep): InputStep {
  if (step.input === undefined)
    throw new InternalError("input executor called for a step that is not an input step");
  return step.input;
}

export const execute: Executor = async (step, ctx) => {
  const spec = specOf(step);
  const prompt = interpolate(spec.prompt, ctx.vars, ctx.env);
  const fallback = spec.default === undefined ? undefined : interpolate(spec.default, ctx.vars, ctx.env);
  let value: string;
  if (ctx.answer !== undefined) value = ctx.answer;
  else if (!ctx.interactive)
    return noAnswer(ctx, spec.pattern ? `<a value matching ${spec.pattern}>` : "<value>");
  else {
    value = await ctx.prompter.input(prompt, {
      ...(fallback === undefined ? {} : { default: fallback }),
      ...(spec.pattern === undefined ? {} : { pattern: spec.pattern }),
      ...(spec.secret ? { secret: true } : {}),
      validate: (v: string) =>
        v.trim() === "" ? "a value is required" : spec.secret ? (secretTooShort(v) ?? true) : true,
    });
  }
  const shown = spec.secret ? "the value" : JSON.stringify(value);
  // Unanchored, as the prompter and the --answers check apply it: write ^...$ for a whole-value match.
  if (spec.pattern !== undefined && !userPattern(spec.pattern).test(value))
    return failure(ctx.redact(`${shown} does not match /${spec.pattern}/`));
  if (value.trim() === "") return failure("no value given");
  const short = spec.secret ? secretTooShort(value) : undefined;
  if (short) return failure(short);
  const details = spec.secret ? { secret: true } : undefined;
  const summary = spec.saveAs
    ? `saved ${spec.saveAs}=${spec.secret ? "****" : value}`
    : `answered ${spec.secret ? "****" : value}`;
  return {
    status: "passed",
    summary: spec.secret ? summary : ctx.redact(summary),
    ...(spec.secret ? {} : { answer: value }),
    ...(spec.saveAs ? { saved: { [spec.saveAs]: value } } : {}),
    ...(details ? { details } : {}),
  };
};
