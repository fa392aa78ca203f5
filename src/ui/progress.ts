// The terminal Output: headings, `[7/23]` item headers, a spinner line with elapsed time and the
// step's live message (TTY), step results with durations, failure tails. Plain lines when not a TTY.
// Every text handed in is sanitized here (escape sequences removed, controls shown) before colour is added.
import { stripVTControlCharacters } from "node:util";
import type { Output, ResultMark, StepProgress } from "../engine/ports.js";
import { sanitizeLine, sanitizeText } from "../sanitize.js";
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
  };

  return {
    info: (text) => {
      clearActive();
      println(sanitizeText(text));
    },
    warn: (text) => {
      clearActive();
      println(`${theme.warn} ${c.yellow(sanitizeText(text))}`);
    },
    section: (title) => {
      clearActive();
      println();
      println(c.bold.underline(sanitizeLine(title)));
    },
    item: (number, total, title) => {
      clearActive();
      println();
      println(`${c.cyan(`[${number}/${total}]`)} ${c.bold(sanitizeLine(title))}`);
    },
    help: (text) => {
      clearActive();
      for (const line of sanitizeText(text).trimEnd().split("\n")) println(c.dim(`    ${line}`));
    },
    stepStart(rawLabel): StepProgress {
      const label = sanitizeLine(rawLabel);
      const started = now();
      let message = "";
      let frame = 0;
      let stopped = false;
      let suspended = false;
      let lastPlain = started;
      const columns = () => ("columns" in stream && stream.columns ? stream.columns : 100);
      const render = () => {
        if (stopped || suspended || !live) return;
        const elapsed = c.dim(formatDuration(now() - started));
        const spin = c.cyan(theme.spinner[frame++ % theme.spinner.length]);
        const raw = `  ${spin} ${label} ${elapsed}${message ? c.dim(`  ${message}`) : ""}`;
        // Keep to one row: a wrapped line cannot be rewritten in place.
        const max = columns() - 1;
        write(`\r\x1b[2K${truncateVisible(raw, max)}`);
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
          if (!live && now() - lastPlain >= PLAIN_PROGRESS_EVERY_MS) {
            lastPlain = now();
            println(c.dim(`    ${label}: ${message}`));
          }
        },
        fraction(done, text) {
          const width = 20;
          const filled = Math.max(0, Math.min(width, Math.round(done * width)));
          this.message(`${"█".repeat(filled)}${"░".repeat(width - filled)} ${text}`);
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
      const width = "columns" in stream && stream.columns ? stream.columns : 0;
      if (live && width && result && stripVTControlCharacters(oneLine).length > width) {
        println(parts.join(" "));
        println(`    ${result}`);
      } else {
        println(oneLine);
      }
    },
    failureTail(text) {
      clearActive();
      for (const line of sanitizeText(text).trimEnd().split("\n")) println(c.red(`    │ ${line}`));
    },
    block(text) {
      clearActive();
      println(sanitizeText(text).trimEnd());
    },
    line(text = "") {
      clearActive();
      println(sanitizeText(text));
    },
  };
}

/** Cut a string with ANSI colours to `max` visible characters. */
function truncateVisible(text: string, max: number): string {
  let visible = 0;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\x1b") {
      const end = text.indexOf("m", i);
      if (end !== -1) {
        out += text.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= max) break;
    out += text[i];
    visible++;
  }
  return `${out}\x1b[0m`;
}
