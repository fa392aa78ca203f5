// The local copy of a team run, brought in line with the cluster before a session opens it: created from
// the cluster on another engineer's machine (hand-off), updated when another engineer went on, or the
// cluster given the lines a failed write left only here. Copies that disagree are refused, never merged.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StateError } from "../../errors.js";
import { CHECKLIST_COPY, createRunDir, JOURNAL_FILE, runDir } from "../runs.js";
import { replaceStateFile } from "../safe-fs.js";
import type { ConfigMapJournal } from "./configmap-journal.js";
import type { RunFiles } from "./run-files.js";
import { reconcile } from "./team-journal.js";

export type SyncResult = "none" | "same" | "pushed" | "pulled" | "created" | "superseded";

function localLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  // A torn last line (no newline) is not part of the journal: the file journal cuts it on open.
  const end = text.lastIndexOf("\n");
  return end < 0 ? [] : text.slice(0, end).split("\n");
}

/** The checklist sha256 the run uses now: its last run-resumed's, else its run-started's. */
function checklistSha(lines: string[]): string | undefined {
  let sha: string | undefined;
  for (const line of lines) {
    try {
      const e = JSON.parse(line) as {
        type?: string;
        checklist?: { sha256?: string };
        checklistSha256?: string;
      };
      if (e.type === "run-started") sha = e.checklist?.sha256;
      if (e.type === "run-resumed" && e.checklistSha256) sha = e.checklistSha256;
    } catch {
      // Decoding (and refusing) bad lines is the journal reader's job.
    }
  }
  return sha;
}

/** Does this journal line start a session (a resume: another holder of the lease went on from here)? */
function startsSession(line: string): boolean {
  try {
    return (JSON.parse(line) as { type?: unknown }).type === "run-resumed";
  } catch {
    // not JSON: starts nothing
  }
  return false;
}

export async function syncRun(
  stateDir: string,
  runId: string,
  cluster: ConfigMapJournal,
  files: RunFiles,
  warn: (text: string) => void = () => {},
): Promise<SyncResult> {
  const remote = await cluster.readAll();
  const dir = runDir(stateDir, runId);
  const journalFile = join(dir, JOURNAL_FILE);
  const local = localLines(journalFile);
  if (!existsSync(dir)) {
    if (remote.length === 0) return "none";
    const sha = checklistSha(remote);
    const source = await files.get("checklist", sha);
    if (source === undefined)
      throw new StateError(
        `run ${runId} is in the cluster, but the checklist it ran (sha256 ${sha ?? "not named in its journal"}) is not`,
        {
          hint: "Its ConfigMaps were partly deleted; it cannot be resumed here.",
        },
      );
    createRunDir(stateDir, runId, source);
    replaceStateFile(journalFile, `${remote.join("\n")}\n`, "journal");
    await fetchRecord(dir, files);
    return "created";
  }
  const plan = reconcile(local, remote);
  if (plan.kind === "diverged" && remote.slice(plan.at).some(startsSession)) {
    // This machine's session was stopped (kill -9, a lost lease) after writing lines here that never
    // reached the cluster; since then another holder of the lease resumed the run from the cluster's copy,
    // so those lines were never part of the team's run (the step after them never started here: each
    // step waits until the previous result is in the cluster). The cluster's copy is the run; the local
    // one is kept beside it, whole, for inspection.
    const aside = `${journalFile}.superseded-${new Date().toISOString().replace(/[:.]/g, "")}`;
    replaceStateFile(aside, `${local.join("\n")}\n`, "superseded journal");
    await pull(dir, journalFile, remote, files);
    warn(
      `${journalFile}: ${local.length - plan.at} line(s) from line ${plan.at + 1} on never reached the cluster before this machine's session stopped, and another engineer has resumed the run since; continuing from the team's copy (the local journal is kept as ${aside})`,
    );
    return "superseded";
  }
  if (plan.kind === "diverged")
    throw new StateError(
      `${journalFile}:${plan.at + 1}: the local journal and the team's copy in the cluster disagree from this line on`,
      { hint: "Two engineers wrote this run apart from each other; keep both copies and start a new run." },
    );
  if (plan.kind === "push") {
    await cluster.append(...plan.lines);
    return "pushed";
  }
  if (plan.kind === "pull") {
    await pull(dir, journalFile, plan.lines, files);
    return "pulled";
  }
  return "same";
}

/** Make the local copy the cluster's: its journal lines, the checklist copy they name, the record. */
async function pull(dir: string, journalFile: string, lines: string[], files: RunFiles): Promise<void> {
  const sha = checklistSha(lines);
  const source = await files.get("checklist", sha);
  if (source !== undefined) replaceStateFile(join(dir, CHECKLIST_COPY), source, "checklist copy");
  replaceStateFile(journalFile, `${lines.join("\n")}\n`, "journal");
  await fetchRecord(dir, files);
}

async function fetchRecord(dir: string, files: RunFiles): Promise<void> {
  const record = await files.get("record");
  if (record !== undefined) replaceStateFile(join(dir, "record.json"), record, "record");
}
