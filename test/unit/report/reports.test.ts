import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import MarkdownIt from "markdown-it";
import { parse } from "parse5";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../../src/engine/events.js";
import { fold } from "../../../src/engine/state.js";
import { buildRecord } from "../../../src/record/build.js";
import type { DeployRecord } from "../../../src/record/schema.js";
import { createRedactor } from "../../../src/redact.js";
import { renderHtml } from "../../../src/report/html.js";
import { renderJunit } from "../../../src/report/junit.js";
import { md, renderMarkdown } from "../../../src/report/markdown.js";
import { sanitizeLine } from "../../../src/sanitize.js";
import { sampleChecklist, sampleEvents } from "../record/builders.js";

/** CommonMark as GitHub applies it to a comment, raw HTML allowed (the dangerous setting). */
const markdownIt = new MarkdownIt({ html: true });
const NOW = new Date("2026-11-26T07:00:00Z");
const recordOf = (events: RunEvent[], secrets: string[] = []): DeployRecord =>
  buildRecord(fold(events), sampleChecklist(), { now: NOW, redact: createRedactor(secrets) });
const finished = () => recordOf(sampleEvents());
/** An unfinished run whose item 2 failed without override. */
const failing = () =>
  recordOf(sampleEvents({ unfinished: true }).filter((e) => e.type !== "step-overridden"));

function hostile(record: DeployRecord): DeployRecord {
  const evil =
    '<script>alert(1)</script><img src=x onerror="alert(2)"> & ]]> </system-out> *bold* [x](javascript:1)';
  record.checklist.title = `Staging ${evil}`;
  record.sections[0]!.title = `Pre ${evil}`;
  record.sections[0]!.items[0]!.steps[0]!.summary = evil;
  record.sections[0]!.items[0]!.steps[0]!.output = `${evil}\n\u0007bell`;
  record.signoff!.notes = evil;
  return record;
}

describe("markdown", () => {
  it("mirrors the seed: title, facts, one checkbox line per item per section, the sign-off block", () => {
    const text = renderMarkdown(finished());
    const lines = text.split("\n");
    expect(lines[0]).toBe("# Staging Deployment Hardening and Rollback Checklist");
    expect(lines).toContain("- **Issue:** BUY-2474");
    expect(lines).toContain("- **Environment:** Staging (Kubernetes)");
    expect(lines.filter((l) => l.startsWith("### "))).toEqual([
      "### Pre-Deployment Requirements",
      "### Deployment Process",
      "### Sign-Off",
    ]);
    const items = lines.filter((l) => /^- \[[x ]\] \d+\. /.test(l));
    expect(items).toHaveLength(6);
    expect(items[0]).toMatch(/^- \[x\] 1\. Pre-Deployment Backup — passed · run-backup: exit 0; /);
    expect(items[1]).toMatch(/^- \[x\] 2\. Rollback State Capture — overridden · /);
    expect(text).toContain(
      "  - state-keys overridden by ana: ID written by the new pipeline, checked by hand",
    );
    expect(items[3]).toMatch(/^- \[ \] 4\. Staging-Specific Verification — skipped/);
    expect(lines).toContain("- **Deployment Ready:** ☑ Yes ☐ No");
    expect(lines).toContain("- **Engineer:** Ana Lima");
    expect(lines).toContain("- **Timestamp:** 2026-11-26 06:30:27 UTC");
    expect(lines).toContain("- **Issues/Blockers:** —");
    expect(text).not.toContain("UNFINISHED");
  });

  it("marks failed and pending items unchecked and an unfinished run prominently", () => {
    const text = renderMarkdown(failing());
    expect(text.split("\n").slice(0, 5).join("\n")).toContain("**UNFINISHED RUN:");
    expect(text).toMatch(
      /^- \[ \] 2\. Rollback State Capture — \*\*FAILED\*\* · state-keys failed: missing key/m,
    );
    expect(text).toMatch(/^- \[ \] 6\. Deployment Completion Notification — \*pending\*/m);
    expect(text).toContain("**1 required item(s) failed without override.**");
    expect(text).toContain("- **Deployment Ready:** ☐ Yes ☐ No");
  });

  it("counts plain confirmations instead of repeating them", () => {
    const record = finished();
    delete record.sections[0]!.items[2]!.steps[1]!.note;
    expect(renderMarkdown(record)).toContain(
      "- [x] 3. Health Check Baseline — passed · 200 OK in 41ms; 1 confirmed",
    );
  });

  it("says when and why a run was stopped", () => {
    const events = sampleEvents({ unfinished: true });
    events.push({
      v: 1,
      type: "run-aborted",
      at: "2026-11-26T06:45:00.000Z",
      reason: "engineer aborted",
      abandoned: false,
    });
    expect(renderMarkdown(recordOf(events))).toContain(
      "- **Stopped:** aborted (resumable) at 2026-11-26 06:45:00 UTC: engineer aborted",
    );
  });

  it("escapes recorded text so it cannot inject markup, with backslashes, not entities", () => {
    const text = renderMarkdown(hostile(finished()));
    expect(text).not.toMatch(/(?<!\\)<(script|img)/);
    expect(text).not.toMatch(/&(lt|gt|amp);/);
    expect(text).toContain("\\<script\\>");
    expect(text).toContain("\\*bold\\*");
    // Rendered as GitHub would (HTML allowed): no tag but the report's own <sub>, and the text reads as recorded.
    const rendered = markdownIt.render(text);
    expect(rendered.match(/<(?!\/?(?:h1|h3|ul|li|p|strong|em|blockquote|sub|code)\b)[a-z]/gi)).toBeNull();
    expect(rendered).toContain("Staging &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x");
  });

  it("labels each step's evidence when an item has more than one, and shows numbers as written", () => {
    const text = renderMarkdown(finished());
    expect(text).toContain(
      "- [x] 1. Pre-Deployment Backup — passed · run-backup: exit 0; backup-exists: newest entry db-20261126.sql.gz is 2m old; verify-backup (optional) failed: exit 3 — checksum tool missing",
    );
    expect(text).toContain("· health: 200 OK in 41ms; document: yes — note:");
    // One step, one result: no label needed.
    expect(text).toContain("- [x] 6. Deployment Completion Notification — passed · delivered (200)");
    expect(text).toContain("DEPLOYMENT_ID");
  });

  it("never shows a dry run's described item as done, and says it is a dry run", () => {
    const events = sampleEvents().map((e) => {
      if (e.type === "run-started") return { ...e, options: { ...e.options, dryRun: true } };
      if (e.type === "step-finished" && e.key === "backup/run-backup")
        return {
          ...e,
          outcome: {
            status: "described" as const,
            dryRun: true,
            summary: "would run: ./scripts/pre-deploy-backup.sh backup",
          },
        };
      return e;
    });
    const text = renderMarkdown(recordOf(events));
    expect(text).toContain("> **DRY RUN: mutating steps were only described, not run;");
    expect(text).toMatch(
      /^- \[ \] 1\. Pre-Deployment Backup — \*described, not run \(dry run\)\* · run-backup described \(not run\): would run: \.\/scripts/m,
    );
    expect(text).not.toMatch(/^- \[x\] 1\./m);
    const html = renderHtml(recordOf(events));
    expect(html).toContain('<div class="banner dry-run">DRY RUN:');
  });

  it("renders any recorded text literally in every place it is put (differential, markdown-it)", () => {
    const seed = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);
    console.log(`markdown escaping property: SEED=${seed}`);
    const unit = fc.constantFrom(
      ..."\\`*_[]<>|~#&$!()-+=.:;'\"/ \t\n\r\u001b\u0007\u202eaZ1_éx".split(""),
      "1.",
      "2)",
      "&amp;",
      "&#60;",
      "<b>",
      "</p>",
      "<!--",
      "-->",
      "```",
      "~~~",
      "---",
      "***",
      "[x](javascript:1)",
      "![i](x)",
      "<http://a.b>",
      "__",
      "**",
      "    ",
      "\\\n",
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (raw) => {
        const expected = sanitizeLine(raw);
        fc.pre(expected !== "");
        for (const [before, after] of [
          ["- [x] 1. ", " — passed"],
          ["# ", ""],
          ["- **Notes:** ", ""],
          ["  - ", ""],
        ] as const) {
          const tokens = markdownIt.parse(`- a\n${before}${md(raw)}${after}\n`, {});
          // Block structure as written: nothing nested, no heading or rule or code block from the text.
          const blocks = tokens.map((t) => t.type).filter((t) => t !== "inline");
          expect(blocks.filter((t) => /html|fence|code|hr|blockquote|table/.test(t))).toEqual([]);
          expect(blocks.filter((t) => t === "list_item_open").length).toBe(before === "# " ? 1 : 2);
          const inline = tokens.filter((t) => t.type === "inline").at(-1)!;
          const kinds = new Set(inline.children!.map((c) => c.type));
          for (const k of kinds) expect(["text", "text_special", "strong_open", "strong_close"]).toContain(k);
          const shown = inline.children!.map((c) => c.content).join("");
          expect(shown).toBe(`${before.replace(/^\s*(- |# )/, "").replace(/\*\*/g, "")}${expected}${after}`);
        }
      }),
      { seed, numRuns: 1500 },
    );
  });
});

function htmlErrors(html: string): string[] {
  const errors: string[] = [];
  parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  return errors;
}
type Node = {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  value?: string;
};
function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const child of node.childNodes ?? []) walk(child, visit);
  const content = (node as { content?: Node }).content;
  if (content) walk(content, visit);
}
function elements(html: string): Node[] {
  const out: Node[] = [];
  walk(parse(html) as unknown as Node, (n) => out.push(n));
  return out;
}
const classOf = (n: Node) => n.attrs?.find((a) => a.name === "class")?.value ?? "";

describe("html", () => {
  it("is one valid, self-contained page with every item, the sign-off and the fingerprint", () => {
    const record = finished();
    const html = renderHtml({
      ...record,
      signature: { algorithm: "Ed25519", publicKey: "k", fingerprint: "SHA256:abc+/def", value: "sig" },
    });
    expect(htmlErrors(html)).toEqual([]);
    const nodes = elements(html);
    const names = new Set(nodes.map((n) => n.nodeName));
    for (const forbidden of ["script", "link", "iframe", "img", "object"])
      expect(names.has(forbidden)).toBe(false);
    for (const n of nodes) {
      for (const a of n.attrs ?? []) {
        expect(["src", "href"].includes(a.name) ? a.value : "").toBe("");
        expect(a.name.startsWith("on")).toBe(false);
      }
    }
    expect(nodes.filter((n) => n.nodeName === "section" && classOf(n).startsWith("item "))).toHaveLength(6);
    expect(nodes.filter((n) => n.nodeName === "h2").length).toBe(3);
    expect(html).toContain("@media print");
    expect(html).toContain("Ana Lima");
    expect(html).toContain("☑ Yes ☐ No");
    expect(html).toContain("SHA256:abc+/def");
    expect(html).toContain("ID written by the new pipeline, checked by hand");
    expect(html).toContain("newest: db-20261126.sql.gz · ageMs: 120000");
    expect(html).not.toContain('role="alert"');
  });

  it("puts a step's id on a line of its own, apart from its title", () => {
    const record = finished();
    record.sections[0]!.items[0]!.steps[0]!.title = "Run ./scripts/pre-deploy-backup.sh backup";
    const nodes = elements(renderHtml(record));
    const text = (n: Node): string => n.value ?? (n.childNodes ?? []).map(text).join("");
    const cell = nodes.find(
      (n) => n.nodeName === "td" && text(n).includes("Run ./scripts/pre-deploy-backup.sh backup"),
    )!;
    const blocks = (cell.childNodes ?? []).filter((n) => n.nodeName === "div");
    expect(blocks.map((b) => [classOf(b), text(b)])).toEqual([
      ["step-title", "Run ./scripts/pre-deploy-backup.sh backup"],
      ["step-id", "id run-backup"],
    ]);
  });

  it("shows an unfinished run in a banner", () => {
    const html = renderHtml(failing());
    expect(htmlErrors(html)).toEqual([]);
    expect(html).toMatch(/<div class="banner" role="alert">UNFINISHED RUN:/);
    expect(html).toContain('<section class="item failed">');
  });

  it("escapes recorded text: no element or attribute comes from the record", () => {
    const html = renderHtml(hostile(finished()));
    expect(htmlErrors(html)).toEqual([]);
    const names = new Set(elements(html).map((n) => n.nodeName));
    expect(names.has("script")).toBe(false);
    expect(names.has("img")).toBe(false);
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
  });
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) => ["testcase", "property"].includes(name),
});
type Attrs = Record<string, string>;

/** The structural rules of the common JUnit XML schema (Ant/Jenkins junit XSD). */
function checkJunit(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as {
    testsuites: Attrs & { testsuite: Attrs & { testcase: (Attrs & Record<string, unknown>)[] } };
  };
  const suites = doc.testsuites;
  const suite = suites.testsuite;
  for (const attr of [
    "name",
    "tests",
    "failures",
    "errors",
    "skipped",
    "time",
    "timestamp",
    "hostname",
    "id",
    "package",
  ]) {
    expect(suite[attr], `testsuite@${attr}`).toBeDefined();
  }
  expect(suite.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  const cases = suite.testcase;
  for (const c of cases) {
    expect(c.name).toBeTruthy();
    expect(c.classname).toBeTruthy();
    expect(c.time).toMatch(/^\d+(\.\d+)?$/);
  }
  const count = (key: string) => cases.filter((c) => key in c).length;
  expect(Number(suite.tests)).toBe(cases.length);
  expect(Number(suite.failures)).toBe(count("failure"));
  expect(Number(suite.errors)).toBe(count("error"));
  expect(Number(suite.skipped)).toBe(count("skipped"));
  for (const attr of ["tests", "failures", "errors", "skipped", "time"])
    expect(suites[attr]).toBe(suite[attr]);
  return { suite, cases };
}

describe("junit", () => {
  it("has one testcase per item with section as classname and consistent counts", () => {
    const { suite, cases } = checkJunit(renderJunit(finished()));
    expect(cases.map((c) => [c.classname, c.name])).toEqual([
      ["Pre-Deployment Requirements", "1. Pre-Deployment Backup"],
      ["Pre-Deployment Requirements", "2. Rollback State Capture"],
      ["Pre-Deployment Requirements", "3. Health Check Baseline"],
      ["Deployment Process", "4. Staging-Specific Verification"],
      ["Deployment Process", "5. ECS Fallback"],
      ["Deployment Process", "6. Deployment Completion Notification"],
    ]);
    expect(suite).toMatchObject({ tests: "6", failures: "0", errors: "0", skipped: "2" });
    expect(String(cases[0]?.["system-out"])).toContain("backup/run-backup [passed] exit 0");
    expect(cases[0]?.time).toBe("3.600");
  });

  it("reports failures with evidence and pending items of an unfinished run as errors", () => {
    const { suite, cases } = checkJunit(renderJunit(failing()));
    expect(suite).toMatchObject({ failures: "1", errors: "3" });
    const failure = cases[1]?.["failure"] as unknown as Attrs;
    expect(failure.message).toContain("missing key DEPLOYMENT_ID");
    expect(failure.type).toBe("failed");
  });

  it("stays well-formed whatever the record holds", () => {
    checkJunit(renderJunit(hostile(finished())));
  });
});

describe("secrets", () => {
  it("appear nowhere in the record or any export", () => {
    const secrets = { token: "tok-d41d8cd98f00b204", password: "pw-e9800998ecf8427e" };
    const record = recordOf(sampleEvents({ secrets }), [secrets.token]);
    const outputs = [JSON.stringify(record), renderMarkdown(record), renderHtml(record), renderJunit(record)];
    for (const text of outputs) {
      expect(text.split(secrets.token)).toHaveLength(1);
      expect(text.split(secrets.password)).toHaveLength(1);
    }
  });
});
