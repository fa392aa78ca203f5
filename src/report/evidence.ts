// What the reports say about an item and its steps, in words: one line of evidence per item, the
// decision (override/skip) with who and why, and header facts. Pure; shared by every format.
import type { DeployRecord, ItemRecord, StepRecord } from "../record/schema.js";

/** Collapse whitespace so that any text fits on one line. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A step in the one-line evidence: its id (short, and what --fail-at and status name it by). */
function stepName(step: StepRecord): string {
  return step.id;
}

/** A step's result in a few words: its summary, or its error, or its status. */
export function stepEvidence(step: StepRecord): string {
  const parts: string[] = [];
  if (step.summary) parts.push(step.summary);
  if (step.error && step.error !== step.summary) parts.push(step.error);
  if (step.note) parts.push(`note: ${step.note}`);
  // A described step's summary already says "would run: ..." (its label says it was not run).
  if (step.dryRun && !(step.status === "described" && step.summary))
    parts.push("dry run: described, not run");
  if (parts.length === 0) parts.push(step.status === "pending" ? "not run yet" : step.status);
  return oneLine(parts.join(" — "), 200);
}

/** Who decided and why, for overridden and skipped steps. */
export function decisions(item: ItemRecord): string[] {
  const out: string[] = [];
  for (const step of item.steps) {
    if (step.override)
      out.push(`${stepName(step)} overridden by ${step.override.by}: ${step.override.reason}`);
    if (step.skip) out.push(`${stepName(step)} skipped by ${step.skip.by}: ${step.skip.reason}`);
  }
  return out.map((d) => oneLine(d, 300));
}

/**
 * One line of evidence for an item: the failing steps when it failed; else the automated steps'
 * results (notes left out), then how many steps a person confirmed and how many did not apply (a bare "confirmed"
 * repeated four times says less than "4 confirmed"). Notes and non-passing steps are always named; when
 * more than one step has a result of its own, each result is named by its step ("backup: exit 0;
 * health: 200 OK in 41ms"), so that no number stands alone without what it measured.
 */
export function itemEvidence(item: ItemRecord): string {
  const failing = item.steps.filter((s) => s.status === "failed" && !s.optional);
  if (item.status === "failed" && failing.length > 0) {
    return oneLine(failing.map((s) => `${stepName(s)} failed: ${stepEvidence(s)}`).join("; "), 500);
  }
  const own: { step: StepRecord; text: string; labelled: boolean }[] = [];
  let confirmed = 0;
  let notApplicable = 0;
  for (const s of item.steps) {
    // A note is text shown to the engineer: nothing to report once it was shown.
    if (s.status === "passed" && s.kind === "note") continue;
    if (s.status === "passed" && s.kind === "confirm" && !s.note) confirmed += 1;
    else if (s.status === "not-applicable" && item.status !== "not-applicable") notApplicable += 1;
    else if (s.status === "passed") own.push({ step: s, text: stepEvidence(s), labelled: false });
    else {
      const status = s.status === "described" ? "described (not run)" : s.status;
      const label = s.optional ? `${stepName(s)} (optional) ${status}` : `${stepName(s)} ${status}`;
      own.push({ step: s, text: `${label}: ${stepEvidence(s)}`, labelled: true });
    }
  }
  const parts = own.map((p) => (p.labelled || own.length === 1 ? p.text : `${stepName(p.step)}: ${p.text}`));
  if (confirmed > 0) parts.push(`${confirmed} confirmed`);
  if (notApplicable > 0) parts.push(`${notApplicable} not applicable`);
  return oneLine(parts.join("; "), 500);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`;
}

/** 2026-11-26T06:30:00.000Z -> 2026-11-26 06:30:00 UTC */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Header facts in display order, empty values left out. */
export function headerFacts(record: DeployRecord): [string, string][] {
  const env = record.environment;
  const rows: [string, string | undefined][] = [
    ["Issue", record.checklist.ref],
    ["Environment", record.checklist.environment],
    ["Kube context", env.kubeContext],
    ["Run", record.runId],
    ["Started", formatTime(record.startedAt)],
    ["Checklist", `${record.checklist.path} (sha256 ${record.checklist.sha256.slice(0, 12)})`],
    ["Git SHA", env.gitSha],
    ["Operator", `${env.user}@${env.host}`],
    ["Tool", `deploycheck ${env.toolVersion}, node ${env.node}, ${env.platform}`],
  ];
  if (record.dryRun) {
    const steps = [...record.guards, ...record.sections.flatMap((s) => s.items.flatMap((i) => i.steps))];
    const described = steps.filter((s) => s.status === "described").map((s) => s.key);
    const ran = steps.filter((s) => s.status !== "described" && s.status !== "pending" && s.attempts > 0);
    rows.push([
      "Mode",
      `dry run: ${ran.length} step${ran.length === 1 ? "" : "s"} ran; ${described.length} only described, not run${described.length ? ` (${described.join(", ")})` : ""}`,
    ]);
  }
  if (record.aborted) {
    const how = record.aborted.abandoned ? "abandoned" : "aborted (resumable)";
    rows.push(["Stopped", `${how} at ${formatTime(record.aborted.at)}: ${record.aborted.reason}`]);
  }
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== "");
}

export const UNFINISHED_NOTICE =
  "UNFINISHED RUN: this report was made from the journal of a run that has not been signed off. It is not a sign-off record and carries no signature.";

export const DRY_RUN_NOTICE =
  "DRY RUN: mutating steps were only described, not run; only read-only steps ran. A dry run is a rehearsal and never signs a deployment off as ready.";

/** Items in checklist order with their section title. */
export function allItems(record: DeployRecord): { section: string; item: ItemRecord }[] {
  return record.sections.flatMap((s) => s.items.map((item) => ({ section: s.title, item })));
}
