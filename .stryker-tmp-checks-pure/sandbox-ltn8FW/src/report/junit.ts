// @ts-nocheck
// record -> JUnit XML for CI dashboards: one testsuite, one testcase per item (classname = section,
// name = "N. Title"). Failed -> <failure>, skipped and not-applicable -> <skipped>, pending (an
// unfinished run) -> <error>, so a dashboard never shows an unfinished run as green. Pure.
import type { DeployRecord, ItemRecord } from "../record/schema.js";
import { decisions, itemEvidence, oneLine, stepEvidence, UNFINISHED_NOTICE } from "./evidence.js";

// XML 1.0 cannot carry most control characters, even escaped: drop them.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xml(text: string): string {
  return text
    .replace(INVALID_XML, "")
    .replace(/[&<>"']/g, (c) =>
      c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;",
    );
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit timestamps are ISO 8601 without a zone designator (the XSD's xs:dateTime pattern). */
const junitTimestamp = (iso: string): string => iso.replace(/\.\d+Z$|Z$/, "");

function itemText(item: ItemRecord): string {
  const lines = item.steps.map((s) => {
    const out = s.output && s.status === "failed" ? `\n${s.output.replace(/\n+$/, "")}` : "";
    return `${s.key} [${s.status}${s.optional ? ", optional" : ""}] ${stepEvidence(s)}${out}`;
  });
  return [...lines, ...decisions(item)].join("\n");
}

function testcase(section: string, item: ItemRecord): string {
  const attrs = `classname="${xml(section)}" name="${xml(`${item.number}. ${item.title}`)}" time="${seconds(item.durationMs)}"`;
  const evidence = oneLine(itemEvidence(item), 300);
  let verdict = "";
  if (item.status === "failed") {
    verdict = `\n      <failure message="${xml(evidence)}" type="failed">${xml(itemText(item))}</failure>`;
  } else if (item.status === "skipped") {
    const why = decisions(item)[0] ?? evidence;
    verdict = `\n      <skipped message="${xml(oneLine(why, 300))}"/>`;
  } else if (item.status === "not-applicable") {
    verdict = `\n      <skipped message="${xml(`not applicable: ${evidence}`)}"/>`;
  } else if (item.status === "described") {
    verdict = `\n      <skipped message="${xml(`dry run: described, not run: ${evidence}`)}"/>`;
  } else if (item.status === "pending") {
    verdict = `\n      <error message="not run: the run is unfinished" type="pending"/>`;
  }
  return `    <testcase ${attrs}>${verdict}
      <system-out>${xml(`${item.status}: ${itemText(item)}`)}</system-out>
    </testcase>`;
}

export function renderJunit(record: DeployRecord): string {
  const items = record.sections.flatMap((s) => s.items.map((item) => ({ section: s.title, item })));
  const failures = items.filter((i) => i.item.status === "failed").length;
  const errors = items.filter((i) => i.item.status === "pending").length;
  const skipped = items.filter(
    (i) => i.item.status === "skipped" || i.item.status === "not-applicable" || i.item.status === "described",
  ).length;
  const time = seconds(items.reduce((n, i) => n + i.item.durationMs, 0));
  const counts = `tests="${items.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"`;
  const env = record.environment;
  const props: [string, string | undefined][] = [
    ["deploycheck.runId", record.runId],
    ["deploycheck.checklist", record.checklist.name],
    ["deploycheck.checklist.sha256", record.checklist.sha256],
    ["deploycheck.ref", record.checklist.ref],
    ["deploycheck.kubeContext", env.kubeContext],
    ["deploycheck.gitSha", env.gitSha],
    ["deploycheck.finished", String(record.finished)],
    ["deploycheck.engineer", record.signoff?.engineer],
    ["deploycheck.ready", record.signoff ? String(record.signoff.ready) : undefined],
    ["deploycheck.signature.fingerprint", record.signature?.fingerprint],
  ];
  const properties = props
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => `      <property name="${xml(name)}" value="${xml(value)}"/>`)
    .join("\n");
  const suiteOut = record.finished ? "" : UNFINISHED_NOTICE;
  const suiteName = `${record.checklist.name}: ${record.checklist.title}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deploycheck" ${counts}>
  <testsuite name="${xml(suiteName)}" id="0" package="${xml(record.checklist.name)}" hostname="${xml(env.host)}" timestamp="${xml(junitTimestamp(record.startedAt))}" ${counts}>
    <properties>
${properties}
    </properties>
${items.map((i) => testcase(i.section, i.item)).join("\n")}
    <system-out>${xml(suiteOut)}</system-out>
    <system-err></system-err>
  </testsuite>
</testsuites>
`;
}
