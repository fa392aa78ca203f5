// @ts-nocheck
// Writing an imported checklist as readable YAML: block style, document order kept, a header comment
// saying where it came from, and a comment on each step that could become a metric gate. Pure.
import { Document, isNode } from "yaml";
import type { Checklist } from "../checklist/schema.js";
import type { ImportReport } from "./convert.js";

export interface EmitOptions {
  /** What was imported (a file name, or "standard input"). */
  from: string;
}

export function emitChecklist(checklist: Checklist, report: ImportReport, options: EmitOptions): string {
  const doc = new Document(checklist);
  doc.commentBefore = [
    ` Imported by \`deploycheck import\` from ${options.from}.`,
    " Review it: confirm steps are what only a person can check; automate more where a check kind fits.",
    " Then: deploycheck validate <this file>",
  ].join("\n");
  for (const gate of report.metricGates) {
    const node = doc.getIn(gate.path, true);
    if (isNode(node)) {
      node.commentBefore = ` metric-gate candidate: "${gate.threshold}" could be a prometheus step with expect/failureLimit`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
