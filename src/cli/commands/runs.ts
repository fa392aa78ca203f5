// `deploycheck runs`: every run in the state dir, newest first (id, checklist, state, started,
// engineer); --json. Damaged run directories are listed too, with why.
import { listRuns } from "../../store/runs.js";
import { type GlobalOptions, stateDir } from "../options.js";
import { describeStoredRun } from "../run-info.js";

export async function run(_args: string[], options: GlobalOptions): Promise<number> {
  const dir = stateDir(options);
  const { runs, damaged } = await listRuns(dir);
  const infos = runs.map((r) => describeStoredRun(dir, r, false));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runs: infos, damaged }, null, 2)}\n`);
    return 0;
  }
  if (!infos.length && !damaged.length) {
    process.stdout.write(`No runs in ${dir}. Start one with: deploycheck run <checklist>\n`);
    return 0;
  }
  const rows = infos.map((i) => [
    i.id,
    i.checklist,
    i.phase + (i.detail && i.phase === "finished" ? ` (${i.detail})` : ""),
    i.startedAt.replace(/\.\d+Z$/, "Z"),
    i.engineer ?? "",
  ]);
  const header = ["RUN", "CHECKLIST", "STATE", "STARTED", "ENGINEER"];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  const out = [fmt(header), ...rows.map(fmt)];
  for (const d of damaged) out.push(`${d.id}  damaged: ${d.error}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
