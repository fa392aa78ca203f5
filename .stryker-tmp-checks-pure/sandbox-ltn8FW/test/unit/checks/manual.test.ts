// @ts-nocheck
// confirm, input and note: the manual step kinds, with a fake prompter and with --answers entries.
import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { execute as confirm } from "../../../src/checks/confirm.js";
import { execute as input } from "../../../src/checks/input.js";
import { execute as note } from "../../../src/checks/note.js";
import { fakePrompter, makeContext } from "./context.js";

const confirmStep = (c: Step["confirm"]): Step => ({ id: "confirm-owner", confirm: c }) as Step;
const inputStep = (i: Step["input"]): Step => ({ id: "note-revision", input: i }) as Step;

describe("confirm executor", () => {
  it("asks the question, variables filled in, and passes on yes", async () => {
    const { prompter, asked } = fakePrompter({ confirm: [true] });
    const ctx = makeContext({ interactive: true, prompter, vars: { ns: "staging" } });
    const out = await confirm(confirmStep("Backup of ${ns} verified by the DBA?"), ctx);
    expect(out).toEqual({ status: "passed", summary: "confirmed", answer: "yes" });
    expect(asked).toEqual(["confirm: Backup of staging verified by the DBA?"]);
  });

  it("fails on no, keeping the answer", async () => {
    const { prompter } = fakePrompter({ confirm: [false] });
    const out = await confirm(confirmStep("Ready?"), makeContext({ interactive: true, prompter }));
    expect(out).toMatchObject({ status: "failed", summary: "answered no", answer: "no" });
  });

  it("asks for a note with requireNote", async () => {
    const { prompter, asked } = fakePrompter({ confirm: [true], text: ["", "checked with Ana"] });
    const out = await confirm(
      confirmStep({ prompt: "Stakeholders notified?", requireNote: true }),
      makeContext({ interactive: true, prompter }),
    );
    expect(out).toMatchObject({
      status: "passed",
      note: "checked with Ana",
      summary: "confirmed (checked with Ana)",
    });
    expect(asked).toEqual(["confirm: Stakeholders notified?", "text: Note", "invalid: required"]);
  });

  it("uses the --answers entry without asking, and never approves without one", async () => {
    const { prompter, asked } = fakePrompter();
    const yes = await confirm(confirmStep("Ready?"), makeContext({ prompter, answer: "Yes" }));
    expect(yes).toMatchObject({ status: "passed", answer: "yes" });
    const no = await confirm(confirmStep("Ready?"), makeContext({ prompter, answer: "no: waiting for QA" }));
    expect(no).toMatchObject({ status: "failed", answer: "no", note: "waiting for QA" });
    const none = await confirm(confirmStep("Ready?"), makeContext({ prompter, key: "backup/confirm-owner" }));
    expect(none).toMatchObject({
      status: "failed",
      summary: 'no answer: a non-interactive run needs "backup/confirm-owner: yes" in the --answers file',
    });
    const bad = await confirm(confirmStep("Ready?"), makeContext({ prompter, answer: "maybe" }));
    expect(bad.summary).toBe('the answer for item/step must be yes or no, not "maybe"');
    expect(asked).toEqual([]);
  });

  it("requires the note in non-interactive runs too", async () => {
    const spec = { prompt: "Notified?", requireNote: true };
    const missing = await confirm(confirmStep(spec), makeContext({ answer: "yes" }));
    expect(missing.status).toBe("failed");
    expect(missing.summary).toContain("needs a note");
    const given = await confirm(
      confirmStep(spec),
      makeContext({ answer: "yes", answerNote: "posted in #deploys" }),
    );
    expect(given).toMatchObject({ status: "passed", note: "posted in #deploys" });
  });
});

describe("input executor", () => {
  it("saves the value under saveAs, re-asking until the pattern matches", async () => {
    const { prompter, asked } = fakePrompter({ input: ["seven", "7"] });
    const out = await input(
      inputStep({ prompt: "Current revision of ${d}?", pattern: "^\\d+$", saveAs: "revisionBefore" }),
      makeContext({ interactive: true, prompter, vars: { d: "api" } }),
    );
    expect(out).toEqual({
      status: "passed",
      summary: "saved revisionBefore=7",
      answer: "7",
      saved: { revisionBefore: "7" },
    });
    expect(asked).toEqual(["input: Current revision of api?", "invalid: must match ^\\d+$"]);
  });

  it("re-asks while the value is empty", async () => {
    const { prompter, asked } = fakePrompter({ input: ["  ", "api-7"] });
    const out = await input(
      inputStep({ prompt: "Release?", saveAs: "rel" }),
      makeContext({ interactive: true, prompter }),
    );
    expect(out.saved).toEqual({ rel: "api-7" });
    expect(asked).toEqual(["input: Release?", "invalid: a value is required"]);
  });

  it("offers the default", async () => {
    const { prompter } = fakePrompter({ input: [""] });
    const out = await input(
      inputStep({ prompt: "Region?", default: "${r}", saveAs: "region" }),
      makeContext({ interactive: true, prompter, vars: { r: "eu-west-1" } }),
    );
    expect(out.saved).toEqual({ region: "eu-west-1" });
  });

  it("takes the --answers value, checks it against the pattern, fails without one", async () => {
    const spec = { prompt: "Revision?", pattern: "^\\d+$", saveAs: "rev" };
    expect((await input(inputStep(spec), makeContext({ answer: "7" }))).saved).toEqual({ rev: "7" });
    const bad = await input(inputStep(spec), makeContext({ answer: "7; rm -rf /" }));
    expect(bad).toMatchObject({ status: "failed", summary: '"7; rm -rf /" does not match /^\\d+$/' });
    expect(bad.saved).toBeUndefined();
    const none = await input(inputStep(spec), makeContext({ key: "rollback-test/note-revision" }));
    expect(none.summary).toBe(
      'no answer: a non-interactive run needs "rollback-test/note-revision: <a value matching ^\\d+$>" in the --answers file',
    );
  });

  it("never shows a secret value", async () => {
    const { prompter } = fakePrompter({ input: ["hunter2-password"] });
    const out = await input(
      inputStep({ prompt: "DB password?", saveAs: "dbPassword", secret: true }),
      makeContext({ interactive: true, prompter }),
    );
    expect(out).toEqual({
      status: "passed",
      summary: "saved dbPassword=****",
      saved: { dbPassword: "hunter2-password" },
      details: { secret: true },
    });
    const bad = await input(
      inputStep({ prompt: "PIN?", pattern: "^\\d{4}$", secret: true }),
      makeContext({ answer: "abcd-secret" }),
    );
    expect(bad.summary).toBe("the value does not match /^\\d{4}$/");
  });

  it("refuses a secret answer of 1 or 2 characters (too short to redact), typed or from --answers", async () => {
    const { prompter, asked } = fakePrompter({ input: ["42", "739"] });
    const typed = await input(
      inputStep({ prompt: "PIN?", saveAs: "pin", secret: true }),
      makeContext({ interactive: true, prompter }),
    );
    expect(asked).toContain(
      "invalid: a secret answer needs at least 3 characters (this one has 2): a shorter one cannot be redacted from output without garbling it",
    );
    expect(typed.saved).toEqual({ pin: "739" });
    const answered = await input(
      inputStep({ prompt: "PIN?", saveAs: "pin", secret: true }),
      makeContext({ answer: "7" }),
    );
    expect(answered.status).toBe("failed");
    expect(answered.summary).toContain("a secret answer needs at least 3 characters (this one has 1)");
    expect(answered.saved).toBeUndefined();
  });
});

describe("note executor", () => {
  it("records the note, variables filled in and secrets redacted", async () => {
    const out = await note(
      { id: "n", note: "Deploying ${d} with token ${t}" } as Step,
      makeContext({ vars: { d: "api", t: "tok-123456" }, secrets: ["tok-123456"] }),
    );
    expect(out).toEqual({
      status: "passed",
      summary: "noted",
      details: { text: "Deploying api with token [REDACTED]" },
    });
  });
});
