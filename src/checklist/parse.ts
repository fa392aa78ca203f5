// Checklist source -> YAML document with positions -> schema + semantic validation -> Checklist, or one
// ChecklistError listing every problem with file:line:col, document path, code frame and suggestion.
// Loads yaml and zod: load.ts imports it only when its cache cannot answer.
import { createHash } from "node:crypto";
import path from "node:path";
import { LineCounter, parseDocument, visit } from "yaml";
import { ChecklistError, type ChecklistProblem } from "../errors.js";
import { displayPath, type LoadedChecklist } from "./load.js";
import { Locator } from "./locate.js";
import { ChecklistSchema } from "./schema.js";
import { problemsFromIssues } from "./schema-issues.js";
import { unknownReferencesInRaw, validateChecklist, withDefaultIds } from "./validate.js";

/** Parse and validate checklist source. `file` is used for messages and made absolute for `path`. */
export function parseChecklist(source: string, file: string): LoadedChecklist {
  const absolute = path.resolve(file);
  const shown = displayPath(absolute);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    // `<<: *anchor` lets steps share settings (timeouts, retries) defined once on an earlier step.
    merge: true,
    keepSourceTokens: false,
  });
  const locate = new Locator(doc, source, lineCounter, shown);
  const sha256 = createHash("sha256").update(source, "utf8").digest("hex");

  const yamlWarnings = doc.warnings.map((w) => locate.atOffset(w.pos[0], `YAML: ${w.message}`, "warning"));
  if (doc.errors.length > 0) {
    throw new ChecklistError(doc.errors.map((e) => locate.yamlError(e.code, e.message, e.pos[0])));
  }
  if (doc.contents === null) {
    throw new ChecklistError([
      locate.atOffset(0, "the file is empty: a checklist starts with `apiVersion: deploycheck/v1`", "error"),
    ]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // toJS resolves aliases: an alias to an anchor that is not set (or set later) fails here.
    const message = (err as Error).message;
    const alias = /Unresolved alias[^:]*: (.+)$/.exec(message)?.[1];
    let offset = 0;
    if (alias !== undefined) {
      visit(doc, {
        Alias(_key, node) {
          if (node.source !== alias) return undefined;
          offset = node.range?.[0] ?? 0;
          return visit.BREAK;
        },
      });
    }
    const text =
      alias !== undefined
        ? `YAML: alias *${alias} refers to no anchor &${alias} set before it`
        : `YAML: ${message}`;
    throw new ChecklistError([locate.atOffset(offset, text, "error")], { cause: err });
  }

  const parsed = ChecklistSchema.safeParse(data);
  if (!parsed.success) {
    // With the schema errors, the references that name nothing (certain without a valid document).
    const problems = [...problemsFromIssues(parsed.error.issues, data), ...unknownReferencesInRaw(data)];
    throw new ChecklistError(sortProblems(problems.map((p) => locate.problem(p))));
  }
  const semantic = validateChecklist(parsed.data);
  const errors = semantic.filter((p) => p.severity === "error");
  if (errors.length > 0) throw new ChecklistError(sortProblems(errors.map((p) => locate.problem(p))));
  const warnings = [
    ...yamlWarnings,
    ...semantic.filter((p) => p.severity === "warning").map((p) => locate.problem(p)),
  ];
  return { checklist: withDefaultIds(parsed.data), path: absolute, source, sha256, warnings };
}

function sortProblems(problems: ChecklistProblem[]): ChecklistProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}
