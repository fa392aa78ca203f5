// record -> one self-contained, printable HTML page (inline CSS, no scripts, no external assets). Pure.
// Every recorded string goes through esc(): the page cannot be made to run or load anything.
import type { DeployRecord, ItemRecord, RecordStatus, StepRecord } from "../record/schema.js";
import { STATUS_LABEL } from "../record/status.js";
import { summaryLine } from "../record/summary.js";
import {
  DRY_RUN_NOTICE,
  decisions,
  formatDuration,
  formatTime,
  headerFacts,
  itemEvidence,
  oneLine,
  stepEvidence,
  UNFINISHED_NOTICE,
} from "./evidence.js";

// Control characters (a terminal bell in captured output) are parse errors in HTML: drop them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

export function esc(text: string): string {
  return text.replace(CONTROL, "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The output shown per step: the last lines only (the record keeps the full tail). */
const OUTPUT_LINES = 30;

const CSS = `
:root { --ink:#1d2330; --muted:#5d6575; --line:#d9dde5; --bg:#f6f7f9;
  --passed:#1a7f37; --failed:#c62828; --overridden:#9a6700; --skipped:#6e7781; --na:#6e7781; --pending:#0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
.sub { color: var(--muted); margin: 0 0 16px; }
.banner { border: 2px solid var(--failed); background: #fdecea; color: var(--failed); font-weight: 700; padding: 10px 14px; border-radius: 6px; margin: 12px 0 16px; text-transform: none; }
.banner.dry-run { border-color: var(--pending); background: #eaf2fd; color: var(--pending); }
.verdict { display: inline-block; font-weight: 700; padding: 3px 10px; border-radius: 4px; color: #fff; }
.verdict.ready { background: var(--passed); } .verdict.not-ready { background: var(--failed); } .verdict.none { background: var(--skipped); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 92px; background: var(--bg); }
.count b { display: block; font-size: 20px; }
.item { border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 0 0 8px; break-inside: avoid; }
.item.passed { border-left-color: var(--passed); } .item.failed { border-left-color: var(--failed); }
.item.overridden { border-left-color: var(--overridden); } .item.skipped, .item.not-applicable { border-left-color: var(--skipped); }
.item.pending { border-left-color: var(--pending); }
.item h3 { font-size: 15px; margin: 0; display: flex; gap: 8px; align-items: baseline; }
.item h3 .title { flex: 1; }
.box { font-size: 16px; }
.pill { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; white-space: nowrap; }
.pill.passed { background: var(--passed); } .pill.failed { background: var(--failed); } .pill.overridden { background: var(--overridden); }
.pill.skipped, .pill.not-applicable, .pill.described { background: var(--skipped); } .pill.pending { background: var(--pending); }
.step-id { color: var(--muted); font-size: 12px; }
.evidence { margin: 4px 0 0; color: var(--muted); }
.details { color: var(--muted); font-size: 12px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.decision { margin: 4px 0 0; color: var(--overridden); font-weight: 600; }
table.steps { width: 100%; table-layout: fixed; border-collapse: collapse; margin-top: 6px; font-size: 13px; }
table.steps th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 2px 6px; }
table.steps td { border-bottom: 1px solid var(--bg); padding: 2px 6px; vertical-align: top; overflow-wrap: anywhere; }
table.steps td.st { white-space: nowrap; font-weight: 600; }
td.st.passed { color: var(--passed); } td.st.failed { color: var(--failed); } td.st.overridden { color: var(--overridden); }
td.st.skipped, td.st.not-applicable, td.st.described { color: var(--skipped); } td.st.pending { color: var(--pending); }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; margin: 4px 0 2px; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; max-height: 220px; overflow: auto; }
.signoff { border: 2px solid var(--ink); border-radius: 6px; padding: 12px 16px; break-inside: avoid; }
.signoff dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.signoff dt { font-weight: 600; } .signoff dd { margin: 0; white-space: pre-wrap; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10pt; }
  table.steps { font-size: 9pt; }
  pre { font-size: 8pt; }
  /* On paper the step's raw facts (paths, cwd, ages) cost pages; the evidence and output remain. */
  .details { display: none; }
  main { max-width: none; padding: 0; }
  pre { max-height: none; overflow: visible; }
  .item, .signoff, .count { break-inside: avoid; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

const DONE = new Set<RecordStatus>(["passed", "overridden", "not-applicable"]);

function pill(status: RecordStatus): string {
  return `<span class="pill ${status}">${esc(STATUS_LABEL[status])}</span>`;
}

function lastLines(text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  return lines.length > OUTPUT_LINES ? `…\n${lines.slice(-OUTPUT_LINES).join("\n")}` : lines.join("\n");
}

/** Scalar details (command, exit code, revision, latency...) as "key: value" pairs; nested values left out. */
function detailsLine(step: StepRecord): string {
  const pairs = Object.entries(step.details ?? {})
    .filter(
      ([k, v]) => k !== "durationMs" && v !== null && ["string", "number", "boolean"].includes(typeof v),
    )
    .map(([k, v]) => `${k}: ${oneLine(String(v), 160)}`);
  return pairs.length ? `<div class="details">${esc(pairs.join(" · "))}</div>` : "";
}

function stepRow(step: StepRecord): string {
  // The id on a line of its own, labelled: next to a title that ends in a command it read as an argument.
  const optional = step.optional ? " (optional)" : "";
  const title = step.title ? `<div class="step-title">${esc(step.title)}${optional}</div>` : "";
  const name = `${title}<div class="step-id">id <code>${esc(step.id)}</code>${step.title ? "" : optional}</div>`;
  const attempts = step.attempts > 1 ? ` · ${step.attempts} attempts` : "";
  const output =
    step.output && step.output.trim() !== "" && (step.status === "failed" || step.kind === "run")
      ? `<pre>${esc(lastLines(step.output))}</pre>`
      : "";
  return `<tr><td>${name}</td><td>${esc(step.kind)}</td><td class="st ${step.status}">${esc(STATUS_LABEL[step.status])}</td><td>${esc(formatDuration(step.durationMs))}${attempts}</td><td>${esc(stepEvidence(step))}${detailsLine(step)}${output}</td></tr>`;
}

function itemBlock(item: ItemRecord): string {
  const box = DONE.has(item.status) ? "☑" : "☐";
  const optional = item.required ? "" : " <small>(optional)</small>";
  const decided = decisions(item)
    .map((d) => `<p class="decision">${esc(d)}</p>`)
    .join("");
  return `<section class="item ${item.status}">
<h3><span class="box">${box}</span><span class="title">${item.number}. ${esc(item.title)}${optional}</span>${pill(item.status)}</h3>
<p class="evidence">${esc(itemEvidence(item))}</p>${decided}
<table class="steps"><colgroup><col style="width:24%"><col style="width:13%"><col style="width:10%"><col style="width:13%"><col></colgroup><thead><tr><th>Step</th><th>Kind</th><th>Status</th><th>Time</th><th>Evidence</th></tr></thead>
<tbody>${item.steps.map(stepRow).join("\n")}</tbody></table>
</section>`;
}

export function renderHtml(record: DeployRecord): string {
  const s = record.signoff;
  const verdict = !s
    ? `<span class="verdict none">${record.finished ? "NOT SIGNED OFF" : "UNFINISHED"}</span>`
    : s.ready
      ? `<span class="verdict ready">DEPLOYMENT READY</span>`
      : `<span class="verdict not-ready">NOT READY</span>`;
  const facts = headerFacts(record)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join("");
  const c = record.summary;
  const counts = (
    [
      ["Passed", c.passed],
      ["Failed", c.failed],
      ["Overridden", c.overridden],
      ["Skipped", c.skipped],
      ["N/A", c.notApplicable],
      ["Pending", c.pending],
    ] as const
  )
    .map(([label, n]) => `<div class="count"><b>${n}</b>${label}</div>`)
    .join("");
  const sections = record.sections
    .map((sec) => `<h2>${esc(sec.title)}</h2>\n${sec.items.map(itemBlock).join("\n")}`)
    .join("\n");
  const readyBoxes = s ? (s.ready ? "☑ Yes ☐ No" : "☐ Yes ☑ No") : "☐ Yes ☐ No";
  const signature = record.signature
    ? `Signed with Ed25519 key <code>${esc(record.signature.fingerprint)}</code> · check with <code>deploycheck verify record.json</code>`
    : "Not signed.";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(record.checklist.title)} — ${esc(record.runId)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(record.checklist.title)}</h1>
<p class="sub">${esc(record.checklist.name)}${record.checklist.ref ? ` · ${esc(record.checklist.ref)}` : ""} · ${verdict}</p>
${record.finished ? "" : `<div class="banner" role="alert">${esc(UNFINISHED_NOTICE)}</div>`}
${record.dryRun ? `<div class="banner dry-run">${esc(DRY_RUN_NOTICE)}</div>` : ""}
<dl class="facts">${facts}</dl>
<div class="counts">${counts}</div>
<p>${esc(summaryLine(c))}${c.requiredFailures > 0 ? ` · <strong>${c.requiredFailures} required item(s) failed without override</strong>` : ""}</p>
${sections}
<h2>Sign-Off</h2>
<div class="signoff"><dl>
<dt>Deployment Ready</dt><dd>${readyBoxes}</dd>
<dt>Engineer</dt><dd>${s ? esc(s.engineer) : "—"}</dd>
<dt>Timestamp</dt><dd>${s ? esc(formatTime(s.at)) : "—"}</dd>
<dt>Notes</dt><dd>${s?.notes ? esc(s.notes) : "—"}</dd>
<dt>Issues/Blockers</dt><dd>${s?.blockers ? esc(s.blockers) : "—"}</dd>
</dl></div>
<footer>${signature} · record ${esc(record.schema)} · built ${esc(formatTime(record.createdAt))}</footer>
</main>
</body>
</html>
`;
}
