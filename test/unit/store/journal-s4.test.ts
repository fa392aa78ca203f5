// The journal's refusals with their hints, a journal replaced on disk by one of the other kind (chained /
// unchained) before signing, short writes, files it must not use, and the descriptors and syncs it spends.
import * as fs from "node:fs";
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateError } from "../../../src/errors.js";
import { JournalFile, parseJournal, parseJournalLines, readJournal } from "../../../src/store/journal.js";
import { chainedJournal, EventLog } from "../../helpers/builders.js";

const os: { chunk?: number; syncs: number } = { syncs: 0 };

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    writeSync: (fd: number, data: string | Buffer, offset?: number, length?: number) => {
      if (typeof data === "string" || os.chunk === undefined || offset === undefined || length === undefined)
        return (real.writeSync as (...a: unknown[]) => number)(fd, data, offset, length);
      // Arguments past the buffer: the real call refuses them (ERR_OUT_OF_RANGE).
      if (offset + length > data.length) return real.writeSync(fd, data, offset, length);
      return real.writeSync(fd, data, offset, Math.min(length, os.chunk));
    },
    fdatasyncSync: (fd: number) => {
      os.syncs++;
      real.fdatasyncSync(fd);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-journal-s4-"));
  delete os.chunk;
  os.syncs = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hint = (file: string) =>
  `Only the last line of a journal may be torn (a crash while writing). ${file} was changed by something other than deploycheck: restore it from a backup, or start a new run with --new (this one stays as it is, for inspection).`;
const unchained = (file: string) =>
  `${file}: this journal has no hash chain (it was written before deploycheck chained its journals), so nothing shows whether it was edited; it cannot be resumed or signed off`;
const plain = (events: readonly object[]) => events.map((e) => `${JSON.stringify(e)}\n`).join("");
const fds = () => readdirSync("/proc/self/fd").length;

/** The StateError a promise rejects with. */
async function rejected(p: Promise<unknown>): Promise<StateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StateError) return e;
    throw e;
  }
  throw new Error("did not reject");
}

function caught(f: () => unknown): StateError {
  try {
    f();
  } catch (e) {
    if (e instanceof StateError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("refusals with what to do", () => {
  it("a line without prev in a chained journal", () => {
    const [a, b] = new EventLog().step("a/x").events;
    const err = caught(() => parseJournalLines(`${chainedJournal([a!])}${JSON.stringify(b)}\n`, "j"));
    expect(err.message).toBe('j:2: the hash chain is broken: this line carries no "prev"');
    expect(err.hint).toBe(hint("j"));
  });

  it("a chained line that is not a deploycheck event", async () => {
    const err = await rejected(parseJournal(chainedJournal([{ type: "nonsense" }]), "j"));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe('j:1: unknown event type "nonsense"');
    expect(err.hint).toBe(hint("j"));
  });

  it("a tail of blanks without a newline is torn, cut where the whole lines end", () => {
    const text = chainedJournal(new EventLog().step("a/x").events);
    const raw = parseJournalLines(`${text}  \t`, "j");
    expect([raw.torn, raw.intactBytes, raw.lines.length]).toEqual([true, Buffer.byteLength(text), 3]);
    expect(parseJournalLines(text, "j").torn).toBe(false);
  });

  it("a journal that is a directory, or has a second name, is refused as the run journal", async () => {
    const file = join(dir, "journal.jsonl");
    mkdirSync(file);
    const message = `${file} is not a regular file; deploycheck refuses to use it as the run journal`;
    const read = await rejected(readJournal(file));
    expect(read).toBeInstanceOf(StateError);
    expect(read.message).toBe(message);
    // Opened for appending, a directory is EISDIR; a file with a second name is refused as the journal.
    const other = join(dir, "other.jsonl");
    writeFileSync(other, "");
    linkSync(other, join(dir, "linked.jsonl"));
    expect(caught(() => JournalFile.open(other)).message).toBe(
      `${other} has 2 names (hard links); deploycheck refuses to use it as the run journal`,
    );
  });
});

describe("a journal replaced on disk by one of the other kind is not signed", () => {
  it("a chained journal replaced by an unchained one", () => {
    const file = join(dir, "journal.jsonl");
    const events = new EventLog().step("a/x").events;
    const j = JournalFile.open(file);
    for (const e of events) j.append(e);
    writeFileSync(file, plain(events));
    expect(caught(() => j.verifyOnDisk()).message).toBe(unchained(file));
    j.close();
  });

  it("an unchained journal opened to abandon it, replaced by a chained one", () => {
    const file = join(dir, "journal.jsonl");
    const events = new EventLog().step("a/x").events;
    writeFileSync(file, plain(events));
    const j = JournalFile.open(file, { allowUnchained: true });
    writeFileSync(file, chainedJournal(events));
    expect(caught(() => j.verifyOnDisk()).message).toBe(unchained(file));
    j.close();
  });
});

describe("writes, syncs and descriptors", () => {
  it("writes each line whole through short writes", () => {
    const file = join(dir, "journal.jsonl");
    const events = new EventLog().step("a/x").events;
    os.chunk = 7;
    const j = JournalFile.open(file);
    for (const e of events) j.append(e);
    j.close();
    expect(readFileSync(file, "utf8")).toBe(chainedJournal(events));
  });

  it("opening, syncing and closing a journal with nothing written syncs nothing", () => {
    const file = join(dir, "journal.jsonl");
    writeFileSync(file, chainedJournal(new EventLog().step("a/x").events));
    const j = JournalFile.open(file);
    j.sync();
    j.close();
    expect(os.syncs).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe(chainedJournal(new EventLog().step("a/x").events));
  });

  it("closes every descriptor it opens to read", async () => {
    const file = join(dir, "journal.jsonl");
    writeFileSync(file, chainedJournal(new EventLog().step("a/x").events));
    const before = fds();
    await readJournal(file);
    await readJournal(file);
    const j = JournalFile.open(file);
    j.verifyOnDisk();
    j.verifyOnDisk();
    j.close();
    expect(fds()).toBe(before);
  });
});
