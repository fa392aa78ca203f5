// @ts-nocheck
// The terminal Output: headings, `[7/23]` item headers, a spinner line with elapsed time and the
// step's live message (TTY), step results with durations, failure tails. Plain lines when not a TTY.
// On a terminal everything is laid out by its real width (read at each write, so a resize applies):
// text wraps at word boundaries with a hanging indent, and the live line keeps its counters and times
// whole, shortening the step's title instead.
// Every text handed in is sanitized here (escape sequences removed, controls shown) before colour is added.
import cliTruncate from "cli-truncate";
import stringWidth from "string-width";
import type { Output, ResultMark, StepProgress } from "../engine/ports.js";
import { sanitizeLine, sanitizeText } from "../sanitize.js";
import { commandWords, formatCommand, isCommandLine, wrapText } from "./layout.js";
import { formatDuration, type Theme } from "./theme.js";

export interface TerminalOutputOptions {
  stream: NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean; columns?: number };
  theme: Theme;
  /** Spinner and in-place updates (a TTY); else plain lines. */
  live: boolean;
  now?: () => number;
}

const FRAME_MS = 100;
/** Without a TTY, progress messages are printed at most this often so logs stay readable. */
const PLAIN_PROGRESS_EVERY_MS = 10_000;

export function createTerminalOutput(options: TerminalOutputOptions): Output {
  const { stream, theme, live } = options;
  const { c } = theme;
  const now = options.now ?? Date.now;
  const write = (text: string) => stream.write(text);
  const println = (text = "") => write(`${text}\n`);
  /** The terminal's width when laying out for one, else undefined (plain lines, never cut). */
  const width = (): number | undefined =>
    live && "columns" in stream && stream.columns ? Math.max(20, stream.columns) : undefined;
  /** `first` then `text`, wrapped at the width with the next lines indented by `indent` spaces. */
  const wrapped = (text: string, indent: number, first = ""): string =>
    wrapText(first + text, width(), indent);
  let active: { clear(): void } | undefined;
  const clearActive = () => active?.clear();

  const marks: Record<ResultMark, string> = {
    passed: theme.ok,
    failed: theme.fail,
    overridden: theme.override,
    skipped: theme.skip,
    "not-applicable": theme.na,
    described: theme.na,
    interrupted: theme.interrupted,
    noted: theme.info,
  };

  return {
    info: (text) => {
      clearActive();
      for (const line of sanitizeText(text).split("\n")) {
        if (isCommandLine(line)) {
          const indent = line.length - line.trimStart().length;
          println(formatCommand(commandWords(line), width(), " ".repeat(indent)));
        } else println(wrapped(line, 2));
      }
    },
    warn: (text) => {
      clearActive();
      println(wrapped(c.yellow(sanitizeText(text)), 2, `${theme.warn} `));
    },
    section: (title) => {
      clearActive();
      println();
      println(c.bold.underline(wrapped(sanitizeLine(title), 0)));
    },
    item: (number, total, title) => {
      clearActive();
      println();
      const counter = `[${number}/${total}]`;
      println(wrapped(c.bold(sanitizeLine(title)), counter.length + 1, `${c.cyan(counter)} `));
    },
    help: (text) => {
      clearActive();
      for (const line of sanitizeText(text).trimEnd().split("\n")) println(c.dim(wrapped(line, 4, "    ")));
    },
    stepStart(rawLabel): StepProgress {
      const label = sanitizeLine(rawLabel);
      const started = now();
      let message = "";
      let bar: number | undefined;
      let frame = 0;
      let stopped = false;
      let suspended = false;
      let lastPlain = started;
      const render = () => {
        if (stopped || suspended || !live) return;
        const spin = c.cyan(theme.spinner[frame++ % theme.spinner.length]);
        write(
          `\r\x1b[2K${liveLine(spin, label, formatDuration(now() - started), message, bar, width() ?? 100, c)}`,
        );
      };
      const clear = () => {
        if (live) write("\r\x1b[2K");
      };
      const timer = live ? setInterval(render, FRAME_MS) : undefined;
      timer?.unref?.();
      const handle = { clear };
      active = handle;
      render();
      return {
        message(text) {
          message = sanitizeLine(text.split("\n")[0] ?? "");
          bar = undefined;
          if (!live && now() - lastPlain >= PLAIN_PROGRESS_EVERY_MS) {
            lastPlain = now();
            println(c.dim(`    ${label}: ${message}`));
          }
        },
        fraction(done, text) {
          if (!live) {
            const filled = Math.max(0, Math.min(BAR_MAX, Math.round(done * BAR_MAX)));
            this.message(`${"█".repeat(filled)}${"░".repeat(BAR_MAX - filled)} ${text}`);
            return;
          }
          message = sanitizeLine(text.split("\n")[0] ?? "");
          bar = Math.max(0, Math.min(1, done));
        },
        suspend() {
          suspended = true;
          clear();
        },
        resume() {
          suspended = false;
          render();
        },
        stop() {
          if (stopped) return;
          stopped = true;
          if (timer) clearInterval(timer);
          clear();
          if (active === handle) active = undefined;
        },
      };
    },
    stepResult(rawLabel, mark, rawSummary, durationMs, flags = {}) {
      const label = sanitizeLine(rawLabel);
      const summary = rawSummary === undefined ? undefined : sanitizeLine(rawSummary);
      clearActive();
      const m = mark === "failed" && flags.optional ? theme.warn : marks[mark];
      const parts = [`  ${m} ${label}`];
      if (flags.optional && mark === "failed") parts.push(c.yellow("(optional)"));
      if (flags.dryRun) parts.push(c.magenta("(dry run)"));
      if (durationMs !== undefined) parts.push(c.dim(`(${formatDuration(durationMs)})`));
      const result = summary ? c.dim(`— ${summary}`) : "";
      const oneLine = result ? [parts[0], result, ...parts.slice(1)].join(" ") : parts.join(" ");
      // On a terminal, a result that would wrap goes on its own indented line, so the eye finds the
      // marks in one column; piped output keeps one line per step for grep.
      const w = width();
      if (w && stringWidth(oneLine) > w - 1) {
        // The flags stay with the title's last word (a no-break space while wrapping).
        const head =
          parts[0] +
          parts
            .slice(1)
            .map((p) => `\u00a0${p}`)
            .join("");
        println(wrapped(head, 4).replaceAll("\u00a0", " "));
        if (result) println(wrapped(result, 6, "    "));
      } else {
        println(oneLine);
      }
    },
    failureTail(text) {
      clearActive();
      const w = width();
      for (const line of sanitizeText(text).trimEnd().split("\n")) {
        // Output lines are cut, not wrapped: a wrapped log line reads as two.
        println(c.red(w ? cliTruncate(`    │ ${line}`, w - 1) : `    │ ${line}`));
      }
    },
    block(text) {
      clearActive();
      println(sanitizeText(text).trimEnd());
    },
    width,
    line(text = "") {
      clearActive();
      println(sanitizeText(text));
    },
  };
}

const BAR_MAX = 20;

/**
 * The live line in `columns` columns: `  ⠋ title 12.3s  ███░░ round 2/4, 20s left`. The time and the
 * message (the counters) stay whole; the title gives way first, then the bar, then the message's end.
 */
export function liveLine(
  spin: string,
  label: string,
  elapsed: string,
  message: string,
  bar: number | undefined,
  columns: number,
  c: Theme["c"],
): string {
  const max = columns - 1;
  const fixed = 4 + 1 + stringWidth(elapsed); // "  ⠋ " + " " + time
  const msgWidth = message ? 2 + stringWidth(message) : 0;
  const MIN_LABEL = 12;
  // The bar shrinks to what is left once title (at least MIN_LABEL), time and message have their room.
  let barWidth = 0;
  if (bar !== undefined) {
    const room = max - fixed - msgWidth - Math.min(stringWidth(label), MIN_LABEL) - 3;
    barWidth = Math.max(0, Math.min(BAR_MAX, room));
    if (barWidth < 5) barWidth = 0;
  }
  const barText =
    barWidth > 0
      ? (() => {
          const filled = Math.round(bar! * barWidth);
          return `${"█".repeat(filled)}${"░".repeat(barWidth - filled)}`;
        })()
      : "";
  const tail = [barText, message].filter(Boolean).join(" ");
  const tailWidth = tail ? 2 + stringWidth(tail) : 0;
  const labelRoom = max - fixed - tailWidth;
  if (labelRoom >= Math.min(stringWidth(label), MIN_LABEL)) {
    const shown = cliTruncate(label, Math.max(1, labelRoom));
    return `  ${spin} ${shown} ${c.dim(elapsed)}${tail ? c.dim(`  ${tail}`) : ""}`;
  }
  // Narrow: the counters first; the title keeps what is left (at least a few characters).
  if (labelRoom >= Math.min(stringWidth(label), 6)) {
    const short = cliTruncate(label, labelRoom);
    return `  ${spin} ${short} ${c.dim(elapsed)}${tail ? c.dim(`  ${tail}`) : ""}`;
  }
  const shown = cliTruncate(label, Math.min(stringWidth(label), 6));
  const rest = max - 4 - stringWidth(shown) - 1 - stringWidth(elapsed) - 2;
  const cut = tail && rest > 3 ? c.dim(`  ${cliTruncate(tail, rest)}`) : "";
  return cliTruncate(`  ${spin} ${shown} ${c.dim(elapsed)}${cut}`, max);
}
