import {
  appendFileSync,
  linkSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { CHAIN_START, JournalFile, lineHash, parseJournal, readJournal } from "../../../src/store/journal.js";
import { chainedJournal, EventLog, withoutPrev } from "../../helpers/builders.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (log: EventLog) => chainedJournal(log.events);

describe("journal", () => {
  it("appends one chained line per event and reads them back", async () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    const log = new EventLog().step("a/x");
    for (const e of log.events) j.append(e);
    j.close();
    const text = readFileSync(file, "utf8");
    // Byte for byte what the chain says: line 1 carries 64 zeros, every other line the hash of the one before.
    expect(text).toBe(chainedJournal(log.events));
    const read = await readJournal(file);
    expect(withoutPrev(read.events)).toEqual(log.events);
    expect(read).toMatchObject({ torn: false, chained: true });
    const last = text.trimEnd().split("\n").at(-1)!;
    expect(read.head).toBe(lineHash(last));
    expect(j.head()).toBe(read.head);
    expect(text.split("\n")).toHaveLength(log.events.length + 1);
  });

  it("ignores a torn last line (not tampering) and cuts it before the next append, chain intact", async () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, `${lines(log)}{"v":1,"type":"step-sta`);
    expect(await readJournal(file)).toMatchObject({ torn: true, chained: true });
    const j = JournalFile.open(file);
    const more = new EventLog().started("a/y").events[1]!;
    j.append(more);
    j.close();
    expect(withoutPrev((await readJournal(file)).events)).toEqual([...log.events, more]);
    expect(readFileSync(file, "utf8")).toBe(chainedJournal([...log.events, more]));
  });

  it("keeps a whole last event that lost only its newline", async () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, lines(log).slice(0, -1));
    const j = JournalFile.open(file);
    const more = new EventLog().started("a/y").events[1]!;
    j.append(more);
    j.close();
    expect(withoutPrev((await readJournal(file)).events)).toEqual([...log.events, more]);
  });

  it("names the file and line of a corrupt line that is not the last", async () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    const text = lines(log).split("\n");
    text[1] = "garbage";
    writeFileSync(file, text.join("\n"));
    await expect(readJournal(file)).rejects.toThrow(StateError);
    await expect(readJournal(file)).rejects.toThrow(`${file}:2: corrupt journal line`);
    expect(() => JournalFile.open(file)).toThrow(StateError);
  });

  it("refuses JSON lines that are not events", async () => {
    await expect(parseJournal(chainedJournal([{ a: 1 }, ...new EventLog().events]), "j")).rejects.toThrow(
      "j:1:",
    );
  });

  it("tolerates blank lines and a trailing null-byte tail (power cut)", async () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, lines(log));
    appendFileSync(file, "\0\0\0\0");
    const read = await readJournal(file);
    expect(read.torn).toBe(true);
    expect(withoutPrev(read.events)).toEqual(log.events);
  });
});

describe("journal hash chain (tamper evidence)", () => {
  const failedThenEdited = () => {
    const log = new EventLog().step("a/x", "failed").step("a/y");
    const text = lines(log).split("\n");
    // The attack: a failed step edited to passed in place.
    text[2] = text[2]!.replace('"status":"failed"', '"status":"passed"');
    return text.join("\n");
  };

  it("refuses an edited line at the next line, exit 2 with journal.jsonl:N", async () => {
    const file = join(dir, "journal.jsonl");
    writeFileSync(file, failedThenEdited());
    const err = await readJournal(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).exitCode).toBe(2);
    expect((err as Error).message).toContain(`${file}:4: the hash chain is broken`);
    expect(() => JournalFile.open(file)).toThrow(`${file}:4: the hash chain is broken`);
  });

  it("refuses a removed line, an inserted line and a line with its prev stripped", async () => {
    const log = new EventLog().step("a/x").step("a/y");
    const text = lines(log).split("\n");
    const removed = [...text.slice(0, 2), ...text.slice(3)].join("\n");
    await expect(parseJournal(removed, "j")).rejects.toThrow("j:3: the hash chain is broken");
    const inserted = [...text.slice(0, 2), text[1], ...text.slice(2)].join("\n");
    await expect(parseJournal(inserted, "j")).rejects.toThrow("j:3: the hash chain is broken");
    const stripped = [...text];
    stripped[3] = JSON.stringify({ ...JSON.parse(stripped[3]!), prev: undefined });
    await expect(parseJournal(stripped.join("\n"), "j")).rejects.toThrow(
      'j:4: the hash chain is broken: this line carries no "prev"',
    );
  });

  it("reads a journal written before the chain as unchained, and refuses to append to it", async () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    writeFileSync(file, log.events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const read = await readJournal(file);
    expect(read.chained).toBe(false);
    expect(read.events).toEqual(log.events);
    expect(() => JournalFile.open(file)).toThrow(/has no hash chain .* cannot be resumed or signed off/);
    // Abandoning it appends one chained line, which reads back (still unchained as a whole).
    const j = JournalFile.open(file, { allowUnchained: true });
    j.append(new EventLog().push({ type: "run-aborted", reason: "x", abandoned: true }).events[1]!);
    j.close();
    expect((await readJournal(file)).events).toHaveLength(4);
  });

  it("verifyOnDisk refuses a journal changed behind the writer's back, even with a recomputed chain", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x", "failed");
    const j = JournalFile.open(file);
    for (const e of log.events) j.append(e);
    expect(j.verifyOnDisk()).toEqual({ head: j.head(), events: 3 });
    const forged = log.events.map((e) =>
      e.type === "step-finished" ? { ...e, outcome: { ...e.outcome, status: "passed" } } : e,
    );
    writeFileSync(file, chainedJournal(forged));
    expect(() => j.verifyOnDisk()).toThrow(
      `${file}:3: the journal was changed on disk while this run was going`,
    );
    j.close();
  });

  it("starts the chain at 64 zeros", () => {
    expect(CHAIN_START).toBe("0".repeat(64));
  });
});

describe("journal events are untrusted input", () => {
  const withLine = (extra: object) => chainedJournal([...new EventLog().step("a/x").events, extra]);

  it('reports "outcome": null as journal.jsonl:N, exit 2, not an internal error', async () => {
    const bad = {
      v: 1,
      type: "step-finished",
      at: "2026-11-26T06:40:00.000Z",
      key: "a/y",
      attempt: 1,
      durationMs: 1,
      outcome: null,
    };
    const err = await parseJournal(withLine(bad), "journal.jsonl").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toMatch(/^journal\.jsonl:4: step-finished event: outcome: /);
  });

  it('refuses a "__proto__" step key and a "__proto__" object key without touching Object.prototype', async () => {
    const proto = {
      v: 1,
      type: "step-finished",
      at: "2026-11-26T06:40:00.000Z",
      key: "__proto__",
      attempt: 1,
      durationMs: 1,
      outcome: { status: "passed", summary: "x" },
    };
    await expect(parseJournal(withLine(proto), "j")).rejects.toThrow("j:4: step-finished event: key:");
    const text = `${chainedJournal(new EventLog().events).trimEnd().slice(0, -1)},"x":{"__proto__":{"polluted":1}}}\n`;
    await expect(parseJournal(text, "j")).rejects.toThrow(
      'j:1: corrupt journal line (the key "__proto__" is not allowed)',
    );
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["status"]).toBeUndefined();
  });

  it("refuses unknown event types and wrong field types, and keeps fields it does not know", async () => {
    await expect(parseJournal(withLine({ v: 1, type: "bogus", at: "t" }), "j")).rejects.toThrow(
      'j:4: unknown event type "bogus"',
    );
    await expect(
      parseJournal(withLine({ v: 1, type: "step-started", at: "t", key: "a/y", attempt: "1" }), "j"),
    ).rejects.toThrow("j:4: step-started event: attempt:");
    const extra = { v: 1, type: "step-started", at: "t", key: "a/y", attempt: 1, pgid: 4242 };
    const read = await parseJournal(withLine(extra), "j");
    expect(read.events.at(-1)).toMatchObject({ pgid: 4242 });
  });
});

describe("journal files are not followed", () => {
  it("refuses a journal that is a symbolic link or a hard link, and never writes through it", async () => {
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\nline");
    const file = join(dir, "journal.jsonl");
    symlinkSync(victim, file);
    expect(() => JournalFile.open(file)).toThrow(`${file} is a symbolic link`);
    await expect(readJournal(file)).rejects.toThrow(`${file} is a symbolic link`);
    rmSync(file);
    linkSync(victim, file);
    expect(() => JournalFile.open(file)).toThrow(/has 2 names \(hard links\)/);
    expect(readFileSync(victim, "utf8")).toBe("precious\nline");
  });
});

describe("journal keys spelled with escapes", () => {
  it('refuses "__proto__" written with \\u escapes', async () => {
    const text = `${chainedJournal(new EventLog().events).trimEnd().slice(0, -1)},"x":{"\\u005f_proto__":{"polluted":1}}}\n`;
    await expect(parseJournal(text, "j")).rejects.toThrow(
      'j:1: corrupt journal line (the key "__proto__" is not allowed)',
    );
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("journal refusals, word for word", () => {
  const HINT = (file: string) =>
    `Only the last line of a journal may be torn (a crash while writing). ${file} was changed by something other than deploycheck: restore it from a backup, or start a new run with --new (this one stays as it is, for inspection).`;
  const refusal = async (text: string): Promise<StateError> => {
    const err = await parseJournal(text, "j").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).hint).toBe(HINT("j"));
    return err as StateError;
  };
  const log = () => new EventLog().step("a/x");
  const split = () => lines(log()).split("\n");

  it("a line that is JSON but not an object is not an event, in the middle or whole at the end", async () => {
    for (const bad of ["[1]", "null", "7", '"text"', "true"]) {
      const middle = split();
      middle.splice(1, 0, bad);
      expect((await refusal(middle.join("\n"))).message).toBe(
        "j:2: corrupt journal line (not a deploycheck event)",
      );
      // Whole but without its newline at the end: still parsed, still refused (line 4 after 3 whole lines).
      expect((await refusal(`${lines(log())}${bad}`)).message).toBe(
        "j:4: corrupt journal line (not a deploycheck event)",
      );
    }
    expect((await refusal(`${split()[0]}\n{torn\n${split()[1]}\n`)).message).toBe(
      "j:2: corrupt journal line (not JSON)",
    );
  });

  it("names the line the chain breaks at and the line it should carry, counting blank lines", async () => {
    const [first, second, third] = split();
    expect((await refusal(`${second}\n`)).message).toBe(
      "j:1: the hash chain is broken: this line does not carry the hash of an empty journal; the journal was edited after it was written",
    );
    // Blank lines are skipped but counted: line 3 should carry the hash of line 1.
    expect((await refusal(`${first}\n\n${third}\n`)).message).toBe(
      "j:3: the hash chain is broken: this line does not carry the hash of line 1; the journal was edited after it was written",
    );
    const read = await parseJournal(`${first}\n\n  \n${second}\n${third}\n`, "j");
    expect(read.lines.map((l) => l.line)).toEqual([1, 4, 5]);
    expect(read.events).toHaveLength(3);
  });

  it("an unchained journal with a chained line later checks that line's prev", async () => {
    const events = log().events;
    const plain = events.map((e) => JSON.stringify(e));
    const good = JSON.stringify({ ...events[1], prev: lineHash(plain[0]!) });
    const read = await parseJournal(`${plain[0]}\n${good}\n`, "j");
    expect(read.chained).toBe(false);
    expect(read.head).toBe(lineHash(good));
    const wrong = JSON.stringify({ ...events[1], prev: CHAIN_START });
    expect((await refusal(`${plain[0]}\n${wrong}\n`)).message).toBe(
      "j:2: the hash chain is broken: this line does not carry the hash of line 1; the journal was edited after it was written",
    );
  });

  it("says torn only for a cut write: whitespace after the last newline is torn, nothing after it is not", async () => {
    const text = lines(log());
    expect(await parseJournal(text, "j")).toMatchObject({
      torn: false,
      intactBytes: Buffer.byteLength(text),
    });
    expect(await parseJournal(`${text}  `, "j")).toMatchObject({
      torn: true,
      intactBytes: Buffer.byteLength(text),
    });
    expect(await parseJournal(`${text}{"v":1,"ty`, "j")).toMatchObject({
      torn: true,
      intactBytes: Buffer.byteLength(text),
      head: lineHash(split()[2]!),
    });
    expect(await parseJournal("", "j")).toMatchObject({
      lines: [],
      torn: false,
      intactBytes: 0,
      chained: false,
      head: CHAIN_START,
    });
  });

  it("cuts a torn tail after multi-byte text at the right byte and appends a clean chained line", async () => {
    const file = join(dir, "journal.jsonl");
    const multi = new EventLog().step("a/x", "passed", { output: "é ✓ 😀 ü" });
    writeFileSync(file, `${lines(multi)}{"v":1,"type":"st`);
    const j = JournalFile.open(file);
    const more = new EventLog().started("a/y").events[1]!;
    j.append(more);
    j.close();
    expect(readFileSync(file, "utf8")).toBe(chainedJournal([...multi.events, more]));
  });

  it("adds the missing newline of a whole last line after multi-byte text, once", async () => {
    const file = join(dir, "journal.jsonl");
    const multi = new EventLog().step("a/x", "passed", { output: "é ✓ 😀 ü" });
    writeFileSync(file, lines(multi).slice(0, -1));
    JournalFile.open(file).close();
    expect(readFileSync(file, "utf8")).toBe(lines(multi));
    JournalFile.open(file).close();
    expect(readFileSync(file, "utf8")).toBe(lines(multi));
  });

  it("reading a missing journal says which and why, keeping the cause", async () => {
    const file = join(dir, "missing.jsonl");
    const err = (await readJournal(file).catch((e: unknown) => e)) as StateError;
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe(
      `cannot read the run journal ${file}: ENOENT: no such file or directory, open '${file}'`,
    );
    expect((err.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("refuses an unchained journal word for word, and opens an empty or new one as chained", () => {
    const file = join(dir, "journal.jsonl");
    writeFileSync(file, new EventLog().events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    const err = (() => {
      try {
        JournalFile.open(file);
      } catch (e) {
        return e as StateError;
      }
      throw new Error("not refused");
    })();
    expect(err.message).toBe(
      `${file}: this journal has no hash chain (it was written before deploycheck chained its journals), so nothing shows whether it was edited; it cannot be resumed or signed off`,
    );
    expect(err.hint).toBe(
      "Inspect it with `deploycheck status <run-id>`, and start a new run with `deploycheck run <checklist> --new`.",
    );
    // Abandoning it is allowed, but it stays unchained: verifyOnDisk refuses to sign it.
    const old = JournalFile.open(file, { allowUnchained: true });
    expect(old.length).toBe(1);
    expect(() => old.verifyOnDisk()).toThrow(`${file}: this journal has no hash chain`);
    old.close();

    const fresh = join(dir, "fresh.jsonl");
    writeFileSync(fresh, "");
    const j = JournalFile.open(fresh);
    expect(j.length).toBe(0);
    expect(j.head()).toBe(CHAIN_START);
    const events = new EventLog().events;
    j.append(events[0]!);
    expect(j.length).toBe(1);
    expect(j.verifyOnDisk()).toEqual({ head: lineHash(readFileSync(fresh, "utf8").trimEnd()), events: 1 });
    j.close();
    expect(readFileSync(fresh, "utf8")).toBe(chainedJournal(events));
  });

  it("verifyOnDisk counts lines added behind the writer's back and a torn tail, and nothing is signed", () => {
    const file = join(dir, "journal.jsonl");
    const log = new EventLog().step("a/x");
    const j = JournalFile.open(file);
    for (const e of log.events) j.append(e);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as StateError).message, (e as StateError).hint];
      }
      return ["not refused"];
    };
    appendFileSync(file, '{"v":1,"ty');
    expect(message(() => j.verifyOnDisk())).toEqual([
      `${file}: the journal was changed on disk while this run was going (3 lines on disk, 3 written)`,
      `Nothing was signed. ${HINT(file)}`,
    ]);
    writeFileSync(file, chainedJournal([...log.events, new EventLog().started("a/y").events[1]!]));
    expect(message(() => j.verifyOnDisk())).toEqual([
      `${file}: the journal was changed on disk while this run was going (4 lines on disk, 3 written)`,
      `Nothing was signed. ${HINT(file)}`,
    ]);
    writeFileSync(file, chainedJournal(log.events.slice(0, 2)));
    expect(message(() => j.verifyOnDisk())).toEqual([
      `${file}: the journal was changed on disk while this run was going (2 lines on disk, 3 written)`,
      `Nothing was signed. ${HINT(file)}`,
    ]);
    // The first line edited and the chain recomputed: the chain alone cannot tell, the writer's hashes can.
    writeFileSync(
      file,
      chainedJournal([{ ...log.events[0]!, at: "2026-11-26T00:00:00.000Z" }, ...log.events.slice(1)]),
    );
    expect(message(() => j.verifyOnDisk())).toEqual([
      `${file}:1: the journal was changed on disk while this run was going (this line is not the one written)`,
      `Nothing was signed. ${HINT(file)}`,
    ]);
    j.close();
  });

  it("a closed journal refuses to write, and closing twice is harmless", () => {
    const file = join(dir, "journal.jsonl");
    const j = JournalFile.open(file);
    j.close();
    j.close();
    j.sync();
    expect(() => j.append(new EventLog().events[0]!)).toThrow(`journal ${file} is closed`);
    expect(readFileSync(file, "utf8")).toBe("");
  });
});
