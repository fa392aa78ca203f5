// The answers file as its author meets it: every value form it accepts, every refusal with its exact
// message and hint, what the pre-flight check lists, and what the answering prompter says and returns.
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
import {
  checklist,
  confirmStep,
  EventLog,
  inputStep,
  item,
  runStep,
  section,
  simpleChecklist,
} from "../../helpers/builders.js";

function thrown(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("did not throw");
}

async function rejected(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("did not reject");
}

describe("parseAnswers", () => {
  it("takes strings, numbers and booleans as text, and { value, note } with a scalar note", () => {
    expect(
      parseAnswers(
        "a/s: text\na/n: 1.5\na/b: false\na/o: { value: 3, note: 4 }\na/t: { value: true }\na/u: { value: no, note: [x] }\n",
        "a.yaml",
      ),
    ).toEqual({
      "a/s": { value: "text" },
      "a/n": { value: "1.5" },
      "a/b": { value: "false" },
      "a/o": { value: "3", note: "4" },
      "a/t": { value: "true" },
      "a/u": { value: "no" },
    });
  });

  it("a { value, note } whose note is not a scalar has no note at all", () => {
    expect(Object.keys(parseAnswers("a/u: { value: no, note: [x] }\n", "a.yaml")["a/u"]!)).toEqual(["value"]);
  });

  it("an empty or comment-only file has no answers", () => {
    expect(parseAnswers("# nothing yet\n", "a.yaml")).toEqual({});
    expect(parseAnswers("null\n", "a.yaml")).toEqual({});
  });

  it("a file that is not a map: the message names the file, the hint shows an example", () => {
    for (const text of ["- a\n", "just text\n", "42\n"]) {
      const e = thrown(() => parseAnswers(text, "ans.yaml"));
      expect(e.message).toBe("ans.yaml: the answers file must be a map of item-id/step-id: value");
      expect(e.hint).toBe(
        'For example:\n  backup/confirm-owner: yes\n  rollback-test/note-revision: "7"\n  signoff/ready: yes',
      );
    }
  });

  it("invalid YAML names the file and keeps the parser's message and cause", () => {
    const e = thrown(() => parseAnswers("a: [\n", "ans.yaml"));
    expect(e.message).toMatch(/^ans\.yaml: not valid YAML: \S/);
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.message).toContain((e.cause as Error).message);
  });

  it.each([
    ["a list", "a/b: [1]\n"],
    ["null", "a/b: null\n"],
    ["a map without value", "a/b: { note: x }\n"],
    ["a map with a list value", "a/b: { value: [1] }\n"],
    ["a map with a map value", "a/b: { value: { x: 1 } }\n"],
  ])("an answer that is %s is refused, naming the key", (_name, text) => {
    expect(thrown(() => parseAnswers(text, "ans.yaml")).message).toBe(
      "ans.yaml: the answer for a/b must be a value, or { value, note }",
    );
  });
});

describe("parseYesNo, splitNote", () => {
  it.each([
    ["yes", true],
    [" Y ", true],
    ["TRUE", true],
    ["no", false],
    ["N", false],
    [" False\n", false],
    ["", undefined],
    ["yess", undefined],
    ["ok", undefined],
    ["1", undefined],
  ])("%j is %s", (text, want) => {
    expect(parseYesNo(text)).toBe(want);
  });

  it.each([
    [{ value: "yes: asked the DBA" }, { value: "yes", note: "asked the DBA" }],
    [{ value: "  no  :   not today  " }, { value: "no", note: "not today" }],
    [{ value: "yes: line one\nline two" }, { value: "yes", note: "line one\nline two" }],
    [{ value: "maybe: later" }, { value: "maybe: later" }],
    [{ value: "http://x: y" }, { value: "http://x: y" }],
    [{ value: "yes:" }, { value: "yes:" }],
    [{ value: "yes" }, { value: "yes" }],
    [{ value: "yes:checked by Bo" }, { value: "yes", note: "checked by Bo" }],
    [{ value: ": yes: x" }, { value: ": yes: x" }],
    [
      { value: "yes: a", note: "given" },
      { value: "yes: a", note: "given" },
    ],
    [
      { value: "no", note: "" },
      { value: "no", note: "" },
    ],
  ])("splitNote(%j) is %j", (answer, want) => {
    expect(splitNote(answer)).toEqual(want);
  });
});

describe("missingAnswers", () => {
  it("names what each manual step needs: yes or no, a value, a value matching its pattern", () => {
    const c = simpleChecklist({
      a: [confirmStep("sure"), inputStep("rev"), inputStep("tag", { pattern: "^v[0-9]+$" }), runStep("x")],
    });
    expect(missingAnswers(c, undefined, {}, {}, {})).toEqual([
      "a/sure: yes or no",
      "a/rev: a value",
      "a/tag: a value matching ^v[0-9]+$",
      "signoff/ready: yes or no",
    ]);
  });

  it("a confirm answered neither yes nor no, and a sign-off that is neither", () => {
    const c = simpleChecklist({ a: [confirmStep("sure")] });
    expect(
      missingAnswers(c, undefined, parseAnswers("a/sure: maybe\nsignoff/ready: soon\n", "f"), {}, {}),
    ).toEqual(['a/sure: "maybe" is not yes or no', 'signoff/ready: "soon" is not yes or no']);
    expect(missingAnswers(c, undefined, parseAnswers("a/sure: y\nsignoff/ready: n\n", "f"), {}, {})).toEqual(
      [],
    );
  });

  it("a confirm that requires a note takes it as { value, note } or after a colon, not a bare yes or a blank note", () => {
    const c = simpleChecklist({ a: [{ id: "n", confirm: { prompt: "ok?", requireNote: true } } as never] });
    const need = ['a/n: a note is required ({ value: yes, note: "..." })'];
    const check = (text: string) =>
      missingAnswers(c, undefined, parseAnswers(`${text}signoff/ready: no\n`, "f"), {}, {});
    expect(check("a/n: yes\n")).toEqual(need);
    expect(check('a/n: "yes:   "\n')).toEqual(need);
    expect(check('a/n: "yes: asked Bo"\n')).toEqual([]);
    expect(check('a/n: "yes:asked"\n')).toEqual([]);
    expect(check("a/n: { value: yes, note: asked }\n")).toEqual([]);
    expect(check("a/n: { value: yes, note: '' }\n")).toEqual(need);
    expect(check('a/n: "maybe: later"\n')).toEqual(['a/n: "maybe: later" is not yes or no']);
  });

  it("a confirm answered yes or no with a note after the colon passes the check, as the run reads it", () => {
    const c = simpleChecklist({ a: [confirmStep("x")] });
    expect(
      missingAnswers(
        c,
        undefined,
        parseAnswers('a/x: "no: rollback planned"\nsignoff/ready: no\n', "f"),
        {},
        {},
      ),
    ).toEqual([]);
  });

  it("a confirm whose note is not required needs none", () => {
    const c = simpleChecklist({ a: [{ id: "n", confirm: { prompt: "ok?", requireNote: false } } as never] });
    expect(missingAnswers(c, undefined, parseAnswers("a/n: yes\nsignoff/ready: no\n", "f"), {}, {})).toEqual(
      [],
    );
  });

  it("an input matching its pattern anywhere passes (RE2, as at run time)", () => {
    const c = simpleChecklist({ a: [inputStep("rev", { pattern: "[0-9]" })] });
    expect(missingAnswers(c, undefined, parseAnswers("a/rev: r7\nsignoff/ready: no\n", "f"), {}, {})).toEqual(
      [],
    );
  });

  it("skips steps whose section, item or step condition is false, and steps already settled", () => {
    const c = checklist([
      section("s1", [item("a", [confirmStep("x")])], { when: "${s}" }),
      section("s2", [
        item("b", [confirmStep("x")], { when: "${i}" }),
        item("c", [confirmStep("x", "?", { when: "${t}" })]),
      ]),
      section("s3", [item("d", [confirmStep("x"), confirmStep("y"), confirmStep("z")])]),
    ]);
    const state = fold(new EventLog().step("d/x").step("d/y", "failed").events);
    const on = { s: "1", i: "1", t: "1" };
    expect(missingAnswers(c, state, {}, on, {})).toEqual([
      "a/x: yes or no",
      "b/x: yes or no",
      "c/x: yes or no",
      "d/y: yes or no",
      "d/z: yes or no",
      "signoff/ready: yes or no",
    ]);
    expect(missingAnswers(c, state, {}, { s: "", i: "1", t: "1" }, {})[0]).toBe("b/x: yes or no");
    expect(missingAnswers(c, state, {}, { s: "1", i: "", t: "1" }, {}).slice(0, 2)).toEqual([
      "a/x: yes or no",
      "c/x: yes or no",
    ]);
    expect(missingAnswers(c, state, {}, { s: "1", i: "1", t: "" }, {}).slice(0, 3)).toEqual([
      "a/x: yes or no",
      "b/x: yes or no",
      "d/y: yes or no",
    ]);
  });

  it("evaluates conditions on the environment too", () => {
    const c = simpleChecklist({ a: [confirmStep("x", "?", { when: "${env.PROD}" })] });
    expect(missingAnswers(c, undefined, {}, {}, { PROD: "1" })).toEqual([
      "a/x: yes or no",
      "signoff/ready: yes or no",
    ]);
    expect(missingAnswers(c, undefined, {}, {}, {})).toEqual(["signoff/ready: yes or no"]);
  });

  it("asks nothing of the sign-off once it is signed", () => {
    const c = simpleChecklist({ a: [runStep("x")] });
    expect(missingAnswers(c, fold(new EventLog().step("a/x").signoff().events), {}, {}, {})).toEqual([]);
    expect(missingAnswers(c, fold(new EventLog().step("a/x").events), {}, {}, {})).toEqual([
      "signoff/ready: yes or no",
    ]);
  });
});

describe("answersPrompter", () => {
  const file = (text: string) => parseAnswers(text, "a.yaml");

  it("confirm: yes, no, and a note after the colon; anything else is refused with the value", async () => {
    let key = "a/y";
    const p = answersPrompter(file('a/y: "yes: checked"\na/n: N\na/m: maybe\n'), () => key);
    expect(await p.confirm("ok?")).toBe(true);
    key = "a/n";
    expect(await p.confirm("ok?")).toBe(false);
    key = "a/m";
    expect((await rejected(p.confirm("ok?"))).message).toBe(
      'the answer for a/m must be yes or no, not "maybe"',
    );
  });

  it("a question without an answer fails with the key, the question and how to add it", async () => {
    const p = answersPrompter({}, () => "a/x");
    const e = await rejected(p.confirm("Really?"));
    expect(e.message).toBe("no answer for a/x (Really?) in the answers file");
    expect(e.hint).toBe('Add "a/x: ..." to the --answers file, or run interactively.');
    expect((await rejected(p.input("Revision?"))).message).toBe(
      "no answer for a/x (Revision?) in the answers file",
    );
  });

  it("input: the value as written; a pattern it does not match or a validation it fails refuses it", async () => {
    const p = answersPrompter(file("a/x: ' v7 '\n"), () => "a/x");
    expect(await p.input("rev?")).toBe(" v7 ");
    expect(await p.input("rev?", { pattern: "v[0-9]" })).toBe(" v7 ");
    expect((await rejected(p.input("rev?", { pattern: "^v[0-9]+$" }))).message).toBe(
      "the answer for a/x does not match ^v[0-9]+$",
    );
    expect(await p.input("rev?", { validate: (v) => (v.includes("7") ? true : "no seven") })).toBe(" v7 ");
    expect((await rejected(p.input("rev?", { validate: () => "too old" }))).message).toBe(
      "the answer for a/x is refused: too old",
    );
  });

  it("text: the answer's note, else the default, else empty; a required note that is missing fails", async () => {
    let key = "a/n";
    const p = answersPrompter(
      file('a/n: { value: yes, note: "from file" }\na/c: "yes: after colon"\na/p: yes\n'),
      () => key,
    );
    expect(await p.text("Note:")).toBe("from file");
    expect(await p.text("Note:", { required: true })).toBe("from file");
    key = "a/c";
    expect(await p.text("Note:")).toBe("after colon");
    key = "a/p";
    expect(await p.text("Note:")).toBe("");
    expect(await p.text("Note:", { default: "d" })).toBe("d");
    const e = await rejected(p.text("Why?", { required: true }));
    expect(e.message).toBe("a/p needs a note (Why?) in the answers file");
    expect(e.hint).toBe('Write it as a/p: { value: yes, note: "..." }');
    key = "a/none";
    expect(await p.text("Note:", { default: "d" })).toBe("d");
    expect((await rejected(p.text("Why?", { required: true }))).message).toBe(
      "a/none needs a note (Why?) in the answers file",
    );
  });

  it("select is never answered from a file", async () => {
    const p = answersPrompter(file("a/x: yes\n"), () => "a/x");
    expect((await rejected(p.select("What now?", [{ value: "retry", name: "Retry" }]))).message).toBe(
      'a non-interactive run cannot answer "What now?"',
    );
  });

  it("asks the current key each time", async () => {
    let key = "a/1";
    const p = answersPrompter(file("a/1: yes\na/2: no\n"), () => key);
    expect(await p.confirm("?")).toBe(true);
    key = "a/2";
    expect(await p.confirm("?")).toBe(false);
  });
});
