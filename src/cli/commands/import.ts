// `deploycheck import`: read a Markdown or plain-text checklist (file or stdin), write checklist YAML
// (stdout or -o), and print a summary of what was automated, what is left to a person, and what was not placed.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, extname } from "node:path";
import { ID_RE } from "../../checklist/kinds.js";
import { parseChecklist } from "../../checklist/parse.js";
import { MAX_CHECKLIST_BYTES, mib } from "../../checklist/source.js";
import { ChecklistError, InternalError, UsageError } from "../../errors.js";
import { convertDocument } from "../../import/convert.js";
import { emitChecklist } from "../../import/emit.js";
import { parseDocument } from "../../import/parse.js";
import { slugify } from "../../import/slug.js";
import { formatSummary } from "../../import/summary.js";
import type { GlobalOptions } from "../options.js";

export interface ImportCommandOptions extends GlobalOptions {
  output?: string;
  name?: string;
  force?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function readSource(file: string): Promise<string> {
  if (file === "-") return readStdin();
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code);
    throw new UsageError(`cannot read ${file}: ${why}`, {
      cause: err,
      hint: "Give the path of a Markdown or text checklist, or - to read standard input.",
    });
  }
}

function checklistName(options: ImportCommandOptions, file: string, title: string | undefined): string {
  if (options.name !== undefined) {
    if (!ID_RE.test(options.name)) {
      throw new UsageError(`--name ${JSON.stringify(options.name)} is not a kebab-case name`, {
        hint: `Use lowercase letters, digits and dashes, e.g. --name ${slugify(options.name, "staging")}`,
      });
    }
    return options.name;
  }
  if (file !== "-") return slugify(basename(file, extname(file)), "imported");
  return slugify(title ?? "", "imported");
}

export async function run(args: string[], options: ImportCommandOptions): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError("import needs a file to read, or - for standard input");
  const source = await readSource(file);
  const nul = source.indexOf("\u0000");
  if (nul >= 0) {
    // A binary file (an image, a PDF, a compiled program): nothing in it is a runbook to read.
    throw new UsageError(
      `${file === "-" ? "standard input" : file} is not a text document: it holds a NUL byte at character ${nul}`,
      {
        hint: "Give a Markdown or plain-text runbook (convert a PDF or Word file to text first).",
      },
    );
  }
  const doc = parseDocument(source);
  const name = checklistName(options, file, doc.title?.text);
  const { checklist, report } = convertDocument(doc, { name });
  const from = file === "-" ? "standard input" : basename(file);
  const yaml = emitChecklist(checklist, report, { from });
  const bytes = Buffer.byteLength(yaml);
  if (bytes > MAX_CHECKLIST_BYTES) {
    // validate and run would refuse the file: never write a checklist that cannot be loaded.
    throw new UsageError(
      `the checklist imported from ${from} would be ${mib(bytes)}; a checklist may be at most ${mib(MAX_CHECKLIST_BYTES)}`,
      { hint: "Split the document (for example one file per top-level section) and import each part." },
    );
  }
  try {
    // The same loader `validate` and `run` use: what import writes must load as it is.
    parseChecklist(yaml, options.output ?? `${name}.yaml`);
  } catch (err) {
    if (!(err instanceof ChecklistError)) throw err;
    // The importer builds every field itself: a checklist that does not load is a bug, not a user error.
    throw new InternalError(`the imported checklist does not validate:\n${err.message}`, { cause: err });
  }
  const output = options.output;
  if (output) {
    await mkdir(dirname(output), { recursive: true });
    try {
      await writeFile(output, yaml, { flag: options.force ? "w" : "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") {
        throw new UsageError(`${output} already exists`, {
          cause: err,
          hint: "Pass --force to overwrite it, or choose another file with -o.",
        });
      }
      throw err;
    }
    process.stdout.write(formatSummary(report, file === "-" ? "standard input" : file, output));
    process.stdout.write(`Next: deploycheck validate ${output} && deploycheck show ${output}\n`);
  } else {
    process.stdout.write(yaml);
    process.stderr.write(formatSummary(report, file === "-" ? "standard input" : file, "standard output"));
  }
  return 0;
}
