// The checklist cache: validating a checklist is a pure function of its bytes and of the validator's code,
// so a file validated once is answered from `$XDG_CACHE_HOME/deploycheck/checklists/` (else
// ~/.cache/deploycheck/) without loading yaml and zod again. Only valid checklists are cached; every
// problem is re-derived from the source, with positions. Any failure to read or write the cache is ignored:
// it can only make deploycheck slower, never wrong. DEPLOYCHECK_NO_CACHE=1 turns it off.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Checklist } from "../checklist/schema.js";
import { VERSION } from "../cli/version.js";
import type { ChecklistProblem } from "../errors.js";

const CACHE_FORMAT = 1;

export interface CachedChecklist {
  checklist: Checklist;
  warnings: ChecklistProblem[];
}

/** The modules whose code decides a checklist's validity: a change to any of them changes every key. */
const VALIDATOR_MODULES = [
  "parse",
  "schema",
  "kinds",
  "schema-issues",
  "validate",
  "vars",
  "locate",
  "walk",
  "shell-refs",
];

let validatorId: string | undefined;

/** Identity of the validator: tool version plus the size and mtime of each validating module. */
function validator(): string {
  if (validatorId === undefined) {
    const here = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "checklist");
    const ext = path.extname(fileURLToPath(import.meta.url));
    const parts = [String(CACHE_FORMAT), VERSION];
    for (const name of VALIDATOR_MODULES) {
      const s = statSync(path.join(here, `${name}${ext}`));
      parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    }
    validatorId = parts.join("|");
  }
  return validatorId;
}

function cacheDir(env = process.env): string {
  const base = env["XDG_CACHE_HOME"] || path.join(homedir(), ".cache");
  return path.join(base, "deploycheck", "checklists");
}

function entryPath(sha256: string, shown: string): string | undefined {
  if (process.env["DEPLOYCHECK_NO_CACHE"] === "1") return undefined;
  const key = createHash("sha256").update(`${validator()}\n${shown}\n${sha256}`).digest("hex");
  return path.join(cacheDir(), `${key}.json`);
}

export function readCachedChecklist(sha256: string, shown: string): CachedChecklist | undefined {
  try {
    const file = entryPath(sha256, shown);
    if (!file) return undefined;
    const entry = JSON.parse(readFileSync(file, "utf8")) as Partial<CachedChecklist> & { sha256?: string };
    if (entry.sha256 !== sha256 || !entry.checklist || !Array.isArray(entry.warnings)) return undefined;
    return { checklist: entry.checklist, warnings: entry.warnings };
  } catch {
    return undefined;
  }
}

export function writeCachedChecklist(sha256: string, shown: string, value: CachedChecklist): void {
  try {
    const file = entryPath(sha256, shown);
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename: a reader sees a whole entry or none.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ sha256, ...value }));
    renameSync(tmp, file);
  } catch {
    // A read-only home or a full disk must never stop a run.
  }
}
