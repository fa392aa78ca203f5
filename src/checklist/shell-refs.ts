// Where each ${name} of a run command stands for bash, and the command bash gets instead. No value is
// ever put into the command text: each reference becomes a reference to an environment variable
// ("${__dc_name}") that the runner sets for that step, quoted for the context it is in. Contexts where
// bash would evaluate even a quoted value as code (arithmetic, array subscripts, variable names, eval,
// bash -c, ...) are reported as unsafe; anything this tokenizer does not understand is reported too,
// never guessed. Pure.
import { ESCAPE_OR_REFERENCE_RE, REFERENCE_RE } from "./vars.js";

/** How a reference is written in the command bash gets, by the quoting it stands in. */
export type Placement = "bare" | "double" | "single" | "ansi" | "raw";

/**
 * What a value in an unsafe context could do: "arith" (bash evaluates it as arithmetic, where a[$(cmd)]
 * runs cmd), "name" (it names a variable, whose subscript bash evaluates), "code" (bash or another
 * program runs it), "pattern" (a glob pattern).
 */
export type UnsafeKind = "arith" | "name" | "code" | "pattern";

export interface RefSite {
  /** `tag` or `env.HOME`. */
  ref: string;
  /** Offsets of the whole `${tag}` in the command text. */
  start: number;
  end: number;
  placement: Placement;
  /** Set when the value would be evaluated there: allowed only with a strict `pattern`. */
  unsafe?: { kind: UnsafeKind; context: string };
  /** Set when no reference can work there (or the command is not understood): always refused. */
  refused?: string;
}

export interface CommandAnalysis {
  refs: RefSite[];
}

/** The environment variable that carries a reference's value into the child. */
export function envNameFor(ref: string): string {
  // Variable names cannot start with "_DCENV_" after "__dc_" in a way that collides: the prefixes differ
  // in case at the third character ("__d" vs "__D").
  return ref.startsWith("env.") ? `__DCENV_${ref.slice(4)}` : `__dc_${ref}`;
}

/** The reference as written for bash, for its placement. */
function referenceText(placement: Placement, ref: string): string {
  const name = envNameFor(ref);
  switch (placement) {
    case "bare":
      return `"\${${name}}"`;
    case "double":
    case "raw":
      return `\${${name}}`;
    case "single":
      return `'"\${${name}}"'`;
    case "ansi":
      return `'"\${${name}}"$'`;
  }
}

/**
 * The command bash gets: every reference replaced by its environment variable reference, `$${` by `${`.
 * `known` says which references have a value (others stay as written, for validate to report).
 */
export function renderCommand(command: string, analysis: CommandAnalysis, known: (ref: string) => boolean) {
  const byStart = new Map(analysis.refs.map((r) => [r.start, r]));
  return command.replace(ESCAPE_OR_REFERENCE_RE, (whole, ref: string | undefined, offset: number) => {
    if (ref === undefined) return "${";
    const site = byStart.get(offset);
    if (!site || !known(ref)) return whole;
    return referenceText(site.placement, ref);
  });
}

// ---- the tokenizer ------------------------------------------------------------------------------

class Unparsed extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface Word {
  start: number;
  end: number;
  /** The word's text when it holds no expansion at all (quotes removed), else null. */
  literal: string | null;
  /** Index range of this word's references in the parser's list (nested ones included). */
  refFrom: number;
  refTo: number;
  /** `NAME=` / `NAME+=` / `NAME[...]=` at the start of the word. */
  assignment?: { name: string; compound: boolean };
}

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  at: number;
}

const REF_AT = new RegExp(REFERENCE_RE.source, "y");
const META = new Set([" ", "\t", "\n", ";", "&", "|", "<", ">", "(", ")"]);
/** Reserved words that only open or close a compound command: what follows them is a command. */
const SEPARATOR_WORDS = new Set<string | undefined>([
  "if",
  "then",
  "elif",
  "else",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "{",
  "}",
  "!",
  "time",
]);
const SHELLS = new Set(["bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "yash", "fish", "busybox"]);
const INTERPRETERS = new Set([
  "python",
  "python2",
  "python3",
  "perl",
  "ruby",
  "node",
  "nodejs",
  "php",
  "deno",
  "bun",
  "lua",
  "Rscript",
  "osascript",
  "pwsh",
]);
const AWKS = new Set(["awk", "gawk", "mawk", "nawk"]);
const WRAPPERS = new Set([
  "command",
  "builtin",
  "exec",
  "nohup",
  "time",
  "env",
  "sudo",
  "doas",
  "nice",
  "ionice",
  "timeout",
  "stdbuf",
  "setsid",
  "xargs",
  "unbuffer",
  "chrt",
  "taskset",
  "flock",
]);
const CODE_BUILTINS = new Set([
  "eval",
  "source",
  ".",
  "trap",
  "alias",
  "bind",
  "fc",
  "compgen",
  "complete",
  "enable",
  "watch",
  "coproc",
]);
const NAME_BUILTINS = new Set(["read", "unset", "mapfile", "readarray", "getopts", "wait", "printf-v"]);
const DECLARE = new Set(["declare", "typeset", "local", "export", "readonly"]);
/** Shell and loader variables whose value bash or the loader runs or sources. */
export const DANGEROUS_VARIABLES = new Set([
  "BASH_ENV",
  "ENV",
  "PS1",
  "PS2",
  "PS3",
  "PS4",
  "PROMPT_COMMAND",
  "SHELLOPTS",
  "BASHOPTS",
  "BASH_XTRACEFD",
  "IFS",
  "PATH",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "NODE_OPTIONS",
  "PYTHONSTARTUP",
  "PERL5OPT",
  "RUBYOPT",
  "GIT_SSH_COMMAND",
  "EDITOR",
  "PAGER",
]);

export function isDangerousVariable(name: string): boolean {
  return DANGEROUS_VARIABLES.has(name) || name.startsWith("BASH_FUNC_") || name.startsWith("DYLD_");
}

class Parser {
  i = 0;
  refs: RefSite[] = [];
  pending: PendingHeredoc[] = [];

  constructor(
    readonly s: string,
    /** Names declared integer (declare -i) or array anywhere in the command: assignments to them evaluate. */
    readonly integers: Set<string>,
    readonly arrays: Set<string>,
    /** Names declared nameref (declare -n): an assignment to one without a target names its variable. */
    readonly namerefs: Set<string>,
  ) {}

  fail(reason: string, at = this.i): never {
    throw new Unparsed(at, reason);
  }

  /** Mark every reference found since `from` as unsafe (the first reason wins). */
  taint(from: number, kind: UnsafeKind, context: string) {
    for (let k = from; k < this.refs.length; k++) {
      const r = this.refs[k]!;
      if (!r.unsafe && !r.refused) r.unsafe = { kind, context };
    }
  }

  refuse(from: number, why: string, to = this.refs.length) {
    for (let k = from; k < to; k++) this.refs[k]!.refused ??= why;
  }

  /** References in a stretch of text that bash takes literally or that are refused as a whole. */
  refsIn(from: number, to: number, placement: Placement): void {
    const text = this.s.slice(0, to);
    REF_AT.lastIndex = 0;
    const re = new RegExp(REFERENCE_RE.source, "g");
    re.lastIndex = from;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.refs.push({ ref: m[1]!, start: m.index, end: m.index + m[0].length, placement });
    }
  }

  // ---- lists and commands ----

  blanks() {
    for (;;) {
      const c = this.s[this.i];
      if (c === " " || c === "\t") this.i++;
      else if (c === "\\" && this.s[this.i + 1] === "\n") this.i += 2;
      else return;
    }
  }

  comment() {
    if (this.s[this.i] === "#") {
      const start = this.i;
      while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
      // bash ignores a comment; a reference in one is rendered like any other and does nothing.
      this.refsIn(start, this.i, "raw");
    }
  }

  newline() {
    this.i++;
    for (const doc of this.pending.splice(0)) this.heredocBody(doc);
  }

  /** Commands until `term`: end of text, `)` (consumed), or a `case` item end (`;;` etc. or esac, not consumed). */
  list(term: "eof" | ")" | "case"): void {
    for (;;) {
      this.blanks();
      this.comment();
      const c = this.s[this.i];
      if (c === undefined) {
        if (term === "eof") {
          if (this.pending.length) this.fail(`here-document <<${this.pending[0]!.delimiter} has no body`);
          return;
        }
        this.fail(term === ")" ? "a `(` or `$(` is not closed" : "a `case` is not closed by `esac`");
      }
      if (c === "\n") {
        this.newline();
        continue;
      }
      if (c === ";") {
        if (this.s[this.i + 1] === ";" || this.s[this.i + 1] === "&") {
          if (term === "case") return;
          this.fail("`;;` outside a case");
        }
        this.i++;
        continue;
      }
      if (c === "&" || c === "|") {
        // One character at a time: `&&`, `||` and `|&` are separators as much as `&` and `|` are.
        this.i++;
        continue;
      }
      if (c === ")") {
        if (term === ")") {
          this.i++;
          return;
        }
        this.fail("unexpected `)`");
      }
      if (this.wordAhead() === "esac") {
        if (term === "case") return;
        this.fail("`esac` outside a case");
      }
      this.command();
    }
  }

  /** The next word if it is a plain literal word (for reserved words), without consuming it. */
  wordAhead(): string | undefined {
    const m = /^[A-Za-z_!{}[\].-]+(?=$|[\s;&|<>()])/.exec(this.s.slice(this.i, this.i + 40));
    return m?.[0];
  }

  command(): void {
    const c = this.s[this.i]!;
    if (c === "(") {
      if (this.s[this.i + 1] === "(") {
        const from = this.refs.length;
        this.i += 2;
        this.arith("))");
        this.taint(from, "arith", "an arithmetic command (( ))");
      } else {
        this.i++;
        this.list(")");
      }
      return;
    }
    const w = this.wordAhead();
    if (SEPARATOR_WORDS.has(w)) {
      this.i += w!.length;
      // bash's `time` takes -p, then --, before the pipeline it times.
      if (w === "time") {
        this.blanks();
        if (this.wordAhead() === "-p") this.i += 2;
        this.blanks();
        if (this.wordAhead() === "--") this.i += 2;
      }
      return;
    }
    if (w === "[[") {
      this.i += 2;
      this.cond();
      return;
    }
    if (w === "for" || w === "select") {
      this.i += w.length;
      this.blanks();
      if (w === "for" && this.s.startsWith("((", this.i)) {
        const from = this.refs.length;
        this.i += 2;
        this.arith("))");
        this.taint(from, "arith", "an arithmetic for (( ))");
        return;
      }
      const from = this.refs.length;
      this.word();
      this.taint(from, "name", `the variable name of \`${w}\``);
      this.blanks();
      // `in` may follow on the next line (after a `;` only `do` may: bash refuses `for x; in ...`).
      // A newline there ends the line: the bodies of its here-documents come first.
      while (this.s[this.i] === "\n") {
        this.newline();
        this.blanks();
      }
      if (this.wordAhead() === "in") {
        this.i += 2;
        this.simple(true);
      }
      return;
    }
    if (w === "case") {
      this.i += 4;
      this.caseCommand();
      return;
    }
    if (w === "function") {
      this.i += 8;
      this.blanks();
      const from = this.refs.length;
      this.word();
      this.taint(from, "code", "a function name");
      // What follows is read as commands: a `()` after the name as an empty subshell, then the body.
      return;
    }
    this.simple(false);
  }

  caseCommand() {
    this.blanks();
    this.word(); // the subject: data
    this.skipSpace();
    if (this.wordAhead() !== "in") this.fail("`case` without `in`");
    this.i += 2;
    for (;;) {
      this.skipSpace();
      if (this.wordAhead() === "esac") {
        this.i += 4;
        return;
      }
      if (this.i >= this.s.length) this.fail("a `case` is not closed by `esac`");
      if (this.s[this.i] === "(") this.i++;
      const from = this.refs.length;
      for (;;) {
        this.blanks();
        if (this.s[this.i] === ")") break;
        if (this.s[this.i] === "|") {
          this.i++;
          continue;
        }
        const before = this.i;
        this.word();
        if (this.i === before) this.fail("a `case` pattern is not understood");
      }
      this.taint(from, "pattern", "a `case` pattern");
      this.i++; // )
      this.list("case");
      if (this.s.startsWith(";;&", this.i)) this.i += 3;
      else if (this.s.startsWith(";;", this.i) || this.s.startsWith(";&", this.i)) this.i += 2;
    }
  }

  skipSpace() {
    for (;;) {
      this.blanks();
      this.comment();
      if (this.s[this.i] === "\n") this.newline();
      else return;
    }
  }

  /** `[[ ... ]]`: words and operators up to `]]`; -v names and -eq & co. operands are unsafe. */
  cond() {
    // Stryker disable next-line ArrayDeclaration: a non-token first element has no word, as "no token" has none
    const tokens: { word?: Word }[] = [];
    for (;;) {
      this.blanks();
      if (this.s[this.i] === "\n") {
        this.newline();
        continue;
      }
      if (this.i >= this.s.length) this.fail("`[[` is not closed by `]]`");
      if (this.s.startsWith("]]", this.i) && (this.i + 2 >= this.s.length || META.has(this.s[this.i + 2]!))) {
        this.i += 2;
        break;
      }
      // After =~ the regular expression, where ( ) and | are its own.
      if (tokens[tokens.length - 1]?.word?.literal === "=~") {
        tokens.push({ word: this.regexWord() });
        continue;
      }
      // An operator is a token without a word: only its place counts.
      const two = this.s.slice(this.i, this.i + 2);
      if (two === "&&" || two === "||") {
        tokens.push({});
        this.i += 2;
        continue;
      }
      const c = this.s[this.i]!;
      if (c === "(" || c === ")" || c === "<" || c === ">") {
        tokens.push({});
        this.i++;
        continue;
      }
      const word = this.word();
      // A lone & | or ; (bash refuses them here) would give an empty word forever.
      if (word.end === word.start) this.fail("`[[` holds an operator that is not understood");
      tokens.push({ word });
    }
    const arith = new Set<string | null | undefined>(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);
    tokens.forEach((t, k) => {
      if (!t.word) return;
      const before = tokens[k - 1]?.word?.literal;
      const after = tokens[k + 1]?.word?.literal;
      const mark = (kind: UnsafeKind, context: string) => {
        for (let r = t.word!.refFrom; r < t.word!.refTo; r++) {
          const site = this.refs[r]!;
          if (!site.unsafe && !site.refused) site.unsafe = { kind, context };
        }
      };
      if (before === "-v" || before === "-R") mark("name", `the variable name of [[ ${before} ]]`);
      else if (arith.has(before) || arith.has(after))
        mark("arith", `an operand of [[ ${arith.has(before) ? before : after} ]] (arithmetic)`);
    });
  }

  /** The word after `=~`, where ( ) and | belong to the regular expression. */
  regexWord(): Word {
    const start = this.i;
    const refFrom = this.refs.length;
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === "(") depth++;
      else if (c === ")") {
        if (depth === 0) break;
        depth--;
      } else if ((c === " " || c === "\t" || c === "\n") && depth === 0) break;
      this.wordPart();
    }
    return { start, end: this.i, literal: null, refFrom, refTo: this.refs.length };
  }

  /** A simple command: assignments, words and redirections, then classified. */
  simple(forList: boolean) {
    const words: Word[] = [];
    for (;;) {
      this.blanks();
      // First, so that `&>` is not taken for the end of the command.
      if (this.redirection()) continue;
      const c = this.s[this.i];
      if (c === undefined || c === "\n" || c === ";" || c === "&" || c === "|" || c === ")") break;
      // A word ends only at a metacharacter, so a # here starts a word: a comment.
      if (c === "#") {
        this.comment();
        continue;
      }
      if (c === "(") {
        // `name ()` defines a function; a `(` anywhere else is not understood (extglob and the like).
        if (words.length === 1 && /^\(\s*\)/.test(this.s.slice(this.i))) {
          const from = words[0]!.refFrom;
          this.refuseOrTaint(from, words[0]!.refTo, "code", "a function name");
          this.i = this.s.indexOf(")", this.i) + 1;
          return;
        }
        this.fail("`(` in the middle of a command is not understood");
      }
      words.push(this.word());
    }
    if (forList) return; // for/select word list: data
    this.classify(words);
  }

  refuseOrTaint(from: number, to: number, kind: UnsafeKind, context: string) {
    for (let k = from; k < to; k++) {
      const r = this.refs[k]!;
      if (!r.unsafe && !r.refused) r.unsafe = { kind, context };
    }
  }

  /** A redirection at the cursor (consumed, with its target), or false. */
  redirection(): boolean {
    const rest = this.s.slice(this.i, this.i + 40);
    const m = /^(?:\d+|\{[A-Za-z_][A-Za-z0-9_]*\})?(&>>|&>|<<<|<<-|<<|<>|<&|>>|>&|>\||<(?!\()|>(?!\())/.exec(
      rest,
    );
    if (!m) return false;
    this.i += m[0].length;
    const op = m[1]!;
    this.blanks();
    if (op === "<<" || op === "<<-") {
      const start = this.i;
      const from = this.refs.length;
      const word = this.word();
      this.refuse(from, "a here-document delimiter");
      const raw = this.s.slice(start, word.end);
      const quoted = /['"\\]/.test(raw);
      const delimiter = this.unquote(raw);
      if (delimiter === undefined)
        this.fail("a here-document delimiter in $'...' or $\"...\" is not understood", start);
      this.pending.push({ delimiter, quoted, stripTabs: op === "<<-", at: start });
      return true;
    }
    this.word(); // a file name, a descriptor or a here-string: data
    return true;
  }

  /**
   * A here-document delimiter as bash takes it: quotes removed, nothing expanded (`"E'"` is E'); undefined
   * for $'...' and $"...", which bash decodes.
   */
  unquote(raw: string): string | undefined {
    let decoded = false;
    const text = raw.replace(
      /\\([\s\S])|\$(?=['"])|'([^']*)'|"((?:\\[\s\S]|[^"\\])*)"/g,
      (whole, escaped?: string, single?: string, double?: string) => {
        if (whole === "$") {
          decoded = true;
          return whole;
        }
        // Inside double quotes a backslash escapes only $ ` " \ and a newline.
        return escaped ?? single ?? double!.replace(/\\([$`"\\\n])/g, "$1");
      },
    );
    return decoded ? undefined : text;
  }

  heredocBody(doc: PendingHeredoc) {
    const start = this.i;
    const isDelimiter = (line: string) => (doc.stripTabs ? line.replace(/^\t+/, "") : line) === doc.delimiter;
    let end = -1;
    let after = this.s.length;
    let k = start;
    while (k <= this.s.length) {
      const nl = this.s.indexOf("\n", k);
      const stop = nl === -1 ? this.s.length : nl;
      if (isDelimiter(this.s.slice(k, stop))) {
        end = k;
        after = nl === -1 ? this.s.length : nl + 1;
        break;
      }
      if (nl === -1) break;
      k = nl + 1;
    }
    if (end === -1)
      this.fail(`here-document <<${doc.delimiter} is not closed by a line ${doc.delimiter}`, doc.at);
    const from = this.refs.length;
    if (doc.quoted) {
      this.refsIn(start, end, "raw");
      this.refuse(from, `a quoted here-document (<<'${doc.delimiter}'), where bash expands nothing`);
    } else if (/\$\(|`|\$\[/.test(this.s.slice(start, end))) {
      this.refsIn(start, end, "raw");
      this.refuse(from, "a here-document whose body runs commands ($( ) or `...`)");
    } else {
      this.i = start;
      this.doubleQuoted(end, true);
    }
    this.i = after;
  }

  // ---- words ----

  word(): Word {
    const start = this.i;
    const refFrom = this.refs.length;
    let literal: string | null = "";
    let assignment: Word["assignment"];
    const a = /^([A-Za-z_][A-Za-z0-9_]*)(\[|\+?=)/.exec(this.s.slice(this.i, this.i + 200));
    if (a) {
      const name = a[1]!;
      let ok = true;
      this.i += name.length;
      if (a[2] === "[") {
        const from = this.refs.length;
        this.i++;
        this.arith("]");
        this.taint(from, "arith", "an array subscript (arithmetic)");
        if (this.s.startsWith("+=", this.i)) this.i += 2;
        else if (this.s[this.i] === "=") this.i++;
        else ok = false;
      } else this.i += a[2]!.length;
      if (ok) {
        const compound = this.s[this.i] === "(";
        assignment = { name, compound };
        literal = null;
        if (compound) {
          this.i++;
          this.compoundArray();
          return { start, end: this.i, literal, refFrom, refTo: this.refs.length, assignment };
        }
      } else literal = null;
    }
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || META.has(c)) {
        if ((c === "<" || c === ">") && this.s[this.i + 1] === "(" && this.i === start) {
          this.i += 2;
          this.list(")");
          literal = null;
          continue;
        }
        break;
      }
      // Every word part moves the cursor on (at least past its first character).
      const lit = this.wordPart();
      if (literal !== null && lit !== null) literal += lit;
      else literal = null;
    }
    return {
      start,
      end: this.i,
      literal,
      refFrom,
      refTo: this.refs.length,
      ...(assignment ? { assignment } : {}),
    };
  }

  /** `(a "b" [k]=v)` after `name=`: subscripts are arithmetic, values are data. */
  compoundArray() {
    for (;;) {
      this.skipSpace();
      const c = this.s[this.i];
      if (c === undefined) this.fail("an array assignment `(` is not closed");
      if (c === ")") {
        this.i++;
        return;
      }
      const before = this.i;
      if (c === "[") {
        const from = this.refs.length;
        this.i++;
        this.arith("]");
        this.taint(from, "arith", "an array subscript (arithmetic)");
      }
      this.word();
      // No word starts at | ; & < > ( (bash rejects them here).
      if (this.i === before) this.fail(`\`${c}\` in an array assignment is not understood`);
    }
  }

  /** One part of a word at the cursor; returns its literal text, or null when it expands something. */
  wordPart(): string | null {
    const c = this.s[this.i]!;
    if (c === "\\") {
      const next = this.s[this.i + 1];
      this.i += 2;
      return next === "\n" || next === undefined ? "" : next;
    }
    if (c === "'") {
      const close = this.s.indexOf("'", this.i + 1);
      if (close === -1) this.fail("a single quote is not closed");
      const from = this.i + 1;
      this.refsIn(from, close, "single");
      const hasRef = this.refs.length > 0 && this.refs[this.refs.length - 1]!.start >= from;
      this.i = close + 1;
      return hasRef ? null : this.s.slice(from, close);
    }
    if (c === '"') {
      this.i++;
      return this.doubleQuoted(-1, false);
    }
    if (c === "$") return this.dollar("bare");
    if (c === "`") {
      this.backticks();
      return null;
    }
    this.i++;
    return c;
  }

  /**
   * Inside "...": up to the closing quote (consumed), or for a here-document body up to `end`.
   * Returns the literal text when nothing expands.
   */
  doubleQuoted(end: number, heredoc: boolean): string | null {
    let literal: string | null = "";
    const stop = end === -1 ? this.s.length : end;
    while (this.i < stop) {
      const c = this.s[this.i]!;
      if (c === '"' && !heredoc) {
        this.i++;
        return literal;
      }
      if (c === "\\") {
        const next = this.s[this.i + 1];
        const special =
          next === "$" || next === "`" || next === "\\" || next === "\n" || (next === '"' && !heredoc);
        if (literal !== null) literal += special ? (next === "\n" ? "" : next) : `\\${next ?? ""}`;
        this.i += 2;
        continue;
      }
      if (c === "$") {
        const lit = this.dollar(heredoc ? "heredoc" : "double");
        if (literal !== null && lit !== null) literal += lit;
        else literal = null;
        continue;
      }
      if (c === "`") {
        this.backticks();
        literal = null;
        continue;
      }
      if (literal !== null) literal += c;
      this.i++;
    }
    if (heredoc) return literal;
    return this.fail("a double quote is not closed");
  }

  backticks() {
    let j = this.i + 1;
    while (j < this.s.length && this.s[j] !== "`") j += this.s[j] === "\\" ? 2 : 1;
    if (j >= this.s.length) this.fail("a backquote is not closed");
    const from = this.refs.length;
    // Stryker disable next-line ArithmeticOperator: from this.i - 1 finds the same: no reference starts at the backquote or before it (its `{` would be the backquote)
    this.refsIn(this.i + 1, j, "raw");
    this.refuse(from, "inside `...` (backquotes), where bash parses the text twice: use $( ) instead");
    this.i = j + 1;
  }

  /** At a `$`: an expansion (or a literal `$`). Returns the literal text when nothing expands. */
  dollar(mode: "bare" | "double" | "heredoc" | "arith"): string | null {
    const s = this.s;
    const next = s[this.i + 1];
    if (next === "$" && s[this.i + 2] === "{") {
      // `$${...}`: the format's escape; bash sees `${...}`.
      this.i++;
      this.param(mode);
      return null;
    }
    if (next === "{") {
      REF_AT.lastIndex = this.i;
      const m = REF_AT.exec(s);
      if (m) {
        const placement: Placement = mode === "bare" ? "bare" : mode === "double" ? "double" : "raw";
        this.refs.push({ ref: m[1]!, start: this.i, end: this.i + m[0].length, placement });
        this.i += m[0].length;
        return null;
      }
      this.param(mode);
      return null;
    }
    if (next === "(") {
      if (s[this.i + 2] === "(") {
        const from = this.refs.length;
        this.i += 3;
        this.arith("))");
        this.taint(from, "arith", "an arithmetic expansion $(( ))");
      } else {
        this.i += 2;
        this.list(")");
      }
      return null;
    }
    if (next === "[") {
      const from = this.refs.length;
      this.i += 2;
      this.arith("]");
      this.taint(from, "arith", "an arithmetic expansion $[ ]");
      return null;
    }
    if (next === "'" && mode === "bare") {
      let j = this.i + 2;
      while (j < s.length && s[j] !== "'") j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) this.fail("a $'...' quote is not closed");
      // Stryker disable next-line ArithmeticOperator: from this.i - 2 finds the same: a reference starting there would need `{` where the `$` of $' is
      this.refsIn(this.i + 2, j, "ansi");
      this.i = j + 1;
      return null;
    }
    if (next === '"' && mode === "bare") {
      this.i += 2;
      return this.doubleQuoted(-1, false);
    }
    const simple = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(s.slice(this.i, this.i + 100));
    if (simple) {
      this.i += simple[0].length;
      return null;
    }
    this.i++;
    return "$";
  }

  /** bash's own `${...}` at the cursor (on the `$`). */
  param(mode: "bare" | "double" | "heredoc" | "arith") {
    const s = this.s;
    this.i += 2;
    // ${!name} (indirection) and ${#name} (length); ${!} and ${#} are the special parameters.
    const prefix = (s[this.i] === "!" || s[this.i] === "#") && s[this.i + 1] !== "}" ? s[this.i]! : "";
    this.i += prefix.length;
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(s.slice(this.i, this.i + 100));
    if (!name) this.fail("a ${...} expansion is not understood");
    this.i += name[0].length;
    if (prefix === "!" && /^[*@]\}/.test(s.slice(this.i, this.i + 2))) {
      // ${!prefix*} and ${!prefix@}: the names of the variables starting with prefix.
      this.i += 2;
      return;
    }
    if (s[this.i] === "[") {
      const from = this.refs.length;
      this.i++;
      this.arith("]");
      this.taint(from, "arith", "an array subscript ${a[...]} (arithmetic)");
    }
    const c = s[this.i];
    if (c === "}") {
      this.i++;
      return;
    }
    const op = /^(?::[-=+?]|[-=+?]|##?|%%?|\/[/#%]?|\^\^?|,,?|@[A-Za-z]|:)/.exec(
      s.slice(this.i, this.i + 3),
    )?.[0];
    if (op === undefined) this.fail("a ${...} expansion is not understood");
    this.i += op.length;
    if (op.startsWith("@")) {
      if (s[this.i] !== "}") this.fail("a ${...@op} expansion is not understood");
      this.i++;
      return;
    }
    const from = this.refs.length;
    if (op === ":") {
      this.arith("}");
      this.taint(from, "arith", "a substring offset ${x:...} (arithmetic)");
      return;
    }
    this.paramWord(mode === "bare" ? "bare" : mode === "arith" ? "arith" : "double");
    if (op === "=" || op === ":=") {
      // ${name:=word} assigns the word to name, as name=word does.
      const target = name[0];
      if (prefix === "!")
        this.taint(
          from,
          "code",
          `an assignment through \${!${target}:=...} (to a variable named by ${target})`,
        );
      else if (isDangerousVariable(target))
        this.taint(
          from,
          "code",
          `an assignment to ${target} (bash or the programs it starts run or search it)`,
        );
      else if (this.integers.has(target))
        this.taint(from, "arith", `an assignment to ${target}, declared integer (declare -i)`);
      else if (this.namerefs.has(target))
        this.taint(
          from,
          "name",
          `an assignment to ${target}, declared nameref (declare -n): a variable name`,
        );
      return;
    }
    // The default/alternative/error forms: the word is a value, not a pattern.
    if (["-", "+", "?", ":-", ":+", ":?"].includes(op)) return;
    this.taint(from, "pattern", `the pattern of \${...${op}...}`);
  }

  /** The word of ${x:-word} and friends, up to the matching `}` (consumed). */
  paramWord(mode: "bare" | "double" | "arith") {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) this.fail("a ${...} expansion is not closed");
      if (c === "}") {
        this.i++;
        return;
      }
      if (c === "\\") {
        this.i += 2;
        continue;
      }
      if (c === "'" || c === '"') {
        // Quotes inside ${...} in double quotes follow rules of their own (and differ in POSIX mode).
        if (mode !== "bare") this.fail("quotes inside a ${...} word in double quotes are not understood");
        this.wordPart();
        continue;
      }
      if (c === "$") {
        this.dollar(mode === "bare" ? "bare" : mode === "arith" ? "arith" : "double");
        continue;
      }
      if (c === "`") {
        this.backticks();
        continue;
      }
      this.i++;
    }
  }

  /**
   * Arithmetic text up to `close` at depth 0 (consumed). Every reference in it is tainted by the caller;
   * nested expansions are parsed so that their own closing characters do not end it early.
   */
  arith(close: "))" | "]" | "}") {
    const s = this.s;
    let depth = 0;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) this.fail(`an arithmetic expression is not closed by ${close}`);
      if (depth === 0 && s.startsWith(close, this.i)) {
        this.i += close.length;
        return;
      }
      if (c === "(" || (c === "[" && close === "]")) depth++;
      else if (c === ")" || (c === "]" && close === "]")) {
        if (depth === 0) this.fail("unbalanced parentheses in arithmetic");
        depth--;
      } else if (c === "$") {
        this.dollar("arith");
        continue;
      } else if (c === "`") {
        this.backticks();
        continue;
      } else if (c === "'") {
        this.fail("a single quote in arithmetic is not understood");
      } else if (c === '"') {
        this.i++;
        this.doubleQuoted(-1, false);
        continue;
      } else if (c === "\\") {
        this.i += 2;
        continue;
      } else if (c === "\n" && close === "}") {
        this.fail("a newline inside ${...} is not understood");
      }
      this.i++;
    }
  }

  // ---- simple commands ----

  classify(words: Word[]) {
    let k = 0;
    // Leading assignments.
    // Stryker disable next-line StringLiteral: assignmentValue only asks whether `how` is "declare"
    for (; k < words.length && words[k]!.assignment; k++) this.assignmentValue(words[k]!, "assignment");
    const rest = words.slice(k);
    this.command_(rest, 0); // nothing when only assignments
    // Any word that is a shell or interpreter followed by -c/-e: the next word is code, whatever runs it.
    for (let n = 1; n < rest.length; n++) {
      const lit = rest[n]!.literal;
      if (lit !== null && (SHELLS.has(basename(lit)) || INTERPRETERS.has(basename(lit))))
        this.interpreter(rest, n);
    }
  }

  markWord(w: Word, kind: UnsafeKind, context: string) {
    this.refuseOrTaint(w.refFrom, w.refTo, kind, context);
  }

  assignmentValue(w: Word, how: string) {
    const name = w.assignment!.name;
    if (isDangerousVariable(name))
      this.markWord(w, "code", `an assignment to ${name} (bash or the programs it starts run or search it)`);
    else if (this.integers.has(name))
      this.markWord(w, "arith", `an assignment to ${name}, declared integer (declare -i)`);
    else if (how === "declare" && (this.arrays.has(name) || w.assignment!.compound))
      this.markWord(w, "code", `a declare of the array ${name}, where bash evaluates a value like ([0]=...)`);
    else if (this.namerefs.has(name))
      this.markWord(w, "name", `an assignment to ${name}, declared nameref (declare -n): a variable name`);
  }

  /** Classify the words of a command starting at `at` (its name). */
  command_(words: Word[], at: number): void {
    const nameWord = words[at];
    if (!nameWord) return;
    const args = words.slice(at + 1);
    this.markWord(nameWord, "code", "the command name");
    if (nameWord.literal === null) {
      // $BASH -c ..., $d/eval ...: the command is not known, so neither is what it does with its words.
      if (/[$`]/.test(this.s.slice(nameWord.start, nameWord.end)))
        for (const a of args) this.markWord(a, "code", "an argument of a command whose name expands");
      return;
    }
    const name = basename(nameWord.literal);
    if (WRAPPERS.has(name)) {
      this.wrapper(name, args);
      return;
    }
    if (name === "let") {
      for (const a of args) this.markWord(a, "arith", "an argument of `let` (arithmetic)");
      return;
    }
    if (CODE_BUILTINS.has(name)) {
      for (const a of args) this.markWord(a, "code", `an argument of \`${name}\` (code)`);
      return;
    }
    if (NAME_BUILTINS.has(name)) {
      for (const a of args) this.markWord(a, "name", `an argument of \`${name}\` (variable names)`);
      return;
    }
    if (DECLARE.has(name)) {
      this.declare(name, args);
      return;
    }
    if (name === "printf") {
      let formatSeen = false;
      for (let n = 0; n < args.length; n++) {
        const a = args[n]!;
        const lit = a.literal;
        if (formatSeen) continue;
        if (lit === "-v") {
          const target = args[n + 1];
          if (target) this.markWord(target, "name", "the variable name of `printf -v`");
          // Into an integer or a nameref, what printf puts is evaluated: every word after the name.
          const into = target?.literal ?? "";
          const kind = this.integers.has(into) ? "arith" : this.namerefs.has(into) ? "name" : undefined;
          if (kind)
            for (const b of args.slice(n + 2))
              this.markWord(
                b,
                kind,
                `a value \`printf -v ${into}\` puts into a variable declared ${kind === "arith" ? "integer" : "nameref"}`,
              );
          n++;
          continue;
        }
        if (a.refFrom !== a.refTo) {
          this.markWord(a, "name", "printf's first argument (a value such as -vNAME would name a variable)");
          continue;
        }
        // -vNAME is an option too: a value after it could be another one (printf -vx -vy fmt sets y).
        if (lit?.startsWith("-v")) continue;
        formatSeen = true;
      }
      return;
    }
    if (name === "test" || name === "[") {
      for (let n = 0; n < args.length; n++) {
        const a = args[n]!;
        const before = args[n - 1];
        if (before && (before.literal === "-v" || before.literal === "-R"))
          this.markWord(a, "name", `the variable name of ${name} ${before.literal}`);
        else if (before && before.refFrom !== before.refTo)
          this.markWord(
            a,
            "name",
            `${name} with two values side by side (one could be an operator such as -v)`,
          );
      }
      return;
    }
    if (SHELLS.has(name) || INTERPRETERS.has(name)) {
      this.interpreter(words, at);
      return;
    }
    if (AWKS.has(name)) {
      let programGiven = false;
      let n = 0;
      for (; n < args.length; n++) {
        const lit = args[n]!.literal;
        if (lit === null || !lit.startsWith("-")) break;
        if (AWK_CODE_OPTIONS.includes(lit)) {
          if (args[n + 1]) this.markWord(args[n + 1]!, "code", `the code given to ${name} ${lit}`);
          if (AWK_PROGRAM_OPTIONS.includes(lit)) programGiven = true;
          n++;
        } else if (["-v", "-F", "--assign", "--field-separator"].includes(lit)) n++;
      }
      if (!programGiven && args[n]) this.markWord(args[n]!, "code", `the ${name} program`);
      return;
    }
    if (name === "sed") {
      this.sed(args);
      // GNU sed reads an option after its operands too: a value such as -es/.*/cmd/e is a script that runs
      // cmd, wherever it stands before `--`.
      for (const a of args) {
        if (a.literal === "--") break;
        this.markWord(
          a,
          "code",
          "a word of sed (GNU sed reads an option anywhere: a value like -es/x/cmd/e runs cmd)",
        );
      }
      return;
    }
    if (name === "find") {
      const execs: (string | null)[] = ["-exec", "-execdir", "-ok", "-okdir"];
      let inExec = false;
      for (const a of args) {
        if (!inExec && execs.includes(a.literal)) inExec = true;
        else if (inExec && (a.literal === ";" || a.literal === "+")) inExec = false;
        else if (inExec) this.markWord(a, "code", "the command of find -exec");
      }
      return;
    }
    if (name === "ssh") {
      let host = false;
      for (let n = 0; n < args.length; n++) {
        const a = args[n]!;
        const lit = a.literal;
        if (host) {
          this.markWord(a, "code", "the remote command of ssh (a shell on the other host runs it)");
          continue;
        }
        if (lit?.startsWith("-")) {
          if (/^-[BbcDEeFIiJLlmOoPpQRSWw]$/.test(lit)) {
            const argument = args[n + 1];
            if (argument)
              this.markWord(
                argument,
                "code",
                `the argument of ssh ${lit} (-o ProxyCommand=... runs a command)`,
              );
            n++;
          }
          continue;
        }
        // A value as the host could be an option (-oProxyCommand=...).
        this.markWord(a, "code", "the host of ssh (a value such as -oProxyCommand=... is an option)");
        host = true;
      }
      return;
    }
    const sub = args[0]?.literal;
    if ((name === "docker" || name === "podman") && (sub === "exec" || sub === "run")) {
      // docker exec CONTAINER CMD, docker run IMAGE CMD: the container runs CMD, like a wrapper's command.
      this.wrapper(`docker ${sub}`, args.slice(1));
      return;
    }
    if (name === "kubectl") {
      // kubectl exec/debug/run ... -- CMD: the container runs CMD (a value as its name, an awk program, ...).
      const dashes = args.findIndex((a) => a.literal === "--");
      if (dashes !== -1) this.command_(args, dashes + 1);
      return;
    }
    if (name === "su") {
      for (let n = 0; n < args.length; n++) {
        if (args[n]!.literal === "-c" || args[n]!.literal === "--command") {
          if (args[n + 1]) this.markWord(args[n + 1]!, "code", "the command of su -c");
        }
        this.markWord(args[n]!, "code", "an argument of su (a value such as -cCOMMAND is an option)");
      }
    }
  }

  /**
   * A wrapper (sudo, env, timeout, ...) runs the command that follows its options, their arguments, its
   * own positional word (timeout's duration, flock's lock file, ...) and, for env, assignments. An option
   * not known to take an argument or not may do either: the command is followed from every word where it
   * could start.
   */
  wrapper(name: string, args: Word[]) {
    const starts = new Set<number>();
    const seen = new Set<string>();
    let shell = false;
    const from = (n: number, positionals: number): void => {
      const a = args[n];
      if (!a || seen.has(`${n} ${positionals}`)) return;
      seen.add(`${n} ${positionals}`);
      const lit = a.literal;
      if (name === "env" && a.assignment) {
        if (isDangerousVariable(a.assignment.name))
          this.markWord(a, "code", `an assignment to ${a.assignment.name} for env`);
        from(n + 1, positionals);
      } else if (lit === "--") starts.add(n + 1);
      else if (lit === null || (positionals === 0 && !lit.startsWith("-"))) starts.add(n);
      else if (!lit.startsWith("-")) from(n + 1, positionals - 1);
      else {
        if (name === "sudo" && ["-s", "-i", "--shell", "--login"].includes(lit)) shell = true;
        const code = WRAPPER_CODE_OPTIONS[name]?.includes(lit);
        if (code || WRAPPER_OPTION_ARGUMENTS[name]?.includes(lit)) {
          // The argument: code for flock -c and env -S; mostly data for the others (a user, a signal), but
          // some name what runs (sudo -R a root directory, env -P a search path).
          const argument = args[n + 1];
          if (argument)
            this.markWord(argument, "code", `${code ? "the command" : "the argument"} of ${name} ${lit}`);
          from(n + 2, positionals);
        } else {
          from(n + 1, positionals);
          // --name=value holds its argument; a cluster (-Eu root) may end in an option that takes the next word.
          if (!lit.includes("=") && !WRAPPER_FLAGS[name]?.includes(lit)) from(n + 2, positionals);
        }
      }
    };
    from(0, WRAPPER_POSITIONALS.has(name) ? 1 : 0);
    if (shell)
      for (const a of args) this.markWord(a, "code", "a word of sudo -s or -i (a shell runs the command)");
    for (const n of starts) this.command_(args, n);
  }

  declare(name: string, args: Word[]) {
    const flags = args
      .filter((a) => a.literal !== null && a.literal !== "--" && /^[-+]/.test(a.literal))
      .map((a) => a.literal!.slice(1))
      .join("");
    // An option that expands (-"$x") could be -a or -n, where bash evaluates the values.
    // (One holding a blank or a backslash is never an option: declare fails.)
    const unknownOption = args.some(
      (a) =>
        a.literal === null &&
        !a.assignment &&
        this.startsLikeOption(a) &&
        !/[\s\\]/.test(this.s.slice(a.start, a.end)),
    );
    for (const a of args) {
      if (!a.assignment) {
        // A value there is a name, or an option when the word starts like one (-${v}).
        const what = this.startsLikeOption(a) ? "an option" : "a variable name";
        this.markWord(a, "name", `${what} of \`${name}\``);
        continue;
      }
      // The name part: a reference there is in the NAME of NAME=value (word() only takes literal names).
      if (unknownOption) this.markWord(a, "code", `a value of \`${name}\` after an option that expands`);
      else if (/i/.test(flags)) this.markWord(a, "arith", `a value of \`${name} -i\` (arithmetic)`);
      else if (/[aAn]/.test(flags))
        this.markWord(
          a,
          "code",
          `a value of \`${name} -${flags}\`, where bash evaluates array and name syntax`,
        );
      else if (/[^xrgltu]/.test(flags)) this.markWord(a, "code", `a value of \`${name} -${flags}\``);
      // export assigns a value as it is; declare, typeset, local (and readonly, to be safe) evaluate ([0]=...).
      else this.assignmentValue(a, name === "export" ? "assignment" : "declare");
    }
  }

  /** Whether a word starts with - or +, as an option does. */
  /** sed's script: its first operand, or the argument of -e/-f; an option word that expands may be one. */
  sed(args: Word[]) {
    let script = false;
    for (let n = 0; n < args.length; n++) {
      const lit = args[n]!.literal;
      if (lit === "-e" || lit === "--expression" || lit === "-f" || lit === "--file") {
        if (args[n + 1]) this.markWord(args[n + 1]!, "code", "a sed script (GNU sed can run commands)");
        script = true;
        n++;
        continue;
      }
      if (lit === null && this.startsLikeOption(args[n]!)) {
        // -$x could be -e (or split into several words): every word after it may be a script. The word
        // itself may be one even after a script was given: `sed -e p "-${v}"` runs v=`es/.*/cmd/e`.
        this.markWord(args[n]!, "code", "the sed script (GNU sed can run commands)");
        for (const a of args.slice(n + 1)) this.markWord(a, "code", "a word after a sed option that expands");
        return;
      }
      if (lit === "-l" || lit === "--line-length") n++;
      if (lit?.startsWith("-")) continue;
      if (!script) this.markWord(args[n]!, "code", "the sed script (GNU sed can run commands)");
      return;
    }
  }

  startsLikeOption(w: Word): boolean {
    const c = this.s[w.start];
    return c === "-" || c === "+";
  }

  /** A shell or interpreter at `at`: options, then the code (-c/-e string or script), then data. */
  interpreter(words: Word[], at: number) {
    const name = basename(words[at]!.literal ?? "");
    const shell = SHELLS.has(name);
    let codeNext = false;
    let subcommand = false;
    let n = at + 1;
    for (; n < words.length; n++) {
      const a = words[n]!;
      const lit = a.literal;
      // A word that expands but starts like an option is one (-${v}, -$X); a value there is refused below.
      if (lit === null) {
        if (this.startsLikeOption(a)) continue;
        break;
      }
      // A shell takes the word after - or -- as its script; for python and the others, - is the program (stdin).
      if (lit === "--" || (shell && lit === "-")) {
        n++;
        break;
      }
      if (lit === "-" || !/^[-+]/.test(lit)) {
        // deno eval CODE, deno run SCRIPT, bun x PACKAGE: the subcommand comes first (once).
        if (subcommand || !INTERPRETER_SUBCOMMANDS[name]?.includes(lit)) break;
        subcommand = true;
        continue;
      }
      const phpCode = name === "php" && lit === "-r";
      if (shell ? /^-[a-zA-Z]*c/.test(lit) : phpCode || /^-(?:c|e|E|-eval|-command)$/.test(lit))
        codeNext = true;
      // Each o or O of a shell's option cluster (-eo pipefail) takes the next word, as --rcfile does.
      if (shell && /^[-+][a-zA-Z]+$/.test(lit)) n += lit.replace(/[^oO]/g, "").length;
      if (shell && (lit === "--rcfile" || lit === "--init-file")) n++;
      // python -W/-X take a word; -I (ruby, perl) a directory; -r (ruby, node; php's is its code) and node's
      // --require and the like a module they load, which the option area's refusal covers.
      if (!shell && !phpCode && INTERPRETER_OPTION_ARGUMENTS.includes(lit)) n++;
    }
    // A value before the code could be an option (e.g. -c): refuse values in the option area.
    for (let m = at + 1; m < n && m < words.length; m++)
      this.markWord(words[m]!, "code", `an option of ${name}`);
    const code = words[n];
    if (code) {
      this.markWord(
        code,
        "code",
        codeNext ? `the command string of ${name} ${shell ? "-c" : "-c/-e"}` : `the script ${name} runs`,
      );
    }
  }
}

/** Options of a wrapper that take the next word as their argument (it is not the command). */
const WRAPPER_OPTION_ARGUMENTS: Record<string, string[]> = {
  env: ["-u", "--unset", "-C", "--chdir", "-a", "--argv0", "-P"],
  sudo: [
    ...["-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p"],
    ...["--prompt", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user"],
    ...["-R", "--chroot"],
  ],
  doas: ["-u", "-C"],
  nice: ["-n", "--adjustment"],
  ionice: ["-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid", "-u", "--uid"],
  timeout: ["-s", "--signal", "-k", "--kill-after"],
  stdbuf: ["-i", "--input", "-o", "--output", "-e", "--error"],
  xargs: [
    ...["-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "--max-lines", "-n", "--max-args"],
    ...["-P", "--max-procs", "-s", "--max-chars", "--process-slot-var"],
  ],
  exec: ["-a"],
  time: ["-f", "--format", "-o", "--output"],
  chrt: ["-T", "--sched-runtime", "-P", "--sched-period", "-D", "--sched-deadline"],
  flock: ["-w", "--timeout", "--wait", "-E", "--conflict-exit-code"],
  "docker exec": ["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"],
  "docker run": [
    ...["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "-v", "--volume", "-p", "--publish"],
    ...["--name", "--network", "-l", "--label", "--mount", "-h", "--hostname", "--platform", "--pull"],
    ...["--restart", "-m", "--memory", "--cpus", "--add-host", "--cap-add", "--cap-drop", "--device"],
  ],
};
/** Options of a wrapper known to take no argument. */
const WRAPPER_FLAGS: Record<string, string[]> = {
  command: ["-p", "-v", "-V"],
  env: ["-i", "--ignore-environment", "-0", "--null", "-v", "--debug", "-"],
  sudo: ["-E", "--preserve-env", "-H", "--set-home", "-n", "--non-interactive", "-S", "--stdin", "-b", "-k"],
  doas: ["-n", "-s", "-L"],
  exec: ["-c", "-l"],
  ionice: ["-t", "--ignore"],
  timeout: ["--preserve-status", "--foreground", "-v", "--verbose"],
  setsid: ["-c", "--ctty", "-f", "--fork", "-w", "--wait"],
  xargs: ["-0", "--null", "-r", "--no-run-if-empty", "-t", "--verbose", "-x", "--exit"],
  unbuffer: ["-p"],
  chrt: [
    ...["-a", "--all-tasks", "-b", "--batch", "-d", "--deadline", "-f", "--fifo", "-i", "--idle"],
    ...["-o", "--other", "-r", "--rr", "-R", "--reset-on-fork", "-v", "--verbose"],
  ],
  taskset: ["-a", "--all-tasks", "-c", "--cpu-list"],
  "docker exec": ["-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "--privileged"],
  "docker run": [
    ...["-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "--rm", "--privileged", "--init"],
    ...["-P", "--publish-all", "--read-only"],
  ],
  flock: [
    ...["-s", "--shared", "-x", "-e", "--exclusive", "-u", "--unlock", "-n", "--nb", "--nonblock"],
    ...["-o", "--close", "-F", "--no-fork", "--verbose"],
  ],
};
/** Options whose argument the wrapper runs as code: flock -c (sh -c), env -S (split into a command), docker run --entrypoint. */
const WRAPPER_CODE_OPTIONS: Record<string, string[]> = {
  flock: ["-c", "--command"],
  "docker run": ["--entrypoint"],
  env: ["-S", "--split-string"],
};
/** Options of awk whose argument is code: its program, a program file, a library, a -W source=... */
const AWK_CODE_OPTIONS = [
  "-f",
  "--file",
  "-e",
  "--source",
  "-E",
  "--exec",
  "-i",
  "--include",
  "-l",
  "--load",
  "-W",
];
/** Those of them that give the program, so that the first operand is data (an input file). */
const AWK_PROGRAM_OPTIONS = ["-f", "--file", "-e", "--source", "-E", "--exec"];
/** Options of an interpreter that take the next word (python -m does not: its module is the program). */
const INTERPRETER_OPTION_ARGUMENTS = [
  "-W",
  "-X",
  "-I",
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
];
/** Subcommands of deno and bun that run code or a script named after them. */
const INTERPRETER_SUBCOMMANDS: Record<string, string[]> = {
  deno: ["run", "eval", "serve", "task", "test", "bench", "x", "repl"],
  bun: ["run", "x", "exec", "test", "create", "repl"],
};
/** Wrappers whose command follows one word of their own: a duration, a priority, a CPU mask, a lock file, a container, an image. */
const WRAPPER_POSITIONALS = new Set(["timeout", "chrt", "taskset", "flock", "docker exec", "docker run"]);

function basename(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

/**
 * Arrays bash makes itself (always, or after a pipeline, `=~`, `coproc` or a `mapfile` without a name): a
 * `declare NAME=value` of one evaluates a value like ([0]=$(cmd)) as for any array.
 */
const BASH_ARRAYS = [
  "BASH_ALIASES",
  "BASH_CMDS",
  "BASH_REMATCH",
  "COPROC",
  "DIRSTACK",
  "MAPFILE",
  "PIPESTATUS",
];

/** Integer and array names declared anywhere in the command (declare -i n, a=(...), declare -a a). */
function declaredNames(command: string): {
  integers: Set<string>;
  arrays: Set<string>;
  namerefs: Set<string>;
} {
  const integers = new Set<string>();
  const namerefs = new Set<string>();
  const arrays = new Set<string>(BASH_ARRAYS);
  // The flags, then every word that starts with a name (quoted too, and a word inside a quoted value: only
  // stricter) up to the end of the command. Here and below, "the end of the command" skips quoted strings and
  // backslash escapes whole (a backslash-newline is a blank): a quoted ; or | does not end it. A declare
  // goes on past ( ) (a=(x) b).
  const re =
    /\b(?:declare|typeset|local|readonly|export)((?:(?:\s|\\\n)+[-+][A-Za-z]+)+)((?:[^;&|\n\\'"]|\\[\s\S]|'[^']*'|"(?:[^"\\]|\\[\s\S])*")*)/g;
  for (const m of command.matchAll(re)) {
    const flags = m[1]!;
    const names = [...m[2]!.matchAll(/[\s"']([A-Za-z_][A-Za-z0-9_]*)/g)].map((n) => n[1]!);
    for (const n of names) {
      if (/-[A-Za-z]*i/.test(flags)) integers.add(n);
      if (/-[A-Za-z]*[aAn]/.test(flags)) arrays.add(n);
      if (/-[A-Za-z]*n/.test(flags)) namerefs.add(n);
    }
  }
  for (const m of command.matchAll(/(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)(?:\+?=\(|\[)/g)) arrays.add(m[1]!);
  // read -a NAME, also with other flags in the word (read -ra NAME) or options before it (read -p x -a NAME).
  for (const m of command.matchAll(/\bread\b((?:[^;&|\n)\\'"]|\\[\s\S]|'[^']*'|"(?:[^"\\]|\\[\s\S])*")*)/g))
    for (const a of m[1]!.matchAll(/\s-[ers]*a\s*["']?([A-Za-z_][A-Za-z0-9_]*)/g)) arrays.add(a[1]!);
  // mapfile/readarray NAME and coproc NAME: every name among their words (an option's value too: only stricter).
  for (const m of command.matchAll(
    /\b(?:mapfile|readarray|coproc)\b((?:[^;&|\n<>)\\'"]|\\[\s\S]|'[^']*'|"(?:[^"\\]|\\[\s\S])*")*)/g,
  ))
    for (const n of m[1]!.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) arrays.add(n[0]);
  return { integers, arrays, namerefs };
}

const cache = new Map<string, CommandAnalysis>();

/**
 * Each reference of a run command with the bash context it stands in. A command the tokenizer cannot
 * follow has each of its references refused (naming where it stopped); a command without references
 * is not tokenized at all.
 */
export function analyzeCommand(command: string): CommandAnalysis {
  const hit = cache.get(command);
  if (hit) return hit;
  let analysis: CommandAnalysis;
  const refCount = [...command.matchAll(REFERENCE_RE)].length;
  if (refCount === 0) analysis = { refs: [] };
  else {
    const { integers, arrays, namerefs } = declaredNames(command);
    const parser = new Parser(command, integers, arrays, namerefs);
    try {
      parser.list("eof");
      analysis = { refs: parser.refs };
      if (parser.refs.length !== refCount) throw new Unparsed(0, "the tokenizer lost track of a reference");
    } catch (thrown) {
      // Nested deeper than the stack goes (thousands of `$(`): refused like any command it cannot follow.
      const err = thrown instanceof RangeError ? new Unparsed(0, "it nests too deeply") : thrown;
      if (!(err instanceof Unparsed)) throw err;
      const where = lineCol(command, err.offset);
      const refs = [...command.matchAll(REFERENCE_RE)].map<RefSite>((m) => ({
        ref: m[1]!,
        start: m.index,
        end: m.index + m[0].length,
        placement: "raw",
        refused: `a command deploycheck cannot follow (${err.reason}, at line ${where.line}, column ${where.col} of the command)`,
      }));
      analysis = { refs };
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(command, analysis);
  return analysis;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, col: offset - before.lastIndexOf("\n") };
}

// ---- strict patterns ----------------------------------------------------------------------------

/** Text made only of what a strict pattern may match in arithmetic: digits and signs (a letter names a variable). */
const ARITH_SAFE = /^[0-9+-]*$/;
/** Text made only of what a strict pattern may match elsewhere: no quoting, expansion, glob or subscript character. */
const WORD_SAFE = /^[A-Za-z0-9_.:/+-]*$/;

/**
 * Whether a `pattern` is strict enough for a value used where bash evaluates it: anchored `^...$`, made
 * only of literal characters, escapes and character classes (no `.`, `|`, groups or negated classes),
 * each optionally repeated, and every character it can match is safe for `kind`.
 */
export function strictPatternProblem(pattern: string, kind: UnsafeKind): string | undefined {
  const safe = kind === "arith" ? ARITH_SAFE : WORD_SAFE;
  const allowed = kind === "arith" ? "digits, + and -" : "letters, digits, _ . : / + and -";
  if (!pattern.startsWith("^") || !pattern.endsWith("$") || pattern.endsWith("\\$"))
    return "it is not anchored with ^ at the start and $ at the end";
  const body = pattern.slice(1, -1);
  const chars = new Set<string>();
  // A range adds its first 200 characters: more than the five unsafe ones a refusal shows (no run of 200
  // characters is all safe).
  const addRange = (a: string, b: string) => {
    const from = a.charCodeAt(0);
    const to = Math.min(b.charCodeAt(0), from + 199);
    for (let c = from; c <= to; c++) chars.add(String.fromCharCode(c));
  };
  // A pattern never ends in a lone backslash (it would end with \$), so an escape always has its character.
  const addEscape = (c: string): string | undefined => {
    // \d: digits, safe for every kind.
    if (c === "d") return undefined;
    if (c === "w") {
      for (const w of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") chars.add(w);
      return undefined;
    }
    if (/[A-Za-z0-9]/.test(c)) return `the escape \\${c} is not allowed`;
    chars.add(c);
    return undefined;
  };
  let k = 0;
  let empty = true;
  while (k < body.length) {
    const c = body[k]!;
    if (c === "\\") {
      const why = addEscape(body[k + 1]!);
      if (why) return why;
      k += 2;
    } else if (c === "[") {
      if (body[k + 1] === "^") return "it uses a negated character class [^...]";
      let j = k + 1;
      const members: string[] = [];
      while (body[j] !== "]") {
        const member = body[j];
        if (member === undefined) return "a character class is not closed";
        if (member === "\\") {
          const why = addEscape(body[j + 1]!);
          if (why) return why;
          j += 2;
          continue;
        }
        if (member === "[") return "it uses [ inside a character class";
        members.push(member);
        j++;
      }
      for (let m = 0; m < members.length; m++) {
        if (members[m + 1] === "-" && members[m + 2] !== undefined) {
          addRange(members[m]!, members[m + 2]!);
          m += 2;
        } else chars.add(members[m]!);
      }
      k = j + 1;
    } else if (/[.|()^$*+?{}]/.test(c)) {
      return `it uses ${c === "." ? "." : `\`${c}\``} outside a character class or repetition`;
    } else {
      chars.add(c);
      k++;
    }
    empty = false;
    // An optional repetition after the atom.
    const rep = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(body.slice(k));
    if (rep) k += rep[0].length;
  }
  if (empty) return "it matches only the empty value";
  const bad = [...chars].filter((c) => !safe.test(c));
  if (bad.length) {
    const shown = bad
      .slice(0, 5)
      .map((c) => JSON.stringify(c))
      .join(" ");
    return `it allows ${shown}; here only ${allowed} are safe`;
  }
  return undefined;
}

/** Whether a value may stand in an unsafe context under its strict pattern (checked before the step runs). */
export function valueFitsStrict(value: string, pattern: string, kind: UnsafeKind): boolean {
  const safe = kind === "arith" ? ARITH_SAFE : WORD_SAFE;
  if (!safe.test(value)) return false;
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}
