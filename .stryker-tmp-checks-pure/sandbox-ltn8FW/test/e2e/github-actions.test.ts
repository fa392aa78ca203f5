// @ts-nocheck
// A run as a GitHub Actions step (GITHUB_ACTIONS=true, GITHUB_STEP_SUMMARY set): item output folded into
// groups, a failed required step as an ::error annotation (escaped), the failing command's output fenced
// with ::stop-commands:: so it cannot issue workflow commands, and the Markdown report in the job summary.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeData, escapeProperty } from "../../src/ui/github-actions.js";
import { cli, ensureBuilt } from "./record-fixture.js";

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = mkdtempSync(join(tmpdir(), "dc-gha-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: ci, title: "CI checks, with: punctuation" }
sections:
  - id: main
    title: Main
    items:
      - id: first
        number: 1
        title: First item
        steps:
          - id: ok
            title: It works
            run: echo fine
          - id: owner
            confirm: Is the owner told?
      - id: second
        number: 2
        title: "Second: the failing one"
        steps:
          - id: broken
            title: "Fails, with 100% certainty"
            run: |
              echo "::warning::injected by the command's output"
              echo "line two" >&2
              exit 3
`;

describe("under GitHub Actions", () => {
  it("groups items, annotates the failed step, fences command output and appends the report to the job summary", async () => {
    writeFileSync(join(root, "ci.yaml"), CHECKLIST);
    writeFileSync(
      join(root, "answers.yaml"),
      "first/owner: yes\nsignoff/engineer: CI Bot\nsignoff/ready: no\n",
    );
    const summary = join(root, "summary.md");
    writeFileSync(summary, "# earlier step\n\n");
    const r = await cli(
      ["run", "ci.yaml", "--non-interactive", "--answers", "answers.yaml", "--keep-going"],
      {
        cwd: root,
        env: {
          GITHUB_ACTIONS: "true",
          GITHUB_STEP_SUMMARY: summary,
          XDG_CONFIG_HOME: join(root, "config"),
          HOME: root,
        },
      },
    );
    expect(r.code, r.stderr).toBe(1);
    const out = r.stdout;
    expect(out).toContain("::group::[1/2] First item\n");
    expect(out).toContain("::group::[2/2] Second: the failing one\n");
    expect(out.match(/::group::/g)).toHaveLength(2);
    expect(out.match(/::endgroup::/g)).toHaveLength(2);
    expect(out).toContain(
      `::error title=${escapeProperty("[2/2] Second: the failing one: Fails, with 100% certainty")}::exit 3`,
    );
    expect(out).toContain("title=[2/2] Second%3A the failing one%3A Fails%2C with 100%25 certainty::");
    // The command's own "::warning::" line is printed inside a stop-commands fence.
    const fence = out.match(/::stop-commands::(\w+)\n([\s\S]*?)::(\w+)::\n/);
    expect(fence?.[1]).toBe(fence?.[3]);
    expect(fence?.[2]).toContain("::warning::injected");

    const text = readFileSync(summary, "utf8");
    expect(text.startsWith("# earlier step\n\n# CI checks, with: punctuation")).toBe(true);
    expect(text).toContain("Second: the failing one");
  });

  it("escapes data and properties as GitHub's toolkit does", () => {
    // A carriage return starts a new line (as on a terminal); escape sequences are removed first.
    expect(escapeData("50% done\r\nnext")).toBe("50%25 done%0Anext");
    expect(escapeData("a\x1b]0;title\x07b\x1b[31mc")).toBe("abc");
    expect(escapeProperty("a: b, c%\n")).toBe("a%3A b%2C c%25%0A");
  });
});
