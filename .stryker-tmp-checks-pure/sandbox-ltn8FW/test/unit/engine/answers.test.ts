// @ts-nocheck
import { describe, expect, it } from "vitest";
import {
  answersPrompter,
  missingAnswers,
  parseAnswers,
  parseYesNo,
  splitNote,
} from "../../../src/engine/answers.js";
import { fold } from "../../../src/engine/state.js";
import { UsageError } from "../../../src/errors.js";
import { confirmStep, EventLog, inputStep, runStep, simpleChecklist } from "../../helpers/builders.js";

describe("answers file", () => {
  it("parses scalars (yes, true, numbers) and { value, note }", () => {
    const a = parseAnswers(
      'backup/confirm-owner: yes\nrollback/rev: 7\nx/y: true\nz/w: { value: yes, note: "asked the DBA" }\n',
      "a.yaml",
    );
    expect(a).toEqual({
      "backup/confirm-owner": { value: "yes" },
      "rollback/rev": { value: "7" },
      "x/y": { value: "true" },
      "z/w": { value: "yes", note: "asked the DBA" },
    });
    expect(parseAnswers("", "a.yaml")).toEqual({});
  });

  it("refuses files that are not a map of scalars", () => {
    expect(() => parseAnswers("- a\n- b\n", "a.yaml")).toThrow(/must be a map/);
    expect(() => parseAnswers("a/b: [1, 2]\n", "a.yaml")).toThrow(/answer for a\/b must be a value/);
    expect(() => parseAnswers("a: [\n", "a.yaml")).toThrow(UsageError);
  });

  it("reads yes/no words and a note after a colon", () => {
    expect([parseYesNo("Yes"), parseYesNo("n"), parseYesNo("false"), parseYesNo("maybe")]).toEqual([
      true,
      false,
      false,
      undefined,
    ]);
    expect(splitNote({ value: "yes: checked with the DBA" })).toEqual({
      value: "yes",
      note: "checked with the DBA",
    });
    expect(splitNote({ value: "7" })).toEqual({ value: "7" });
  });

  it("lists every missing or unusable answer of the steps still to run, and the sign-off", () => {
    const c = simpleChecklist({
      a: [confirmStep("sure"), inputStep("rev", { pattern: "^[0-9]+$" }), runStep("x")],
      b: [
        confirmStep("aws", "AWS?", { when: "${aws}" }),
        confirmStep("note", "n?", { confirm: { prompt: "n?", requireNote: true } } as never),
      ],
    });
    const answers = parseAnswers("a/rev: abc\nb/note: yes\n", "a.yaml");
    expect(missingAnswers(c, undefined, answers, { aws: "" }, {})).toEqual([
      "a/sure: yes or no",
      'a/rev: "abc" does not match ^[0-9]+$',
      'b/note: a note is required ({ value: yes, note: "..." })',
      "signoff/ready: yes or no",
    ]);
    const done = fold(new EventLog().step("a/sure").step("a/rev").signoff().events);
    expect(missingAnswers(c, done, answers, { aws: "1" }, {})).toEqual([
      "b/aws: yes or no",
      expect.stringMatching(/^b\/note/),
    ]);
  });

  it("answers prompts for the current step, and fails (never approves) without an answer", async () => {
    let key = "a/sure";
    const p = answersPrompter(parseAnswers("a/sure: no\na/rev: '42'\n", "a.yaml"), () => key);
    expect(await p.confirm("sure?")).toBe(false);
    key = "a/rev";
    expect(await p.input("rev?", { pattern: "^[0-9]+$" })).toBe("42");
    await expect(p.input("rev?", { pattern: "^[a-z]+$" })).rejects.toThrow(/does not match/);
    key = "a/other";
    await expect(p.confirm("other?")).rejects.toThrow(/no answer for a\/other/);
    await expect(p.text("why?", { required: true })).rejects.toThrow(/needs a note/);
    await expect(p.select("pick", [{ value: "x", name: "x" }])).rejects.toThrow(UsageError);
  });
});
