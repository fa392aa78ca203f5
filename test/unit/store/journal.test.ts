import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { JournalFile, parseJournal, readJournal } from "../../../src/store/journal.js";
import { EventLog } from "../../helpers/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (log: EventLog) => log.events.map((e) => `${JSON.stringify(e)}\n`).join("");

describe("journal", () => {
  it("appends one line per event and reads them back", () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    const log = new EventLog().step("a/x");
    for (const e of log.events) j.append(e);
    j.close();
    expect(readJournal(file)).toMatchObject({ events: log.events, torn: false });
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(log.events.length + 1);
  });

  it("ignores a torn last line and cuts it before the next append", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, `${lines(log)}{"v":1,"type":"step-sta`);
    expect(readJournal(file)).toMatchObject({ events: log.events, torn: true });
    const j = JournalFile.open(file);
    const more = new EventLog().started("a/y").events[1]!;
    j.append(more);
    j.close();
    expect(readJournal(file).events).toEqual([...log.events, more]);
  });

  it("keeps a whole last event that lost only its newline", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, lines(log).slice(0, -1));
    const j = JournalFile.open(file);
    const more = new EventLog().started("a/y").events[1]!;
    j.append(more);
    j.close();
    expect(readJournal(file).events).toEqual([...log.events, more]);
  });

  it("names the file and line of a corrupt line that is not the last", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    const text = lines(log).split("\n");
    text[1] = "garbage";
    writeFileSync(file, text.join("\n"));
    expect(() => readJournal(file)).toThrow(StateError);
    expect(() => readJournal(file)).toThrow(`${file}:2: corrupt journal line`);
    expect(() => JournalFile.open(file)).toThrow(StateError);
  });

  it("refuses JSON lines that are not events", () => {
    expect(() => parseJournal(`{"a":1}\n${lines(new EventLog())}`, "j")).toThrow("j:1:");
  });

  it("tolerates blank lines and a trailing null-byte tail (power cut)", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, lines(log));
    appendFileSync(file, "\0\0\0\0");
    expect(readJournal(file)).toMatchObject({ events: log.events, torn: true });
  });
});
