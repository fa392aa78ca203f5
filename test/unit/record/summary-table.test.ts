// The end-of-run table and totals line on hand-made summaries: exact text at each width, the edges of the
// column arithmetic (minimums, the 60-column title cap, wide numbers), the "(optional)" suffix and wrapping.
import { describe, expect, it } from "vitest";
import type { RecordStatus, SummaryCounts } from "../../../src/record/schema.js";
import { countItems } from "../../../src/record/status.js";
import {
  type RunSummary,
  renderSummaryTable,
  type SummaryItem,
  summaryLine,
} from "../../../src/record/summary.js";

const zero: SummaryCounts = {
  total: 0,
  passed: 0,
  failed: 0,
  overridden: 0,
  skipped: 0,
  notApplicable: 0,
  described: 0,
  pending: 0,
  requiredFailures: 0,
};

function summaryOf(items: SummaryItem[]): RunSummary {
  return {
    counts: countItems(items),
    items,
    failedItems: items.filter((i) => i.status === "failed"),
    overriddenItems: items.filter((i) => i.status === "overridden"),
    requiredFailures: items.filter((i) => i.status === "failed" && i.required),
  };
}

let n = 0;
function item(title: string, status: RecordStatus, more: Partial<SummaryItem> = {}): SummaryItem {
  n += 1;
  return { number: n, id: `i${n}`, title, section: "Checks", status, required: true, ...more };
}

describe("summaryLine", () => {
  it("lists the non-zero counts in a fixed order", () => {
    expect(
      summaryLine({
        total: 28,
        passed: 1,
        failed: 2,
        overridden: 3,
        skipped: 4,
        notApplicable: 5,
        described: 6,
        pending: 7,
        requiredFailures: 2,
      }),
    ).toBe("28 items: 1 passed, 2 failed, 3 overridden, 4 skipped, 5 n/a, 6 described (dry run), 7 pending");
  });

  it("says one item in the singular, and none when nothing counted", () => {
    expect(summaryLine({ ...zero, total: 1, pending: 1 })).toBe("1 item: 1 pending");
    expect(summaryLine({ ...zero, total: 1, described: 1 })).toBe("1 item: 1 described (dry run)");
    expect(summaryLine(zero)).toBe("0 items: none");
    expect(summaryLine({ ...zero, total: 2, failed: 1, notApplicable: 1 })).toBe("2 items: 1 failed, 1 n/a");
  });
});

describe("renderSummaryTable", () => {
  it("pads to the widest number, title and status, with a heading row per section", () => {
    n = 0;
    const items = [
      item("Backup", "passed", { section: "Before" }),
      ...Array.from({ length: 8 }, (_, i) => item(`Check ${i + 2}`, "passed", { section: "Before" })),
      item("Smoke", "described", { section: "After", required: false }),
      item("Optionally page", "failed", { section: "After", required: false }),
      item("Rollback (optional step)", "pending", { section: "After", required: false }),
    ];
    expect(renderSummaryTable(summaryOf(items))).toBe(
      [
        " #  Item                        Status",
        "--  --------------------------  ------",
        "    Before:",
        " 1  Backup                      passed",
        " 2  Check 2                     passed",
        " 3  Check 3                     passed",
        " 4  Check 4                     passed",
        " 5  Check 5                     passed",
        " 6  Check 6                     passed",
        " 7  Check 7                     passed",
        " 8  Check 8                     passed",
        " 9  Check 9                     passed",
        "    After:",
        "10  Smoke (optional)            described (dry run)",
        "11  Optionally page (optional)  FAILED",
        "12  Rollback (optional step)    pending",
        "",
        "12 items: 9 passed, 1 failed, 1 described (dry run), 1 pending",
        "",
      ].join("\n"),
    );
  });

  it("keeps the header's minimum widths for short titles and names each required failure", () => {
    n = 0;
    const items = [item("A", "failed"), item("B", "failed"), item("C", "failed", { required: false })];
    expect(renderSummaryTable(summaryOf(items))).toBe(
      [
        "#  Item          Status",
        "-  ------------  ------",
        "   Checks:",
        "1  A             FAILED",
        "2  B             FAILED",
        "3  C (optional)  FAILED",
        "",
        "3 items: 3 failed",
        "Required items failed: 1. A, 2. B",
        "",
      ].join("\n"),
    );
    expect(renderSummaryTable(summaryOf([]))).toBe(
      ["#  Item  Status", "-  ----  ------", "", "0 items: none", ""].join("\n"),
    );
    n = 0;
    expect(renderSummaryTable(summaryOf([item("xy", "passed")]))).toBe(
      [
        "#  Item  Status",
        "-  ----  ------",
        "   Checks:",
        "1  xy    passed",
        "",
        "1 item: 1 passed",
        "",
      ].join("\n"),
    );
  });

  it("gives titles what a terminal's width leaves, at least 12 and at most 60 columns", () => {
    n = 0;
    const long = "Verify the backup archive restores into a scratch database and row counts match production";
    const items = [item(long, "overridden")];
    // 40 columns: 40 - 1 - 1 (number) - 2 - 2 - 10 (overridden) = 24 for the title.
    expect(renderSummaryTable(summaryOf(items), { width: 40 }).split("\n").slice(0, 2)).toEqual([
      "#  Item                      Status",
      "-  ------------------------  ------",
    ]);
    const row = (width: number) => renderSummaryTable(summaryOf(items), { width }).split("\n")[3]!;
    expect(row(40)).toBe(`1  ${long.slice(0, 23)}…  overridden`);
    expect(row(41)).toBe(`1  ${long.slice(0, 24)}…  overridden`);
    expect(row(10)).toBe(`1  ${long.slice(0, 11)}…  overridden`);
    expect(row(28)).toBe(`1  ${long.slice(0, 11)}…  overridden`);
    expect(row(29)).toBe(`1  ${long.slice(0, 12)}…  overridden`);
    expect(row(200)).toBe(`1  ${long.slice(0, 59)}…  overridden`);
    expect(renderSummaryTable(summaryOf(items)).split("\n")[3]).toBe(`1  ${long.slice(0, 59)}…  overridden`);
    // A title of exactly the column's width is not cut.
    n = 0;
    const exact = "x".repeat(24);
    expect(renderSummaryTable(summaryOf([item(exact, "overridden")]), { width: 40 }).split("\n")[3]).toBe(
      `1  ${exact}  overridden`,
    );
  });

  it("cuts a long section title to the table's width", () => {
    n = 0;
    const section = "S".repeat(80);
    const text = renderSummaryTable(summaryOf([item("Backup", "passed", { section })]));
    // title column 6 + status column 6
    expect(text.split("\n")[2]).toBe(`   ${"S".repeat(11)}…:`);
  });

  it("wraps the totals line at spaces to fit the width, later rows indented", () => {
    n = 0;
    const statuses: RecordStatus[] = [
      "passed",
      "failed",
      "overridden",
      "skipped",
      "not-applicable",
      "pending",
    ];
    const items = statuses.map((s) => item("T", s, { required: false }));
    const line = "6 items: 1 passed, 1 failed, 1 overridden, 1 skipped, 1 n/a, 1 pending";
    const totals = (width?: number) => {
      const rows = renderSummaryTable(summaryOf(items), width ? { width } : {}).split("\n");
      return rows.slice(rows.indexOf("") + 1, -1);
    };
    expect(totals()).toEqual([line]);
    expect(totals(line.length + 1)).toEqual([line]);
    expect(totals(line.length)).toEqual([
      "6 items: 1 passed, 1 failed, 1 overridden, 1 skipped, 1 n/a, 1",
      "  pending",
    ]);
    expect(totals(30)).toEqual([
      "6 items: 1 passed, 1 failed,",
      "  1 overridden, 1 skipped, 1",
      "  n/a, 1 pending",
    ]);
    // A row may fill width - 1 columns exactly.
    expect(totals(29)).toEqual([
      "6 items: 1 passed, 1 failed,",
      "  1 overridden, 1 skipped, 1",
      "  n/a, 1 pending",
    ]);
    expect(totals(28)[0]).toBe("6 items: 1 passed, 1");
    for (const width of [20, 30, 45, 60])
      for (const row of totals(width)) expect(row.length).toBeLessThan(width);
  });
});
