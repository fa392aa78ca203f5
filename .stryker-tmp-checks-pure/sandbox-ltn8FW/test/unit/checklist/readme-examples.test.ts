// @ts-nocheck
// The README's examples are checklists the loader accepts: every ```yaml block with
// `apiVersion: deploycheck/v1`, and every block marked `<!-- fragment -->` (a list of steps) inside a
// minimal checklist. Documentation that does not validate is a failing test, not a stale page.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STEP_KINDS } from "../../../src/checklist/kinds.js";
import { parseChecklist } from "../../../src/checklist/parse.js";

const readme = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../README.md"),
  "utf8",
);

interface Block {
  line: number;
  text: string;
  fragment: boolean;
}

function yamlBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /(<!-- fragment -->\s*\n)?```yaml\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(re)) {
    out.push({ line: markdown.slice(0, m.index).split("\n").length, text: m[2]!, fragment: Boolean(m[1]) });
  }
  return out;
}

function embed(steps: string): string {
  const indented = steps
    .split("\n")
    .map((l) => (l ? `        ${l}` : l))
    .join("\n");
  return `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: readme, title: README fragment }
vars:
  apiUrl: { default: "https://api.example.com" }
  prometheusUrl: { default: "http://127.0.0.1:9090" }
  namespace: { default: staging }
  deployment: { default: buywhere-api }
  slackWebhook: { secret: true, required: false }
sections:
  - id: main
    title: Main
    items:
    - id: item
      title: Item
      steps:
${indented}`;
}

const blocks = yamlBlocks(readme);
const checklists = blocks.filter((b) => b.text.includes("apiVersion: deploycheck/v1"));
const fragments = blocks.filter((b) => b.fragment);

describe("README examples", () => {
  it("has full checklists and fragments covering every step kind", () => {
    expect(checklists.length).toBeGreaterThanOrEqual(1);
    const all = [...checklists, ...fragments].map((b) => b.text).join("\n");
    // Every kind the schema knows, so a new kind cannot ship without a README example.
    for (const kind of STEP_KINDS) {
      expect(all).toMatch(new RegExp(`^\\s*(- )?${kind}:`, "m"));
    }
  });

  it.each(checklists.map((b) => [b.line, b.text]))("checklist at README.md:%i validates", (_line, text) => {
    const loaded = parseChecklist(text as string, "README.md");
    expect(loaded.checklist.apiVersion).toBe("deploycheck/v1");
  });

  it.each(fragments.map((b) => [b.line, b.text]))("fragment at README.md:%i validates", (_line, text) => {
    const loaded = parseChecklist(embed(text as string), "README.md");
    expect(loaded.checklist.sections[0]!.items[0]!.steps.length).toBeGreaterThan(0);
    expect(loaded.warnings).toEqual([]);
  });
});
