// Durability of the journal, seen through the file system calls it makes: each append writes its whole
// line and then fdatasyncs it before returning; a group commit (write, write, sync) syncs once; a failed
// write or sync says what failed and that what was recorded before is kept.
import * as fs from "node:fs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EnvironmentError } from "../../../src/errors.js";
import { JournalFile } from "../../../src/store/journal.js";
import { chainedJournal, EventLog } from "../../helpers/builders.js";

const calls: string[] = [];
const fail: { write?: string; sync?: string } = {};

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const errno = (code: string, syscall: string) =>
    Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
  return {
    ...real,
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      if (fail.write) throw errno(fail.write, "write");
      const n = (real.writeSync as (...a: unknown[]) => number)(...args);
      calls.push(`write ${n}`);
      return n;
    },
    fdatasyncSync: (fd: number) => {
      if (fail.sync) throw errno(fail.sync, "fdatasync");
      real.fdatasyncSync(fd);
      calls.push("fdatasync");
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-journal-sync-"));
  calls.length = 0;
  delete fail.write;
  delete fail.sync;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lineBytes = (events: object[]) =>
  chainedJournal(events)
    .split("\n")
    .slice(0, -1)
    .map((l) => Buffer.byteLength(l) + 1);

describe("journal durability", () => {
  it("fdatasyncs each appended line after writing it whole, before append returns", () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    const events = new EventLog().step("a/x").events;
    const bytes = lineBytes(events);
    const seen: string[][] = [];
    for (const e of events) {
      j.append(e);
      seen.push([...calls]);
    }
    // After each append returns, its write and its fdatasync have happened, in that order.
    expect(seen).toEqual([
      [`write ${bytes[0]}`, "fdatasync"],
      [`write ${bytes[0]}`, "fdatasync", `write ${bytes[1]}`, "fdatasync"],
      [`write ${bytes[0]}`, "fdatasync", `write ${bytes[1]}`, "fdatasync", `write ${bytes[2]}`, "fdatasync"],
    ]);
    // Nothing more to make durable: sync and close do not sync again.
    j.sync();
    j.close();
    expect(calls).toHaveLength(6);
    expect(readFileSync(file, "utf8")).toBe(chainedJournal(events));
  });

  it("a group commit writes every line and syncs once; close syncs what is still pending", () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    const events = new EventLog().step("a/x").events;
    const bytes = lineBytes(events);
    j.write(events[0]!);
    j.write(events[1]!);
    expect(calls).toEqual([`write ${bytes[0]}`, `write ${bytes[1]}`]);
    j.sync();
    j.sync();
    expect(calls).toEqual([`write ${bytes[0]}`, `write ${bytes[1]}`, "fdatasync"]);
    j.write(events[2]!);
    j.close();
    expect(calls.slice(3)).toEqual([`write ${bytes[2]}`, "fdatasync"]);
    expect(readFileSync(file, "utf8")).toBe(chainedJournal(events));
  });

  it("a failed write says what failed and that what was recorded is kept; the chain goes on after it", () => {
    const runDir = join(dir, "staging-20261126T063000Z-7f3a");
    fs.mkdirSync(runDir);
    const file = join(runDir, "journal.jsonl");
    const j = JournalFile.open(file);
    const events = new EventLog().step("a/x").events;
    j.append(events[0]!);
    fail.write = "ENOSPC";
    let err: EnvironmentError | undefined;
    try {
      j.append(events[1]!);
    } catch (e) {
      err = e as EnvironmentError;
    }
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.message).toBe(
      `cannot append to the run journal ${file}: no space left on the device (ENOSPC)`,
    );
    expect(err?.hint).toMatch(
      / What was recorded before is kept: resume with deploycheck resume staging-20261126T063000Z-7f3a$/,
    );
    expect(j.length).toBe(1);
    delete fail.write;
    j.append(events[1]!);
    j.close();
    expect(readFileSync(file, "utf8")).toBe(chainedJournal(events.slice(0, 2)));
  });

  it("a failed fdatasync says the journal could not be saved, and is retried by the next sync", () => {
    const runDir = join(dir, "staging-20261126T063000Z-7f3a");
    fs.mkdirSync(runDir);
    const file = join(runDir, "journal.jsonl");
    const j = JournalFile.open(file);
    const events = new EventLog().events;
    fail.sync = "EIO";
    let err: EnvironmentError | undefined;
    try {
      j.append(events[0]!);
    } catch (e) {
      err = e as EnvironmentError;
    }
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.message).toBe(`cannot save the run journal ${file}: input/output error (EIO)`);
    expect(err?.hint).toMatch(
      / What was recorded before is kept: resume with deploycheck resume staging-20261126T063000Z-7f3a$/,
    );
    delete fail.sync;
    calls.length = 0;
    j.sync();
    expect(calls).toEqual(["fdatasync"]);
    j.close();
  });

  it("an error the environment does not explain is passed on as it is", () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    fail.write = "EWEIRD";
    expect(() => j.append(new EventLog().events[0]!)).toThrow("EWEIRD: injected, write");
    delete fail.write;
    fail.sync = "EWEIRD";
    j.write(new EventLog().events[0]!);
    expect(() => j.sync()).toThrow("EWEIRD: injected, fdatasync");
    delete fail.sync;
    j.close();
  });
});
