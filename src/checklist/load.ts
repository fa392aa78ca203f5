// Reading a checklist file: the bytes, their sha256, and the validated Checklist, from the checklist cache
// when this exact file was validated before by this exact validator, else through parse.ts (yaml + zod).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type ChecklistProblem, UsageError } from "../errors.js";
import { readCachedChecklist, writeCachedChecklist } from "../store/checklist-cache.js";
import type { Checklist } from "./schema.js";

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
    bytes = await readFile(absolute);
  } catch (err) {
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
  const source = bytes.toString("utf8");
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

/** Paths under the working directory are shown relative to it, others absolute. */
export function displayPath(absolute: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : absolute;
}
