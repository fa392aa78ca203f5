// The sign-off: who signs, and whether "ready" may be said. "Ready" is refused while a required step
// failed or was skipped without an override (unless the checklist sets requireAllRequiredPassed: false)
// and always in a dry run; the refusal is decided here, before anything is signed.
import type { Checklist } from "../checklist/schema.js";
import { shellQuote } from "../checklist/vars.js";
import type { StepRef } from "../checklist/walk.js";
import { renderSummaryTable, summarize } from "../record/summary.js";
import { type Answers, parseYesNo, SIGNOFF_KEYS } from "./answers.js";
import { isOptionalStep } from "./plan.js";
import type { Output, Prompter } from "./ports.js";
import type { RunState } from "./state.js";

/** A required step that keeps "ready" from being signed. */
export interface ReadyBlocker {
  key: string;
  status: "failed" | "skipped";
}

export interface ReadyRefusal {
  blockers: ReadyBlocker[];
  dryRun: boolean;
  /** One line: why "ready" is refused, naming the blocking steps. */
  message: string;
}

/**
 * Why "ready" cannot be signed for this state, or undefined when it can. Pure. A step counts as
 * blocking when it is required (neither it nor its item optional) and its last result is failed or
 * skipped; an override is its own status and never blocks.
 */
export function readyRefusal(
  checklist: Checklist,
  state: RunState,
  refs: readonly StepRef[],
  dryRun: boolean,
): ReadyRefusal | undefined {
  const requireAll = checklist.signoff?.requireAllRequiredPassed ?? true;
  const blockers: ReadyBlocker[] = [];
  if (requireAll) {
    for (const ref of refs) {
      const status = state.steps[ref.key]?.status;
      if ((status === "failed" || status === "skipped") && !isOptionalStep(ref))
        blockers.push({ key: ref.key, status });
    }
  }
  if (!dryRun && blockers.length === 0) return undefined;
  const reasons: string[] = [];
  if (dryRun) reasons.push("this is a dry run (mutating steps were only described)");
  if (blockers.length) {
    const n = blockers.length;
    reasons.push(
      `${n} required step${n > 1 ? "s" : ""} failed or skipped without override: ${blockers.map((b) => `${b.key} (${b.status})`).join(", ")}`,
    );
  }
  return { blockers, dryRun, message: `"ready" is refused: ${reasons.join("; ")}` };
}

export interface SignoffInput {
  checklist: Checklist;
  state: RunState;
  refs: readonly StepRef[];
  interactive: boolean;
  dryRun: boolean;
  answers: Answers;
  /** The default engineer (git user.name, else the OS user). */
  engineer: string;
  runId: string;
  /** The --answers file of a non-interactive run (named in the command it prints). */
  answersPath?: string;
  prompter: Prompter;
  output: Output;
}

export type SignoffResult =
  | { type: "signed"; engineer: string; ready: boolean; notes: string; blockers: string }
  /** Non-interactive "ready: yes" while refused: nothing is signed; `reason` goes to the journal. */
  | { type: "refused"; refusal: ReadyRefusal; reason: string };

/**
 * Ask (interactive) or read (--answers) the sign-off. Interactive: "Deployment ready?" defaults to No,
 * and a "yes" while refused is answered with the refusal and the question again. Non-interactive: a
 * "yes" while refused signs nothing.
 */
export async function collectSignoff(input: SignoffInput): Promise<SignoffResult> {
  const { output, prompter } = input;
  output.section(input.checklist.signoff?.title ?? "Sign-off");
  output.line();
  const width = output.width?.();
  output.block(renderSummaryTable(summarize(input.state, input.checklist), width ? { width } : {}));
  output.line();
  const refusal = readyRefusal(input.checklist, input.state, input.refs, input.dryRun);
  if (input.dryRun) return dryRunSignoff(input, refusal!);
  if (!input.interactive) {
    const a = input.answers;
    // Stryker disable next-line StringLiteral: any fallback that is not a yes word reads as "not ready"
    const ready = parseYesNo(a[SIGNOFF_KEYS.ready]?.value ?? "") === true;
    if (ready && refusal) {
      output.warn(`Nothing was signed: the answers say ready, but ${refusal.message}.`);
      const file = input.answersPath ? shellQuote(input.answersPath) : "ANSWERS.yaml";
      output.info(
        `To sign it off as not ready, set signoff/ready: no in the answers and run: deploycheck resume ${input.runId} --answers ${file}`,
      );
      return { type: "refused", refusal, reason: `sign-off refused: ${refusal.message}` };
    }
    return {
      type: "signed",
      engineer: a[SIGNOFF_KEYS.engineer]?.value.trim() || input.engineer,
      ready,
      notes: a[SIGNOFF_KEYS.notes]?.value ?? "",
      blockers: a[SIGNOFF_KEYS.blockers]?.value ?? refusal?.message ?? "",
    };
  }
  const engineer = (
    await prompter.input("Engineer:", {
      default: input.engineer,
      validate: (v) => (v.trim() ? true : "a name is required"),
    })
  ).trim();
  if (refusal) output.warn(refusal.message);
  let ready = await prompter.confirm("Deployment ready?", { default: false });
  while (ready && refusal) {
    output.warn(`${refusal.message}. Answer No to sign it off as not ready.`);
    ready = await prompter.confirm("Deployment ready?", { default: false });
  }
  const notes = await prompter.text("Notes:");
  const blockers = await prompter.text("Issues/Blockers:", refusal ? { default: refusal.message } : {});
  return { type: "signed", engineer, ready, notes, blockers };
}

/**
 * A dry run is never "ready": the question is not asked (an answers file's "yes" is noted and not
 * taken); who and notes are still recorded, with the reason as the blockers.
 */
async function dryRunSignoff(input: SignoffInput, refusal: ReadyRefusal): Promise<SignoffResult> {
  const { output, prompter } = input;
  const a = input.answers;
  if (!input.interactive) {
    // Stryker disable next-line StringLiteral: any fallback that is not a yes word reads as "not ready"
    if (parseYesNo(a[SIGNOFF_KEYS.ready]?.value ?? "") === true)
      output.warn(`${refusal.message}; the answers' signoff/ready: yes is not taken.`);
    else output.info(`${refusal.message}.`);
    return {
      type: "signed",
      engineer: a[SIGNOFF_KEYS.engineer]?.value.trim() || input.engineer,
      ready: false,
      notes: a[SIGNOFF_KEYS.notes]?.value ?? "",
      blockers: a[SIGNOFF_KEYS.blockers]?.value || refusal.message,
    };
  }
  output.info(`${refusal.message}; it is signed off as not ready.`);
  const engineer = (
    await prompter.input("Engineer:", {
      default: input.engineer,
      validate: (v) => (v.trim() ? true : "a name is required"),
    })
  ).trim();
  const notes = await prompter.text("Notes:");
  const blockers = await prompter.text("Issues/Blockers:", { default: refusal.message });
  return { type: "signed", engineer, ready: false, notes, blockers };
}

/**
 * The run's exit code once signed: 0 when every required step passed (or was overridden or not
 * applicable) and the sign-off said ready; a dry run, never ready, exits 0 when its rehearsal was
 * clean. Returns the steps that were not done, for the message.
 */
export function finalOutcome(
  state: RunState,
  refs: readonly StepRef[],
  dryRun: boolean,
): { exitCode: number; notDone: StepRef[] } {
  const notDone = refs.filter((r) => {
    const status = state.steps[r.key]?.status;
    return !isOptionalStep(r) && (status === "failed" || status === "skipped");
  });
  const ready = dryRun ? state.signoff !== undefined : state.signoff?.ready === true;
  return { exitCode: notDone.length === 0 && ready ? 0 : 1, notDone };
}

/** What a dry run did: exactly which steps ran and which were only described (not run). */
export function dryRunReport(state: RunState, refs: readonly StepRef[]): string {
  const ran: string[] = [];
  const described: string[] = [];
  for (const ref of refs) {
    const s = state.steps[ref.key];
    if (s?.status === "described") described.push(ref.key);
    else if (s !== undefined && s.attempts > 0) ran.push(ref.key);
  }
  const list = (keys: string[]) => (keys.length ? keys.map((k) => `  ${k}`).join("\n") : "  (none)");
  return `Dry run: these steps ran (read-only):\n${list(ran)}\nOnly described, not run (mutating):\n${list(described)}`;
}
