// The sign-off as the engineer sees it: the exact lines printed, the questions asked with their defaults,
// what an answers file signs, and the exit code and dry-run report that follow.
import { describe, expect, it } from "vitest";
import type { Checklist } from "../../../src/checklist/schema.js";
import { walkSteps } from "../../../src/checklist/walk.js";
import type { Answers } from "../../../src/engine/answers.js";
import type { Choice, Prompter, PromptInputOptions } from "../../../src/engine/ports.js";
import {
  collectSignoff,
  dryRunReport,
  finalOutcome,
  readyRefusal,
  type SignoffInput,
} from "../../../src/engine/signoff.js";
import { fold } from "../../../src/engine/state.js";
import { renderSummaryTable, summarize } from "../../../src/record/summary.js";
import { checklist, EventLog, item, runStep, section } from "../../helpers/builders.js";
import { RecordingOutput } from "../../helpers/fakes.js";

/** A prompter that answers from a list and records each question with the options it was asked with. */
class AskingPrompter implements Prompter {
  asked: { kind: string; q: string; options?: unknown }[] = [];
  validations: (string | true)[] = [];
  constructor(private readonly answers: (string | boolean)[]) {}
  private next(kind: string, q: string, options?: unknown): string | boolean {
    this.asked.push({ kind, q, ...(options === undefined ? {} : { options }) });
    if (this.answers.length === 0) throw new Error(`unexpected question: ${q}`);
    return this.answers.shift()!;
  }
  async confirm(q: string, options?: { default?: boolean }): Promise<boolean> {
    return this.next("confirm", q, options) === true;
  }
  async input(q: string, options: PromptInputOptions = {}): Promise<string> {
    for (;;) {
      const a = String(this.next("input", q, { default: options.default }));
      const verdict = options.validate?.(a) ?? true;
      this.validations.push(verdict);
      if (verdict === true) return a;
    }
  }
  async text(q: string, options?: { default?: string }): Promise<string> {
    return String(this.next("text", q, options));
  }
  async select<T extends string>(q: string, _choices: readonly Choice<T>[]): Promise<T> {
    return String(this.next("select", q)) as T;
  }
}

const twoItems = (extra: Partial<Checklist> = {}) =>
  checklist([section("s", [item("a", [runStep("x")]), item("b", [runStep("y")])])], extra);

function input(
  c: Checklist,
  log: EventLog,
  over: Partial<SignoffInput> & { answersList?: (string | boolean)[] } = {},
): { input: SignoffInput; output: RecordingOutput; prompter: AskingPrompter } {
  const output = new RecordingOutput();
  const prompter = new AskingPrompter(over.answersList ?? []);
  const { answersList: _a, ...rest } = over;
  return {
    input: {
      checklist: c,
      state: fold(log.events),
      refs: walkSteps(c),
      interactive: true,
      dryRun: false,
      answers: {},
      engineer: "Ann",
      runId: "demo-1",
      prompter,
      output,
      ...rest,
    },
    output,
    prompter,
  };
}

const clean = () => new EventLog().step("a/x").step("b/y");
const failed = () => new EventLog().step("a/x", "failed").step("b/y");
const REFUSED = '"ready" is refused: 1 required step failed or skipped without override: a/x (failed)';

describe("readyRefusal messages", () => {
  it("names one blocker in the singular, several in the plural, and the dry run first", () => {
    const c = twoItems();
    const refs = walkSteps(c);
    expect(readyRefusal(c, fold(failed().events), refs, false)?.message).toBe(REFUSED);
    const both = fold(new EventLog().step("a/x", "failed").step("b/y", "failed").skipped("b/y").events);
    expect(readyRefusal(c, both, refs, false)).toEqual({
      blockers: [
        { key: "a/x", status: "failed" },
        { key: "b/y", status: "skipped" },
      ],
      dryRun: false,
      message:
        '"ready" is refused: 2 required steps failed or skipped without override: a/x (failed), b/y (skipped)',
    });
    expect(readyRefusal(c, fold(failed().events), refs, true)?.message).toBe(
      '"ready" is refused: this is a dry run (mutating steps were only described); 1 required step failed or skipped without override: a/x (failed)',
    );
    expect(readyRefusal(c, fold(clean().events), refs, true)).toEqual({
      blockers: [],
      dryRun: true,
      message: '"ready" is refused: this is a dry run (mutating steps were only described)',
    });
  });

  it("steps not run yet do not block", () => {
    const c = twoItems();
    expect(readyRefusal(c, fold(new EventLog().events), walkSteps(c), false)).toBeUndefined();
  });

  it("a dry run is refused even when requireAllRequiredPassed is false", () => {
    const c = twoItems({ signoff: { requireAllRequiredPassed: false } });
    expect(readyRefusal(c, fold(failed().events), walkSteps(c), true)).toMatchObject({
      blockers: [],
      dryRun: true,
    });
  });
});

describe("collectSignoff, interactive", () => {
  it("prints the title, the summary table and asks engineer (default the git user), ready (default no), notes, blockers", async () => {
    const {
      input: i,
      output,
      prompter,
    } = input(twoItems({ signoff: { title: "Go / no go" } }), clean(), {
      answersList: ["  Bob  ", true, "all fine", ""],
    });
    const result = await collectSignoff(i);
    expect(result).toEqual({ type: "signed", engineer: "Bob", ready: true, notes: "all fine", blockers: "" });
    expect(output.lines).toEqual([
      "## Go / no go",
      "",
      renderSummaryTable(summarize(i.state, i.checklist)),
      "",
    ]);
    expect(prompter.asked).toEqual([
      { kind: "input", q: "Engineer:", options: { default: "Ann" } },
      { kind: "confirm", q: "Deployment ready?", options: { default: false } },
      { kind: "text", q: "Notes:" },
      { kind: "text", q: "Issues/Blockers:", options: {} },
    ]);
  });

  it("the section is called Sign-off when the checklist does not name it", async () => {
    const { input: i, output } = input(twoItems(), clean(), { answersList: ["Bob", false, "", ""] });
    await collectSignoff(i);
    expect(output.lines[0]).toBe("## Sign-off");
  });

  it("a blank engineer name is asked again with 'a name is required'", async () => {
    const { input: i, prompter } = input(twoItems(), clean(), { answersList: ["   ", "Cy", false, "", ""] });
    expect(await collectSignoff(i)).toMatchObject({ engineer: "Cy", ready: false });
    expect(prompter.validations).toEqual(["a name is required", true]);
  });

  it("fits the summary table to the terminal's width when there is one", async () => {
    const long = checklist([
      section("s", [item("a", [runStep("x")], { title: "A very long item title ".repeat(4) })]),
    ]);
    const { input: i, output } = input(long, new EventLog().step("a/x"), {
      answersList: ["Bob", false, "", ""],
    });
    i.output = Object.assign(output, { width: () => 40 });
    await collectSignoff(i);
    expect(output.lines[2]).toBe(renderSummaryTable(summarize(i.state, long), { width: 40 }));
    expect(output.lines[2]).not.toBe(renderSummaryTable(summarize(i.state, long)));
  });

  it("while refused: warns, answers a yes with the refusal and the question again, and offers it as the blockers", async () => {
    const {
      input: i,
      output,
      prompter,
    } = input(twoItems(), failed(), {
      answersList: ["Bob", true, true, false, "n", "see a/x"],
    });
    const result = await collectSignoff(i);
    expect(result).toEqual({
      type: "signed",
      engineer: "Bob",
      ready: false,
      notes: "n",
      blockers: "see a/x",
    });
    expect(output.lines.slice(4)).toEqual([
      `WARN ${REFUSED}`,
      `WARN ${REFUSED}. Answer No to sign it off as not ready.`,
      `WARN ${REFUSED}. Answer No to sign it off as not ready.`,
    ]);
    expect(prompter.asked.map((a) => a.q)).toEqual([
      "Engineer:",
      "Deployment ready?",
      "Deployment ready?",
      "Deployment ready?",
      "Notes:",
      "Issues/Blockers:",
    ]);
    expect(prompter.asked[3]).toEqual({
      kind: "confirm",
      q: "Deployment ready?",
      options: { default: false },
    });
    expect(prompter.asked[5]).toEqual({ kind: "text", q: "Issues/Blockers:", options: { default: REFUSED } });
  });
});

describe("collectSignoff, from an answers file", () => {
  const answers = (a: Record<string, string>): Answers =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [`signoff/${k}`, { value: v }]));

  it("signs what the answers say; the engineer defaults to the git user when blank", async () => {
    const { input: i, output } = input(twoItems(), clean(), {
      interactive: false,
      answers: answers({ ready: "yes", engineer: "  ", notes: "n", blockers: "b" }),
    });
    expect(await collectSignoff(i)).toEqual({
      type: "signed",
      engineer: "Ann",
      ready: true,
      notes: "n",
      blockers: "b",
    });
    expect(output.lines).toHaveLength(4);
    const named = input(twoItems(), clean(), {
      interactive: false,
      answers: answers({ ready: "y", engineer: " Bob " }),
    });
    expect(await collectSignoff(named.input)).toEqual({
      type: "signed",
      engineer: "Bob",
      ready: true,
      notes: "",
      blockers: "",
    });
  });

  it("no ready answer, or not a yes, signs not ready; the refusal becomes the blockers when none are given", async () => {
    const none = input(twoItems(), clean(), { interactive: false });
    expect(await collectSignoff(none.input)).toEqual({
      type: "signed",
      engineer: "Ann",
      ready: false,
      notes: "",
      blockers: "",
    });
    const no = input(twoItems(), failed(), { interactive: false, answers: answers({ ready: "no" }) });
    expect(await collectSignoff(no.input)).toEqual({
      type: "signed",
      engineer: "Ann",
      ready: false,
      notes: "",
      blockers: REFUSED,
    });
    const given = input(twoItems(), failed(), {
      interactive: false,
      answers: answers({ ready: "no", blockers: "" }),
    });
    expect(await collectSignoff(given.input)).toMatchObject({ blockers: "" });
  });

  it("a yes while refused signs nothing and says how to sign it off as not ready, with the answers file quoted", async () => {
    const { input: i, output } = input(twoItems(), failed(), {
      interactive: false,
      answers: answers({ ready: "yes" }),
      answersPath: "/tmp/my answers.yaml",
    });
    const result = await collectSignoff(i);
    expect(result).toEqual({
      type: "refused",
      refusal: readyRefusal(i.checklist, i.state, i.refs, false),
      reason: `sign-off refused: ${REFUSED}`,
    });
    expect(output.lines.slice(4)).toEqual([
      `WARN Nothing was signed: the answers say ready, but ${REFUSED}.`,
      "To sign it off as not ready, set signoff/ready: no in the answers and run: deploycheck resume demo-1 --answers '/tmp/my answers.yaml'",
    ]);
    const noPath = input(twoItems(), failed(), { interactive: false, answers: answers({ ready: "yes" }) });
    await collectSignoff(noPath.input);
    expect(noPath.output.lines.at(-1)).toBe(
      "To sign it off as not ready, set signoff/ready: no in the answers and run: deploycheck resume demo-1 --answers ANSWERS.yaml",
    );
  });
});

describe("collectSignoff, dry run", () => {
  const DRY = '"ready" is refused: this is a dry run (mutating steps were only described)';
  const answers = (a: Record<string, string>): Answers =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [`signoff/${k}`, { value: v }]));

  it("interactive: never asks ready; engineer, notes and blockers (default the reason) are asked", async () => {
    const {
      input: i,
      output,
      prompter,
    } = input(twoItems(), clean(), {
      dryRun: true,
      answersList: [" Bob ", "rehearsal", ""],
    });
    expect(await collectSignoff(i)).toEqual({
      type: "signed",
      engineer: "Bob",
      ready: false,
      notes: "rehearsal",
      blockers: "",
    });
    expect(output.lines.slice(4)).toEqual([`${DRY}; it is signed off as not ready.`]);
    expect(prompter.asked).toEqual([
      { kind: "input", q: "Engineer:", options: { default: "Ann" } },
      { kind: "text", q: "Notes:" },
      { kind: "text", q: "Issues/Blockers:", options: { default: DRY } },
    ]);
  });

  it("interactive: a blank engineer is asked again", async () => {
    const { input: i, prompter } = input(twoItems(), clean(), {
      dryRun: true,
      answersList: ["   ", "Bob", "", ""],
    });
    expect(await collectSignoff(i)).toMatchObject({ engineer: "Bob" });
    expect(prompter.validations).toEqual(["a name is required", true]);
  });

  it("answers file: a yes is noted and not taken; blank fields fall back to the git user and the reason", async () => {
    const yes = input(twoItems(), clean(), {
      dryRun: true,
      interactive: false,
      answers: answers({ ready: "yes", engineer: " ", blockers: "" }),
    });
    expect(await collectSignoff(yes.input)).toEqual({
      type: "signed",
      engineer: "Ann",
      ready: false,
      notes: "",
      blockers: DRY,
    });
    expect(yes.output.lines.slice(4)).toEqual([`WARN ${DRY}; the answers' signoff/ready: yes is not taken.`]);
    const no = input(twoItems(), clean(), {
      dryRun: true,
      interactive: false,
      answers: answers({ ready: "no", engineer: " Bob ", notes: "n", blockers: "b" }),
    });
    expect(await collectSignoff(no.input)).toEqual({
      type: "signed",
      engineer: "Bob",
      ready: false,
      notes: "n",
      blockers: "b",
    });
    expect(no.output.lines.slice(4)).toEqual([`${DRY}.`]);
    const none = input(twoItems(), clean(), { dryRun: true, interactive: false });
    expect(await collectSignoff(none.input)).toMatchObject({ ready: false, blockers: DRY });
    expect(none.output.lines.slice(4)).toEqual([`${DRY}.`]);
  });
});

describe("finalOutcome", () => {
  const c = checklist([
    section("s", [item("a", [runStep("x")]), item("b", [runStep("y", "true", { optional: true })])]),
  ]);
  const refs = walkSteps(c);
  it.each([
    ["all passed, signed ready", new EventLog().step("a/x").step("b/y").signoff(true), false, 0, []],
    ["all passed, signed not ready", new EventLog().step("a/x").signoff(false), false, 1, []],
    ["all passed, not signed", new EventLog().step("a/x"), false, 1, []],
    [
      "optional failed, signed ready",
      new EventLog().step("a/x").step("b/y", "failed").signoff(true),
      false,
      0,
      [],
    ],
    ["required failed", new EventLog().step("a/x", "failed").signoff(true), false, 1, ["a/x"]],
    [
      "required skipped",
      new EventLog().step("a/x", "failed").skipped("a/x").signoff(true),
      false,
      1,
      ["a/x"],
    ],
    [
      "required overridden",
      new EventLog().step("a/x", "failed").overridden("a/x").signoff(true),
      false,
      0,
      [],
    ],
    ["dry run, signed not ready", new EventLog().step("a/x", "described").signoff(false), true, 0, []],
    ["dry run, not signed", new EventLog().step("a/x", "described"), true, 1, []],
    [
      "dry run, a read-only step failed",
      new EventLog().step("a/x", "failed").signoff(false),
      true,
      1,
      ["a/x"],
    ],
  ] as const)("%s: exit %s", (_name, log, dryRun, exitCode, notDone) => {
    const out = finalOutcome(fold(log.events), refs, dryRun);
    expect(out.exitCode).toBe(exitCode);
    expect(out.notDone.map((r) => r.key)).toEqual(notDone);
  });
});

describe("dryRunReport", () => {
  it("lists the steps that ran and those only described, (none) for an empty list", () => {
    const c = checklist([
      section("s", [item("a", [runStep("x"), runStep("y"), runStep("z"), runStep("w")])]),
    ]);
    const refs = walkSteps(c);
    const state = fold(
      new EventLog().step("a/x").step("a/y", "described").step("a/z", "failed").overridden("a/w").events,
    );
    expect(dryRunReport(state, refs)).toBe(
      "Dry run: these steps ran (read-only):\n  a/x\n  a/z\nOnly described, not run (mutating):\n  a/y",
    );
    expect(dryRunReport(fold(new EventLog().events), refs)).toBe(
      "Dry run: these steps ran (read-only):\n  (none)\nOnly described, not run (mutating):\n  (none)",
    );
  });
});
