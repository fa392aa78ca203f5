// Reading a record handed to verify or export: every way a file can fail to be a record is a usage error that
// names the file (and the line and column of a repeated key), on real files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { readRecordFile } from "../../../src/record/read.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "deploycheck-read-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(text: string | undefined): Promise<{ path: string; err: UsageError }> {
  const path = join(dir, "record.json");
  if (text !== undefined) writeFileSync(path, text);
  const err = await readRecordFile(path).then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return { path, err: err as UsageError };
}

describe("readRecordFile", () => {
  it("returns the parsed record", async () => {
    const path = join(dir, "record.json");
    writeFileSync(path, '{\n  "schema": "deploycheck/record/v1",\n  "runId": "r1"\n}\n');
    expect({ ...(await readRecordFile(path)) }).toEqual({ schema: "deploycheck/record/v1", runId: "r1" });
  });

  it("names a missing file and where records are kept", async () => {
    const { path, err } = await refusal(undefined);
    expect(err.message).toBe(`${path}: no such file`);
    expect(err.hint).toBe("Records are kept in <state-dir>/runs/<run-id>/record.json.");
  });

  it("names a path that cannot be read, with the reason", async () => {
    const path = join(dir, "record.json");
    mkdirSync(path);
    const err = await readRecordFile(path).catch((e: unknown) => e as UsageError);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`${path}: cannot read (EISDIR)`);
    expect(err.hint).toBe("Records are kept in <state-dir>/runs/<run-id>/record.json.");
  });

  it("refuses a repeated key with its line and column, as tampering", async () => {
    const { path, err } = await refusal(
      '{\n  "schema": "deploycheck/record/v1",\n  "summary": {"ready": true},\n  "x": 1, "summary": {}\n}\n',
    );
    expect(err.message).toBe(`${path}:4:11: duplicate key "summary" in the record`);
    expect(err.hint).toBe(
      "A record never repeats a key; other programs may read the other value. Treat this file as tampered with.",
    );
  });

  it("shows a repeated key whole, even one that reads like a position", async () => {
    const { path, err } = await refusal('{"a at line 1": 1,\n "a at line 1": 2}');
    expect(err.message).toBe(`${path}:2:2: duplicate key "a at line 1" in the record`);
  });

  it("refuses text that is not JSON, with the parser's position", async () => {
    const { path, err } = await refusal('{\n  "schema": deploycheck\n}');
    expect(err.message).toBe(`${path}: not valid JSON (unexpected character "d" at line 2 column 13)`);
    expect(err.hint).toBe("A record is the record.json written at sign-off.");
    expect((await refusal("")).err.message).toBe(
      `${path}: not valid JSON (unexpected end of input at line 1 column 1)`,
    );
  });

  it("refuses JSON that is not an object", async () => {
    for (const text of ["null", "[]", '["deploycheck/record/v1"]', '"deploycheck/record/v1"', "1", "true"]) {
      const { path, err } = await refusal(text);
      expect(err.message, text).toBe(`${path}: not a deploycheck record (expected a JSON object)`);
    }
  });

  it("refuses an object without the record schema, and names a record format of another version", async () => {
    for (const text of ["{}", '{"schema": "deploycheck/checklist/v1"}', '{"schema": 1}', '{"Schema": "x"}']) {
      const { path, err } = await refusal(text);
      expect(err.message, text).toBe(
        `${path}: not a deploycheck record (no "schema": "deploycheck/record/v1")`,
      );
    }
    const { path, err } = await refusal('{"schema": "deploycheck/record/v2"}');
    expect(err.message).toBe(
      `${path}: record format deploycheck/record/v2 is not supported by this version (expected deploycheck/record/v1)`,
    );
    expect((await refusal('{"schema": "x-deploycheck/record/v2"}')).err.message).toBe(
      `${path}: not a deploycheck record (no "schema": "deploycheck/record/v1")`,
    );
  });
});
