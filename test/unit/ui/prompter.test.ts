// The terminal prompter shows questions, choices and defaults from checklists sanitized: an escape
// sequence in a question cannot set the window title, clear the screen or plant a hyperlink.
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTerminalPrompter } from "../../../src/ui/prompter.js";

const TITLE = "\x1b]0;owned\x07";
const CLEAR = "\x1b[2J";
const LINK = "\x1b]8;;https://evil.example\x1b\\";

function terminal() {
  const input = new PassThrough();
  let shown = "";
  const output = new Writable({
    write(chunk, _enc, done) {
      shown += chunk.toString();
      done();
    },
  });
  const prompter = createTerminalPrompter({ input, output });
  return { prompter, input, shown: () => shown };
}

const typeAfterDraw = (input: PassThrough, text: string) => setTimeout(() => input.write(text), 50);

describe("terminal prompter", () => {
  it("confirm: the question's escape sequences never reach the terminal", async () => {
    const t = terminal();
    typeAfterDraw(t.input, "y\n");
    const yes = await t.prompter.confirm(`Is ${TITLE}${CLEAR}${LINK}web up?\nDeployment ready: yes`, {
      default: false,
    });
    expect(yes).toBe(true);
    expect(t.shown()).toContain("Is web up? Deployment ready: yes");
    for (const seq of [TITLE, CLEAR, LINK, "owned", "evil.example"]) expect(t.shown()).not.toContain(seq);
  });

  it("input: the default the engineer sees is the value taken", async () => {
    const t = terminal();
    typeAfterDraw(t.input, "\n");
    const value = await t.prompter.input(`Tag ${CLEAR}`, { default: `v1${TITLE}` });
    expect(value).toBe("v1");
    expect(t.shown()).not.toContain(TITLE);
    expect(t.shown()).not.toContain(CLEAR);
  });

  it("select: choice names and descriptions are sanitized", async () => {
    const t = terminal();
    typeAfterDraw(t.input, "\n");
    const choice = await t.prompter.select(`Step ${TITLE}failed. What now?`, [
      { value: "retry", name: `Retry ${CLEAR}`, description: `output\x1b[5;5Hline\x07` },
      { value: "skip", name: "Skip" },
    ]);
    expect(choice).toBe("retry");
    expect(t.shown()).toContain("Step failed. What now?");
    expect(t.shown()).toContain("outputline^G");
    for (const seq of [TITLE, CLEAR, "\x1b[5;5H"]) expect(t.shown()).not.toContain(seq);
  });

  it("text with escape: Esc answers at once with nothing (back to the menu); typing still answers", async () => {
    const t = terminal();
    // A lone ESC is reported by readline once no more bytes follow it (its escape-code timeout).
    typeAfterDraw(t.input, "\x1b");
    expect(
      await t.prompter.text("Why skip it? (recorded; Esc: back to the menu)", {
        required: true,
        escape: true,
      }),
    ).toBe("");
    const u = terminal();
    typeAfterDraw(u.input, "flaky probe\n");
    expect(await u.prompter.text("Why skip it?", { required: true, escape: true })).toBe("flaky probe");
  });
});
