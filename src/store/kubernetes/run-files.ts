// The files of a run that live beside its journal in the cluster: the checklist copy it ran (one per
// checklist version, named by its sha256) and the signed record. Create-only like the journal chunks;
// storing the same content again is a no-op, other content under the same name is refused.
import { createHash } from "node:crypto";
import {
  type ConfigMapObject,
  configMapPath,
  createConflictDelay,
  type Exchange,
  labelValue,
  messageOf,
  objectName,
  pause,
  TeamStateError,
} from "./api.js";
import { ConfigMapJournal } from "./configmap-journal.js";

export type RunFileKind = "checklist" | "record";

export interface RunFilesOptions {
  exchange: Exchange;
  namespace: string;
  checklist: string;
  runId: string;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

export class RunFiles {
  constructor(private readonly options: RunFilesOptions) {}

  private name(kind: RunFileKind, content: string): string {
    const base = objectName("dc-", this.options.runId, 52);
    return kind === "record" ? `${base}-record` : `${base}-checklist-${sha(content).slice(0, 12)}`;
  }

  async put(kind: RunFileKind, content: string): Promise<void> {
    const { exchange, namespace, checklist, runId } = this.options;
    const name = this.name(kind, content);
    const object: ConfigMapObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        labels: { ...ConfigMapJournal.labels(checklist, runId), "deploycheck.io/file": kind },
        annotations: { "deploycheck.io/run-id": runId, "deploycheck.io/sha256": sha(content) },
      },
      data: { [kind === "record" ? "record.json" : "checklist.yaml"]: content },
    };
    let r = await exchange(`the ${kind} of run ${runId}`, "POST", configMapPath(namespace), object);
    for (let attempt = 0; r.status === 409; attempt++) {
      const existing = await exchange(`the ${kind} of run ${runId}`, "GET", configMapPath(namespace, name));
      const delay = createConflictDelay(attempt);
      if (existing.status === 404 && delay !== undefined) {
        // A Conflict with nothing there (contention on the server): create again after a pause.
        await pause(delay);
        r = await exchange(`the ${kind} of run ${runId}`, "POST", configMapPath(namespace), object);
        continue;
      }
      if (existing.status === 404) break;
      // Not allowed to read it back (a Role without get): say so, rather than call the copies different.
      if (existing.status !== 200)
        throw new TeamStateError(
          `cannot read the ${kind} of run ${runId} in namespace "${namespace}" (HTTP ${existing.status})${messageOf(existing.body) ? `: ${messageOf(existing.body)}` : ""}`,
          existing.status,
        );
      const data = (existing.body as ConfigMapObject | undefined)?.data ?? {};
      if (Object.values(data)[0] === content) return;
      throw new TeamStateError(
        `the ${kind} of run ${runId} in the cluster differs from this one (${name})`,
        409,
        {
          hint: "A record is signed once: another engineer already signed this run. See deploycheck runs --team.",
        },
      );
    }
    if (r.status === 201 || r.status === 200) return;
    throw new TeamStateError(
      `cannot store the ${kind} of run ${runId} in namespace "${namespace}" (HTTP ${r.status})${messageOf(r.body) ? `: ${messageOf(r.body)}` : ""}`,
      r.status,
    );
  }

  /** The stored file: the record, or the checklist copy with this sha256 (undefined when absent). */
  async get(kind: RunFileKind, sha256?: string): Promise<string | undefined> {
    const { exchange, namespace, runId } = this.options;
    const selector = `deploycheck.io/run=${labelValue(runId)},deploycheck.io/file=${kind}`;
    const r = await exchange(
      `the ${kind} of run ${runId}`,
      "GET",
      `${configMapPath(namespace)}?labelSelector=${encodeURIComponent(selector)}`,
    );
    if (r.status !== 200)
      throw new TeamStateError(
        `cannot list the files of run ${runId} (HTTP ${r.status}): ${messageOf(r.body)}`,
        r.status,
      );
    for (const item of (r.body as { items?: ConfigMapObject[] }).items ?? []) {
      if (item.metadata.annotations?.["deploycheck.io/run-id"] !== runId) continue;
      const content = Object.values(item.data ?? {})[0];
      if (content === undefined) continue;
      if (sha256 === undefined || sha(content) === sha256) return content;
    }
    return undefined;
  }
}

/** Every run id with a journal in the namespace (from the chunks holding line 0), newest first by id. */
export async function listTeamRunIds(
  exchange: Exchange,
  namespace: string,
): Promise<{ runId: string; checklist: string }[]> {
  const selector = "app.kubernetes.io/managed-by=deploycheck,deploycheck.io/first-line=0";
  const r = await exchange(
    "the team's runs",
    "GET",
    `${configMapPath(namespace)}?labelSelector=${encodeURIComponent(selector)}`,
  );
  if (r.status !== 200)
    throw new TeamStateError(
      `cannot list the team's runs in namespace "${namespace}" (HTTP ${r.status})${messageOf(r.body) ? `: ${messageOf(r.body)}` : ""}`,
      r.status,
    );
  const runs = ((r.body as { items?: ConfigMapObject[] }).items ?? [])
    .map((c) => ({
      runId: c.metadata.annotations?.["deploycheck.io/run-id"] ?? "",
      checklist: c.metadata.annotations?.["deploycheck.io/checklist"] ?? "",
    }))
    .filter((x) => x.runId !== "");
  return runs.sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}
