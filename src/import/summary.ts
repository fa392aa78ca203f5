// The summary printed after an import: what became what, what still needs a person, what was left out. Pure.
import type { ImportReport } from "./convert.js";

function counts(record: Partial<Record<string, number>>): string {
  return Object.entries(record)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function formatSummary(report: ImportReport, from: string, to: string): string {
  const { byKind } = report;
  const automated = Object.entries(byKind)
    .filter(([kind]) => kind !== "confirm" && kind !== "note" && kind !== "input")
    .map(([kind, n]) => (kind === "kube" ? `${n} kube (${counts(report.kubeChecks)})` : `${n} ${kind}`));
  const lines = [
    `Imported ${from} -> ${to}`,
    `  ${plural(report.sections, "section")}, ${plural(report.items, "item")}, ${plural(report.steps, "step")}`,
    `  automated: ${automated.length ? automated.join(", ") : "none"}`,
    `  left as confirmations: ${report.confirmations}${byKind.note ? `  (and ${byKind.note} notes)` : ""}`,
  ];
  if (report.metricGates.length) {
    lines.push(`  metric-gate candidates (${report.metricGates.length}, marked with a comment in the YAML):`);
    for (const g of report.metricGates) lines.push(`    line ${g.line}: "${g.threshold}" at ${g.key}`);
  } else lines.push("  metric-gate candidates: none");
  const decoration = report.unplaced.filter((u) => u.reason === "decoration");
  const unplaced = report.unplaced.filter((u) => u.reason !== "decoration");
  if (unplaced.length) {
    lines.push(`  lines not placed (${unplaced.length}):`);
    for (const u of unplaced) lines.push(`    line ${u.line}: ${u.text}  (${u.reason})`);
  } else lines.push("  lines not placed: none (every line is in the checklist)");
  if (decoration.length) {
    lines.push(
      `  decoration left out (rules, underlines): line${decoration.length > 1 ? "s" : ""} ${decoration.map((u) => u.line).join(", ")}`,
    );
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join("\n")}\n`;
}
