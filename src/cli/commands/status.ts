// `deploycheck status [run-id]`: a run's progress (items done / failed / pending, who, when); --json.
import { Chalk } from "chalk";
import { shellQuote } from "../../checklist/vars.js";
import { UsageError } from "../../errors.js";
import type { RecordStatus } from "../../record/schema.js";
import { STATUS_LABEL } from "../../record/status.js";
import { listRuns, loadRun } from "../../store/runs.js";
import { colorWanted } from "../../ui/theme.js";
import { type GlobalOptions, stateDir } from "../options.js";
import { describeStoredRun, type RunInfo } from "../run-info.js";

export async function run(args: string[], options: GlobalOptions): Promise<number> {
  const dir = stateDir(options);
  const [id] = args;
  let stored = id ? await loadRun(dir, id) : undefined;
  if (!stored) {
    const { runs } = await listRuns(dir);
    stored = runs.find((r) => !r.state.finished && !r.state.aborted?.abandoned) ?? runs[0];
    if (!stored)
      throw new UsageError(`no runs in ${dir}`, { hint: "Start one with `deploycheck run <checklist>`." });
  }
  const info = describeStoredRun(dir, stored, true);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(render(info, options));
  return 0;
}

function render(info: RunInfo, options: GlobalOptions): string {
  const c = new Chalk({
    level: options.color !== false && colorWanted(process.env, Boolean(process.stdout.isTTY)) ? 1 : 0,
  });
  const colour = (status: string, text: string) =>
    status === "failed"
      ? c.red(text)
      : status === "pending"
        ? c.dim(text)
        : status === "passed"
          ? c.green(text)
          : c.yellow(text);
  const lines: string[] = [];
  lines.push(`${c.bold(`Run ${info.id}`)}`);
  lines.push(`  checklist  ${info.title} (${info.checklist}) ${c.dim(info.path)}`);
  const held = info.heldBy ? ` (pid ${info.heldBy.pid} on ${info.heldBy.host})` : "";
  lines.push(`  state      ${info.phase}${info.detail ? `: ${info.detail}` : ""}${held}`);
  lines.push(`  started    ${info.startedAt} by ${info.startedBy} on ${info.host}`);
  lines.push(`  updated    ${info.updatedAt}`);
  for (const r of info.resumes) {
    const changed = r.changedSteps.length ? ` (re-ran changed: ${r.changedSteps.join(", ")})` : "";
    lines.push(
      r.refused
        ? `  resume     ${r.at}${r.by ? ` by ${r.by}` : ""} refused, nothing ran: ${r.refused}`
        : `  resumed    ${r.at}${r.by ? ` by ${r.by}` : ""}${changed}`,
    );
  }
  if (info.engineer !== undefined)
    lines.push(`  sign-off   ${info.engineer}: ${info.ready ? "ready" : "not ready"}`);
  if (info.counts) {
    const k = info.counts;
    lines.push(`  items      ${k.done} done, ${k.failed} failed, ${k.pending} pending (of ${k.total})`);
  }
  if (info.items) {
    lines.push("");
    const width = String(info.items.length).length;
    for (const item of info.items) {
      const n = `[${String(item.number).padStart(width)}/${info.items.length}]`;
      const status = colour(
        item.status,
        (STATUS_LABEL[item.status as RecordStatus] ?? item.status).padEnd(10),
      );
      lines.push(
        `  ${c.dim(n)} ${status} ${item.title}${item.required ? "" : c.dim(" (optional)")}${item.at ? c.dim(`  ${item.at}`) : ""}${item.by ? c.dim(` by ${item.by}`) : ""}`,
      );
      for (const d of item.decisions) lines.push(`             ${c.yellow(d)}`);
    }
  }
  if (info.phase !== "finished" && info.phase !== "abandoned" && info.phase !== "running") {
    lines.push(
      "",
      "Resume it with:",
      `  deploycheck resume ${info.id}${options.stateDir ? ` --state-dir ${shellQuote(options.stateDir)}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
