// @ts-nocheck
// Reading a checklist document (Markdown or the plain text of the seed, with its odd wrapping) into a
// tree of sections, items and bullets that remembers the source line of every piece. Pure.
import { isCommand, splitTrailingRemark, stripPrompt } from "./command.js";
import { parseMarkdown } from "./markdown.js";

export interface Text {
  text: string;
  line: number;
}

/** A command found in code: one line, or a whole code block (a script run as one step). */
export interface CommandText extends Text {
  /** Every source line the command covers (a block's lines, prompts and output included). */
  lines?: number[];
  /** From a fenced or indented code block, not an inline span. */
  block?: boolean;
  /** Output shown after a prompt in the document: kept as help, never run or asked. */
  output?: string[];
  /** The text that says what the command prints ("returns 43", "should show `prod`"). */
  stated?: string;
}

/** A line left out on purpose, and why (a table of contents, HTML, a rule). */
export interface DroppedLine {
  line: number;
  text: string;
  reason: string;
}

export interface Field {
  key: string;
  value: string;
  line: number;
}

/** One bullet: its prose (`label`), the commands written with it, and where it came from. */
export interface BulletNode {
  label: string;
  commands: CommandText[];
  /** The bullet as written, one piece per source line: kept as the step's help. */
  source: string[];
  line: number;
  lines: number[];
  indent: number;
  children: BulletNode[];
}

export interface ItemNode {
  /** The entry's own line: `label` is the item's title. */
  head: BulletNode;
  number?: number;
  checked: boolean;
  /** A Markdown heading that holds bullets (`### Backup`), rather than a checkbox or numbered entry. */
  fromHeading: boolean;
  steps: BulletNode[];
  /** Paragraphs inside the item. */
  text: Text[];
}

export interface SectionNode {
  /** Undefined for the implicit section that holds items written before any section line. */
  title?: Text;
  items: ItemNode[];
  /** Bullets under the section line, before its first item. */
  loose: BulletNode[];
  text: Text[];
}

export interface SignoffNode {
  title?: Text;
  fields: Field[];
  text: Text[];
}

export interface ImportDocument {
  /** The source, split into lines (line n is lines[n - 1]). */
  lines: string[];
  title?: Text;
  /** `Key: value` lines of the header block. */
  fields: Field[];
  /** Other lines of the header block. */
  description: Text[];
  sections: SectionNode[];
  signoff?: SignoffNode;
  /** Decoration: horizontal rules, HTML comments, fence markers with nothing to attach to. */
  ignored: Text[];
  /** Lines left out on purpose, with the reason (Markdown documents). */
  dropped?: DroppedLine[];
  /** Front matter (Markdown documents): title and owner become metadata. */
  frontMatter?: { title?: string; owner?: string; fields: Field[]; lines: number[] };
  /** Which reader made this tree. */
  format?: "markdown" | "text";
}

export interface Entry {
  checked: boolean;
  number?: number;
  text: string;
  /** `1. Foo` without a checkbox. */
  numberedOnly: boolean;
}

/** How deep the plain-text reader nests bullets (the Markdown reader has its own guard, MAX_NESTING). */
const MAX_DEPTH = 40;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^[-*+•]\s+(.*)$/;
const CHECKBOX = /^(?:[-*+]\s+)?(?:\[([ xX])\]|([☐☑☒✓✔⬜✅]))\s*(?:(\d+)[.)]\s+)?(.*)$/;
const NUMBERED = /^(\d+)[.)]\s+(?:\[([ xX])\]\s+)?(.*)$/;
const FENCE = /^(`{3,}|~{3,})\s*([\w+-]*)/;
const RULE = /^(?:-{3,}|\*{3,}|_{3,}|={3,})$/;
const DANGLING = /\b(?:with|in|to|of|the|a|an|for|on|at|from|by|and|or|via|into|using|that|run)$/i;
export const SIGNOFF_TITLE = /^sign[- ]?off\b/i;
export const SIGNOFF_FIELD = /^(?:engineer|deployment ready|ready for deployment|signed[- ]off by)\s*:/i;
const SHELL_LANGS = new Set(["", "sh", "bash", "shell", "console", "zsh", "shell-session"]);

export function parseEntry(text: string): Entry | undefined {
  const box = CHECKBOX.exec(text);
  if (box && box[4]!.trim()) {
    const mark = box[1] ?? box[2] ?? " ";
    return {
      checked: mark !== " " && mark !== "☐" && mark !== "⬜",
      ...(box[3] ? { number: Number(box[3]) } : {}),
      text: box[4]!.trim(),
      numberedOnly: false,
    };
  }
  const num = NUMBERED.exec(text);
  if (num && num[3]!.trim()) {
    return {
      checked: num[2] !== undefined && num[2] !== " ",
      number: Number(num[1]),
      text: num[3]!.trim(),
      numberedOnly: num[2] === undefined,
    };
  }
  return undefined;
}

/** Markdown emphasis and code marks around a header or sign-off line: `**Issue:** BUY-1` -> `Issue: BUY-1`. */
export function plain(text: string): string {
  return text
    .replace(/\*\*|__/g, "")
    .replace(/^[-*+]\s+/, "")
    .trim();
}

export function parseField(text: string): Field | undefined {
  const m = /^([A-Za-z][\w ./-]{0,39}?)\s*:\s+(\S.*)$/.exec(plain(text));
  if (!m || m[1]!.split(/\s+/).length > 4) return undefined;
  return { key: m[1]!.trim(), value: m[2]!.trim(), line: 0 };
}

function titleLike(text: string): boolean {
  return (
    /^[A-Z0-9]/.test(text) && text.length <= 80 && !/[.,;:!?]$/.test(text) && text.split(/\s+/).length <= 10
  );
}

/** Several bullets run together on one line: `./x.sh backup - Verify backup was created`. */
function runTogether(text: string): string[] {
  return text.split(/\s+-\s+(?=[A-Z])/).filter((p) => p.trim() !== "");
}

function indentOf(raw: string): number {
  const lead = /^[ \t]*/.exec(raw)![0];
  return lead.replace(/\t/g, "    ").length;
}

function newBullet(text: string, line: number, indent: number): BulletNode {
  const bullet: BulletNode = {
    label: "",
    commands: [],
    source: [],
    line,
    lines: [line],
    indent,
    children: [],
  };
  absorb(bullet, text, line, true);
  return bullet;
}

/** Add a piece of text to a bullet: a command becomes one of its commands, prose extends its label. */
function absorb(bullet: BulletNode, text: string, line: number, first = false): void {
  if (!bullet.lines.includes(line)) bullet.lines.push(line);
  bullet.source.push(text.trim());
  // Emphasis is Markdown decoration, not words: `shows **prod-eu**` -> `shows prod-eu`.
  let piece = text.trim().replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2");
  const whole = /^`([^`]+)`$/.exec(piece);
  if (whole) piece = whole[1]!;
  if (isCommand(piece)) {
    addCommand(bullet, piece, line);
    return;
  }
  // `Check the context: kubectl config current-context` or `Run \`./x.sh\``: the command after the colon.
  const after = /^(.*?:)\s+`?([^`]+?)`?$/.exec(piece);
  if (first && after && isCommand(after[2]!)) {
    bullet.label = join(bullet.label, after[1]!);
    addCommand(bullet, after[2]!, line);
    return;
  }
  for (const m of piece.matchAll(/`([^`]+)`/g)) {
    if (isCommand(m[1]!)) addCommand(bullet, m[1]!, line);
  }
  bullet.label = join(bullet.label, piece);
}

function addCommand(bullet: BulletNode, text: string, line: number): void {
  const { command, remark } = splitTrailingRemark(stripPrompt(text));
  bullet.commands.push({ text: command, line });
  if (remark) bullet.label = join(bullet.label, remark);
}

function join(a: string, b: string): string {
  return a ? `${a} ${b}` : b;
}

class Parser {
  readonly doc: ImportDocument;
  readonly #lines: string[];
  #section: SectionNode | undefined;
  #item: (ItemNode & { indent: number }) | undefined;
  /** Open bullets by indent, for nesting, inside the current item (or the section's loose bullets). */
  #stack: { node: BulletNode; list: BulletNode[] }[] = [];
  #last: { node: BulletNode; list: BulletNode[] } | undefined;
  #afterBlank = false;
  #previous = "";
  #signoffLevel: number | undefined;

  constructor(source: string) {
    this.#lines = source
      .replace(/^\uFEFF/, "")
      .replace(/\r\n?/g, "\n")
      .split("\n");
    if (this.#lines.length > 1 && this.#lines.at(-1) === "") this.#lines.pop();
    this.doc = { lines: this.#lines, fields: [], description: [], sections: [], ignored: [] };
  }

  parse(): ImportDocument {
    let i = this.#header();
    while (i < this.#lines.length) i = this.#body(i);
    return this.doc;
  }

  /** The block before the first section or item: title, `Key: value` fields, description. */
  #header(): number {
    let seenTitle = false;
    for (let i = 0; i < this.#lines.length; i++) {
      const t = this.#lines[i]!.trim();
      const line = i + 1;
      if (!t) continue;
      const heading = HEADING.exec(t);
      if (!seenTitle && heading && heading[1] === "#") {
        this.doc.title = { text: plain(heading[2]!), line };
        seenTitle = true;
        continue;
      }
      if (heading || FENCE.test(t) || parseEntry(t) || SIGNOFF_FIELD.test(plain(t))) return i;
      const field = parseField(t);
      if (field) {
        this.doc.fields.push({ ...field, line });
        seenTitle = true;
        continue;
      }
      if (BULLET.test(t)) return i;
      if (RULE.test(t) || /^<!--.*-->$/.test(t)) {
        this.doc.ignored.push({ text: t, line });
        continue;
      }
      if (!seenTitle) {
        this.doc.title = { text: plain(t), line };
        seenTitle = true;
        continue;
      }
      if ((titleLike(t) && this.#nextIsList(i)) || SIGNOFF_TITLE.test(t) || this.#setextUnderline(i))
        return i;
      this.doc.description.push({ text: t, line });
    }
    return this.#lines.length;
  }

  #nextIsList(i: number): boolean {
    for (let j = i + 1; j < this.#lines.length; j++) {
      const t = this.#lines[j]!.trim();
      if (!t) continue;
      return parseEntry(t) !== undefined || BULLET.test(t);
    }
    return false;
  }

  #body(i: number): number {
    const raw = this.#lines[i]!;
    const t = raw.trim();
    const line = i + 1;
    const indent = indentOf(raw);
    if (!t) {
      this.#afterBlank = true;
      return i + 1;
    }
    const fence = FENCE.exec(t);
    const heading = HEADING.exec(t);
    if (this.doc.signoff && this.#signoffLevel !== undefined) {
      const ends =
        heading !== null && heading[1]!.length <= this.#signoffLevel && !SIGNOFF_TITLE.test(heading[2]!);
      if (!ends) {
        this.#signoffLine(t, line);
        return i + 1;
      }
      this.#signoffLevel = undefined;
    }
    let next = i + 1;
    const underline = this.#setextUnderline(i);
    if (fence) next = this.#fence(i, fence);
    else if (heading) this.#heading(heading[1]!.length, plain(heading[2]!), line, i);
    else if (underline) {
      this.doc.ignored.push({ text: underline.text, line: line + 1 });
      this.#heading(underline.level, plain(t), line, i + 1);
      next = i + 2;
    } else if (RULE.test(t) || /^<!--.*-->$/.test(t)) this.doc.ignored.push({ text: t, line });
    else if (SIGNOFF_TITLE.test(t) && titleLike(t)) this.#startSignoff({ text: plain(t), line }, 0);
    else if (SIGNOFF_FIELD.test(plain(t))) {
      this.#startSignoff(undefined, 0);
      this.#signoffLine(t, line);
    } else {
      const entry = parseEntry(t);
      const bullet = BULLET.exec(t);
      if (entry) this.#entry(entry, indent, line);
      else if (bullet) this.#bullet(bullet[1]!, indent, line);
      else this.#plainLine(t, indent, line, i);
    }
    this.#afterBlank = false;
    this.#previous = t;
    return next;
  }

  /** `Title` over `=====` or `-----`: a Markdown (setext) heading. */
  #setextUnderline(i: number): { level: number; text: string } | undefined {
    const t = this.#lines[i]!.trim();
    const under = this.#lines[i + 1]?.trim() ?? "";
    if (!/^(?:={3,}|-{3,})$/.test(under) || !t || parseEntry(t) || BULLET.test(t) || RULE.test(t))
      return undefined;
    return { level: under.startsWith("=") ? 1 : 2, text: under };
  }

  #startSignoff(title: Text | undefined, level: number): void {
    this.doc.signoff ??= { fields: [], text: [] };
    if (title && !this.doc.signoff.title) this.doc.signoff.title = title;
    else if (title) this.doc.signoff.text.push(title);
    this.#signoffLevel = level;
    this.#last = undefined;
  }

  #signoffLine(t: string, line: number): void {
    addSignoffLine(this.doc.signoff!, t, line);
  }

  #heading(level: number, text: string, line: number, i: number): void {
    if (SIGNOFF_TITLE.test(text)) {
      this.#startSignoff({ text, line }, level);
      return;
    }
    const entry =
      parseEntry(text) ?? (/^step\s+(\d+)\s*[:.-]\s*(.+)$/i.exec(text) ? stepEntry(text) : undefined);
    if (entry) {
      this.#newItem(entry, 0, line, true);
      return;
    }
    if (this.#headingHoldsBulletsOnly(i)) {
      this.#newItem({ checked: false, text, numberedOnly: false }, 0, line, true);
      return;
    }
    this.#newSection({ text, line });
  }

  /** A heading whose content (up to the next heading) is bullets, no entries: an item, not a section. */
  #headingHoldsBulletsOnly(i: number): boolean {
    let bullets = false;
    for (let j = i + 1; j < this.#lines.length; j++) {
      const t = this.#lines[j]!.trim();
      if (HEADING.test(t) || SIGNOFF_TITLE.test(t)) break;
      const entry = parseEntry(t);
      if (entry && indentOf(this.#lines[j]!) === 0) return false;
      if (entry || BULLET.test(t) || FENCE.test(t)) bullets = true;
    }
    return bullets;
  }

  #newSection(title: Text | undefined): SectionNode {
    const section: SectionNode = { items: [], loose: [], text: [] };
    if (title) section.title = title;
    this.doc.sections.push(section);
    this.#section = section;
    this.#item = undefined;
    this.#stack = [];
    this.#last = undefined;
    return section;
  }

  #currentSection(): SectionNode {
    return this.#section ?? this.#newSection(undefined);
  }

  #newItem(entry: Entry, indent: number, line: number, fromHeading: boolean): void {
    const section = this.#currentSection();
    const head = newBullet(entry.text, line, indent);
    const item: ItemNode & { indent: number } = {
      head,
      checked: entry.checked,
      fromHeading,
      steps: [],
      text: [],
      indent,
    };
    if (entry.number !== undefined) item.number = entry.number;
    section.items.push(item);
    this.#item = item;
    this.#stack = [];
    this.#last = { node: head, list: item.steps };
  }

  #entry(entry: Entry, indent: number, line: number): void {
    const item = this.#item;
    // Under a heading-item every entry is a step; otherwise an entry indented under an item is one of its steps.
    const isStep = item !== undefined && (item.fromHeading || indent > item.indent);
    if (isStep) this.#bullet(entry.text, indent, line);
    else this.#newItem(entry, indent, line, false);
  }

  #bullet(text: string, indent: number, line: number): void {
    const container = this.#item ? this.#item.steps : this.#currentSection().loose;
    while (this.#stack.length && this.#stack.at(-1)!.node.indent >= indent) this.#stack.pop();
    // Deeper than MAX_DEPTH: a sibling of the deepest bullet kept (no document nests that deep on purpose,
    // and the tree is walked recursively).
    while (this.#stack.length >= MAX_DEPTH) this.#stack.pop();
    const list = this.#stack.length ? this.#stack.at(-1)!.node.children : container;
    const node = newBullet(text, line, indent);
    list.push(node);
    this.#stack.push({ node, list });
    this.#last = { node, list };
  }

  #plainLine(t: string, indent: number, line: number, i: number): void {
    if (this.#isContinuation(t, indent)) {
      const last = this.#last!;
      const [first, ...rest] = runTogether(t);
      absorb(last.node, first!, line);
      for (const piece of rest) {
        const node = newBullet(piece, line, last.node.indent);
        // A sibling of the bullet continued: when that was the item's own line, the item's first step.
        last.list.push(node);
        while (this.#stack.length && this.#stack.at(-1)!.node.indent >= node.indent) this.#stack.pop();
        this.#stack.push({ node, list: last.list });
        this.#last = { node, list: last.list };
      }
      return;
    }
    if (titleLike(t) && this.#nextIsList(i)) {
      this.#newSection({ text: t, line });
      return;
    }
    (this.#item ? this.#item.text : this.#currentSection().text).push({ text: t, line });
    this.#last = undefined;
  }

  /** A line that carries on the bullet above it: indented under it, a command, or a sentence cut short. */
  #isContinuation(t: string, indent: number): boolean {
    const last = this.#last?.node;
    if (!last) return false;
    if (this.#afterBlank && indent <= last.indent) return false;
    if (indent > last.indent) return true;
    if (isCommand(runTogether(t)[0] ?? t)) return true;
    if (/:\s*$/.test(this.#previous) || DANGLING.test(this.#previous)) return true;
    return !/^[A-Z]/.test(t);
  }

  /** A fenced block: shell lines become commands of the bullet above it; other content its help. */
  #fence(i: number, open: RegExpExecArray): number {
    const marker = open[1]!;
    const lang = open[2]!.toLowerCase();
    const target = this.#last?.node;
    const indent = indentOf(this.#lines[i]!);
    const owner: Text[] = this.#item ? this.#item.text : this.#currentSection().text;
    let j = i + 1;
    let pending: Text | undefined;
    // An item's own line has no help of its own: a fence under it goes to the item's text.
    const bulletTarget = target && target !== this.#item?.head ? target : undefined;
    const place = (text: string, line: number) => {
      if (bulletTarget) {
        if (!bulletTarget.lines.includes(line)) bulletTarget.lines.push(line);
        bulletTarget.source.push(text);
      } else owner.push({ text, line });
    };
    place(this.#lines[i]!.trim(), i + 1);
    for (; j < this.#lines.length; j++) {
      const raw = this.#lines[j]!;
      const t = raw.trim();
      if (t.startsWith(marker[0]!.repeat(marker.length)) && t.replace(/[`~]/g, "") === "") {
        place(t, j + 1);
        break;
      }
      if (!t) continue;
      // Shown as help: without the indentation the fence itself had inside its list item.
      place(raw.trimEnd().replace(new RegExp(`^ {0,${indent}}`), ""), j + 1);
      if (!target || !SHELL_LANGS.has(lang) || t.startsWith("#")) continue;
      const text = pending ? `${pending.text} ${t}` : stripPrompt(t);
      const line = pending?.line ?? j + 1;
      if (text.endsWith("\\")) pending = { text: text.slice(0, -1).trim(), line };
      else {
        pending = undefined;
        target.commands.push({ text, line });
      }
    }
    if (pending && target) target.commands.push(pending);
    this.#last = target && this.#last ? this.#last : undefined;
    return j + 1;
  }
}

/** One line of a sign-off block: a `Key: ____` field, or text. */
export function addSignoffLine(signoff: SignoffNode, t: string, line: number): void {
  const heading = HEADING.exec(t);
  const text = plain(heading ? heading[2]! : t)
    .replace(/^\[[ xX]\]\s*/, "")
    .trim();
  const m = /^([^:]{1,40}):\s*(.*)$/.exec(text);
  if (m) {
    const value = m[2]!
      .replace(/_{2,}|[☐☑☒]/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    signoff.fields.push({ key: m[1]!.trim(), value, line });
  } else signoff.text.push({ text, line });
}

export function stepEntry(text: string): Entry {
  const m = /^step\s+(\d+)\s*[:.-]\s*(.+)$/i.exec(text)!;
  return { checked: false, number: Number(m[1]), text: m[2]!.trim(), numberedOnly: true };
}

/** Parse seed-shaped plain text into a tree. Never throws: anything it cannot shape stays as text. */
export function parsePlainText(source: string): ImportDocument {
  return { ...new Parser(source).parse(), format: "text" };
}

/** Markdown structure a plain-text checklist does not have: headings, fences, task lists, front matter. */
export function looksLikeMarkdown(source: string): boolean {
  return (
    /^\uFEFF?---\r?\n/.test(source) ||
    /^ {0,3}(?:#{1,6}[ \t]|`{3,}|~{3,}|>|:{3,}|[-*+][ \t]+\[[ xX]\][ \t])/m.test(source) ||
    /^[^\n]*\S[^\n]*\r?\n {0,3}=+[ \t]*$/m.test(source) ||
    /\[[^\]\n]+\]\([^)\s]+\)/.test(source)
  );
}

/**
 * Parse a checklist document into a tree: Markdown with a CommonMark parser, seed-shaped plain text
 * (no Markdown structure at all) with the line reader. Never throws.
 */
export function parseDocument(source: string): ImportDocument {
  return looksLikeMarkdown(source) ? parseMarkdown(source) : parsePlainText(source);
}
