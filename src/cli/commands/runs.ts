// `deploycheck runs`: every run in the state dir, newest first (id, checklist, state, started,
// engineer); --json. Damaged run directories are listed too, with why.
import type { RunState } from "../../engine/state.js";
import { sanitizeLine } from "../../sanitize.js";
import { listRuns } from "../../store/runs.js";
import { type GlobalOptions, stateDir } from "../options.js";
import { describeRun, describeStoredRun, type RunInfo } from "../run-info.js";

/**
 * A run a guard refused before any step ran (wrong cluster, say): its directory keeps the journal of the
 * refusal, but it is no run anyone did; `runs` leaves it out unless --all.
 */
export function refusedByGuard(state: RunState): boolean {
  return (
    state.aborted?.abandoned === true &&
    state.aborted.reason.startsWith("guard ") &&
    Object.keys(state.steps).every((key) => key.startsWith("guard/"))
  );
}

export async function run(
  _args: string[],
  options: GlobalOptions & { team?: boolean; all?: boolean },
): Promise<number> {
  if (options.team) return teamRuns(options);
  const dir = stateDir(options);
  const listing = await listRuns(dir);
  const { damaged } = listing;
  const runs = options.all ? listing.runs : listing.runs.filter((r) => !refusedByGuard(r.state));
  const hidden = listing.runs.length - runs.length;
  const hiddenNote = hidden
    ? `(${hidden} run${hidden > 1 ? "s" : ""} refused by a guard before any step ran not shown; deploycheck runs --all lists ${hidden > 1 ? "them" : "it"})\n`
    : "";
  const infos = runs.map((r) => describeStoredRun(dir, r, false));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runs: infos, damaged }, null, 2)}\n`);
    return 0;
  }
  if (!infos.length && !damaged.length) {
    process.stdout.write(`No runs in ${dir}. Start one with: deploycheck run <checklist>\n${hiddenNote}`);
    return 0;
  }
  const rows = infos.map((i) => [
    i.id,
    i.checklist,
    i.phase + (i.detail && i.phase === "finished" ? ` (${i.detail})` : ""),
    i.startedAt.replace(/\.\d+Z$/, "Z"),
    // Who signed it off, else who started it (the engineer of its first session).
    i.engineer ?? i.startedBy,
  ]);
  const header = ["RUN", "CHECKLIST", "STATE", "STARTED", "ENGINEER"];
  printTable(header, rows, damaged);
  process.stdout.write(hiddenNote);
  return 0;
}

/** `runs --team`: the team's runs from the cluster (who, when, state, ready), and who holds each lock now. */
async function teamRuns(options: GlobalOptions): Promise<number> {
  const { connectTeam, teamTarget, describeHolder } = await import("../team.js");
  const { UsageError } = await import("../../errors.js");
  const target = teamTarget(options);
  if (!target)
    throw new UsageError("runs --team needs to know where team state is", {
      hint: "Pass --state kubernetes[:namespace] or set DEPLOYCHECK_STATE=kubernetes[:namespace].",
    });
  const conn = await connectTeam(target, options, (t) => process.stderr.write(`${t}\n`));
  const { listTeamRunIds } = await import("../../store/kubernetes/run-files.js");
  const { ConfigMapJournal } = await import("../../store/kubernetes/configmap-journal.js");
  const { LeaseLock } = await import("../../store/kubernetes/lease-lock.js");
  const { parseJournal } = await import("../../store/journal.js");
  const { fold } = await import("../../engine/state.js");
  const infos: (RunInfo & { lease?: string })[] = [];
  const damaged: { id: string; error: string }[] = [];
  const holders = new Map<string, string | undefined>();
  for (const { runId, checklist } of await listTeamRunIds(conn.exchange, target.namespace)) {
    try {
      const lines = await new ConfigMapJournal({
        exchange: conn.exchange,
        namespace: target.namespace,
        checklist,
        runId,
      }).readAll();
      const where = `${conn.context}/${target.namespace}/${runId}`;
      const read = await parseJournal(`${lines.join("\n")}\n`, where);
      const state = fold(read.events);
      if (!holders.has(checklist)) {
        const lease = await new LeaseLock({
          exchange: conn.exchange,
          namespace: target.namespace,
          checklist,
          holder: { engineer: "", host: "", pid: 0, runId: "" },
        }).inspect();
        holders.set(
          checklist,
          lease?.holderIdentity && lease.holder
            ? `${lease.holder.runId}: ${describeHolder(lease)}`
            : undefined,
        );
      }
      const info = describeRun(
        { id: runId, dir: where, events: read.events, state, chained: read.chained, head: read.head },
        undefined,
        undefined,
      );
      const held = holders.get(checklist);
      infos.push(held?.startsWith(`${runId}:`) ? { ...info, lease: held.slice(runId.length + 2) } : info);
    } catch (err) {
      damaged.push({ id: runId, error: (err as Error).message });
    }
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ namespace: target.namespace, runs: infos, damaged }, null, 2)}\n`,
    );
    return 0;
  }
  if (!infos.length && !damaged.length) {
    process.stdout.write(`No team runs in namespace ${target.namespace} (context ${conn.context}).\n`);
    return 0;
  }
  const engineers = (i: RunInfo) =>
    [...new Set([i.startedBy, ...i.resumes.flatMap((r) => (r.by ? [r.by] : []))])].join(", ");
  const rows = infos.map((i) => [
    i.id,
    i.phase + (i.detail && i.phase === "finished" ? ` (${i.detail})` : ""),
    i.startedAt.replace(/\.\d+Z$/, "Z"),
    engineers(i),
    i.ready === undefined ? "" : i.ready ? "yes" : "no",
    i.lease ?? "",
  ]);
  const header = ["RUN", "STATE", "STARTED", "ENGINEERS", "READY", "LOCK HELD BY"];
  printTable(header, rows, damaged);
  return 0;
}

/** Columns padded to their widest cell, then one line per damaged run. */
function printTable(header: string[], cells: string[][], damaged: { id: string; error: string }[]): void {
  // Titles, engineers and errors come from journals: they cannot drive the terminal or add rows.
  const rows = cells.map((r) => r.map(sanitizeLine));
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  const out = [fmt(header), ...rows.map(fmt)];
  for (const d of damaged) out.push(`${sanitizeLine(d.id)}  damaged: ${sanitizeLine(d.error)}`);
  process.stdout.write(`${out.join("\n")}\n`);
}
