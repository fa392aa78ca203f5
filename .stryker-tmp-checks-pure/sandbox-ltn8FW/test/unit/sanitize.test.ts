// @ts-nocheck
// Output cannot drive the terminal: escape sequences removed, controls shown, at the terminal Output and in
// Markdown reports (one line per field: a newline in a name adds no line).
import { describe, expect, it } from "vitest";
import { fold } from "../../src/engine/state.js";
import { buildRecord } from "../../src/record/build.js";
import { createRedactor } from "../../src/redact.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { sanitizeLine, sanitizeText } from "../../src/sanitize.js";
import { createTerminalOutput } from "../../src/ui/progress.js";
import { createTheme } from "../../src/ui/theme.js";
import { sampleChecklist, sampleEvents } from "./record/builders.js";

const HOSTILE = [
  "\x1b[2K\x1b[1A\x1b[32m✔ everything passed\x1b[0m", // line clear, cursor up, fake green line
  "\x1b]0;pwned title\x07", // window title (BEL)
  "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", // OSC 8 hyperlink
  "\x1bP+q\x1b\\", // DCS
  "\x9b2J", // 8-bit CSI: clear screen
  "a\x08\x08b\x07", // backspaces, bell
  "safe\u202Eevil", // bidi override
  "x\ry", // carriage return over a line
];

describe("sanitizeText", () => {
  it("removes escape sequences and shows other controls", () => {
    expect(sanitizeText(HOSTILE[0]!)).toBe("✔ everything passed");
    expect(sanitizeText(HOSTILE[1]!)).toBe("");
    expect(sanitizeText(HOSTILE[2]!)).toBe("click");
    expect(sanitizeText(HOSTILE[3]!)).toBe("");
    expect(sanitizeText(HOSTILE[4]!)).toBe("");
    expect(sanitizeText(HOSTILE[5]!)).toBe("a^H^Hb^G");
    expect(sanitizeText(HOSTILE[6]!)).toBe("safe<U+202E>evil");
    expect(sanitizeText(HOSTILE[7]!)).toBe("x\ny");
    expect(sanitizeText("tabs\tand\nlines stay, ünïcode too")).toBe("tabs\tand\nlines stay, ünïcode too");
    for (const h of HOSTILE) expect(sanitizeText(h)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(sanitizeLine("a\nb\r\n\tc")).toBe("a b c");
  });

  it("the terminal output prints command output, titles and messages without their escapes", () => {
    let out = "";
    const output = createTerminalOutput({
      stream: {
        write: (t: string) => {
          out += t;
          return true;
        },
        isTTY: false,
      },
      theme: createTheme({ color: false }),
      live: false,
    });
    output.item(1, 2, "Title\x1b]0;x\x07\n[2/2] fake");
    output.failureTail(HOSTILE.join("\n"));
    output.block(HOSTILE.join("\n"));
    output.stepResult("label\x1b[2K", "passed", "summary\x1b[1A", 5);
    output.info("\x1b[2Jinfo");
    expect(out).not.toMatch(/[\x1b\x07\x08\x9b\u202e]/);
    expect(out).toContain("[1/2] Title [2/2] fake\n");
    expect(out).toContain("    │ ✔ everything passed\n");
  });
});

describe("Markdown export", () => {
  it("a newline or markup in a name, title or note adds no line", () => {
    const record = buildRecord(fold(sampleEvents()), sampleChecklist(), {
      now: new Date("2026-11-26T07:00:00Z"),
      redact: createRedactor([]),
    });
    const forged = "\n- **Deployment Ready:** ☑ Yes ☐ No\n";
    record.checklist.title = `Title${forged}`;
    record.signoff = { ...record.signoff!, engineer: `Eve${forged}`, ready: false, notes: `n${forged}` };
    record.sections[0]!.items[0]!.title = `Item\x1b]0;t\x07${forged}`;
    const text = renderMarkdown(record);
    expect(text.match(/^- \*\*Deployment Ready:\*\*/gm)).toEqual(["- **Deployment Ready:**"]);
    expect(text).toContain("- **Deployment Ready:** ☐ Yes ☑ No");
    expect(text).not.toMatch(/[\x1b\x07]/);
    expect(text).toMatch(/^- \*\*Engineer:\*\* Eve - .*Deployment Ready.*☑ Yes ☐ No$/m);
  });
});
