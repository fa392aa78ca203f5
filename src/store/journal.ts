// The run journal on the local file system: append-only JSONL, one event per line, each line written
// and fsynced before append() resolves. Reading tolerates a torn last line (kill -9, power cut).
//
// The journal is hash-chained: every line carries `prev`, the sha256 (hex) of the previous line's bytes
// (without its newline; 64 zeros for the first line). Editing, inserting or removing a line breaks the
// chain at the next line, which resume and sign-off refuse; the record carries the head (the hash of the
// last line signed), so a record names exactly one journal. A torn last line is not part of the chain.
// Journals written before the chain (no `prev` on the first line) read as "unchained": they can be
// inspected, not resumed or signed.
import { createHash } from "node:crypto";
import { closeSync, fdatasyncSync, ftruncateSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { RunEvent } from "../engine/events.js";
import { StateError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";
import { openStateFile, readFd } from "./safe-fs.js";

/** `prev` of a journal's first line. */
export const CHAIN_START = "0".repeat(64);

export function lineHash(line: string): string {
  return createHash("sha256").update(line).digest("hex"); // a string is hashed as UTF-8
}

/** One whole line of a journal: parsed JSON, not yet checked against the event schemas. */
export interface RawLine {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
  hash: string;
}

export interface RawJournal {
  lines: RawLine[];
  /** Byte length of the intact prefix: a torn last line starts here. */
  intactBytes: number;
  torn: boolean;
  /** Whether the first line carries `prev` (journals written before the chain do not). */
  chained: boolean;
  /** Hash of the last whole line (CHAIN_START for an empty journal). */
  head: string;
}

export interface JournalReadResult extends RawJournal {
  events: RunEvent[];
}

const hint = (file: string) =>
  `Only the last line of a journal may be torn (a crash while writing). ${file} was changed by something other than deploycheck: restore it from a backup, or start a new run with --new (this one stays as it is, for inspection).`;

/** JSON.parse refusing `__proto__` keys, which would reach Object.prototype in careless code. */
function parseJson(raw: string): unknown {
  // A reviver is slow; only a line that spells the key, or escapes characters (which could spell it),
  // needs one.
  if (!raw.includes("__proto__") && !raw.includes("\\u")) return JSON.parse(raw);
  return JSON.parse(raw, (key, value) => {
    if (key === "__proto__") throw new SyntaxError('the key "__proto__" is not allowed');
    return value;
  });
}

/**
 * Parse journal text and check its chain. Every line ends with "\n" once written whole; an unterminated
 * last line that is not JSON is torn and ignored. Any other bad line is corruption: a StateError naming
 * `file:line`.
 */
export function parseJournalLines(text: string, file: string): RawJournal {
  const lines: RawLine[] = [];
  const segments = text.split("\n");
  const tail = segments.pop() as string; // split gives at least one segment
  let intactBytes = 0;
  let chained = false;
  let prevHash = CHAIN_START;
  let prevLine = 0;
  const take = (raw: string, n: number, value: unknown) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new StateError(`${file}:${n}: corrupt journal line (not a deploycheck event)`, {
        hint: hint(file),
      });
    }
    const v = value as Record<string, unknown>;
    const prev = v["prev"];
    if (lines.length === 0) chained = prev !== undefined;
    if (chained || prev !== undefined) {
      if (prev === undefined) {
        throw new StateError(`${file}:${n}: the hash chain is broken: this line carries no "prev"`, {
          hint: hint(file),
        });
      }
      if (prev !== prevHash) {
        throw new StateError(
          `${file}:${n}: the hash chain is broken: this line does not carry the hash of ${prevLine ? `line ${prevLine}` : "an empty journal"}; the journal was edited after it was written`,
          { hint: hint(file) },
        );
      }
    }
    prevHash = lineHash(raw);
    prevLine = n;
    lines.push({ line: n, value: v, hash: prevHash });
  };
  segments.forEach((raw, i) => {
    if (raw.trim() !== "") {
      let value: unknown;
      try {
        value = parseJson(raw);
      } catch (cause) {
        throw new StateError(`${file}:${i + 1}: corrupt journal line (${jsonProblem(cause)})`, {
          cause,
          hint: hint(file),
        });
      }
      take(raw, i + 1, value);
    }
    intactBytes += Buffer.byteLength(raw) + 1;
  });
  // (A tail of blanks is not JSON: torn, like any other.)
  if (tail === "") return { lines, intactBytes, torn: false, chained, head: prevHash };
  let value: unknown;
  try {
    value = parseJson(tail);
  } catch {
    // A prefix of a JSON object is never a whole JSON object: this is a write cut short.
    return { lines, intactBytes, torn: true, chained, head: prevHash };
  }
  // Whole but unterminated: keep it (chain and all); open() adds the missing newline.
  take(tail, segments.length + 1, value);
  return { lines, intactBytes: intactBytes + Buffer.byteLength(tail), torn: false, chained, head: prevHash };
}

function jsonProblem(cause: unknown): string {
  // JSON.parse and the reviver throw only SyntaxErrors.
  return (cause as SyntaxError).message.includes("__proto__")
    ? 'the key "__proto__" is not allowed'
    : "not JSON";
}

/** Check every line against the event schemas (zod, loaded on first use). */
export async function decodeLines(raw: RawJournal, file: string): Promise<RunEvent[]> {
  const { decodeEvent } = await import("../engine/event-schema.js");
  return raw.lines.map((l) => {
    const r = decodeEvent(l.value);
    if (!r.ok) throw new StateError(`${file}:${l.line}: ${r.message}`, { hint: hint(file) });
    return r.event;
  });
}

/** Parse, check the chain and decode every event. */
export async function parseJournal(text: string, file: string): Promise<JournalReadResult> {
  const raw = parseJournalLines(text, file);
  return { ...raw, events: await decodeLines(raw, file) };
}

function readJournalText(file: string): string {
  const fd = openStateFile(file, "read", "run journal");
  try {
    return readFd(fd).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

export async function readJournal(file: string): Promise<JournalReadResult> {
  let text: string;
  try {
    text = readJournalText(file);
  } catch (cause) {
    if (cause instanceof StateError) throw cause;
    throw new StateError(`cannot read the run journal ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseJournal(text, file);
}

/**
 * An open journal: the file descriptor stays open, so saving a step costs one write and one fdatasync
 * whatever the journal's length. Writes are synchronous: once a SIGINT handler runs, the line is
 * already whole on disk or not there at all (a torn tail is cut on the next open).
 */
export class JournalFile {
  private fd: number | undefined;
  private dirty = false;
  readonly file: string;
  /** Hash of every whole line, in order: the chain as this process knows it. */
  private readonly hashes: string[];
  private readonly chained: boolean;

  private constructor(file: string, fd: number, hashes: string[], chained: boolean) {
    this.file = file;
    this.fd = fd;
    this.hashes = hashes;
    this.chained = chained;
  }

  /**
   * Open for appending, creating the file; a torn last line is cut so the next line starts clean.
   * A broken chain is refused. An unchained (pre-chain) journal is refused unless `allowUnchained`
   * (abandoning an old run appends one chained line to it).
   */
  static open(file: string, options: { allowUnchained?: boolean } = {}): JournalFile {
    const fd = openStateFile(file, "append", "run journal");
    try {
      const bytes = readFd(fd);
      const raw = parseJournalLines(bytes.toString("utf8"), file);
      if (raw.lines.length > 0 && !raw.chained && !options.allowUnchained) throw unchainedError(file);
      if (raw.torn) ftruncateSync(fd, raw.intactBytes);
      // Not torn: the whole file is intact; a whole last line may lack its newline.
      else if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) writeSync(fd, "\n");
      return new JournalFile(
        file,
        fd,
        raw.lines.map((l) => l.hash),
        raw.chained || raw.lines.length === 0,
      );
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Hash of the last line written (the value the next line carries as `prev`). */
  head(): string {
    return this.hashes.at(-1) ?? CHAIN_START;
  }

  /** Number of whole lines. */
  get length(): number {
    return this.hashes.length;
  }

  /** Write the line and fsync it (with any line written before it). */
  append(event: RunEvent): void {
    this.write(event);
    this.sync();
  }

  /** Write the line without waiting for the disk: `sync` (or the next `append`) makes it durable. */
  write(event: RunEvent): void {
    if (this.fd === undefined) throw new StateError(`journal ${this.file} is closed`);
    const line = JSON.stringify({ ...event, prev: this.head() });
    const buf = Buffer.from(`${line}\n`);
    let written = 0;
    try {
      while (written < buf.length) written += writeSync(this.fd, buf, written, buf.length - written);
    } catch (err) {
      // A torn line is cut on the next open; everything before it stays.
      throw (
        explainFsError(err, {
          path: this.file,
          action: "append to the run journal",
          afterwards: this.resumeHint(),
        }) ?? err
      );
    }
    this.hashes.push(lineHash(line));
    this.dirty = true;
  }

  sync(): void {
    if (this.fd === undefined || !this.dirty) return;
    try {
      fdatasyncSync(this.fd);
    } catch (err) {
      throw (
        explainFsError(err, {
          path: this.file,
          action: "save the run journal",
          afterwards: this.resumeHint(),
        }) ?? err
      );
    }
    this.dirty = false;
  }

  /**
   * Read the file again and check it is still exactly what this process knows: chained, and line for
   * line the hashes it wrote or read (nothing edited, added or removed behind its back). Before signing.
   */
  verifyOnDisk(): { head: string; events: number } {
    this.sync();
    const raw = parseJournalLines(readJournalText(this.file), this.file);
    if (!raw.chained || !this.chained) throw unchainedError(this.file);
    const changed = raw.lines.slice(0, this.hashes.length).find((l, i) => l.hash !== this.hashes[i]);
    if (changed) {
      throw new StateError(
        `${this.file}:${changed.line}: the journal was changed on disk while this run was going (this line is not the one written)`,
        { hint: `Nothing was signed. ${hint(this.file)}` },
      );
    }
    if (raw.lines.length !== this.hashes.length || raw.torn) {
      throw new StateError(
        `${this.file}: the journal was changed on disk while this run was going (${raw.lines.length} lines on disk, ${this.hashes.length} written)`,
        { hint: `Nothing was signed. ${hint(this.file)}` },
      );
    }
    return { head: this.head(), events: this.hashes.length };
  }

  private resumeHint(): string {
    return `What was recorded before is kept: resume with deploycheck resume ${basename(dirname(this.file))}`;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export function unchainedError(file: string): StateError {
  return new StateError(
    `${file}: this journal has no hash chain (it was written before deploycheck chained its journals), so nothing shows whether it was edited; it cannot be resumed or signed off`,
    {
      hint: "Inspect it with `deploycheck status <run-id>`, and start a new run with `deploycheck run <checklist> --new`.",
    },
  );
}
