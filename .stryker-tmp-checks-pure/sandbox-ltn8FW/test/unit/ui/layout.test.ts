// @ts-nocheck
// Layout by the terminal's width: word wrap with a hanging indent, commands broken between arguments,
// the live line keeping its counters at 40, 60, 80 and 160 columns, the summary table fitting.
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { fold } from "../../../src/engine/state.js";
import { renderSummaryTable, summarize } from "../../../src/record/summary.js";
import { commandWords, formatCommand, wrapText } from "../../../src/ui/layout.js";
import { createTerminalOutput, liveLine } from "../../../src/ui/progress.js";
import { createTheme } from "../../../src/ui/theme.js";
import { sampleChecklist, sampleEvents } from "../record/builders.js";

const WIDTHS = [40, 60, 80, 160];
const c = createTheme({ color: false }).c;
const TITLE =
  "Monitor deployment progress: kubectl rollout status deployment/buywhere-api -n staging --timeout=300s";

describe("wrapText", () => {
  it.each(WIDTHS)("wraps at word boundaries within %i columns, later lines indented", (width) => {
    const text = wrapText(`[6/23] ${TITLE}`, width, 7);
    const lines = text.split("\n");
    for (const line of lines) expect(stringWidth(line)).toBeLessThan(width);
    for (const line of lines.slice(1)) expect(line.startsWith("       ")).toBe(true);
    // Nothing lost, nothing cut inside a word.
    expect(lines.map((l) => l.trim()).join(" ")).toBe(`[6/23] ${TITLE}`);
  });
  it("leaves text alone without a width (pipes and logs keep whole lines)", () => {
    expect(wrapText(TITLE, undefined, 4)).toBe(TITLE);
  });
});

describe("formatCommand", () => {
  const words = commandWords(
    "deploycheck demo --workspace '/tmp/my demo' --watch 6s --var gateInterval=100ms --resume",
  );
  it("keeps quoted words whole", () => {
    expect(words).toContain("'/tmp/my demo'");
  });
  it.each(WIDTHS)(
    "fits %i columns, broken between words with a backslash, pasting back to the same words",
    (width) => {
      const text = formatCommand(words, width);
      for (const line of text.split("\n")) expect(stringWidth(line)).toBeLessThan(width);
      expect(text.replace(/ \\\n\s+/g, " ").trim()).toBe(words.join(" "));
    },
  );
});

describe("the live line", () => {
  it.each(WIDTHS)("at %i columns keeps the time, the round count and the time left", (width) => {
    const line = liveLine(
      "⠋",
      "Continue monitoring for 30+ minutes post-deployment",
      "12.3s",
      "round 2/4, 20s left",
      0.5,
      width,
      c,
    );
    expect(stringWidth(line)).toBeLessThan(width);
    expect(line).toContain("12.3s");
    expect(line).toContain("round 2/4, 20s left");
    if (width >= 80) expect(line).toContain("Continue monitoring");
    if (width >= 160) expect(line).toContain("Continue monitoring for 30+ minutes post-deployment");
    if (width >= 60) expect(line).toMatch(/█+░+ round/);
  });
  it("draws the line by the stream's width, re-read at each frame", () => {
    const chunks: string[] = [];
    const stream = { write: (t: string) => chunks.push(t) > 0, isTTY: true, columns: 60 };
    const out = createTerminalOutput({
      stream,
      theme: createTheme({ color: false }),
      live: true,
      now: () => 0,
    });
    const p = out.stepStart("Continue monitoring for 30+ minutes post-deployment");
    p.fraction?.(0.25, "round 1/4, 25s left");
    stream.columns = 40;
    p.resume();
    p.stop();
    const frames = chunks.filter((t) => t.includes("round 1/4"));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(stringWidth(f.replace("\r\x1b[2K", ""))).toBeLessThan(60);
    expect(stringWidth(frames.at(-1)!.replace("\r\x1b[2K", ""))).toBeLessThan(40);
  });
});

describe("item headings and results on a narrow terminal", () => {
  it.each(WIDTHS)("at %i columns no row is wider than the terminal", (width) => {
    const chunks: string[] = [];
    const out = createTerminalOutput({
      stream: { write: (t: string) => chunks.push(t) > 0, isTTY: true, columns: width },
      theme: createTheme({ color: false }),
      live: true,
      now: () => 0,
    });
    out.item(6, 23, "Deployment Execution and a very long title that goes on for a while");
    out.stepResult(TITLE, "passed", 'deployment "buywhere-api" successfully rolled out', 1234);
    out.stepResult("All checks must pass before proceeding", "noted", "", undefined);
    for (const row of chunks.join("").split("\n")) expect(stringWidth(row)).toBeLessThan(width);
    expect(chunks.join("")).toContain("ℹ All checks must pass");
    expect(chunks.join("")).not.toContain("✔ All checks");
  });
});

describe("the summary table", () => {
  it.each(WIDTHS)("fits %i columns with every status on its row", (width) => {
    const text = renderSummaryTable(summarize(fold(sampleEvents()), sampleChecklist()), { width });
    for (const row of text.split("\n")) {
      if (row.startsWith("Required items failed")) continue;
      expect(stringWidth(row), row).toBeLessThan(Math.max(width, 40));
    }
  });
  it('says "(optional)" once when the title already says so', () => {
    const checklist = sampleChecklist();
    const item = checklist.sections[0]!.items[0]!;
    item.title = "Rollback Testing (Optional but Recommended)";
    item.optional = true;
    const text = renderSummaryTable(summarize(fold(sampleEvents()), checklist));
    expect(text).toContain("Rollback Testing (Optional but Recommended)");
    expect(text).not.toContain("(Optional but Recommended) (optional)");
  });
});
