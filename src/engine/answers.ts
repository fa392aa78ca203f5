// Answers for non-interactive runs (`--answers FILE`): a YAML map `item-id/step-id: value` plus the
// sign-off keys. Parsing, the up-front check that every needed answer is there, and a Prompter that
// answers from the map. Nothing is ever auto-approved: a missing answer is an error, "no" is a "no".
import { parse } from "yaml";
import { isManual } from "../checklist/kinds.js";
import type { Checklist } from "../checklist/schema.js";
import { userPattern } from "../checklist/user-pattern.js";
import { evalWhen } from "../checklist/vars.js";
import { type StepRef, walkSteps } from "../checklist/walk.js";
import { UsageError } from "../errors.js";
import { isSettled } from "./plan.js";
import type { Choice, Prompter, PromptInputOptions } from "./ports.js";
import type { RunState } from "./state.js";

export interface Answer {
  value: string;
  note?: string;
}
export type Answers = Record<string, Answer>;

export const SIGNOFF_KEYS = {
  engineer: "signoff/engineer",
  ready: "signoff/ready",
  notes: "signoff/notes",
  blockers: "signoff/blockers",
} as const;

function scalar(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** Parse the answers file's text. Values are scalars, or `{ value, note }` for a confirm with a note. */
export function parseAnswers(source: string, file: string): Answers {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (cause) {
    throw new UsageError(`${file}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  // Stryker disable next-line ConditionalExpression: yaml's parse gives null, never undefined, for an empty document
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`${file}: the answers file must be a map of item-id/step-id: value`, {
      hint: 'For example:\n  backup/confirm-owner: yes\n  rollback-test/note-revision: "7"\n  signoff/ready: yes',
    });
  }
  const out: Answers = {};
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    const direct = scalar(raw);
    if (direct !== undefined) {
      out[key] = { value: direct };
      continue;
    }
    // Stryker disable next-line ConditionalExpression: a truthy YAML value that is not a scalar is an object
    if (raw && typeof raw === "object" && !Array.isArray(raw)) {
      const { value, note } = raw as { value?: unknown; note?: unknown };
      const v = scalar(value);
      if (v !== undefined) {
        out[key] = { value: v, ...(scalar(note) === undefined ? {} : { note: scalar(note)! }) };
        continue;
      }
    }
    throw new UsageError(`${file}: the answer for ${key} must be a value, or { value, note }`);
  }
  return out;
}

const YES = new Set(["yes", "y", "true"]);
const NO = new Set(["no", "n", "false"]);

/** yes/no/true/false, or undefined when the text is neither. */
export function parseYesNo(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

function stepProblem(ref: StepRef, answer: Answer | undefined): string | undefined {
  const { step, key } = ref;
  if (!answer) {
    if (step.confirm !== undefined) return `${key}: yes or no`;
    // Stryker disable next-line OptionalChaining: a manual step that is not a confirm has an input
    return `${key}: a value${step.input?.pattern ? ` matching ${step.input.pattern}` : ""}`;
  }
  if (step.confirm !== undefined) {
    // As the run reads it (answersPrompter): "yes: checked with the DBA" is a yes with a note.
    const { value, note } = splitNote(answer);
    if (parseYesNo(value) === undefined) return `${key}: ${JSON.stringify(answer.value)} is not yes or no`;
    // Stryker disable next-line ConditionalExpression: a string confirm has no requireNote either
    if (typeof step.confirm === "object" && step.confirm.requireNote && !note) {
      return `${key}: a note is required ({ value: yes, note: "..." })`;
    }
  }
  if (step.input?.pattern && !userPattern(step.input.pattern).test(answer.value)) {
    return `${key}: ${JSON.stringify(answer.value)} does not match ${step.input.pattern}`;
  }
  return undefined;
}

/**
 * Every answer the rest of this run needs that the file does not give (or gives badly): manual steps
 * not yet answered whose `when` holds, and the sign-off. Checked before anything runs.
 */
export function missingAnswers(
  checklist: Checklist,
  state: RunState | undefined,
  answers: Answers,
  vars: Record<string, string>,
  env: Record<string, string | undefined>,
): string[] {
  const problems: string[] = [];
  for (const ref of walkSteps(checklist)) {
    if (!isManual(ref.step)) continue;
    if (state && isSettled(state.steps[ref.key], ref, false)) continue;
    const applies = [ref.section.when, ref.item.when, ref.step.when].every((w) => evalWhen(w, vars, env));
    if (!applies) continue;
    const problem = stepProblem(ref, answers[ref.key]);
    if (problem) problems.push(problem);
  }
  if (!state?.signoff) {
    const ready = answers[SIGNOFF_KEYS.ready];
    if (!ready) problems.push(`${SIGNOFF_KEYS.ready}: yes or no`);
    else if (parseYesNo(ready.value) === undefined)
      problems.push(`${SIGNOFF_KEYS.ready}: ${JSON.stringify(ready.value)} is not yes or no`);
  }
  return problems;
}

/** Split "yes: checked with the DBA" into answer and note. */
export function splitNote(answer: Answer): { value: string; note?: string } {
  if (answer.note !== undefined) return answer;
  const m = /^\s*([^:]+?)\s*:\s*(.+)$/s.exec(answer.value);
  if (m && parseYesNo(m[1]!) !== undefined) return { value: m[1]!, note: m[2]!.trim() };
  return { value: answer.value };
}

/**
 * A Prompter that answers from the file for the step being executed (`currentKey()`). Questions it
 * has no answer for throw a UsageError: the step fails with that message, nothing is approved.
 */
export function answersPrompter(answers: Answers, currentKey: () => string): Prompter {
  const get = (what: string): Answer => {
    const key = currentKey();
    const a = answers[key];
    if (!a) {
      throw new UsageError(`no answer for ${key} (${what}) in the answers file`, {
        hint: `Add "${key}: ..." to the --answers file, or run interactively.`,
      });
    }
    return a;
  };
  return {
    async confirm(message) {
      const { value } = splitNote(get(message));
      const yes = parseYesNo(value);
      if (yes === undefined)
        throw new UsageError(
          `the answer for ${currentKey()} must be yes or no, not ${JSON.stringify(value)}`,
        );
      return yes;
    },
    async input(message, options: PromptInputOptions = {}) {
      const { value } = get(message);
      if (options.pattern && !userPattern(options.pattern).test(value)) {
        throw new UsageError(`the answer for ${currentKey()} does not match ${options.pattern}`);
      }
      const verdict = options.validate?.(value) ?? true;
      if (verdict !== true) throw new UsageError(`the answer for ${currentKey()} is refused: ${verdict}`);
      return value;
    },
    async text(message, options = {}) {
      const key = currentKey();
      const a = answers[key];
      const note = a ? splitNote(a).note : undefined;
      if (note) return note;
      if (options.required) {
        throw new UsageError(`${key} needs a note (${message}) in the answers file`, {
          hint: `Write it as ${key}: { value: yes, note: "..." }`,
        });
      }
      return options.default ?? "";
    },
    async select<T extends string>(message: string, _choices: readonly Choice<T>[]): Promise<T> {
      throw new UsageError(`a non-interactive run cannot answer "${message}"`);
    },
  };
}
