// @ts-nocheck
// Document paths -> line:col in the YAML source, and short code frames with a caret. Pure: works on a
// parsed yaml Document and its source text.
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { ChecklistProblem } from "../errors.js";
import { type DocPath, formatPath, type ValidationProblem } from "./validate.js";

export class Locator {
  private sourceLines: string[] | undefined;

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
    const offset = this.offsetOf(p.path, p.at ?? "value", p.needle, p.needleIndex);
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
  private offsetOf(docPath: DocPath, at: "key" | "value", needle?: string, needleIndex = 0): number {
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
      let idx = raw.indexOf(needle);
      for (let n = 0; n < needleIndex && idx >= 0; n++) {
        const next = raw.indexOf(needle, idx + 1);
        if (next < 0) break;
        idx = next;
      }
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

  /** Two lines of context, the line itself, and a caret under the column; long lines cut around the column. */
  private frame(line: number, col: number): string {
    this.sourceLines ??= this.source.split(/\r?\n/);
    const lines = this.sourceLines;
    const from = Math.max(1, line - 2);
    const to = Math.min(lines.length, line);
    const width = String(to).length;
    // The same window of columns for every line, so the context stays aligned with the caret.
    const start = col - 1 > FRAME_WIDTH / 2 ? col - 1 - FRAME_WIDTH / 2 : 0;
    const cut = (text: string): string => {
      const shown = text.slice(start, start + FRAME_WIDTH);
      return `${start > 0 && text.length > 0 ? "…" : ""}${shown}${text.length > start + FRAME_WIDTH ? "…" : ""}`;
    };
    const out: string[] = [];
    for (let n = from; n <= to; n++) {
      out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${cut(lines[n - 1] ?? "")}`);
    }
    out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, col - 1 - start + (start > 0 ? 1 : 0)))}^`);
    return out.join("\n");
  }
}

/** Columns of a line shown in a code frame; a longer line is cut around the column, with … where it was cut. */
const FRAME_WIDTH = 120;

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
