// @ts-nocheck
// Resume and secret answers: a secret value saved by an input step is journaled as [REDACTED], so a resumed
// run asks for it again exactly when a step that still has to run uses it.
import { describe, expect, it } from "vitest";
import { parseChecklist } from "../../../src/checklist/parse.js";
import { stepsToAskAgain } from "../../../src/cli/run-session.js";
import { fold } from "../../../src/engine/state.js";
import { REDACTED } from "../../../src/redact.js";
import { EventLog } from "../../helpers/builders.js";

const { checklist } = parseChecklist(
  `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: t, title: T }
sections:
  - id: s
    title: S
    items:
      - id: creds
        title: Credentials
        steps:
          - { id: token, input: { prompt: "API token", saveAs: token, secret: true } }
          - { id: revision, input: { prompt: "Revision", saveAs: revision } }
      - id: use
        title: Use
        steps:
          - { id: call, run: "curl -H \\"Authorization: Bearer \${token}\\" https://127.0.0.1/" }
          - { id: note, run: "echo \${revision}" }
`,
  "t.yaml",
);

describe("stepsToAskAgain", () => {
  const answered = () =>
    new EventLog()
      .step("creds/token", "passed", { saved: { token: REDACTED } })
      .step("creds/revision", "passed", { saved: { revision: "7" } });

  it("asks again for a secret answer that a pending step still uses", () => {
    expect(stepsToAskAgain(checklist, fold(answered().events), [])).toEqual(["creds/token"]);
  });

  it("does not ask again once every step that used it has its result", () => {
    const state = fold(answered().step("use/call").events);
    expect(stepsToAskAgain(checklist, state, [])).toEqual([]);
  });

  it("never asks again for values that were kept (not secret)", () => {
    const state = fold(answered().step("use/call").events);
    expect(stepsToAskAgain(checklist, state, [])).not.toContain("creds/revision");
  });

  it("leaves steps that run again anyway (their definition changed) to that mechanism", () => {
    expect(stepsToAskAgain(checklist, fold(answered().events), ["creds/token"])).toEqual([]);
  });
});
