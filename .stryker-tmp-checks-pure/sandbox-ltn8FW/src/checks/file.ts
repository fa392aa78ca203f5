// @ts-nocheck
// The `file` step kind: a file or directory exists (or not), is recent, contains a text, its newest
// entry is recent, or, as a KEY=VALUE file (.rollback_state), holds the expected keys and values.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DURATION_BOUNDS } from "../checklist/kinds.js";
import type { FileStep, NestedStep, Step } from "../checklist/schema.js";
import { interpolate, resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { InternalError } from "../errors.js";
import { failure, formatDuration } from "./format.js";
import { globToRegExp } from "./glob.js";
import { parseKeyValues } from "./key-values.js";
import type { Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeFile as describe } from "../checklist/describe.js";

function specOf(step: Step | NestedStep): FileStep {
  if (step.file === undefined)
    throw new InternalError("file executor called for a step that is not a file step");
  return step.file;
}

export const execute: Executor = async (step, ctx) => {
  const spec = specOf(step);
  const shown = interpolate(spec.path, ctx.vars, ctx.env);
  // `~/` as a shell would expand it: checklists name files such as ~/.kube/config.
  const home = ctx.env["HOME"];
  const expanded = home && (shown === "~" || shown.startsWith("~/")) ? home + shown.slice(1) : shown;
  const abs = path.resolve(ctx.cwd, expanded);
  const now = ctx.now();
  const details: Record<string, unknown> = { path: abs };
  const done = (outcome: StepOutcome): StepOutcome => ({
    ...outcome,
    summary: ctx.redact(outcome.summary),
    ...(outcome.error ? { error: ctx.redact(outcome.error) } : {}),
    details,
  });

  let target = abs;
  let info = await statIfExists(abs);
  const pattern = path.basename(abs);
  if (!info && /[*?[]/.test(pattern)) {
    // A path such as ./backups/db-*.sql.gz names its newest match (a literal file of that name wins).
    const matches = await newestEntry(path.dirname(abs), pattern).catch(() => undefined);
    details["matches"] = matches?.count ?? 0;
    if (matches?.newest) {
      target = path.join(path.dirname(abs), matches.newest.name);
      info = await statIfExists(target);
      details["path"] = target;
    }
  }
  details["exists"] = info !== undefined;
  if (spec.exists === false) {
    return done(
      info
        ? failure(
            `${shown} exists but should not (${info.isDirectory() ? "directory" : "file"} in ${ctx.cwd})`,
          )
        : { status: "passed", summary: `${shown} does not exist, as expected` },
    );
  }
  if (!info) return done(failure(`${shown}: missing (looked in ${ctx.cwd})`));
  // Name the file a pattern matched in what follows.
  const shownTarget = target === abs ? shown : `${shown} (${path.basename(target)})`;

  const isDir = info.isDirectory();
  const age = now - info.mtimeMs;
  details["type"] = isDir ? "directory" : "file";
  details["modified"] = new Date(info.mtimeMs).toISOString();
  details["ageMs"] = Math.round(age);
  if (!isDir) details["size"] = info.size;

  const problems: string[] = [];
  const found: string[] = [];
  if (spec.maxAge) {
    const limit = resolveDuration(spec.maxAge, ctx.vars, ctx.env, DURATION_BOUNDS.age);
    if (age > limit)
      problems.push(`${shownTarget} is ${formatDuration(age)} old (limit ${formatDuration(limit)})`);
    else found.push(`${formatDuration(age)} old`);
  }

  if (spec.newest) {
    if (!isDir) {
      problems.push(`${shownTarget} is a file, newest needs a directory`);
    } else {
      const result = await newestEntry(target, spec.newest.glob);
      details["entries"] = result.count;
      if (!result.newest) {
        problems.push(
          spec.newest.glob
            ? `no entry matching ${spec.newest.glob} in ${shownTarget}${result.total ? ` (${result.total} other entries)` : ""}`
            : `directory ${shownTarget} is empty`,
        );
      } else {
        const entryAge = now - result.newest.mtimeMs;
        details["newest"] = {
          name: result.newest.name,
          modified: new Date(result.newest.mtimeMs).toISOString(),
          ageMs: Math.round(entryAge),
        };
        const limit = spec.newest.maxAge
          ? resolveDuration(spec.newest.maxAge, ctx.vars, ctx.env, DURATION_BOUNDS.age)
          : undefined;
        const desc = `newest ${result.newest.name} is ${formatDuration(entryAge)} old`;
        if (limit !== undefined && entryAge > limit)
          problems.push(`${desc} (limit ${formatDuration(limit)})`);
        else found.push(`newest ${result.newest.name}, ${formatDuration(entryAge)} old`);
      }
    }
  }

  const wantsText = spec.contains !== undefined || spec.keys?.length || spec.values;
  if (wantsText && isDir) {
    problems.push(`${shownTarget} is a directory, not a file`);
  } else if (wantsText) {
    const text = await readFile(target, "utf8");
    if (spec.contains !== undefined) {
      const needle = interpolate(spec.contains, ctx.vars, ctx.env);
      if (!text.includes(needle)) problems.push(`${shownTarget} does not contain ${JSON.stringify(needle)}`);
      else found.push(`contains ${JSON.stringify(needle)}`);
    }
    if (spec.keys?.length || spec.values) {
      const pairs = parseKeyValues(text);
      details["keys"] = Object.keys(pairs);
      const missing = [...new Set([...(spec.keys ?? []), ...Object.keys(spec.values ?? {})])].filter(
        (k) => !Object.hasOwn(pairs, k),
      );
      if (missing.length)
        problems.push(`${shownTarget} lacks ${plural(missing.length, "key")} ${missing.join(", ")}`);
      const wrong: string[] = [];
      const checked: Record<string, string> = {};
      for (const [key, raw] of Object.entries(spec.values ?? {})) {
        const actual = pairs[key];
        if (actual === undefined) continue;
        checked[key] = ctx.redact(actual);
        const expected = typeof raw === "string" ? interpolate(raw, ctx.vars, ctx.env) : String(raw);
        if (actual !== expected)
          wrong.push(`${key}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
      }
      if (Object.keys(checked).length) details["values"] = checked;
      if (wrong.length) problems.push(`${shownTarget}: ${wrong.join("; ")}`);
      if (!missing.length && !wrong.length) {
        const onlyKeys = (spec.keys ?? []).filter((k) => !Object.hasOwn(spec.values ?? {}, k));
        if (onlyKeys.length) found.push(`${plural(onlyKeys.length, "key")} present`);
        const values = Object.entries(checked);
        if (values.length > 3) found.push(`${values.length} values as expected`);
        else if (values.length) found.push(values.map(([k, v]) => `${k}=${v}`).join(", "));
      }
    }
  }

  if (problems.length) return done(failure(problems.join("; ")));
  return done({
    status: "passed",
    summary: found.length ? `${shownTarget}: ${found.join(", ")}` : `${shownTarget} exists`,
  });
};

async function statIfExists(file: string) {
  return stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return undefined;
    throw err;
  });
}

function plural(n: number, word: string): string {
  return n === 1 ? `1 ${word}` : `${n} ${word}s`;
}

interface NewestResult {
  newest: { name: string; mtimeMs: number } | undefined;
  /** Entries matching the glob. */
  count: number;
  /** All entries (to say "3 other entries" when the glob matches none). */
  total: number;
}

/** The most recently modified entry of a directory whose name matches the glob (hidden files too). */
async function newestEntry(dir: string, glob: string | undefined): Promise<NewestResult> {
  const names = await readdir(dir);
  const re = glob ? globToRegExp(glob) : undefined;
  let newest: NewestResult["newest"];
  let count = 0;
  for (const name of names) {
    if (re && !re.test(name)) continue;
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    if (!info) continue; // vanished, or a dangling link: not a usable entry
    count++;
    if (!newest || info.mtimeMs > newest.mtimeMs) newest = { name, mtimeMs: info.mtimeMs };
  }
  return { newest, count, total: names.length };
}
