// @ts-nocheck
import { describe, expect, it } from "vitest";
import { createTerminalOutput } from "../../../src/ui/progress.js";
import { colorWanted, createTheme, formatDuration } from "../../../src/ui/theme.js";

function sink() {
  const chunks: string[] = [];
  return {
    chunks,
    stream: { write: (t: string) => chunks.push(t) > 0, isTTY: false },
    text: () => chunks.join(""),
  };
}

describe("terminal output", () => {
  it("prints plain lines without a TTY: headings, [n/total], results with durations, failure tails", () => {
    const s = sink();
    let t = 0;
    const out = createTerminalOutput({
      stream: s.stream,
      theme: createTheme({ color: false }),
      live: false,
      now: () => t,
    });
    out.section("Pre-Deployment");
    out.item(7, 23, "Deployment Validation");
    const p = out.stepStart("pods ready");
    p.message("2/3 ready");
    t = 1500;
    p.stop();
    out.stepResult("pods ready", "passed", "3/3 pods ready", 1500);
    out.stepResult("backup verify", "failed", "exit 1", 20, { optional: true });
    out.stepResult("deploy", "passed", "would run: ./deploy.sh", 0, { dryRun: true });
    out.failureTail("line 1\nerror: boom");
    const text = s.text();
    expect(text).toContain("Pre-Deployment\n");
    expect(text).toContain("[7/23] Deployment Validation\n");
    expect(text).toContain("  ✔ pods ready — 3/3 pods ready (1.5s)\n");
    expect(text).toContain("  ⚠ backup verify — exit 1 (optional) (20ms)\n");
    expect(text).toContain("(dry run)");
    expect(text).toContain("    │ error: boom\n");
    expect(text).not.toContain("\x1b");
    expect(text).not.toContain("\r");
  });

  it("puts a result that would wrap on its own indented line on a narrow terminal", () => {
    const s = sink();
    const out = createTerminalOutput({
      stream: { ...s.stream, isTTY: true, columns: 40 },
      theme: createTheme({ color: false }),
      live: true,
      now: () => 0,
    });
    out.stepResult("pods ready", "passed", "3/3 pods ready", 1500);
    out.stepResult(
      "Check current deployment revision",
      "passed",
      'deployment "buywhere-api" successfully rolled out',
      46,
    );
    const text = s.text();
    expect(text).toContain("  ✔ pods ready — 3/3 pods ready (1.5s)\n");
    expect(text).toContain(
      '  ✔ Check current deployment\n    revision (46ms)\n    — deployment "buywhere-api"\n      successfully rolled out\n',
    );
  });

  it("draws a spinner line with elapsed time and the live message on a TTY, cleared when done", () => {
    const s = sink();
    let t = 0;
    const out = createTerminalOutput({
      stream: { ...s.stream, isTTY: true },
      theme: createTheme({ color: false }),
      live: true,
      now: () => t,
    });
    const p = out.stepStart("rollout status");
    t = 2500;
    p.message("Waiting for deployment rollout: 1 of 3 updated");
    p.resume();
    p.stop();
    const text = s.text();
    expect(text).toContain("\r\x1b[2K");
    expect(text).toContain("rollout status 2.5s  Waiting for deployment rollout: 1 of 3 updated");
  });
});

describe("theme", () => {
  it("formats durations", () => {
    expect([450, 3200, 125_000, 3_720_000].map(formatDuration)).toEqual(["450ms", "3.2s", "2m05s", "1h02m"]);
  });
  it("honours NO_COLOR", () => {
    expect(colorWanted({ NO_COLOR: "1" }, true)).toBe(false);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: "1" }, false)).toBe(true);
  });
});
