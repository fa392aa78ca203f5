// The end-of-run summary: item statuses and counts (pure), and the plain-text table the runner prints.
import type { Checklist } from "../checklist/schema.js";
import type { RunState } from "../engine/state.js";
import { buildSections } from "./build.js";
import type { RecordStatus, SummaryCounts } from "./schema.js";
import { countItems, STATUS_LABEL } from "./status.js";

export interface SummaryItem {
  number: number;
  id: string;
  title: string;
  section: string;
  status: RecordStatus;
  required: boolean;
}

export interface RunSummary {
  counts: SummaryCounts;
  items: SummaryItem[];
  failedItems: SummaryItem[];
  overriddenItems: SummaryItem[];
  /** Required items failed without override: these block "ready" under requireAllRequiredPassed. */
  requiredFailures: SummaryItem[];
}

export function summarize(state: RunState, checklist: Checklist): RunSummary {
  const items: SummaryItem[] = buildSections(state, checklist).flatMap((section) =>
    section.items.map((item) => ({
      number: item.number,
      id: item.id,
      title: item.title,
      section: section.title,
      status: item.status,
      required: item.required,
    })),
  );
  return {
    counts: countItems(items),
    items,
    failedItems: items.filter((i) => i.status === "failed"),
    overriddenItems: items.filter((i) => i.status === "overridden"),
    requiredFailures: items.filter((i) => i.status === "failed" && i.required),
  };
}

/** One line of totals: "23 items: 20 passed, 1 failed, 1 overridden, 1 n/a". */
export function summaryLine(counts: SummaryCounts): string {
  const parts = (
    [
      ["passed", counts.passed],
      ["failed", counts.failed],
      ["overridden", counts.overridden],
      ["skipped", counts.skipped],
      ["n/a", counts.notApplicable],
      ["described (dry run)", counts.described],
      ["pending", counts.pending],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return `${counts.total} item${counts.total === 1 ? "" : "s"}: ${parts.join(", ") || "none"}`;
}

const MAX_TITLE = 60;

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * A plain-text table (no colour: the caller may colour it) with a totals line. Sections are heading
 * rows rather than a column, so that the table fits an 80-column terminal.
 */
export function renderSummaryTable(summary: RunSummary, options: { width?: number } = {}): string {
  // "(optional)" only where the title does not already say so ("(Optional but Recommended)").
  const suffix = (i: SummaryItem) => (i.required || /\boptional\b/i.test(i.title) ? "" : " (optional)");
  const numWidth = Math.max(1, ...summary.items.map((i) => String(i.number).length));
  const statusWidth = Math.max(6, ...summary.items.map((i) => STATUS_LABEL[i.status].length));
  // On a terminal the title column takes what the number and status columns leave (at least 12).
  const maxTitle = options.width
    ? Math.max(12, Math.min(MAX_TITLE, options.width - 1 - numWidth - 2 - 2 - statusWidth))
    : MAX_TITLE;
  const titleOf = (i: SummaryItem) => truncate(i.title + suffix(i), maxTitle);
  const titleWidth = Math.max(4, ...summary.items.map((i) => titleOf(i).length));
  const row = (num: string, title: string, status: string) =>
    `${num.padStart(numWidth)}  ${title.padEnd(titleWidth)}  ${status}`;
  const out = [row("#", "Item", "Status"), row("-".repeat(numWidth), "-".repeat(titleWidth), "------")];
  let section: string | undefined;
  for (const item of summary.items) {
    if (item.section !== section) {
      section = item.section;
      out.push(`${" ".repeat(numWidth + 2)}${truncate(section, titleWidth + statusWidth)}:`);
    }
    out.push(row(String(item.number), titleOf(item), STATUS_LABEL[item.status]));
  }
  out.push("", ...wrapWords(summaryLine(summary.counts), options.width));
  if (summary.requiredFailures.length > 0) {
    out.push(
      `Required items failed: ${summary.requiredFailures.map((i) => `${i.number}. ${i.title}`).join(", ")}`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** Plain text in rows of at most width-1 columns, broken at spaces (no width: one row). */
function wrapWords(text: string, width: number | undefined): string[] {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut; the loop below also makes one row of text that fits (or without a width)
  if (!width || text.length < width) return [text];
  const rows: string[] = [];
  let row = "";
  for (const word of text.split(" ")) {
    if (row && row.length + 1 + word.length > width - 1) {
      rows.push(row);
      row = `  ${word}`;
    } else row = row ? `${row} ${word}` : word;
  }
  rows.push(row);
  return rows;
}
