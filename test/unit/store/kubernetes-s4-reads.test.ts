// The team journal reads the lines its file gained through the file system, which may hand them over in
// short reads, or end sooner than fstat said (the file shrank): every line still reaches the cluster whole
// and in order, and a read at the end stops the reading. node:fs is passed through, with short reads and a
// size larger than the file injected.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TeamJournal } from "../../../src/store/kubernetes/team-journal.js";

const knobs: { maxRead?: number; extraSize?: number; reads: [number, number][]; ends: number } = {
  reads: [],
  ends: 0,
};

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      if (offset + length > buffer.length)
        throw new RangeError(`read of ${length} at ${offset} past a ${buffer.length}-byte buffer`);
      knobs.reads.push([length, position]);
      const n = real.readSync(fd, buffer, offset, Math.min(length, knobs.maxRead ?? length), position);
      if (n === 0 && ++knobs.ends > 1) throw new Error("read again after the end of the file");
      return n;
    },
    fstatSync: (fd: number) => {
      const st = real.fstatSync(fd);
      return knobs.extraSize ? { ...st, size: st.size + knobs.extraSize } : st;
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-team-reads-"));
  knobs.reads = [];
  knobs.ends = 0;
  delete knobs.maxRead;
  delete knobs.extraSize;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup() {
  const file = join(dir, "journal.jsonl");
  writeFileSync(file, '{"type":"run-started"}\n');
  const stored: string[] = [];
  const journal = new TeamJournal({
    local: {
      file,
      append: async (e: unknown) => appendFileSync(file, `${JSON.stringify(e)}\n`),
      readAll: async () => [],
    } as never,
    cluster: { append: async (...lines: string[]) => void stored.push(...lines) } as never,
    fence: { check: async () => {} },
    isMutating: () => false,
  });
  return { journal, stored };
}

describe("reading what the journal file gained", () => {
  it("short reads: each goes on where the last stopped, for what is left", async () => {
    const { journal, stored } = setup();
    knobs.maxRead = 4;
    await journal.append({ type: "step-started", key: "i/a" } as never);
    await journal.append({ type: "step-finished", key: "i/a" } as never);
    expect(stored).toEqual(['{"type":"step-started","key":"i/a"}', '{"type":"step-finished","key":"i/a"}']);
    // The first line (36 bytes) after the 23 already there: 36 asked at 23, then 32 at 27, ...
    expect(knobs.reads.slice(0, 3)).toEqual([
      [36, 23],
      [32, 27],
      [28, 31],
    ]);
    // Once the buffer is full, no further read.
    expect(knobs.ends).toBe(0);
  });

  it("a file that ends before its size said: what there is, read once to the end", async () => {
    const { journal, stored } = setup();
    knobs.extraSize = 5;
    await journal.append({ type: "step-started", key: "i/a" } as never);
    expect(stored).toEqual(['{"type":"step-started","key":"i/a"}']);
    expect(knobs.ends).toBe(1);
  });
});
