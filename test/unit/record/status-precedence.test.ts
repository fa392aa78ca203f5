// The item-status precedence as a whole (it is signed into every record): every pair of step statuses,
// required and optional, and random step lists against an independent oracle written as a rank table.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RecordStatus } from "../../../src/record/schema.js";
import { itemStatus, STATUS_LABEL, stepRecordStatus } from "../../../src/record/status.js";

const SEED = Number(process.env["SEED"] ?? Date.now() % 1_000_000);
const STATUSES: RecordStatus[] = ["passed", "failed", "overridden", "skipped", "not-applicable", "pending"];

/** The documented order: failed > pending > overridden > skipped > n/a > passed (optional failures/skips don't count). */
function oracle(steps: { status: RecordStatus; optional: boolean }[]): RecordStatus {
  const counted = steps.map((s) =>
    s.optional && (s.status === "failed" || s.status === "skipped") ? "passed" : s.status,
  );
  const rank: RecordStatus[] = ["failed", "pending", "overridden", "skipped"];
  for (const status of rank) if (counted.includes(status)) return status;
  return counted.length > 0 && counted.every((s) => s === "not-applicable") ? "not-applicable" : "passed";
}

describe("item status precedence", () => {
  const pairs = STATUSES.flatMap((a) =>
    STATUSES.flatMap((b) => [false, true].map((optionalB) => [a, b, optionalB] as const)),
  );
  it.each(pairs)("%s + %s (second optional: %s)", (a, b, optionalB) => {
    const steps = [
      { status: a, optional: false },
      { status: b, optional: optionalB },
    ];
    expect(itemStatus(steps)).toBe(oracle(steps));
    expect(itemStatus([...steps].reverse())).toBe(oracle(steps));
  });

  it("the exact table for a required step beside each other status", () => {
    const beside = (a: RecordStatus, b: RecordStatus) =>
      itemStatus([
        { status: a, optional: false },
        { status: b, optional: false },
      ]);
    expect(beside("skipped", "overridden")).toBe("overridden");
    expect(beside("overridden", "pending")).toBe("pending");
    expect(beside("pending", "failed")).toBe("failed");
    expect(beside("not-applicable", "skipped")).toBe("skipped");
    expect(beside("not-applicable", "passed")).toBe("passed");
    expect(beside("not-applicable", "not-applicable")).toBe("not-applicable");
  });

  it(`random step lists follow the same order (SEED=${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ status: fc.constantFrom(...STATUSES), optional: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        (steps) => {
          expect(itemStatus(steps)).toBe(oracle(steps));
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("every status has a distinct, non-empty label for the reports", () => {
    const labels = STATUSES.map((s) => STATUS_LABEL[s]);
    expect(labels).toEqual(["passed", "FAILED", "overridden", "skipped", "n/a", "pending"]);
  });
});

describe("a dry run's described steps", () => {
  const step = (status: RecordStatus, optional = false) => ({ status, optional });
  it("make an item described, after failures and pending steps and before everything else", () => {
    expect(itemStatus([step("described")])).toBe("described");
    expect(itemStatus([step("passed"), step("described")])).toBe("described");
    expect(itemStatus([step("described"), step("passed")])).toBe("described");
    expect(itemStatus([step("overridden"), step("described")])).toBe("described");
    expect(itemStatus([step("described"), step("skipped")])).toBe("described");
    expect(itemStatus([step("not-applicable"), step("described")])).toBe("described");
    expect(itemStatus([step("described"), step("pending")])).toBe("pending");
    expect(itemStatus([step("described"), step("failed")])).toBe("failed");
    expect(itemStatus([step("described"), step("failed", true)])).toBe("described");
  });

  it("keep their status in the record", () => {
    for (const status of [
      "passed",
      "failed",
      "overridden",
      "skipped",
      "not-applicable",
      "described",
    ] as const) {
      expect(stepRecordStatus({ key: "a/b", status, attempts: 1 })).toBe(status);
    }
    for (const status of ["pending", "running", "interrupted"] as const) {
      expect(stepRecordStatus({ key: "a/b", status, attempts: 1 })).toBe("pending");
    }
    expect(stepRecordStatus(undefined)).toBe("pending");
    expect(STATUS_LABEL.described).toBe("described (dry run)");
  });
});
