// @ts-nocheck
// Reading a Markdown runbook with a CommonMark parser (markdown-it, with `:::` containers) into the same
// tree the plain-text reader makes: sections, items, bullets, and the commands found in code. Commands
// come only from code: fenced or indented blocks, and inline code spans that are a whole command; never
// from prose or headings. Every non-blank line ends up in the tree, in `dropped` with a reason, or (when
// the parser did not read it) listed by the converter. Pure: no I/O.
import MarkdownIt, { type Token } from "markdown-it";
import container from "markdown-it-container";
import { parse as parseYaml } from "yaml";
import { isCommand, stripPrompt } from "./command.js";
import {
  addSignoffLine,
  type BulletNode,
  type CommandText,
  type DroppedLine,
  type Entry,
  type Field,
  type ImportDocument,
  type ItemNode,
  parseEntry,
  parseField,
  plain,
  type SectionNode,
  SIGNOFF_FIELD,
  SIGNOFF_TITLE,
  stepEntry,
  type Text,
} from "./parse.js";

/** Deeper than this, markdown-it stops reading (its own guard): those lines are listed, not lost. */
export const MAX_NESTING = 40;

interface Block {
  type: string;
  token: Token;
  inline?: Token;
  children: Block[];
  /** 1-based source lines [first, last]. */
  first: number;
  last: number;
}

const SHELL_LANGS = new Set([
  "sh",
  "bash",
  "shell",
  "zsh",
  "ksh",
  "console",
  "shell-session",
  "shellsession",
  "terminal",
  "shell-script",
]);
const TEXT_LANGS = new Set(["", "text", "txt", "plaintext", "plain", "none", "output"]);
const ADMONITIONS =
  /^(?:note|warning|tip|important|caution|attention|danger|error|hint|seealso|admonition|info|todo|success|question|failure|bug|example|quote|abstract|summary|tldr|dropdown|sidebar|topic|margin|aside)$/i;
const TOC_TITLE = /^(?:table of contents|contents|toc|on this page|in this (?:document|page|runbook))$/i;
/** Words that say a command in the sentence is NOT to be run. */
const NEGATED =
  /\b(?:do not|don't|never|avoid|must not|should not|shouldn't|instead of|rather than|not recommended)\b/i;
const EXTRA_PROGRAMS = new Set([
  "oc",
  "sudo",
  "make",
  "go",
  "cargo",
  "gitlab-ctl",
  "gitlab-rake",
  "gitlab-psql",
  "patronictl",
  "pg_dump",
  "pg_restore",
  "pg_basebackup",
  "pg_ctl",
  "mongo",
  "mongosh",
  "vault",
  "consul",
  "nomad",
  "ansible-playbook",
  "journalctl",
  "dig",
  "openssl",
  "velero",
  "istioctl",
  "flux",
  "kubeadm",
  "etcdctl",
  "crictl",
  "docker-compose",
  "podman",
  "cat",
  "ls",
  "grep",
  "tail",
  "head",
  "echo",
  "export",
  "rm",
  "mv",
  "cp",
  "mkdir",
  "chmod",
  "chown",
  "tar",
  "rsync",
  "scp",
  "stat",
  "test",
  "cnpg",
  "kubectl-cnpg",
  "service",
  "nc",
  "ping",
  "nslookup",
  "cd",
  "gsutil",
  "eksctl",
  "krel",
  "kind",
  "minikube",
  "skaffold",
  "cosign",
  "crane",
  "skopeo",
  "buildah",
  "goreleaser",
]);

/** An inline code span that is a whole command: a program with arguments, or an executable path. */
export function isWholeCommand(span: string): boolean {
  const text = stripPrompt(span.trim());
  if (!text || text.length > 2000 || /\n/.test(text) || /\.\.\.|…/.test(text)) return false;
  const words = text.split(/\s+/);
  const first = words[0]!;
  if (/^(?:\.{1,2}\/|~\/|\/)/.test(first) && /(?:\.(?:sh|bash|py|rb|js|pl)|^\.\/[\w-]+)$/.test(first))
    return true;
  if (words.length < 2) return false;
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) return isCommand(text);
  if (EXTRA_PROGRAMS.has(first)) return true;
  return isCommand(text);
}

/** What a sentence says a command prints: "returns 43", "should show `prod-eu`", "Expected output: ok". */
export function statedValue(text: string): string | undefined {
  const t = text.replace(/\*\*|__/g, "");
  const m =
    /\b(?:returns?|shows?|prints?|outputs?|displays?|reports?|says?|reads?|(?:should|must) (?:be|equal|read))\s*:?\s+(`[^`\n]+`|"[^"\n]+"|'[^'\n]+'|-?\d+(?:\.\d+)?(?![\w%]|\.\d)|[A-Za-z][\w:/.]*-[\w:/.-]*\w)/i.exec(
      t,
    ) ?? /^expected(?: output| result)?\s*:\s*(`[^`\n]+`|"[^"\n]+"|\S+)\s*\.?$/i.exec(t.trim());
  if (!m) return undefined;
  const value = m[1]!.replace(/^[`"']|[`"']$/g, "").trim();
  return value && value.length <= 200 ? value : undefined;
}

function blocksOf(tokens: Token[]): Block[] {
  const root: Block = { type: "root", token: tokens[0]!, children: [], first: 0, last: 0 };
  const stack: Block[] = [root];
  for (const token of tokens) {
    const parent = stack.at(-1)!;
    if (token.type === "inline") {
      parent.inline = token;
      continue;
    }
    if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const first = token.map ? token.map[0] + 1 : parent.first;
    const last = token.map ? Math.max(token.map[1], first) : parent.last;
    const block: Block = { type: token.type.replace(/_open$/, ""), token, children: [], first, last };
    parent.children.push(block);
    if (token.nesting === 1) stack.push(block);
  }
  return root.children;
}

function range(first: number, last: number): number[] {
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/** Markdown inline source as a title: emphasis marks dropped, links as their text. */
export function inlineText(content: string): string {
  return content
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\(#[^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, "$1 ($2)")
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

/** A paragraph kept as text, which the code block right after it may take as its title. */
interface Prose {
  texts: Text[];
  into: Text[];
  label: string;
  first: number;
  last: number;
}

const ANCHOR_ONLY = /^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[[^\]]*\]\(#[^)]*\)\s*$/;

class MarkdownReader {
  readonly doc: ImportDocument;
  readonly #lines: string[];
  #dropped: DroppedLine[] = [];
  #section: SectionNode | undefined;
  #item: ItemNode | undefined;
  #headerOpen = true;
  #signoffLevel: number | undefined;
  /** The previous sibling's result, for pairing prose with the code after it. */
  #lastProse: Prose | undefined;
  #lastCommand: BulletNode | undefined;

  constructor(source: string) {
    this.#lines = source
      .replace(/^\uFEFF/, "")
      .replace(/\r\n?/g, "\n")
      .split("\n");
    if (this.#lines.length > 1 && this.#lines.at(-1) === "") this.#lines.pop();
    this.doc = {
      lines: this.#lines,
      fields: [],
      description: [],
      sections: [],
      ignored: [],
      dropped: this.#dropped,
      format: "markdown",
    };
  }

  parse(): ImportDocument {
    const text = this.#frontMatter();
    const md = new MarkdownIt("commonmark", { html: true, maxNesting: MAX_NESTING }).enable([
      "table",
      "strikethrough",
    ]);
    md.use(container, "directive", { validate: () => true });
    const tokens = md.parse(text, {});
    this.#tooDeep(tokens);
    const blocks = blocksOf(tokens);
    this.#document(blocks);
    return this.doc;
  }

  /**
   * Lines inside a list that no block of their own covers: markdown-it stopped reading there (more than
   * MAX_NESTING levels deep). Listed with that reason rather than lost.
   */
  #tooDeep(tokens: Token[]): void {
    const covered = new Set<number>();
    const inList = new Set<number>();
    for (const t of tokens) {
      if (!t.map) continue;
      const lines = range(t.map[0] + 1, t.map[1]);
      if (t.type === "list_item_open") for (const l of lines) inList.add(l);
      else if (!/^(?:bullet_list|ordered_list|blockquote)_open$/.test(t.type))
        for (const l of lines) covered.add(l);
    }
    for (const line of inList) {
      if (!covered.has(line) && this.#lines[line - 1]?.trim()) {
        this.#dropped.push({
          line,
          text: this.#lines[line - 1]!.trim(),
          reason: `nested deeper than ${MAX_NESTING} levels: not read`,
        });
      }
    }
  }

  #drop(first: number, last: number, reason: string): void {
    for (const line of range(first, last)) {
      const t = this.#lines[line - 1]?.trim();
      if (t) this.#dropped.push({ line, text: t, reason });
    }
  }

  #texts(first: number, last: number): Text[] {
    return range(first, last).flatMap((line) => {
      const t = this.#lines[line - 1]?.trim();
      return t ? [{ text: t, line }] : [];
    });
  }

  /** YAML front matter: read with the yaml package, blanked out so that line numbers stay. */
  #frontMatter(): string {
    const lines = this.#lines;
    if (lines[0]?.trim() !== "---") return lines.join("\n");
    const end = lines.findIndex((l, i) => i > 0 && (l.trim() === "---" || l.trim() === "..."));
    if (end < 0) return lines.join("\n");
    let data: unknown;
    try {
      data = parseYaml(lines.slice(1, end).join("\n"));
    } catch {
      data = undefined;
    }
    const fields: Field[] = [];
    const fm: NonNullable<ImportDocument["frontMatter"]> = { fields, lines: range(1, end + 1) };
    if (data && typeof data === "object" && !Array.isArray(data)) {
      for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
        const line = lines.findIndex((l, i) => i > 0 && i < end && l.startsWith(`${key}:`)) + 1 || 2;
        const shown =
          typeof value === "string" || typeof value === "number" || typeof value === "boolean"
            ? String(value)
            : JSON.stringify(value);
        if (/^title$/i.test(key) && typeof value === "string") fm.title = value.trim();
        else if (/^(?:owner|owners|author|authors|maintainer|maintainers|team)$/i.test(key))
          fm.owner ??= Array.isArray(value) ? value.map(String).join(", ") : shown;
        else fields.push({ key, value: shown, line });
      }
    } else {
      // Not a mapping (or not YAML): the lines stay as description, as written.
      for (const t of this.#texts(2, end)) fields.push({ key: "front matter", value: t.text, line: t.line });
    }
    this.doc.frontMatter = fm;
    if (fm.title) this.doc.title = { text: fm.title, line: 1 };
    return [...lines.slice(0, end + 1).map(() => ""), ...lines.slice(end + 1)].join("\n");
  }

  // ---- document structure ---------------------------------------------------------------------

  #document(blocks: Block[]): void {
    const headings = blocks
      .map((b, i) => ({ b, i, level: Number(b.token.tag.slice(1)) }))
      .filter((h) => h.b.type === "heading");
    // A heading with deeper headings under it (before the next one at its level or above) is a section.
    const hasChildren = new Set<number>();
    const parentOf = new Map<number, number>();
    const open: { i: number; level: number }[] = [];
    for (const h of headings) {
      while (open.length && open.at(-1)!.level >= h.level) open.pop();
      if (open.length) {
        hasChildren.add(open.at(-1)!.i);
        parentOf.set(h.i, open.at(-1)!.i);
      }
      open.push({ i: h.i, level: h.level });
    }
    const titleHeading = headings[0] && headings[0].level === 1 ? headings[0].i : undefined;
    const roleOf = new Map<number, "section" | "item" | "sub">();
    const sectionIdx = new Set<number>();
    for (const h of headings) {
      if (h.i === titleHeading) continue;
      let parent = parentOf.get(h.i);
      if (parent === titleHeading) parent = undefined;
      if (parent === undefined) {
        if (hasChildren.has(h.i) || this.#holdsEntries(blocks, h.i)) {
          roleOf.set(h.i, "section");
          sectionIdx.add(h.i);
        } else roleOf.set(h.i, "item");
      } else if (sectionIdx.has(parent)) roleOf.set(h.i, "item");
      else roleOf.set(h.i, "sub");
    }
    let skipUntilLevel: number | undefined;
    let skipReason = "";
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (b.type === "heading") {
        const level = Number(b.token.tag.slice(1));
        const text = inlineText(b.inline?.content ?? "");
        // A setext heading: its underline is decoration, its other lines are in its title.
        if (b.token.markup === "=" || b.token.markup === "-") {
          this.doc.ignored.push(...this.#texts(b.last, b.last));
          for (const l of range(b.first + 1, b.last - 1)) this.doc.description.push({ text: "", line: l });
        }
        if (skipUntilLevel !== undefined && level > skipUntilLevel) {
          this.#drop(b.first, b.last, skipReason);
          continue;
        }
        skipUntilLevel = undefined;
        if (this.#signoffLevel !== undefined && level > this.#signoffLevel) {
          addSignoffLine(this.doc.signoff!, text, b.first);
          continue;
        }
        this.#signoffLevel = undefined;
        this.#lastProse = undefined;
        this.#lastCommand = undefined;
        if (i === titleHeading) {
          // With a front-matter title, the heading is kept as description when it says something else.
          if (this.doc.frontMatter?.title === undefined)
            this.doc.title = { text: plain(text), line: b.first };
          else if (plain(text) !== this.doc.title?.text) this.doc.description.push({ text, line: b.first });
          else this.doc.description.push({ text: "", line: b.first });
          continue;
        }
        if (TOC_TITLE.test(text)) {
          skipUntilLevel = level;
          skipReason = "table of contents";
          this.#drop(b.first, b.last, skipReason);
          continue;
        }
        if (SIGNOFF_TITLE.test(text)) {
          this.doc.signoff ??= { fields: [], text: [] };
          if (!this.doc.signoff.title) this.doc.signoff.title = { text, line: b.first };
          else this.doc.signoff.text.push({ text, line: b.first });
          this.#signoffLevel = level;
          this.#headerOpen = false;
          continue;
        }
        this.#headerOpen = false;
        const role = roleOf.get(i) ?? "item";
        if (role === "section") this.#newSection({ text, line: b.first });
        else if (role === "item") {
          // A top-level heading without sections or entries: an item, in a section of such items.
          const parent = parentOf.get(i);
          if ((parent === undefined || parent === titleHeading) && this.#section?.title !== undefined)
            this.#newSection(undefined);
          const entry: Entry = /^step\s+(\d+)\s*[:.-]\s*(.+)$/i.test(text)
            ? stepEntry(text)
            : (parseEntry(text) ?? { checked: false, text, numberedOnly: false });
          this.#newItem(entry, b.first, true);
        } else {
          // A heading inside an item: a note introducing what follows it.
          const bullet = this.#bullet(`${text.replace(/:$/, "")}:`, b.first, [text]);
          this.#item!.steps.push(bullet);
        }
        continue;
      }
      if (skipUntilLevel !== undefined) {
        this.#drop(b.first, b.last, skipReason);
        continue;
      }
      if (this.#signoffLevel !== undefined) {
        for (const t of this.#texts(b.first, b.last)) addSignoffLine(this.doc.signoff!, t.text, t.line);
        continue;
      }
      this.#block(b);
    }
  }

  /** A leaf heading whose content holds checkbox or numbered entries: a section of those items. */
  #holdsEntries(blocks: Block[], i: number): boolean {
    for (let j = i + 1; j < blocks.length && blocks[j]!.type !== "heading"; j++) {
      const b = blocks[j]!;
      if (b.type === "ordered_list" || (b.type === "bullet_list" && this.#hasTask(b))) return true;
    }
    return false;
  }

  #hasTask(list: Block): boolean {
    return list.children.some((li) => /^\s*\[[ xX]\]\s/.test(li.children[0]?.inline?.content ?? ""));
  }

  #newSection(title: Text | undefined): SectionNode {
    const section: SectionNode = { items: [], loose: [], text: [] };
    if (title) section.title = title;
    this.doc.sections.push(section);
    this.#section = section;
    this.#item = undefined;
    return section;
  }

  #currentSection(): SectionNode {
    return this.#section ?? this.#newSection(undefined);
  }

  #newItem(entry: Entry, line: number, fromHeading: boolean, head?: BulletNode): ItemNode {
    const section = this.#currentSection();
    const item: ItemNode = {
      head: head ?? this.#bullet(entry.text, line, [entry.text]),
      checked: entry.checked,
      fromHeading,
      steps: [],
      text: [],
    };
    if (entry.number !== undefined) item.number = entry.number;
    section.items.push(item);
    if (fromHeading) this.#item = item;
    return item;
  }

  #bullet(label: string, line: number, source: string[], lines = [line]): BulletNode {
    return { label, commands: [], source, line, lines: [...lines], indent: 0, children: [] };
  }

  /** Where loose content goes now: the heading item's steps and text, or the section's. */
  #target(): { bullets: BulletNode[]; text: Text[] } {
    if (this.#item) return { bullets: this.#item.steps, text: this.#item.text };
    const section = this.#currentSection();
    return { bullets: section.loose, text: section.text };
  }

  // ---- blocks -------------------------------------------------------------------------------

  #block(b: Block): void {
    const prose = this.#lastProse;
    const lastCommand = this.#lastCommand;
    this.#lastProse = undefined;
    this.#lastCommand = undefined;
    switch (b.type) {
      case "paragraph":
        this.#paragraph(b, lastCommand);
        return;
      case "bullet_list":
      case "ordered_list":
        this.#list(b);
        return;
      case "fence":
      case "code_block":
        this.#code(b, prose, lastCommand);
        return;
      case "hr":
        this.doc.ignored.push(...this.#texts(b.first, b.last));
        return;
      case "html_block":
        this.#drop(b.first, b.last, "HTML");
        return;
      default:
        // Blockquotes, admonition containers, tables: text shown with the item (help) or section.
        if (b.type.startsWith("container_")) {
          while (/^\s*:{3,}\s*$/.test(this.#lines[b.last] ?? "")) b.last++;
        }
        this.#asText(b);
        return;
    }
  }

  #asText(b: Block): void {
    if (this.#headerOpen) {
      this.doc.description.push(...this.#texts(b.first, b.last));
      return;
    }
    if (b.type === "blockquote" && this.#isTocList(b)) {
      this.#drop(b.first, b.last, "table of contents");
      return;
    }
    this.#target().text.push(...this.#texts(b.first, b.last));
  }

  #paragraph(b: Block, lastCommand: BulletNode | undefined): void {
    const content = b.inline?.content ?? "";
    if (
      /^\s*(?:\[\[?_?toc_?\]?\]|\{:toc\}|<!--\s*toc\s*-->|(?:\*\*|__)?table of contents:?(?:\*\*|__)?)\s*$/i.test(
        content,
      )
    ) {
      this.#drop(b.first, b.last, "table of contents");
      return;
    }
    const firstLine = plain(content.split("\n")[0] ?? "");
    const signoffTitle = SIGNOFF_TITLE.test(firstLine) && firstLine.length <= 40 && !firstLine.includes(":");
    if (this.#headerOpen && !this.#hasCommands(b) && !signoffTitle) {
      for (const t of this.#texts(b.first, b.last)) {
        const bare = plain(t.text);
        if (SIGNOFF_FIELD.test(bare)) {
          this.doc.signoff ??= { fields: [], text: [] };
          addSignoffLine(this.doc.signoff, t.text, t.line);
          continue;
        }
        const field = parseField(t.text);
        if (field) this.doc.fields.push({ ...field, line: t.line });
        else if (!this.doc.title && !this.doc.fields.length && !this.doc.description.length)
          this.doc.title = { text: inlineText(t.text), line: t.line };
        else this.doc.description.push(t);
      }
      return;
    }
    if (SIGNOFF_FIELD.test(firstLine) || signoffTitle) {
      this.doc.signoff ??= { fields: [], text: [] };
      for (const t of this.#texts(b.first, b.last)) {
        if (t.line === b.first && signoffTitle && !this.doc.signoff.title)
          this.doc.signoff.title = { text: firstLine, line: t.line };
        else addSignoffLine(this.doc.signoff, t.text, t.line);
      }
      this.#headerOpen = false;
      return;
    }
    this.#headerOpen = false;
    const stated = statedValue(inlineText(content));
    // "This should return 43." after a command is about it; "Count the rows. It returns 43:" introduces
    // the code after it.
    if (lastCommand && stated !== undefined && !this.#hasCommands(b) && !/:\s*$/.test(content)) {
      // "This should return 43." after a command: what it must print, kept with its step.
      const cmd = lastCommand.commands.at(-1)!;
      cmd.stated = content;
      for (const t of this.#texts(b.first, b.last)) {
        lastCommand.source.push(t.text);
        lastCommand.lines.push(t.line);
      }
      this.#lastCommand = lastCommand;
      return;
    }
    const target = this.#target();
    if (this.#hasCommands(b)) {
      const bullet = this.#bullet("", b.first, [], []);
      this.#absorb(bullet, b, true);
      target.bullets.push(bullet);
      this.#lastCommand = bullet;
      return;
    }
    const texts = this.#texts(b.first, b.last);
    target.text.push(...texts);
    this.#lastProse = { texts, into: target.text, label: inlineText(content), first: b.first, last: b.last };
  }

  #hasCommands(b: Block): boolean {
    const content = b.inline?.content ?? "";
    if (NEGATED.test(content)) return false;
    return (b.inline?.children ?? []).some((t) => t.type === "code_inline" && isWholeCommand(t.content));
  }

  /** A paragraph's words and inline commands into a bullet (label from the first paragraph only). */
  #absorb(bullet: BulletNode, b: Block, first: boolean): void {
    const inline = b.inline;
    const content = inline?.content ?? "";
    let label = content.replace(/^\s*\[[ xX]\]\s+/, "");
    // "Run the backup: `./backup.sh now`": the words before the colon are the title.
    const colon = /^(.*?):\s*`([^`]+)`\s*$/s.exec(label);
    if (colon?.[1]?.trim() && isWholeCommand(colon[2]!) && !NEGATED.test(label)) label = colon[1];
    if (first) bullet.label = bullet.label ? `${bullet.label} ${inlineText(label)}` : inlineText(label);
    for (const t of this.#texts(b.first, b.last)) {
      const shown =
        t.line === b.first ? t.text.replace(/^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, "") : t.text;
      bullet.source.push(shown);
      if (!bullet.lines.includes(t.line)) bullet.lines.push(t.line);
    }
    if (NEGATED.test(content)) return;
    let line = b.first;
    for (const child of inline?.children ?? []) {
      if (child.type === "softbreak" || child.type === "hardbreak") line++;
      if (child.type === "code_inline" && isWholeCommand(child.content)) {
        const cmd: CommandText = { text: stripPrompt(child.content.trim()), line };
        const after = content.slice(content.indexOf(child.content) + child.content.length);
        const stated = statedValue(inlineText(after));
        if (stated !== undefined) cmd.stated = after;
        bullet.commands.push(cmd);
      }
    }
  }

  // ---- lists --------------------------------------------------------------------------------

  #isTocList(list: Block): boolean {
    const lines = range(list.first, list.last)
      .map((l) => this.#lines[l - 1]!.trim().replace(/^>\s?/, ""))
      .filter((t) => t !== "");
    return lines.length > 0 && lines.every((t) => ANCHOR_ONLY.test(t));
  }

  #list(list: Block): void {
    if (this.#isTocList(list)) {
      this.#drop(list.first, list.last, "table of contents (links to headings)");
      return;
    }
    this.#headerOpen = false;
    const entries = list.type === "ordered_list" || this.#hasTask(list);
    if (entries && !this.#item) {
      for (const li of list.children) this.#listItemAsItem(li, list);
      return;
    }
    const target = this.#target();
    for (const li of list.children) {
      const node = this.#listItem(li);
      if (node) target.bullets.push(node);
    }
  }

  #entryOf(li: Block, list: Block): Entry {
    const content = li.children[0]?.inline?.content ?? "";
    const box = /^\s*\[([ xX])\]\s+/.exec(content);
    const entry: Entry = { checked: box ? box[1] !== " " : false, text: "", numberedOnly: !box };
    if (list.type === "ordered_list") {
      const n = Number(li.token.info);
      if (Number.isSafeInteger(n)) entry.number = n;
    }
    return entry;
  }

  #listItemAsItem(li: Block, list: Block): void {
    const entry = this.#entryOf(li, list);
    const head = this.#bullet("", li.first, [], []);
    const steps: BulletNode[] = [];
    const text: Text[] = [];
    this.#fillBullet(head, li, steps, text);
    entry.text = head.label;
    const item = this.#newItem(entry, li.first, false, head);
    item.steps.push(...steps);
    item.text.push(...text);
    if (!head.lines.includes(li.first) && !this.#isDropped(li.first)) head.lines.unshift(li.first);
  }

  #listItem(li: Block): BulletNode | undefined {
    const bullet = this.#bullet("", li.first, [], []);
    this.#fillBullet(bullet, li, bullet.children, undefined);
    // Nothing but HTML or a table of contents: nothing to ask or run (the lines are listed as dropped).
    if (!bullet.label && !bullet.commands.length && !bullet.children.length && !bullet.source.length)
      return undefined;
    if (!bullet.lines.includes(li.first) && this.#lines[li.first - 1]?.trim() && !this.#isDropped(li.first))
      bullet.lines.unshift(li.first);
    return bullet;
  }

  #isDropped(line: number): boolean {
    return this.#dropped.some((d) => d.line === line);
  }

  /**
   * A list item's content: its first paragraph is the label; more paragraphs and quotes are help; code
   * blocks are commands; nested lists are children (or, for an item, its steps).
   */
  #fillBullet(bullet: BulletNode, li: Block, children: BulletNode[], itemText: Text[] | undefined): void {
    let labelled = false;
    for (const child of li.children) {
      if (child.type === "paragraph") {
        // An item's further paragraphs are its help; a bullet's are part of it.
        if (labelled && itemText && !this.#hasCommands(child))
          itemText.push(...this.#texts(child.first, child.last));
        else this.#absorb(bullet, child, !labelled);
        labelled = true;
      } else if (child.type === "bullet_list" || child.type === "ordered_list") {
        if (this.#isTocList(child))
          this.#drop(child.first, child.last, "table of contents (links to headings)");
        else
          for (const nested of child.children) {
            const node = this.#listItem(nested);
            if (node) children.push(node);
          }
      } else if (child.type === "fence" || child.type === "code_block") {
        const code = this.#readCode(child);
        if (code.commands.length === 0 && code.kind !== "output") {
          this.#helpLines(bullet, child, itemText);
          continue;
        }
        if (code.kind === "output" && bullet.commands.length) {
          const last = bullet.commands.at(-1)!;
          last.output = [...(last.output ?? []), ...code.lines.map((l) => l.text)];
          this.#helpLines(bullet, child, undefined);
          continue;
        }
        if (code.kind === "output") {
          this.#helpLines(bullet, child, itemText);
          continue;
        }
        // The block's lines are the bullet's help as written; its script is one command.
        this.#helpLines(bullet, child, undefined);
        bullet.commands.push(...code.commands);
      } else if (child.type === "html_block") {
        this.#drop(child.first, child.last, "HTML");
      } else this.#helpLines(bullet, child, itemText);
    }
  }

  #helpLines(bullet: BulletNode, b: Block, itemText: Text[] | undefined): void {
    const texts = this.#dedented(b);
    if (itemText) {
      itemText.push(...texts);
      return;
    }
    for (const t of texts) {
      bullet.source.push(t.text);
      if (!bullet.lines.includes(t.line)) bullet.lines.push(t.line);
    }
  }

  /** A block's lines without the indentation of its list item. */
  #dedented(b: Block): Text[] {
    const lines = range(b.first, b.last).filter((l) => this.#lines[l - 1]?.trim());
    const indent = Math.min(...lines.map((l) => /^[ \t]*/.exec(this.#lines[l - 1]!)![0].length));
    return lines.map((l) => ({ text: this.#lines[l - 1]!.slice(indent).trimEnd(), line: l }));
  }

  // ---- code ---------------------------------------------------------------------------------

  #code(b: Block, prose: Prose | undefined, lastCommand: BulletNode | undefined): void {
    const code = this.#readCode(b);
    if (this.#headerOpen && code.commands.length === 0) {
      this.doc.description.push(...this.#texts(b.first, b.last));
      return;
    }
    this.#headerOpen = false;
    if (code.kind === "output" && lastCommand) {
      // Sample output after a command: help for that command's step, never a question.
      const cmd = lastCommand.commands.at(-1)!;
      cmd.output = [...(cmd.output ?? []), ...code.lines.map((l) => l.text)];
      for (const t of this.#dedented(b)) {
        lastCommand.source.push(t.text);
        lastCommand.lines.push(t.line);
      }
      this.#lastCommand = lastCommand;
      return;
    }
    const target = this.#target();
    if (code.commands.length === 0) {
      target.text.push(...this.#dedented(b));
      return;
    }
    // The paragraph just before the block ("Restart the pods:") is the step's title.
    let label = "";
    const bullet = this.#bullet("", b.first, [], []);
    if (prose && prose.into.length >= prose.texts.length && prose.into.at(-1) === prose.texts.at(-1)) {
      prose.into.splice(prose.into.length - prose.texts.length, prose.texts.length);
      label = prose.label;
      for (const t of prose.texts) {
        bullet.source.push(t.text);
        bullet.lines.push(t.line);
      }
      bullet.line = prose.first;
    }
    bullet.label = label;
    for (const t of this.#dedented(b)) {
      bullet.source.push(t.text);
      if (!bullet.lines.includes(t.line)) bullet.lines.push(t.line);
    }
    bullet.commands.push(...code.commands);
    target.bullets.push(bullet);
    this.#lastCommand = bullet;
  }

  /**
   * What a code block holds: a shell script (one command, prompts stripped, output kept aside), sample
   * output, or other text (SQL, YAML, an admonition) that is shown but never run.
   */
  #readCode(b: Block): { kind: "shell" | "output" | "text"; commands: CommandText[]; lines: Text[] } {
    const info = b.token.info.trim();
    const myst = /^\{([\w-]+)\}\s*(.*)$/.exec(info);
    let lang = (myst ? (myst[1] === "code-block" || myst[1] === "code" ? myst[2]! : `{${myst[1]}}`) : info)
      .split(/\s+/)[0]!
      .toLowerCase()
      .replace(/^\./, "");
    if (myst && ADMONITIONS.test(myst[1]!)) lang = "{admonition}";
    const body = b.token.content.replace(/\n$/, "");
    const first = b.type === "fence" ? b.first + 1 : b.first;
    const lines: Text[] = body
      .split("\n")
      .map((text, i) => ({ text, line: first + i }))
      .filter((t) => t.text.trim() !== "");
    if (lang.startsWith("{") || (!SHELL_LANGS.has(lang) && !TEXT_LANGS.has(lang))) {
      return { kind: "text", commands: [], lines };
    }
    const prompt =
      /^\s*(?:\$|[\w.-]+@[\w.-]+(?::[^\s$#]*)?[$#]|\[[^\]\n]+\][$#]|(?:PS\s?)?[\w/~.-]*>(?=\s))\s+(.*)$/;
    const rootPrompt = /^\s*#\s+(.*)$/;
    const consoleLang =
      lang === "console" || lang === "shell-session" || lang === "shellsession" || lang === "terminal";
    const prompted = lines.some((t) => prompt.test(t.text));
    if (prompted || consoleLang) {
      // Prompted lines are the commands; everything else is what the command printed.
      const commands: CommandText[] = [];
      let continuing = false;
      for (const t of lines) {
        const m = prompt.exec(t.text) ?? (consoleLang && !prompted ? rootPrompt.exec(t.text) : null);
        if (continuing) {
          const cmd = commands.at(-1)!;
          cmd.text += `\n${t.text.trim()}`;
          cmd.lines!.push(t.line);
          continuing = t.text.trimEnd().endsWith("\\");
        } else if (m) {
          commands.push({ text: m[1]!.trim(), line: t.line, lines: [t.line], block: true });
          continuing = m[1]!.trimEnd().endsWith("\\");
        } else if (commands.length) {
          const cmd = commands.at(-1)!;
          cmd.output = [...(cmd.output ?? []), t.text];
          cmd.lines!.push(t.line);
        }
      }
      if (commands.length === 0) return { kind: "output", commands: [], lines };
      // One step per block: the prompted commands in order, their output as help.
      const script: CommandText = {
        text: commands.map((c) => c.text).join("\n"),
        line: commands[0]!.line,
        lines: commands.flatMap((c) => c.lines ?? []),
        block: true,
      };
      const output = commands.flatMap((c) => c.output ?? []);
      if (output.length) script.output = output;
      return { kind: "shell", commands: [script], lines };
    }
    const firstLine = lines.find((t) => !t.text.trim().startsWith("#"))?.text.trim() ?? "";
    if (!SHELL_LANGS.has(lang) && !(isCommand(firstLine) || isWholeCommand(firstLine))) {
      return { kind: lines.length ? "output" : "text", commands: [], lines };
    }
    if (lines.every((t) => t.text.trim().startsWith("#"))) return { kind: "text", commands: [], lines };
    const text = lines.map((t) => t.text).join("\n");
    const dedent = Math.min(...lines.map((t) => /^[ \t]*/.exec(t.text)![0].length));
    return {
      kind: "shell",
      commands: [
        {
          text: lines.map((t) => t.text.slice(dedent)).join("\n") || text,
          line: lines[0]?.line ?? b.first,
          lines: lines.map((t) => t.line),
          block: true,
        },
      ],
      lines,
    };
  }
}

/** Read a Markdown document into the import tree. Never throws. */
export function parseMarkdown(source: string): ImportDocument {
  return new MarkdownReader(source).parse();
}
