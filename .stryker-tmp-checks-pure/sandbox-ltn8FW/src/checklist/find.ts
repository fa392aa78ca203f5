// @ts-nocheck
// Checklist name or path -> absolute path: ./checklists/NAME.yaml first, then the checklists bundled
// with the package. Also lists every checklist found, for `deploycheck list`.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";

export interface FoundChecklist {
  name: string;
  path: string;
  source: "local" | "bundled";
}

const EXTENSIONS = [".yaml", ".yml"] as const;

/** The package's own checklists: dist/checklist/find.js (or src/checklist/find.ts) -> ../../checklists. */
export function bundledDir(): string {
  return fileURLToPath(new URL("../../checklists/", import.meta.url));
}

function localDir(cwd: string): string {
  return path.join(cwd, "checklists");
}

function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || nameOrPath.includes(path.sep) || /\.ya?ml$/i.test(nameOrPath);
}

function inDir(dir: string, name: string): string | undefined {
  for (const ext of EXTENSIONS) {
    const file = path.join(dir, `${name}${ext}`);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/** Resolve a checklist name or path to an absolute path. Unknown names are a UsageError listing the known ones. */
export function findChecklist(nameOrPath: string, cwd: string): string {
  if (isPath(nameOrPath)) return path.resolve(cwd, nameOrPath);
  const found = inDir(localDir(cwd), nameOrPath) ?? inDir(bundledDir(), nameOrPath);
  if (found) return found;
  const known = [...new Set(listChecklists(cwd).map((c) => c.name))];
  throw new UsageError(`no checklist named "${nameOrPath}"`, {
    hint: known.length
      ? `Checklists found: ${known.join(", ")} (in ./checklists/ and the bundled ones). Or give a path to a .yaml file.`
      : "No checklists found in ./checklists/. Give a path to a .yaml file.",
  });
}

function listDir(dir: string, source: FoundChecklist["source"]): FoundChecklist[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => EXTENSIONS.some((ext) => f.endsWith(ext)))
    .sort()
    .map((f) => ({ name: f.replace(/\.ya?ml$/, ""), path: path.join(dir, f), source }))
    .filter((c) => statSync(c.path).isFile());
}

/** Local checklists, then the bundled ones a local checklist of the same name does not shadow. */
export function listChecklists(cwd: string): FoundChecklist[] {
  const local = listDir(localDir(cwd), "local");
  const names = new Set(local.map((c) => c.name));
  const bundledPath = path.resolve(bundledDir());
  // Run from the package's own directory, the local and bundled directories are the same.
  if (path.resolve(localDir(cwd)) === bundledPath.replace(/[/\\]$/, "")) return local;
  const bundled = listDir(bundledDir(), "bundled").filter((c) => !names.has(c.name));
  return [...local, ...bundled];
}
