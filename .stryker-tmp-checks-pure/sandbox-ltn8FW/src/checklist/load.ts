// @ts-nocheck
// Reading a checklist file: the bytes, their sha256, and the validated Checklist, from the checklist cache
// when this exact file was validated before by this exact validator, else through parse.ts (yaml + zod).
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import { ChecklistError, type ChecklistProblem, UsageError } from "../errors.js";
import { readCachedChecklist, writeCachedChecklist } from "../store/checklist-cache.js";
import type { Checklist } from "./schema.js";
import { decodeChecklistBytes, MAX_CHECKLIST_BYTES, sizeProblem } from "./source.js";

export interface LoadedChecklist {
  checklist: Checklist;
  /** Absolute path of the file. */
  path: string;
  source: string;
  /** sha256 (hex) of the file's bytes: the journal keeps it to notice a changed checklist on resume. */
  sha256: string;
  warnings: ChecklistProblem[];
}

/** Read and validate a checklist file. A missing file is a UsageError naming it. */
export async function loadChecklist(file: string): Promise<LoadedChecklist> {
  const absolute = path.resolve(file);
  let bytes: Buffer;
  try {
    const read = await readCapped(absolute);
    if (read.size > MAX_CHECKLIST_BYTES) {
      throw new ChecklistError([sizeProblem(displayPath(absolute), read.size)]);
    }
    bytes = read.bytes;
  } catch (err) {
    if (err instanceof ChecklistError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${code})`;
    throw new UsageError(`checklist file ${displayPath(absolute)} ${why}`, {
      cause: err,
      hint: "Give a checklist name (see `deploycheck list`) or the path of a .yaml file.",
    });
  }
  const decoded = decodeChecklistBytes(bytes, displayPath(absolute));
  if (decoded.problem) throw new ChecklistError([decoded.problem]);
  const source = decoded.text;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  // Warnings name the file as shown from here, so the cache key includes the display path.
  const shown = displayPath(absolute);
  const cached = readCachedChecklist(sha256, shown);
  if (cached) return { ...cached, path: absolute, source, sha256 };

  const { parseChecklist } = await import("./parse.js");
  const loaded = parseChecklist(source, absolute);
  loaded.sha256 = sha256;
  writeCachedChecklist(sha256, shown, { checklist: loaded.checklist, warnings: loaded.warnings });
  return loaded;
}

/** The file's bytes, reading never more than one byte past the cap (a 1 GB file is not read to be refused). */
async function readCapped(file: string): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(file, "r");
  try {
    // Sized from stat (plus one byte to notice growth), never past the cap plus one.
    const buf = Buffer.allocUnsafe(Math.min((await handle.stat()).size, MAX_CHECKLIST_BYTES) + 1);
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length === buf.length && length <= MAX_CHECKLIST_BYTES) return await readCapped(file); // it grew: again
    const size = length === buf.length ? Math.max(length, (await handle.stat()).size) : length;
    return { bytes: buf.subarray(0, length), size };
  } finally {
    await handle.close();
  }
}

/** Paths under the working directory are shown relative to it, others absolute. */
export function displayPath(absolute: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : absolute;
}
