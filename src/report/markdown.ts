// record -> Markdown in the shape of the seed checklist (☑/☐ per item, the sign-off block), readable as a
// pull-request comment. Pure. Every piece of recorded text is escaped so it cannot inject markup.
import type { DeployRecord, ItemRecord } from "../record/schema.js";
import { summaryLine } from "../record/summary.js";
import { sanitizeLine } from "../sanitize.js";
import {
  DRY_RUN_NOTICE,
  decisions,
  formatTime,
  headerFacts,
  itemEvidence,
  UNFINISHED_NOTICE,
} from "./evidence.js";

/**
 * Recorded text as Markdown that renders literally: every character Markdown or inline HTML gives a
 * meaning to is backslash-escaped (CommonMark shows `\<` as `<`, `\&` as `&`), so `1 > 0` reads as
 * written on GitHub and in a text editor alike, and no tag, entity, link or emphasis can come from it.
 * Text always sits after a marker (`- `, `# `, `**Label:** `), where a leading `-`, `+`, `=` or `1.`
 * would still start a nested list, a rule or a setext line: those are escaped too.
 */
export function md(text: string): string {
  // One line: a newline in a title or a name must not start a line of its own (a second "Deployment Ready").
  // An underscore inside a word (DEPLOYMENT_ID) cannot emphasize anything in CommonMark: left as is.
  return sanitizeLine(text)
    .replace(/[\\`*_[\]<>|~#&$!]/g, (c, at: number, all: string) =>
      c === "_" && /[\p{L}\p{N}]/u.test(all[at - 1] ?? "") && /[\p{L}\p{N}]/u.test(all[at + 1] ?? "")
        ? c
        : `\\${c}`,
    )
    .replace(/^([-+=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

const DONE = new Set(["passed", "overridden", "not-applicable"]);

function itemLine(item: ItemRecord): string[] {
  const box = DONE.has(item.status) ? "[x]" : "[ ]";
  const status =
    item.status === "failed"
      ? "**FAILED**"
      : item.status === "pending"
        ? "*pending*"
        : item.status === "described"
          ? "*described, not run (dry run)*"
          : item.status;
  const optional = item.required ? "" : " (optional)";
  const evidence = itemEvidence(item);
  const lines = [
    `- ${box} ${item.number}. ${md(item.title)}${optional} — ${status}${evidence ? ` · ${md(evidence)}` : ""}`,
  ];
  for (const d of decisions(item)) lines.push(`  - ${md(d)}`);
  return lines;
}

export function renderMarkdown(record: DeployRecord): string {
  const out: string[] = [`# ${md(record.checklist.title)}`, ""];
  if (!record.finished) out.push(`> [!WARNING]`, `> **${UNFINISHED_NOTICE}**`, "");
  if (record.dryRun) out.push(`> [!NOTE]`, `> **${DRY_RUN_NOTICE}**`, "");
  for (const [label, value] of headerFacts(record)) out.push(`- **${label}:** ${md(value)}`);
  out.push("", `**Result:** ${md(summaryLine(record.summary))}`);
  if (record.summary.requiredFailures > 0) {
    out.push("", `**${record.summary.requiredFailures} required item(s) failed without override.**`);
  }
  for (const section of record.sections) {
    out.push("", `### ${md(section.title)}`, "");
    for (const item of section.items) out.push(...itemLine(item));
  }
  const guardsFailed = record.guards.filter((g) => g.status !== "passed");
  if (guardsFailed.length > 0) {
    out.push("", "### Guards", "");
    for (const g of guardsFailed) out.push(`- [ ] ${md(g.key)} — ${g.status}`);
  }
  const s = record.signoff;
  out.push("", "### Sign-Off", "");
  out.push(`- **Deployment Ready:** ${s ? (s.ready ? "☑ Yes ☐ No" : "☐ Yes ☑ No") : "☐ Yes ☐ No"}`);
  out.push(`- **Engineer:** ${s ? md(s.engineer) : "—"}`);
  out.push(`- **Timestamp:** ${s ? formatTime(s.at) : "—"}`);
  out.push(`- **Notes:** ${s?.notes ? md(s.notes.replace(/\s+/g, " ")) : "—"}`);
  out.push(`- **Issues/Blockers:** ${s?.blockers ? md(s.blockers.replace(/\s+/g, " ")) : "—"}`);
  out.push("");
  if (record.signature) {
    out.push(
      `<sub>Signed with Ed25519 key \`${record.signature.fingerprint}\` · verify with \`deploycheck verify record.json\`</sub>`,
    );
  } else {
    out.push("<sub>Not signed.</sub>");
  }
  return `${out.join("\n")}\n`;
}
