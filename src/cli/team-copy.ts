// The cluster's copy of a team run for commands that only read it (export, verify): brought into a
// throwaway state dir (the same sync a resume does, with nothing written back and no lease taken), so that
// an engineer with no local copy (another machine, a new laptop) reads the team's run as it is stored.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findChecklist } from "../checklist/find.js";
import { loadChecklist } from "../checklist/load.js";
import { StateError } from "../errors.js";
import { syncRun } from "../store/kubernetes/sync.js";
import { checklistOfRunId, checkRunId, runDir } from "../store/runs.js";
import { type GlobalOptions, stateDir } from "./options.js";
import { clusterJournal, connectTeam, runFiles, type TeamTarget, teamTarget } from "./team.js";

export interface ClusterCopy {
  /** A state dir holding just this run, as the cluster has it. */
  stateDir: string;
  /** How to name it in messages: `kubernetes:<namespace>/<run id> (context <name>)`. */
  origin: string;
  remove(): void;
}

/**
 * Where the run's team state is when a read-only command should use the cluster's copy: always when the
 * flag or DEPLOYCHECK_STATE says kubernetes (the local copy may be behind); else, when there is no local
 * copy, the `team:` of the checklist named in the run id (./checklists/<name>.yaml), as resume does.
 */
async function targetFor(options: GlobalOptions, runId: string): Promise<TeamTarget | undefined> {
  const explicit = teamTarget(options);
  if (explicit || options.state !== undefined || process.env["DEPLOYCHECK_STATE"] !== undefined)
    return explicit;
  if (existsSync(runDir(stateDir(options), runId))) return undefined;
  const name = checklistOfRunId(runId);
  if (!name) return undefined;
  try {
    return teamTarget(options, (await loadChecklist(findChecklist(name, process.cwd()))).checklist);
  } catch {
    return undefined; // no such checklist here: a local run, as before
  }
}

/** The cluster's copy of run `runId`, or undefined when team state is not on for it. */
export async function clusterCopy(
  options: GlobalOptions & { context?: string },
  runId: string,
  warn: (text: string) => void,
): Promise<ClusterCopy | undefined> {
  checkRunId(runId);
  const target = await targetFor(options, runId);
  if (!target) return undefined;
  const checklist = checklistOfRunId(runId)!;
  const conn = await connectTeam(target, options, warn);
  const dir = mkdtempSync(join(tmpdir(), "deploycheck-team-copy-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const got = await syncRun(
      dir,
      runId,
      clusterJournal(conn, checklist, runId),
      runFiles(conn, checklist, runId),
      warn,
    );
    if (got === "none")
      throw new StateError(
        `run ${runId} is not in namespace "${target.namespace}" of context "${conn.context}"`,
        { hint: `The team's runs there: deploycheck runs --team --state kubernetes:${target.namespace}` },
      );
  } catch (err) {
    remove();
    throw err;
  }
  return {
    stateDir: dir,
    origin: `kubernetes:${target.namespace}/${runId} (context ${conn.context})`,
    remove,
  };
}
