// A run's journal in the cluster: its lines (exactly as in journal.jsonl, hash chain included) kept in
// ConfigMaps that are only ever created, never changed (the Role needs configmaps: get, list, create).
// Each write stores the lines given since the last one as one chunk named `dc-<run>-<first line number>`:
// the name is deterministic, so a retried write whose answer was lost meets AlreadyExists, reads the chunk
// back and is done when it holds the same lines (idempotent); other lines there are a second writer,
// refused and never merged.
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

/** Stay well under the API server's 1 MiB per object (keys, labels and JSON escaping take room too). */
export const CHUNK_BYTES = 768 * 1024;

export interface ConfigMapJournalOptions {
  exchange: Exchange;
  namespace: string;
  checklist: string;
  runId: string;
  /** How to wait before creating a chunk again after a Conflict (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

const KEY_WIDTH = 6;
const seqKey = (seq: number) => `e${String(seq).padStart(KEY_WIDTH, "0")}`;

export class ConfigMapJournal {
  private nextSeq = 0;
  private loaded = false;

  constructor(private readonly options: ConfigMapJournalOptions) {}

  static labels(checklist: string, runId: string): Record<string, string> {
    return {
      "app.kubernetes.io/managed-by": "deploycheck",
      "deploycheck.io/checklist": labelValue(checklist),
      "deploycheck.io/run": labelValue(runId),
    };
  }

  chunkName(firstSeq: number): string {
    return `${objectName("dc-", this.options.runId, 52)}-${String(firstSeq).padStart(KEY_WIDTH, "0")}`;
  }

  private async list(): Promise<ConfigMapObject[]> {
    const { namespace, exchange, runId } = this.options;
    const selector = `deploycheck.io/run=${labelValue(runId)}`;
    const r = await exchange(
      `the journal of run ${runId}`,
      "GET",
      `${configMapPath(namespace)}?labelSelector=${encodeURIComponent(selector)}`,
    );
    if (r.status !== 200) throw refusal("list", "configmaps", namespace, r);
    // The label is a hash for long ids: the annotation holds the exact id.
    return ((r.body as { items?: ConfigMapObject[] }).items ?? []).filter(
      (c) => c.metadata.annotations?.["deploycheck.io/run-id"] === runId,
    );
  }

  /** Every stored line in order. A missing or doubled line number is a damaged journal. */
  async readAll(): Promise<string[]> {
    const bySeq = new Map<number, string>();
    for (const chunk of await this.list()) {
      for (const [key, line] of Object.entries(chunk.data ?? {})) {
        if (!/^e\d+$/.test(key)) continue;
        const seq = Number(key.slice(1));
        if (bySeq.has(seq) && bySeq.get(seq) !== line)
          throw this.damaged(`line ${seq} is stored twice with different content (${chunk.metadata.name})`);
        bySeq.set(seq, line);
      }
    }
    const lines: string[] = [];
    for (let seq = 0; seq < bySeq.size; seq++) {
      const line = bySeq.get(seq);
      if (line === undefined) throw this.damaged(`line ${seq} is missing`);
      lines.push(line);
    }
    this.nextSeq = lines.length;
    this.loaded = true;
    return lines;
  }

  private damaged(what: string): TeamStateError {
    return new TeamStateError(
      `the journal of run ${this.options.runId} in namespace "${this.options.namespace}" is damaged: ${what}`,
      500,
      { hint: "Its ConfigMaps were edited or partly deleted; export what is there and start a new run." },
    );
  }

  /** Store lines (one or a group commit); resolves once the API server has them (the journal's durability). */
  async append(...lines: string[]): Promise<void> {
    if (!this.loaded) await this.readAll();
    // Split into chunks under the object size limit; a single line over it cannot be stored at all.
    let batch: string[] = [];
    let size = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(JSON.stringify(line));
      if (bytes > CHUNK_BYTES)
        throw new TeamStateError(
          `a journal line of ${bytes} bytes is over the ${CHUNK_BYTES}-byte chunk limit`,
          413,
        );
      if (size + bytes > CHUNK_BYTES) {
        await this.store(batch);
        batch = [];
        size = 0;
      }
      batch.push(line);
      size += bytes;
    }
    if (batch.length > 0) await this.store(batch);
  }

  private async store(lines: string[]): Promise<void> {
    const { namespace, exchange, checklist, runId } = this.options;
    const first = this.nextSeq;
    const data: Record<string, string> = {};
    lines.forEach((line, i) => {
      data[seqKey(first + i)] = line;
    });
    const chunk: ConfigMapObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: this.chunkName(first),
        labels: { ...ConfigMapJournal.labels(checklist, runId), "deploycheck.io/first-line": String(first) },
        annotations: { "deploycheck.io/run-id": runId, "deploycheck.io/checklist": checklist },
      },
      data,
    };
    for (let attempt = 0; ; attempt++) {
      const r = await exchange(`the journal of run ${runId}`, "POST", configMapPath(namespace), chunk);
      if (r.status === 201 || r.status === 200) {
        this.nextSeq = first + lines.length;
        return;
      }
      if (r.status !== 409) throw refusal("create", `configmap "${chunk.metadata.name}"`, namespace, r);
      // AlreadyExists: our own earlier attempt (answer lost), or another writer. A Conflict with nothing
      // there (contention on the server): create again after a pause.
      const got = await exchange(
        `the journal of run ${runId}`,
        "GET",
        configMapPath(namespace, chunk.metadata.name),
      );
      const delay = createConflictDelay(attempt);
      if (got.status === 404 && delay !== undefined) {
        await (this.options.sleep ?? pause)(delay);
        continue;
      }
      if (got.status === 404) throw refusal("create", `configmap "${chunk.metadata.name}"`, namespace, r);
      // Not allowed to read it back (a Role without get): say so, rather than blame another writer.
      if (got.status !== 200) throw refusal("read", `configmap "${chunk.metadata.name}"`, namespace, got);
      const stored = (got.body as ConfigMapObject | undefined)?.data;
      const same =
        stored !== undefined &&
        Object.keys(stored).length === lines.length &&
        Object.entries(data).every(([k, v]) => stored[k] === v);
      if (same) {
        this.nextSeq = first + lines.length;
        return;
      }
      throw new TeamStateError(
        `line ${first} of run ${runId} was already written by someone else (${chunk.metadata.name})`,
        409,
        {
          hint: "Two deploycheck processes are writing one run; only the lease holder may. Stop the other one.",
        },
      );
    }
  }
}

function refusal(verb: string, what: string, namespace: string, r: { status: number; body: unknown }) {
  const message = messageOf(r.body);
  return new TeamStateError(
    `cannot ${verb} ${what} in namespace "${namespace}" (HTTP ${r.status})${message ? `: ${message}` : ""}`,
    r.status,
    r.status === 403
      ? {
          hint: `Grant the team-state Role (configmaps: get, list, create, update) in namespace "${namespace}"; see "Team state" in the README.`,
        }
      : {},
  );
}
