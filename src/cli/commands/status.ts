// `deploycheck status [run-id]`: a run's progress (items done / failed / pending, who, when); --json.
import { Chalk } from "chalk";
import { shellQuote } from "../../checklist/vars.js";
import { UsageError } from "../../errors.js";
import type { RecordStatus } from "../../record/schema.js";
import { STATUS_LABEL } from "../../record/status.js";
import { sanitizeLine as safe } from "../../sanitize.js";
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
  lines.push(`  checklist  ${safe(info.title)} (${safe(info.checklist)}) ${c.dim(safe(info.path))}`);
  const held = info.heldBy ? ` (pid ${info.heldBy.pid} on ${safe(info.heldBy.host)})` : "";
  lines.push(`  state      ${info.phase}${info.detail ? `: ${safe(info.detail)}` : ""}${held}`);
  lines.push(`  started    ${safe(info.startedAt)} by ${safe(info.startedBy)} on ${safe(info.host)}`);
  lines.push(`  updated    ${safe(info.updatedAt)}`);
  for (const r of info.resumes) {
    const vars = r.changedVariables?.length
      ? `variables changed: ${safe(r.changedVariables.join(", "))}; `
      : "";
    const changed = r.changedSteps.length
      ? ` (${vars}re-ran changed: ${safe(r.changedSteps.join(", "))})`
      : vars
        ? ` (${vars.slice(0, -2)})`
        : "";
    const by = r.by ? ` by ${safe(r.by)}` : "";
    lines.push(
      r.refused
        ? `  resume     ${safe(r.at)}${by} refused, nothing ran: ${safe(r.refused)}`
        : `  resumed    ${safe(r.at)}${by}${changed}`,
    );
  }
  if (info.engineer !== undefined)
    lines.push(`  sign-off   ${safe(info.engineer)}: ${info.ready ? "ready" : "not ready"}`);
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
        `  ${c.dim(n)} ${status} ${safe(item.title)}${item.required ? "" : c.dim(" (optional)")}${item.at ? c.dim(`  ${safe(item.at)}`) : ""}${item.by ? c.dim(` by ${safe(item.by)}`) : ""}`,
      );
      for (const d of item.decisions) lines.push(`             ${c.yellow(safe(d))}`);
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
