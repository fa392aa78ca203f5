// @ts-nocheck
// `deploycheck validate <file|name>...`: load every checklist, print what is valid and every problem of
// every file; exit 2 if any file has an error.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { findChecklist } from "../../checklist/find.js";
import { displayPath, loadChecklist } from "../../checklist/load.js";
import { itemCount, walkSteps } from "../../checklist/walk.js";
import { ChecklistError, type ChecklistProblem, DeploycheckError, formatProblem } from "../../errors.js";
import { sanitizeText } from "../../sanitize.js";
import type { GlobalOptions } from "../options.js";

interface FileResult {
  checklist: string;
  path?: string;
  ok: boolean;
  items?: number;
  steps?: number;
  warnings: ChecklistProblem[];
  errors: ChecklistProblem[];
  /** For errors that have no position (missing file, unknown name). */
  message?: string;
}

async function validateOne(nameOrPath: string, cwd: string): Promise<FileResult> {
  let file: string | undefined;
  try {
    file = findChecklist(nameOrPath, cwd);
    const loaded = await loadChecklist(file);
    return {
      checklist: nameOrPath,
      path: loaded.path,
      ok: true,
      items: itemCount(loaded.checklist),
      steps: walkSteps(loaded.checklist).length,
      warnings: loaded.warnings,
      errors: [],
    };
  } catch (err) {
    if (err instanceof ChecklistError) {
      return {
        checklist: nameOrPath,
        ...(file ? { path: file } : {}),
        ok: false,
        warnings: [],
        errors: err.problems,
      };
    }
    if (err instanceof DeploycheckError) {
      const message = err.hint ? `${err.message}\n  ${err.hint}` : err.message;
      return {
        checklist: nameOrPath,
        ...(file ? { path: file } : {}),
        ok: false,
        warnings: [],
        errors: [],
        message,
      };
    }
    throw err;
  }
}

export async function run(args: string[], options: GlobalOptions): Promise<number> {
  const cwd = process.cwd();
  const results: FileResult[] = [];
  for (const arg of expandDirectories(args, cwd)) results.push(await validateOne(arg, cwd));
  const failed = results.some((r) => !r.ok);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return failed ? 2 : 0;
  }
  for (const r of results) {
    if (r.ok) {
      process.stdout.write(
        `✓ ${displayPath(r.path ?? r.checklist, cwd)} (${count(r.items, "item")}, ${count(r.steps, "step")})\n`,
      );
      for (const w of r.warnings) process.stdout.write(`${indent(sanitizeText(formatProblem(w)))}\n`);
    } else if (r.message) {
      process.stderr.write(sanitizeText(`✗ ${r.checklist}: ${r.message}\n`));
    } else {
      const n = r.errors.length;
      process.stderr.write(`✗ ${r.errors[0]?.file ?? r.checklist}: ${n} problem${n === 1 ? "" : "s"}\n`);
      for (const e of r.errors) process.stderr.write(`${indent(sanitizeText(formatProblem(e)))}\n\n`);
    }
  }
  if (failed && results.length > 1) {
    const bad = results.filter((r) => !r.ok).length;
    process.stderr.write(`${bad} of ${results.length} checklists are invalid\n`);
  }
  return failed ? 2 : 0;
}

/** A directory stands for the checklists in it (`deploycheck validate checklists/`). */
function expandDirectories(args: string[], cwd: string): string[] {
  return args.flatMap((arg) => {
    const full = path.resolve(cwd, arg);
    if (!existsSync(full) || !statSync(full).isDirectory()) return [arg];
    const files = readdirSync(full)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(arg, f));
    return files.length ? files : [arg];
  });
}

function count(n: number | undefined, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
