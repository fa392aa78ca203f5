// @ts-nocheck
import { describe, expect, it } from "vitest";
import { ID_RE } from "../../../src/checklist/schema.js";
import { camelName, IdScope, MAX_ID_LENGTH, slugify } from "../../../src/import/slug.js";

describe("slugify", () => {
  it("makes kebab-case ids and drops parentheticals", () => {
    expect(slugify("Pre-Deployment Backup")).toBe("pre-deployment-backup");
    expect(slugify("Rollback Testing (Optional but Recommended)")).toBe("rollback-testing");
    expect(slugify("Post-Deployment (30+ minutes)")).toBe("post-deployment");
    expect(slugify("Café déjà vu")).toBe("cafe-deja-vu");
  });

  it("cuts long titles at a dash, never inside a word", () => {
    const id = slugify("Verify pre-deployment backup can be restored in isolation if possible");
    expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
    expect("verify-pre-deployment-backup-can-be-restored-in-isolation".startsWith(id)).toBe(true);
    expect(id.endsWith("-")).toBe(false);
  });

  it("falls back when nothing is left, and keeps only parentheses when that is all there is", () => {
    expect(slugify("!!!", "step")).toBe("step");
    expect(slugify("(optional)")).toBe("optional");
    expect(ID_RE.test(slugify("  --Weird__ Title!! "))).toBe(true);
  });
});

describe("IdScope", () => {
  it("suffixes -2, -3 for repeats within one parent", () => {
    const scope = new IdScope();
    expect([scope.take("verify"), scope.take("verify"), scope.take("verify")]).toEqual([
      "verify",
      "verify-2",
      "verify-3",
    ]);
  });
});

describe("camelName", () => {
  it("turns constants, flags and phrases into variable names", () => {
    expect(camelName("AWS_CLUSTER")).toBe("awsCluster");
    expect(camelName("base-url")).toBe("baseUrl");
    expect(camelName("ECS fallback")).toBe("ecsFallback");
    expect(camelName("3 things")).toBe("v3Things");
  });
});
