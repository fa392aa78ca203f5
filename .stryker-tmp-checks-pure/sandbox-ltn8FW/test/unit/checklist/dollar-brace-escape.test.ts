// @ts-nocheck
// `$${NAME}` is the format's escape for a literal `${NAME}` (bash's own variables in run commands).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fill } from "../../../src/checklist/describe.js";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import { validateChecklist } from "../../../src/checklist/validate.js";
import { interpolate, references, unescapeDollarBrace } from "../../../src/checklist/vars.js";
import { execute } from "../../../src/checks/run.js";
import { makeContext, tempDir } from "../checks/context.js";

function checklist(steps: Step[]): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "t", title: "T" },
    vars: { tag: { default: "v1" } },
    sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps }] }],
  };
}

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe("$${NAME}", () => {
  it("is a literal ${NAME} in every interpolated field, and never a reference", () => {
    expect(interpolate("$${FOO} ${tag}", { tag: "v1" }, {})).toBe("${FOO} v1");
    expect(fill("$${FOO} ${tag}", { tag: "v1" })).toBe("${FOO} v1");
    expect(references("$${FOO} ${tag} $${tag}")).toEqual(["tag"]);
    // Leftmost first: one `$` is removed from each `$${`, whatever precedes it.
    expect(unescapeDollarBrace("$$${x} $$ ${y}")).toBe("$${x} $$ ${y}");
  });

  it("does not make a value's own `$${` into `${` (values are data)", () => {
    expect(interpolate("${tag}", { tag: "$${HOME}" }, {})).toBe("$${HOME}");
  });

  it("is not an undeclared variable for validate", () => {
    expect(validateChecklist(checklist([{ id: "a", run: "echo $${GITLAB_ENVIRONMENT} ${tag}" }]))).toEqual(
      [],
    );
  });

  it("reaches bash as ${NAME}, which bash expands from its own variables", async () => {
    const out = await execute(
      {
        id: "s",
        run: {
          command: 'GITLAB_ENVIRONMENT=prod; printf "%s|%s" "$${GITLAB_ENVIRONMENT}" $${HOME}',
          env: {},
        },
      } as Step,
      makeContext({ cwd: dir, env: { PATH: process.env["PATH"], HOME: "/home/me" } }),
    );
    expect(out.status).toBe("passed");
    expect(out.output).toBe("prod|/home/me");
  });
});
