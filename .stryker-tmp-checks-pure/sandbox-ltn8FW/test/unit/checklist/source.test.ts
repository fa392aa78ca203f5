// @ts-nocheck
// A checklist file's bytes before YAML: size cap, UTF-8 and NUL refused with file:line:col, and code frames of
// huge lines cut short. Real files through loadChecklist; the UTF-8 scanner against Node's own decoder.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadChecklist } from "../../../src/checklist/load.js";
import { firstInvalidUtf8, MAX_CHECKLIST_BYTES } from "../../../src/checklist/source.js";
import { ChecklistError } from "../../../src/errors.js";

const dir = mkdtempSync(path.join(tmpdir(), "dc-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = "apiVersion: deploycheck/v1\nkind: Checklist\nmetadata: { name: t, title: T }\n";

async function problem(name: string, bytes: Buffer | string): Promise<ChecklistError> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const err = await loadChecklist(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ChecklistError);
  return err as ChecklistError;
}

describe("checklist bytes", () => {
  it("refuses a file over the cap without reading it whole, naming the cap", async () => {
    const file = path.join(dir, "huge.yaml");
    writeFileSync(file, HEAD);
    truncateSync(file, 69 * 1024 * 1024); // sparse: 69 MiB of NULs after the header
    const err = (await loadChecklist(file).catch((e: unknown) => e)) as ChecklistError;
    expect(err).toBeInstanceOf(ChecklistError);
    expect(err.problems[0]).toMatchObject({ line: 1, col: 1 });
    expect(err.message).toMatch(/huge\.yaml:1:1: the file is 69\.0 MiB; a checklist may be at most 4\.0 MiB/);
    expect(MAX_CHECKLIST_BYTES).toBe(4 * 1024 * 1024);
  });

  it("refuses a NUL byte at its line and column", async () => {
    const err = await problem("nul.yaml", `${HEAD}sections:\n  - id: s\n    title: "a\u0000b"\n`);
    expect(err.problems[0]).toMatchObject({ line: 6, col: 14 });
    expect(err.message).toMatch(/nul\.yaml:6:14: a NUL byte/);
  });

  it("refuses invalid UTF-8 at its line and column (columns in characters)", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEAD}# é ok\n# ëë `),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("\n"),
    ]);
    const err = await problem("latin1.yaml", bytes);
    expect(err.problems[0]).toMatchObject({ line: 5, col: 6 });
    expect(err.message).toMatch(/latin1\.yaml:5:6: not valid UTF-8 \(byte 0xc3\)/);
    // Overlong encodings and UTF-16 surrogates are not UTF-8 either.
    expect((await problem("overlong.yaml", Buffer.from([0x61, 0xc0, 0xaf]))).problems[0]).toMatchObject({
      col: 2,
    });
    expect((await problem("surrogate.yaml", Buffer.from([0xed, 0xa0, 0x80]))).problems[0]).toMatchObject({
      col: 1,
    });
  });

  it("finds the first invalid byte exactly where Node's decoder first fails", () => {
    const seed = Number(process.env["SEED"] ?? Date.now() % 2 ** 31);
    console.log(`firstInvalidUtf8 property: SEED=${seed}`);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (arr) => {
        const bytes = Buffer.from(arr);
        const at = firstInvalidUtf8(bytes);
        const decoder = new TextDecoder("utf-8", { fatal: true });
        if (at === -1) expect(() => decoder.decode(bytes)).not.toThrow();
        else {
          expect(() => decoder.decode(bytes)).toThrow();
          // Everything before it decodes, so the position is the first bad byte.
          expect(() => decoder.decode(bytes.subarray(0, at))).not.toThrow();
        }
      }),
      { seed, numRuns: 2000 },
    );
  });

  it("cuts the code frame of a 3 MB line around the column", async () => {
    const long = "x".repeat(3_000_000);
    const err = await problem("long.yaml", `${HEAD}sections: [${long}, {a: b}, ]]\n`);
    expect(err.message.length).toBeLessThan(2000);
    const frame = err.problems[0]!.frame!;
    const [line, caret] = frame.split("\n").slice(-2);
    expect(line).toMatch(/^> 4 \| …x+.*…?$/);
    expect(line!.length).toBeLessThan(140);
    // The caret points at the character the message is about.
    const at = caret!.indexOf("^");
    const col = err.problems[0]!.col;
    const text = `sections: [${long}, {a: b}, ]]`;
    expect(line![at]).toBe(text[col - 1]);
  });
});
