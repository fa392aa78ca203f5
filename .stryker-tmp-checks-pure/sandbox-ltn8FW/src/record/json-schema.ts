// @ts-nocheck
// The JSON Schema of record.json, generated from the zod schema (`deploycheck schema --record`).
import { z } from "zod";
import { RecordSchema } from "./schema.js";

export function recordJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RecordSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}
