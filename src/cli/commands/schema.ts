// `deploycheck schema`: the JSON Schema of the checklist format, generated from the same zod schemas the
// loader uses (one source of truth), for editors with the YAML language server.
import { z } from "zod";
import { ChecklistSchema } from "../../checklist/schema.js";
import { UsageError } from "../../errors.js";
import type { GlobalOptions } from "../options.js";

export function checklistJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ChecklistSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }),
    $id: "https://deploycheck.dev/schema/checklist-v1.json",
  };
}

export async function run(_args: string[], options: GlobalOptions & { record?: boolean }): Promise<number> {
  if (options.record) {
    // `schema --record` belongs to the record module (its owner replaces this branch).
    throw new UsageError("`deploycheck schema --record` is not available yet");
  }
  process.stdout.write(`${JSON.stringify(checklistJsonSchema(), null, 2)}\n`);
  return 0;
}
