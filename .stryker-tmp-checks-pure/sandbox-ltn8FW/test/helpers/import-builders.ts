// @ts-nocheck
// Builders for import tests: small documents from lines, and the import pipeline in one call.
import { parseChecklist } from "../../src/checklist/parse.js";
import type { Checklist, Item, Step } from "../../src/checklist/schema.js";
import { convertDocument, type ImportResult } from "../../src/import/convert.js";
import { emitChecklist } from "../../src/import/emit.js";
import { parseDocument } from "../../src/import/parse.js";

export const doc = (...lines: string[]): string => `${lines.join("\n")}\n`;

/** Parse, convert, emit, and load the YAML back with the project's loader (which validates it). */
export function importText(
  text: string,
  name = "imported",
): ImportResult & { yaml: string; loaded: Checklist } {
  const result = convertDocument(parseDocument(text), { name });
  const yaml = emitChecklist(result.checklist, result.report, { from: "test.md" });
  const loaded = parseChecklist(yaml, `${name}.yaml`).checklist;
  return { ...result, yaml, loaded };
}

export const items = (c: Checklist): Item[] => c.sections.flatMap((s) => s.items);
export const steps = (c: Checklist): Step[] => items(c).flatMap((i) => i.steps);
