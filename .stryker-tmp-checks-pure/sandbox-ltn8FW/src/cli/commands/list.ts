// @ts-nocheck
// `deploycheck list`: the checklists found in ./checklists/ and bundled with the package, with title,
// path and item count. A checklist that does not load is listed with its problem, not hidden.
import { listChecklists } from "../../checklist/find.js";
import { displayPath, loadChecklist } from "../../checklist/load.js";
import { itemCount } from "../../checklist/walk.js";
import { ChecklistError, DeploycheckError } from "../../errors.js";
import { sanitizeLine } from "../../sanitize.js";
import type { GlobalOptions } from "../options.js";

interface ListedChecklist {
  name: string;
  title: string | null;
  path: string;
  source: "local" | "bundled";
  items: number | null;
  error?: string;
}

export async function run(_args: string[], options: GlobalOptions): Promise<number> {
  const cwd = process.cwd();
  const rows: ListedChecklist[] = [];
  for (const found of listChecklists(cwd)) {
    try {
      const { checklist } = await loadChecklist(found.path);
      rows.push({ ...found, title: checklist.metadata.title, items: itemCount(checklist) });
    } catch (err) {
      if (!(err instanceof DeploycheckError)) throw err;
      const first = err instanceof ChecklistError ? err.problems[0] : undefined;
      const error = first
        ? `invalid: ${first.file}:${first.line}:${first.col}: ${first.message}`
        : err.message;
      rows.push({ ...found, title: null, items: null, error });
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write("No checklists found in ./checklists/ (and none bundled).\n");
    return 0;
  }
  const table = [
    ["NAME", "ITEMS", "TITLE", "PATH"],
    ...rows.map((r) =>
      [
        r.name,
        r.items === null ? "-" : String(r.items),
        r.title ?? `(${r.error})`,
        `${displayPath(r.path, cwd)}${r.source === "bundled" ? " (bundled)" : ""}`,
      ].map(sanitizeLine),
    ),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) {
    process.stdout.write(`${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")}\n`);
  }
  return 0;
}
