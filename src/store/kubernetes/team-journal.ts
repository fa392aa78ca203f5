// The journal port with team state on: the local journal stays the first copy (fsynced as ever) and every
// line it gains is stored in the cluster before append/sync returns, so the next step never starts before
// the API server has the previous result. The lines are read back from the file exactly as written (hash
// chain included), so both copies are byte-identical. Fencing rides on the same path: before a step starts
// the lease must still be ours, and before a mutating step that is checked with the API server itself.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { RunEvent } from "../../engine/events.js";
import type { Journal } from "../../engine/ports.js";
import type { ConfigMapJournal } from "./configmap-journal.js";

export interface Fence {
  /** Throws when the run may not go on (the lease is lost); `strict` asks the API server, not memory. */
  check(strict: boolean): Promise<void>;
}

export interface TeamJournalOptions {
  local: Journal & { file: string };
  cluster: ConfigMapJournal;
  fence: Fence;
  /** Is the step of this journal key mutating? (Its start is fenced strictly.) */
  isMutating: (key: string) => boolean;
}

/** The bytes of a file from `offset` to its end. */
function tail(file: string, offset: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const end = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, end - offset));
    let read = 0;
    // A short read (the file shrank) returns what there is.
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export function fileSize(file: string): number {
  const fd = openSync(file, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

export class TeamJournal implements Journal {
  private offset: number;
  readonly file: string;
  write?: (event: RunEvent) => void;
  sync?: () => Promise<void>;

  constructor(private readonly options: TeamJournalOptions) {
    this.file = options.local.file;
    // Everything already in the file is in the cluster too (reconciled before the session opened it).
    this.offset = fileSize(this.file);
    const local = options.local;
    if (local.write && local.sync) {
      const write = local.write.bind(local);
      const sync = local.sync.bind(local);
      this.write = (event) => write(event);
      this.sync = async () => {
        await sync();
        await this.push();
      };
    }
  }

  async append(event: RunEvent): Promise<void> {
    if (event.type === "step-started") {
      const key = (event as { key?: string }).key ?? "";
      await this.options.fence.check(this.options.isMutating(key));
    }
    await this.options.local.append(event);
    await this.push();
  }

  readAll(): Promise<RunEvent[]> {
    return this.options.local.readAll();
  }

  /** Store the lines the file gained since the last push, whole lines only. */
  private async push(): Promise<void> {
    const bytes = tail(this.file, this.offset);
    const complete = bytes.lastIndexOf(0x0a);
    if (complete < 0) return;
    const lines = bytes.subarray(0, complete).toString("utf8").split("\n");
    await this.options.cluster.append(...lines);
    this.offset += complete + 1;
  }
}

/**
 * Bring the two copies together before a session opens the journal: the cluster's lines are the truth
 * when the local file is a prefix of them (another engineer went on), local lines the cluster lacks are
 * stored (a write that failed), and copies that disagree are refused.
 */
export function reconcile(
  local: string[],
  cluster: string[],
):
  | { kind: "same" }
  | { kind: "push"; lines: string[] }
  | { kind: "pull"; lines: string[] }
  | { kind: "diverged"; at: number } {
  const n = Math.min(local.length, cluster.length);
  for (let i = 0; i < n; i++) if (local[i] !== cluster[i]) return { kind: "diverged", at: i };
  if (local.length < cluster.length) return { kind: "pull", lines: cluster };
  if (local.length > cluster.length) return { kind: "push", lines: local.slice(cluster.length) };
  return { kind: "same" };
}
