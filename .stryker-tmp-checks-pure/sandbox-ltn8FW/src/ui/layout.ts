// @ts-nocheck
// Laying text out by the terminal's real width: word wrap with a hanging indent, and commands broken
// between arguments with a trailing backslash, so a wrapped command still pastes as one command.
import stringWidth from "string-width";
import wrapAnsi from "wrap-ansi";

/** The width to lay out for: a TTY's columns, else undefined (no wrapping: logs and pipes keep lines whole). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }): number | undefined {
  return stream.isTTY && stream.columns ? Math.max(20, stream.columns) : undefined;
}

/**
 * `text` wrapped at word boundaries to `width` columns (minus one: writing into the last column makes
 * some terminals wrap early); lines after the first are indented by `indent` spaces. A single word
 * longer than a line is the only thing ever cut.
 */
export function wrapText(text: string, width: number | undefined, indent = 0): string {
  if (!width) return text;
  const max = width - 1;
  if (stringWidth(text) <= max) return text;
  const first = wrapAnsi(text, max, { hard: true, trim: false, wordWrap: true }).split("\n");
  if (first.length === 1) return first[0]!;
  const head = first[0]!.trimEnd();
  // Untrimmed rows end with the space they broke at (or break inside a too-long word): join as is.
  const restText = first.slice(1).join("").replace(/^\s+/, "");
  const rest = wrapAnsi(restText, Math.max(10, max - indent), { hard: true, trim: true })
    .split("\n")
    .map((l) => " ".repeat(indent) + l);
  return [head, ...rest].join("\n");
}

/**
 * A shell command as printed for pasting: `prefix` + the words, on one line when it fits, else broken
 * between words with ` \` and the next line indented by four more spaces (bash joins them back).
 */
export function formatCommand(words: readonly string[], width: number | undefined, prefix = "  "): string {
  const one = prefix + words.join(" ");
  if (!width || stringWidth(one) <= width - 1) return one;
  const max = width - 1;
  const cont = `${prefix}    `;
  const lines: string[] = [];
  let line = prefix;
  for (const word of words) {
    const start = line === prefix || line === cont;
    const candidate = start ? line + word : `${line} ${word}`;
    // Room for the " \" that ends a broken line.
    if (!start && stringWidth(candidate) + 2 > max) {
      lines.push(`${line} \\`);
      line = cont + word;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

/** The words of a command line as printed (shell-quoted words keep their spaces). */
export function commandWords(line: string): string[] {
  return line.trim().match(/(?:[^\s']+|'[^']*')+/g) ?? [];
}

/** An indented line that is a command to type (`  deploycheck ...`): laid out by formatCommand. */
export function isCommandLine(line: string): boolean {
  return /^ {2,}(?:deploycheck|cd|export) /.test(line);
}
