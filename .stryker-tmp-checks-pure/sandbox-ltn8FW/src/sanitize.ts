// @ts-nocheck
// Text from outside (command output, HTTP bodies, checklist text, records) made safe to show: terminal escape
// sequences (CSI, OSC, DCS and the other string controls, 8-bit C1) are removed, so output cannot move the
// cursor, clear lines, set the window title or plant hyperlinks; other control characters and bidi overrides are
// shown visibly (^G, <U+202E>). Colour is added by deploycheck itself after this, never taken from the text.
// Pure. Applied once, at the display edge: the terminal output, prompts, status, errors and Markdown reports.

// ESC [ ... final  |  ESC ] ... (BEL | ESC \ | end)  |  ESC P/X/^/_ ... (ESC \ | end)  |  ESC + one more char,
// and the 8-bit forms: CSI (0x9B) ... final, OSC (0x9D) / DCS (0x90) / SOS (0x98) / PM (0x9E) / APC (0x9F) ... ST.
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g;

// C0 controls but \t and \n, DEL, C1 controls, and the bidirectional formatting characters.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/** Text for the terminal, keeping its line breaks and tabs. A carriage return starts a new line. */
export function sanitizeText(text: string): string {
  return text.replace(ESCAPES, "").replace(/\r\n?/g, "\n").replace(CONTROLS, visible);
}

/** Text that must stay on one line (a title, a label, a name): line breaks and tabs become spaces. */
export function sanitizeLine(text: string): string {
  return sanitizeText(text)
    .replace(/\s*\n\s*/g, " ")
    .replace(/\t/g, " ")
    .trim();
}

/** True when the text holds anything sanitizeText would change. */
export function needsSanitizing(text: string): boolean {
  return sanitizeText(text) !== text;
}
