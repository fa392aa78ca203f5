// The run journal on the local file system: append-only JSONL, one event per line, each line written
// and fsynced before append() resolves. Reading tolerates a torn last line (kill -9, power cut).
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from "node:fs";
import { basename, dirname } from "node:path";
import type { RunEvent } from "../engine/events.js";
import { StateError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";

export interface JournalReadResult {
  events: RunEvent[];
  /** Byte length of the intact prefix: a torn last line starts here. */
  intactBytes: number;
  torn: boolean;
}

function isEvent(value: unknown): value is RunEvent {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { type?: unknown }).type === "string" &&
    typeof (value as { at?: unknown }).at === "string"
  );
}

/**
 * Parse journal text. Every line ends with "\n" once written whole; an unterminated last line that
 * is not a complete event is torn and ignored. Any other bad line is corruption: a StateError.
 */
export function parseJournal(text: string, file: string): JournalReadResult {
  const events: RunEvent[] = [];
  const segments = text.split("\n");
  const tail = segments.pop() ?? "";
  let intactBytes = 0;
  segments.forEach((raw, i) => {
    if (raw.trim() !== "") events.push(parseLine(raw, file, i + 1));
    intactBytes += Buffer.byteLength(raw) + 1;
  });
  if (tail.trim() === "") return { events, intactBytes, torn: tail !== "" };
  try {
    events.push(parseLine(tail, file, segments.length + 1));
    // Whole but unterminated: keep it; open() adds the missing newline.
    return { events, intactBytes: intactBytes + Buffer.byteLength(tail), torn: false };
  } catch {
    return { events, intactBytes, torn: true };
  }
}

function parseLine(raw: string, file: string, line: number): RunEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new StateError(`${file}:${line}: corrupt journal line (not JSON)`, {
      cause,
      hint: "Only the last line of a journal may be torn. Restore the file from a backup, or start a new run with --new.",
    });
  }
  if (!isEvent(parsed)) {
    throw new StateError(`${file}:${line}: corrupt journal line (not a deploycheck event)`, {
      hint: "Restore the file from a backup, or start a new run with --new.",
    });
  }
  return parsed;
}

export function readJournal(file: string): JournalReadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
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

  private constructor(file: string, fd: number) {
    this.file = file;
    this.fd = fd;
  }

  /** Open for appending, creating the file; a torn last line is cut so the next line starts clean. */
  static open(file: string): JournalFile {
    const fd = openSync(file, "a+");
    const size = fstatSync(fd).size;
    if (size > 0) {
      const r = parseJournal(readFileSync(file, "utf8"), file);
      if (r.torn) ftruncateSync(fd, r.intactBytes);
      else if (r.intactBytes === size && !endsWithNewline(fd, size)) writeSync(fd, "\n");
    }
    return new JournalFile(file, fd);
  }

  /** Write the line and fsync it (with any line written before it). */
  append(event: RunEvent): void {
    this.write(event);
    this.sync();
  }

  /** Write the line without waiting for the disk: `sync` (or the next `append`) makes it durable. */
  write(event: RunEvent): void {
    if (this.fd === undefined) throw new StateError(`journal ${this.file} is closed`);
    const buf = Buffer.from(`${JSON.stringify(event)}\n`);
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

function endsWithNewline(fd: number, size: number): boolean {
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, size - 1);
  return b[0] === 0x0a;
}
