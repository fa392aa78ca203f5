// `deploycheck export <run-id|record.json> --format md|html|junit|json [-o FILE]`: the sign-off report.
// A run id reads its signed record.json, or, for a run not yet signed off, builds an unsigned record from
// its journal (marked UNFINISHED RUN). Everything rendered passes through the redactor once more.
import { existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { loadChecklist } from "../../checklist/load.js";
import { parseChecklist } from "../../checklist/parse.js";
import type { Checklist } from "../../checklist/schema.js";
import { UsageError } from "../../errors.js";
import { buildRecord } from "../../record/build.js";
import { RECORD_FILE, serializeRecord, writeFileAtomic } from "../../record/finalize.js";
import { defaultConfigDir } from "../../record/keys.js";
import { readRecordFile } from "../../record/read.js";
import { type DeployRecord, RecordSchema } from "../../record/schema.js";
import { verifyRecord } from "../../record/sign.js";
import { readTrustStore, trustLine, trustOf } from "../../record/trust.js";
import { createRedactor, redactDeep } from "../../redact.js";
import { renderHtml } from "../../report/html.js";
import { renderJunit } from "../../report/junit.js";
import { renderMarkdown } from "../../report/markdown.js";
import { CHECKLIST_COPY, loadRun, readChecklistCopy, runDir } from "../../store/runs.js";
import { readStateFile } from "../../store/safe-fs.js";
import { type GlobalOptions, stateDir } from "../options.js";

interface ExportOptions extends GlobalOptions {
  format?: string;
  output?: string;
  force?: boolean;
}

/** The format a `-o` file's extension names (report.html -> html, junit.xml -> junit). */
const EXTENSIONS: Record<string, "md" | "html" | "junit" | "json"> = {
  ".md": "md",
  ".markdown": "md",
  ".html": "html",
  ".htm": "html",
  ".xml": "junit",
  ".json": "json",
};

/** --format, else the -o file's extension, else Markdown. */
export function exportFormat(
  format: string | undefined,
  output: string | undefined,
): "md" | "html" | "junit" | "json" {
  if (format !== undefined) {
    const known = FORMATS[format.toLowerCase()];
    if (!known) {
      throw new UsageError(`--format ${format}: unknown format`, { hint: "Use md, html, junit or json." });
    }
    return known;
  }
  if (output) {
    const ext = extname(output).toLowerCase();
    const byExt = EXTENSIONS[ext];
    if (byExt) return byExt;
    if (ext) {
      throw new UsageError(`-o ${output}: cannot tell the format from "${ext}"`, {
        hint: "Pass --format md, html, junit or json (or name the file .md, .html, .xml or .json).",
      });
    }
  }
  return "md";
}

const FORMATS: Record<string, "md" | "html" | "junit" | "json"> = {
  md: "md",
  markdown: "md",
  html: "html",
  junit: "junit",
  xml: "junit",
  json: "json",
};

interface Source {
  record: Record<string, unknown>;
  /** Where it came from, for messages. */
  origin: string;
  signed: boolean;
}

async function fromRecordFile(file: string, shown = file): Promise<Source> {
  const path = shown;
  const record = await readRecordFile(file);
  const result = verifyRecord(record);
  if (!result.ok) {
    process.stderr.write(
      `deploycheck: warning: ${path}: ${result.message}; the report says "Not signed"\n` +
        "  Check it with `deploycheck verify`.\n",
    );
    const { signature: _dropped, ...rest } = record;
    return { record: rest, origin: path, signed: false };
  }
  // The same trust line as verify: whose key signed this, as far as this user knows.
  const trust = trustOf(result.fingerprint, readTrustStore(defaultConfigDir()));
  const line = trustLine(result.fingerprint, trust);
  process.stderr.write(
    trust.level === "untrusted"
      ? `deploycheck: warning: ${path}: ${line}\n  Check it with \`deploycheck verify\`, or trust the key: deploycheck trust ${result.fingerprint} --name "<who>"\n`
      : `deploycheck: ${path}: ${line}\n`,
  );
  return { record, origin: path, signed: true };
}

async function checklistOfRun(dir: string, recordedPath: string, cwd: string): Promise<Checklist> {
  const copy = join(dir, CHECKLIST_COPY);
  const kept = readChecklistCopy(dir);
  if (kept) return parseChecklist(kept.source, kept.file).checklist;
  // Runs started before the copy existed: the checklist where it was (it may have changed since).
  const candidates = [recordedPath, join(cwd, recordedPath)];
  for (const candidate of candidates) {
    if (existsSync(candidate)) return (await loadChecklist(candidate)).checklist;
  }
  throw new UsageError(`the checklist of this run is gone (${copy}, ${recordedPath})`, {
    hint: "An unfinished run is exported from its journal and its checklist; restore the checklist file.",
  });
}

async function fromRun(id: string, options: ExportOptions): Promise<Source> {
  // A team run is read from the cluster's copy when there is no local one (or --state kubernetes says so).
  const { clusterCopy } = await import("../team-copy.js");
  const copy = await clusterCopy(options, id, (t) => process.stderr.write(`deploycheck: ${t}\n`));
  try {
    return await fromRunIn(copy?.stateDir ?? stateDir(options), id, copy?.origin);
  } finally {
    copy?.remove();
  }
}

async function fromRunIn(states: string, id: string, origin: string | undefined): Promise<Source> {
  const dir = runDir(states, id);
  const recordPath = join(dir, RECORD_FILE);
  // The run's record is a state file: a link there is refused, never followed.
  if (readStateFile(recordPath, "record") !== undefined)
    return fromRecordFile(recordPath, origin ? `${origin} record.json` : recordPath);
  const run = await loadRun(states, id);
  const checklist = await checklistOfRun(dir, run.state.checklist.path, run.state.environment.cwd);
  // The journal never holds secret values; the ones in this environment are redacted anyway.
  const secrets = Object.entries(checklist.vars ?? {})
    .filter(([, v]) => v.secret && v.env)
    .map(([, v]) => process.env[v.env as string] ?? "");
  const record = buildRecord(run.state, checklist, {
    now: new Date(),
    redact: createRedactor(secrets),
    ...(run.chained ? { journal: { head: run.head, events: run.events.length } } : {}),
  });
  return {
    record: record as unknown as Record<string, unknown>,
    origin: origin ? `${origin} journal` : join(dir, "journal.jsonl"),
    signed: false,
  };
}

function looksLikeFile(arg: string): boolean {
  if (arg.endsWith(".json")) return true;
  try {
    return statSync(arg).isFile();
  } catch {
    return false;
  }
}

/** The report of a run (id) or record file in `format`; warnings (unsigned, unfinished) go to stderr. */
export async function renderReport(
  target: string,
  options: GlobalOptions,
  format: "md" | "html" | "junit" | "json",
): Promise<string> {
  const source = looksLikeFile(target) ? await fromRecordFile(target) : await fromRun(target, options);

  const parsed = RecordSchema.safeParse(source.record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${source.origin}: not a valid deploycheck record (${issue?.path.join(".") || "record"}: ${issue?.message})`,
    );
  }
  // Defence in depth: whatever slipped past the executors and the record builder is redacted here.
  const redact = createRedactor();
  const { signature, ...content } = parsed.data;
  const cleanContent = redactDeep(content, redact);
  const changed = JSON.stringify(cleanContent) !== JSON.stringify(content);
  const record: DeployRecord = signature && !changed ? { ...cleanContent, signature } : cleanContent;
  if (changed && source.signed) {
    process.stderr.write(
      "deploycheck: warning: the record held text that looks like a credential; it is redacted in this export\n",
    );
  }

  let text: string;
  switch (format) {
    case "md":
      text = renderMarkdown(record);
      break;
    case "html":
      text = renderHtml(record);
      break;
    case "junit":
      text = renderJunit(record);
      break;
    case "json":
      // The record as signed (the file's content when nothing needed redacting).
      text = serializeRecord(changed ? record : source.record);
      break;
  }
  if (!record.finished)
    process.stderr.write(`deploycheck: UNFINISHED RUN: ${source.origin} has not been signed off\n`);
  return text;
}

export async function run(args: string[], options: ExportOptions): Promise<number> {
  const target = args[0];
  if (!target) throw new UsageError("export needs a run id or a record.json");
  const format = exportFormat(options.format, options.output);
  if (options.output && !options.force && existsSync(options.output)) {
    throw new UsageError(`-o ${options.output}: the file exists`, {
      hint: "Pass --force to overwrite it, or write to another path.",
    });
  }
  const text = await renderReport(target, options, format);
  if (options.output) {
    try {
      await writeFileAtomic(options.output, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new UsageError(`-o ${options.output}: cannot write the report (${code})`, {
        cause: err,
        hint: code === "ENOENT" ? "Create the directory first, or write to another path." : undefined,
      });
    }
    process.stderr.write(`wrote ${options.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
