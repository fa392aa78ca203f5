// @ts-nocheck
import { describe, expect, it } from "vitest";
import { recordJsonSchema } from "../../../src/record/json-schema.js";

describe("recordJsonSchema", () => {
  it("is generated from the zod schema and cannot drift unnoticed", async () => {
    const schema = recordJsonSchema();
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    const props = schema["properties"] as Record<string, { const?: string }>;
    expect(props["schema"]?.const).toBe("deploycheck/record/v1");
    expect(schema["required"]).toEqual(
      expect.arrayContaining(["schema", "runId", "sections", "summary", "finished"]),
    );
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(
      "./__snapshots__/record.schema.json",
    );
  });
});
