// @ts-nocheck
import { describe, expect, it } from "vitest";
import { fold } from "../../../src/engine/state.js";
import { itemStatus } from "../../../src/record/status.js";
import { renderSummaryTable, summarize } from "../../../src/record/summary.js";
import { sampleChecklist, sampleEvents } from "./builders.js";

describe("itemStatus", () => {
  const s = (status: Parameters<typeof itemStatus>[0][number]["status"], optional = false) => ({
    status,
    optional,
  });
  it("is failed when a required step failed, even if others are pending", () => {
    expect(itemStatus([s("passed"), s("failed"), s("pending")])).toBe("failed");
  });
  it("ignores an optional step's failure", () => {
    expect(itemStatus([s("passed"), s("failed", true)])).toBe("passed");
  });
  it("is pending while a step has no result", () => {
    expect(itemStatus([s("passed"), s("pending")])).toBe("pending");
  });
  it("is overridden when a step was overridden and none failed", () => {
    expect(itemStatus([s("overridden"), s("passed")])).toBe("overridden");
  });
  it("is skipped when a required step was skipped", () => {
    expect(itemStatus([s("skipped"), s("passed")])).toBe("skipped");
    expect(itemStatus([s("skipped", true), s("passed")])).toBe("passed");
  });
  it("is not-applicable only when every step is", () => {
    expect(itemStatus([s("not-applicable"), s("not-applicable")])).toBe("not-applicable");
    expect(itemStatus([s("not-applicable"), s("passed")])).toBe("passed");
  });
});

describe("summarize", () => {
  it("derives every item's status and the counts from the journal", () => {
    const summary = summarize(fold(sampleEvents()), sampleChecklist());
    expect(summary.items.map((i) => [i.number, i.id, i.status])).toEqual([
      [1, "backup", "passed"],
      [2, "rollback-state", "overridden"],
      [3, "health-baseline", "passed"],
      [4, "staging-verification", "skipped"],
      [5, "ecs-fallback", "not-applicable"],
      [6, "notify", "passed"],
    ]);
    expect(summary.counts).toEqual({
      total: 6,
      passed: 3,
      failed: 0,
      overridden: 1,
      skipped: 1,
      notApplicable: 1,
      described: 0,
      pending: 0,
      requiredFailures: 0,
    });
    expect(summary.overriddenItems.map((i) => i.id)).toEqual(["rollback-state"]);
    expect(summary.items[0]?.section).toBe("Pre-Deployment Requirements");
    expect(summary.items[4]?.required).toBe(false);
  });

  it("reports required failures and pending items of an unfinished run", () => {
    const events = sampleEvents({ unfinished: true });
    // Make the overridden step a plain failure: drop the override event.
    const withoutOverride = events.filter((e) => e.type !== "step-overridden");
    const summary = summarize(fold(withoutOverride), sampleChecklist());
    expect(summary.requiredFailures.map((i) => i.id)).toEqual(["rollback-state"]);
    expect(summary.failedItems.map((i) => i.id)).toEqual(["rollback-state"]);
    expect(summary.counts.pending).toBe(3);
    expect(summary.counts.requiredFailures).toBe(1);
  });
});

describe("renderSummaryTable", () => {
  it("prints one aligned row per item under its section, and a totals line", () => {
    const text = renderSummaryTable(summarize(fold(sampleEvents()), sampleChecklist()));
    expect(text).toBe(
      [
        "#  Item                                Status",
        "-  ----------------------------------  ------",
        "   Pre-Deployment Requirements:",
        "1  Pre-Deployment Backup               passed",
        "2  Rollback State Capture              overridden",
        "3  Health Check Baseline               passed",
        "   Deployment Process:",
        "4  Staging-Specific Verification       skipped",
        "5  ECS Fallback (optional)             n/a",
        "6  Deployment Completion Notification  passed",
        "",
        "6 items: 3 passed, 1 overridden, 1 skipped, 1 n/a",
        "",
      ].join("\n"),
    );
  });

  it("fits 80 columns with long titles", () => {
    const checklist = sampleChecklist();
    checklist.sections[0]!.items[0]!.title =
      "A very long item title that goes on and on about backups and more backups";
    const text = renderSummaryTable(summarize(fold(sampleEvents()), checklist));
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain("A very long item title that goes on and on about backups an…");
  });

  it("names the required failures", () => {
    const events = sampleEvents({ unfinished: true }).filter((e) => e.type !== "step-overridden");
    const text = renderSummaryTable(summarize(fold(events), sampleChecklist()));
    expect(text).toContain("FAILED");
    expect(text).toContain("Required items failed: 2. Rollback State Capture");
  });
});
