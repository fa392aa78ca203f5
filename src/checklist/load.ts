// Checklist file -> YAML document with positions -> schema + semantic validation -> Checklist, or one
// ChecklistError listing every problem with file:line:col, document path, code frame and suggestion.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { z } from "zod";
import { ChecklistError, type ChecklistProblem, UsageError } from "../errors.js";
import { type Checklist, ChecklistSchema, STEP_KINDS } from "./schema.js";
import {
  type DocPath,
  formatPath,
  STEP_KEY_CANDIDATES,
  suggest,
  type ValidationProblem,
  validateChecklist,
  withDefaultIds,
} from "./validate.js";

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
  const loaded = parseChecklist(bytes.toString("utf8"), absolute);
  loaded.sha256 = createHash("sha256").update(bytes).digest("hex");
  return loaded;
}

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
    const issues = parsed.error.issues;
    // A step with an unknown key also "has no kind" when the unknown key is a misspelled kind: say it once.
    const unknownAt = new Set(
      issues.filter((i) => i.code === "unrecognized_keys").map((i) => formatPath(i.path)),
    );
    const relevant = issues.filter(
      (i) => !(i.code === "custom" && isNoKind(i) && unknownAt.has(formatPath(i.path))),
    );
    const problems = dedupe(relevant.flatMap((issue) => flattenIssue(issue, [], data)));
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

/** Paths under the working directory are shown relative to it, others absolute. */
function displayPath(absolute: string): string {
  const rel = path.relative(process.cwd(), absolute);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : absolute;
}

// ---- zod issues -> problems with document paths ----------------------------------------------

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, docPath: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of docPath) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "nothing (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  record: "a mapping (key: value)",
};

function isStepPath(p: readonly PropertyKey[]): boolean {
  const n = p.length;
  return (
    (n >= 2 && p[n - 2] === "steps" && typeof p[n - 1] === "number") ||
    (n === 2 && p[0] === "guards" && typeof p[1] === "number")
  );
}

/** zod issue (possibly a union) -> problems relative to the document root. */
function flattenIssue(issue: Issue, prefix: PropertyKey[], data: unknown): ValidationProblem[] {
  const full = [...prefix, ...issue.path];
  const docPath = full.filter((s): s is string | number => typeof s !== "symbol");
  const value = valueAt(data, full);
  const missing = value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value");
  if (missing && full.length > 0) {
    return [
      {
        path: docPath,
        severity: "error",
        message: `missing required field "${String(full[full.length - 1])}"`,
      },
    ];
  }
  switch (issue.code) {
    case "invalid_union": {
      // Keep the branches whose type fits the value; if exactly one fits, its issues are the real ones.
      const fitting = issue.errors.filter(
        (branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (fitting.length === 1) return fitting[0]!.flatMap((i) => flattenIssue(i, full, data));
      const expected = issue.errors
        .flatMap((branch) => branch.filter((i) => i.code === "invalid_type" && i.path.length === 0))
        .map((i) => EXPECTED[(i as { expected: string }).expected] ?? (i as { expected: string }).expected);
      const unique = [...new Set(expected)];
      return [
        {
          path: docPath,
          severity: "error",
          message:
            value === undefined
              ? `missing required field "${String(full[full.length - 1])}"`
              : unique.length > 0
                ? `expected ${unique.join(" or ")}, got ${describeValue(value)}`
                : "this value matches none of the allowed forms",
        },
      ];
    }
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const onStep = isStepPath(full);
        const nested = onStep && full.includes("watch");
        if (nested && key === "watch") {
          return {
            path: [...docPath, key],
            at: "key" as const,
            severity: "error" as const,
            message: "a watch cannot contain another watch: nest the checks themselves",
          };
        }
        const candidates = onStep
          ? STEP_KEY_CANDIDATES.filter((k) => !nested || k !== "watch")
          : allowedKeys(full);
        const suggestion = suggest(key, candidates);
        return {
          path: [...docPath, key],
          at: "key" as const,
          severity: "error" as const,
          message: onStep
            ? `unknown step kind or key "${key}" (kinds: ${STEP_KINDS.join(", ")})`
            : `unknown key "${key}"${candidates.length ? ` (allowed here: ${candidates.join(", ")})` : ""}`,
          ...(suggestion ? { suggestion } : {}),
        };
      });
    case "invalid_type": {
      if (value === undefined) {
        return [
          {
            path: docPath,
            severity: "error",
            message: `missing required field "${String(full[full.length - 1])}"`,
          },
        ];
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [
        { path: docPath, severity: "error", message: `expected ${expected}, got ${describeValue(value)}` },
      ];
    }
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v));
      const suggestion =
        typeof value === "string"
          ? suggest(
              value,
              issue.values.filter((v) => typeof v === "string"),
            )
          : undefined;
      return [
        {
          path: docPath,
          severity: "error",
          message: `${describeValue(value)} is not allowed here: expected ${options.length === 1 ? options[0] : `one of ${options.join(", ")}`}`,
          ...(suggestion ? { suggestion } : {}),
        },
      ];
    }
    case "invalid_key": {
      const key = String(full[full.length - 1]);
      const inVars = full.length === 2 && full[0] === "vars";
      return [
        {
          path: docPath,
          at: "key",
          severity: "error",
          message: inVars
            ? `variable name "${key}" is not allowed: use letters, digits and _ (e.g. apiUrl), so that \${${key}} can refer to it`
            : `key "${key}" is not allowed here`,
        },
      ];
    }
    case "too_small": {
      const origin = issue.origin;
      const message =
        origin === "array"
          ? `needs at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? "y" : "ies"}`
          : origin === "string"
            ? `must not be shorter than ${issue.minimum} characters`
            : `must be at least ${issue.minimum}, got ${String(value)}`;
      return [{ path: docPath, severity: "error", message }];
    }
    case "too_big": {
      const message =
        issue.origin === "array"
          ? `has too many entries (at most ${issue.maximum})`
          : `must be at most ${issue.maximum}, got ${String(value)}`;
      return [{ path: docPath, severity: "error", message }];
    }
    case "invalid_format": {
      return [{ path: docPath, severity: "error", message: `${issue.message}; got ${describeValue(value)}` }];
    }
    case "custom": {
      const kind = (issue.params as { deploycheck?: string } | undefined)?.deploycheck;
      return [
        {
          path: docPath,
          severity: "error",
          message: issue.message,
          ...(kind === "many-kinds" ? { at: "key" as const } : {}),
        },
      ];
    }
    default:
      return [{ path: docPath, severity: "error", message: issue.message }];
  }
}

/** The keys a strict object in the schema allows at a document path (for "did you mean"). */
function allowedKeys(docPath: readonly PropertyKey[]): string[] {
  let schema: unknown = ChecklistSchema;
  const def = (s: unknown) => (s as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const unwrap = (s: unknown): unknown => {
    let cur = s;
    for (let i = 0; i < 20; i++) {
      const d = def(cur);
      if (d.type === "optional" || d.type === "default" || d.type === "nullable") cur = d["innerType"];
      else if (d.type === "pipe") cur = d["in"];
      else if (d.type === "union") {
        const obj = (d["options"] as unknown[]).find((o) => def(unwrap(o)).type === "object");
        if (!obj) return cur;
        cur = obj;
      } else return cur;
    }
    return cur;
  };
  for (const seg of docPath) {
    const d = def(unwrap(schema));
    if (d.type === "object") schema = (d["shape"] as Record<string, unknown>)[String(seg)];
    else if (d.type === "array") schema = d["element"];
    else if (d.type === "record") schema = d["valueType"];
    else return [];
    if (!schema) return [];
  }
  const d = def(unwrap(schema));
  return d.type === "object" ? Object.keys(d["shape"] as Record<string, unknown>) : [];
}

function isNoKind(issue: Issue): boolean {
  return (issue as { params?: { deploycheck?: string } }).params?.deploycheck === "no-kind";
}

function sortProblems(problems: ChecklistProblem[]): ChecklistProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

function dedupe(problems: ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- document paths -> line:col and code frames ----------------------------------------------

class Locator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly source: string,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  atOffset(offset: number, message: string, severity: "error" | "warning", docPath = ""): ChecklistProblem {
    const safe = Math.max(0, Math.min(offset, this.source.length));
    const { line, col } = this.lines.linePos(safe);
    return {
      file: this.file,
      line,
      col,
      path: docPath,
      message,
      frame: this.frame(line, col),
      severity,
    };
  }

  yamlError(code: string, message: string, offset: number): ChecklistProblem {
    if (code === "DUPLICATE_KEY") {
      const key = this.scalarAt(offset);
      const firstLine = key === undefined ? undefined : this.firstKeyLine(offset, key);
      return this.atOffset(
        offset,
        `duplicate key${key === undefined ? "" : ` "${key}"`}${firstLine ? ` (first at line ${firstLine})` : ""}: each key may appear once in a mapping`,
        "error",
      );
    }
    // The commonest YAML mistake in checklists: an unquoted value holding ": " (a header, a message).
    const hint = /Nested mappings are not allowed in compact mappings|Implicit map keys need to be/.test(
      message,
    )
      ? ' (a value that contains ": " must be quoted)'
      : "";
    if (code === "MULTIPLE_DOCS") {
      return this.atOffset(
        offset,
        "a checklist file holds one YAML document: this `---` starts a second one",
        "error",
      );
    }
    return this.atOffset(offset, `YAML syntax error: ${message}${hint}`, "error");
  }

  problem(p: ValidationProblem): ChecklistProblem {
    const offset = this.offsetOf(p.path, p.at ?? "value", p.needle);
    const message = p.related
      ? p.message.replace(
          "{related}",
          `at line ${this.lines.linePos(this.offsetOf(p.related, "value")).line}, ${formatPath(p.related)}`,
        )
      : p.message;
    const out = this.atOffset(offset, message, p.severity, formatPath(p.path));
    if (p.suggestion) out.suggestion = p.suggestion;
    return out;
  }

  /** Offset of a document path: the key or the value of its last segment; else the deepest node found. */
  private offsetOf(docPath: DocPath, at: "key" | "value", needle?: string): number {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < docPath.length; i++) {
      const seg = docPath[i]!;
      const last = i === docPath.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!pair) return offset;
        const keyStart = rangeStart(pair.key);
        const valueStart = rangeStart(pair.value);
        if (last && at === "key") return keyStart ?? offset;
        offset = valueStart ?? keyStart ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const child = node.items[seg];
        if (child === undefined) return offset;
        offset = rangeStart(child) ?? offset;
        node = child;
      } else return offset;
    }
    if (needle && isScalar(node) && node.range) {
      const raw = this.source.slice(node.range[0], node.range[1]);
      const idx = raw.indexOf(needle);
      if (idx >= 0) return node.range[0] + idx;
    }
    return offset;
  }

  private scalarAt(offset: number): string | undefined {
    const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^:#\n]+?))\s*:/.exec(this.source.slice(offset));
    return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  }

  /** Line of the first occurrence of a duplicated key in the same mapping. */
  private firstKeyLine(offset: number, key: string): number | undefined {
    let found: number | undefined;
    const visit = (node: unknown) => {
      if (found !== undefined) return;
      if (isMap(node)) {
        const keys = node.items.filter((p) => isPair(p) && keyText(p.key) === key);
        const hit = keys.find((p) => rangeStart(p.key) === offset);
        if (hit && keys[0] !== hit) {
          found = this.lines.linePos(rangeStart(keys[0]!.key) ?? 0).line;
          return;
        }
        for (const p of node.items) visit(p.value);
      } else if (isSeq(node)) for (const c of node.items) visit(c);
    };
    visit(this.doc.contents);
    return found;
  }

  /** Two lines of context, the line itself, and a caret under the column. */
  private frame(line: number, col: number): string {
    const lines = this.source.split(/\r?\n/);
    const from = Math.max(1, line - 2);
    const to = Math.min(lines.length, line);
    const width = String(to).length;
    const out: string[] = [];
    for (let n = from; n <= to; n++) {
      out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${lines[n - 1] ?? ""}`);
    }
    out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, col - 1))}^`);
    return out.join("\n");
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
