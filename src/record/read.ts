// Reading a record.json from disk: malformed JSON or something that is not a deploycheck record is a
// usage error (exit 2) with the file named; content checks are verify's job.
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { RECORD_SCHEMA_ID } from "./format.js";
import { parseStrictJson, type StrictJsonError } from "./strict-json.js";

export async function readRecordFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? "error"})`,
      { cause: err, hint: "Records are kept in <state-dir>/runs/<run-id>/record.json." },
    );
  }
  let value: unknown;
  try {
    value = parseStrictJson(text);
  } catch (err) {
    const e = err as StrictJsonError;
    if (e.reason.startsWith("duplicate key")) {
      throw new UsageError(`${path}:${e.line}:${e.col}: ${e.reason} in the record`, {
        cause: err,
        hint: "A record never repeats a key; other programs may read the other value. Treat this file as tampered with.",
      });
    }
    throw new UsageError(`${path}: not valid JSON (${e.message})`, {
      cause: err,
      hint: "A record is the record.json written at sign-off.",
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${path}: not a deploycheck record (expected a JSON object)`);
  }
  const schema = (value as Record<string, unknown>)["schema"];
  if (schema !== RECORD_SCHEMA_ID) {
    throw new UsageError(
      typeof schema === "string" && schema.startsWith("deploycheck/record/")
        ? `${path}: record format ${schema} is not supported by this version (expected ${RECORD_SCHEMA_ID})`
        : `${path}: not a deploycheck record (no "schema": "${RECORD_SCHEMA_ID}")`,
    );
  }
  return value as Record<string, unknown>;
}
