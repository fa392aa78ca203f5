// @ts-nocheck
// `deploycheck schema`: the JSON Schema of the checklist format, generated from the same zod schemas the
// loader uses (one source of truth), for editors with the YAML language server.
import { z } from "zod";
import { ChecklistSchema } from "../../checklist/schema.js";
import type { GlobalOptions } from "../options.js";

export function checklistJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ChecklistSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
}

export async function run(_args: string[], options: GlobalOptions & { record?: boolean }): Promise<number> {
  if (options.record) {
    const { recordJsonSchema } = await import("../../record/json-schema.js");
    process.stdout.write(`${JSON.stringify(recordJsonSchema(), null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
  return 0;
}
