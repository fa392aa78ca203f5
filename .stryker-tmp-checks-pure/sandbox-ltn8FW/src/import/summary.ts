// @ts-nocheck
// The summary printed after an import: what became what, what still needs a person, what was left out
// and why, every step marked mutating and every variable created. It hides nothing: a line is never
// "none" when something of that kind happened. Pure.
import type { ImportReport } from "./convert.js";

function counts(record: Partial<Record<string, number>>): string {
  return Object.entries(record)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `3, 5-9, 12`: line numbers compacted into ranges. */
function ranges(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return out.join(", ");
}

export function formatSummary(report: ImportReport, from: string, to: string): string {
  const { byKind } = report;
  const automated = Object.entries(byKind)
    .filter(([kind]) => kind !== "confirm" && kind !== "note" && kind !== "input")
    .map(([kind, n]) => (kind === "kube" ? `${n} kube (${counts(report.kubeChecks)})` : `${n} ${kind}`));
  const decoration = report.unplaced.filter((u) => u.reason === "decoration");
  const dropped = report.unplaced.filter((u) => u.reason !== "decoration" && u.reason !== "not understood");
  const unplaced = report.unplaced.filter((u) => u.reason === "not understood");
  const lines = [
    `Imported ${from} -> ${to}`,
    `  ${plural(report.sections, "section")}, ${plural(report.items, "item")}, ${plural(report.steps, "step")}`,
    `  steps by kind: ${counts(byKind) || "none"}`,
    `  automated: ${automated.length ? automated.join(", ") : "none"}`,
    `  left as confirmations: ${report.confirmations}${byKind.note ? `  (and ${byKind.note} notes)` : ""}`,
    `  source lines: ${report.placed.length} placed, ${dropped.length + decoration.length} dropped, ${unplaced.length} not placed`,
  ];
  for (const c of report.commandsAsConfirmations) {
    lines.push(`    command left to confirm at ${c.key}: ${c.command}  (${c.why})`);
  }
  if (report.mutating.length) {
    lines.push(`  marked mutating (${report.mutating.length}, asked before running, skipped by --dry-run):`);
    for (const key of report.mutating) lines.push(`    ${key}`);
  } else lines.push("  marked mutating: none");
  if (report.metricGates.length) {
    lines.push(`  metric-gate candidates (${report.metricGates.length}, marked with a comment in the YAML):`);
    for (const g of report.metricGates) lines.push(`    line ${g.line}: "${g.threshold}" at ${g.key}`);
  } else lines.push("  metric-gate candidates: none");
  if (unplaced.length) {
    lines.push(`  lines not placed (${unplaced.length}):`);
    for (const u of unplaced) lines.push(`    line ${u.line}: ${u.text}  (${u.reason})`);
  } else lines.push("  lines not placed: none (every line is in the checklist or dropped below)");
  if (dropped.length) {
    lines.push(`  dropped (${dropped.length}):`);
    for (const d of dropped) lines.push(`    line ${d.line}: ${d.text}  (${d.reason})`);
  }
  if (decoration.length) {
    lines.push(
      `  decoration left out (rules, underlines): line${decoration.length > 1 ? "s" : ""} ${ranges(decoration.map((u) => u.line))}`,
    );
  }
  if (report.variables.length) {
    lines.push(`  variables created (${report.variables.length}):`);
    for (const v of report.variables) lines.push(`    ${v.name}: ${v.why}`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join("\n")}\n`;
}
