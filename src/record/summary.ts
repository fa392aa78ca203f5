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
      ["pending", counts.pending],
    ] as const
  )
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return `${counts.total} item${counts.total === 1 ? "" : "s"}: ${parts.join(", ") || "none"}`;
}

const MAX_TITLE = 48;
const MAX_SECTION = 28;

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A plain-text table (no colour: the caller may colour it) with a totals line. */
export function renderSummaryTable(summary: RunSummary): string {
  const rows = summary.items.map((i) => [
    String(i.number),
    truncate(i.title, MAX_TITLE) + (i.required ? "" : " (optional)"),
    truncate(i.section, MAX_SECTION),
    STATUS_LABEL[i.status],
  ]);
  const header = ["#", "Item", "Section", "Status"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  out.push("", summaryLine(summary.counts));
  if (summary.requiredFailures.length > 0) {
    out.push(
      `Required items failed: ${summary.requiredFailures.map((i) => `${i.number}. ${i.title}`).join(", ")}`,
    );
  }
  return `${out.join("\n")}\n`;
}
