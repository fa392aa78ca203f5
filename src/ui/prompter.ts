// The Prompter port on a terminal through @inquirer/prompts (imported on first use: it is not needed
// by non-interactive runs). Ctrl-C inside a prompt becomes an InterruptedError, like a SIGINT.
// Questions, choices and defaults come from checklists and command output: they are shown sanitized, so
// they cannot drive the terminal, and a default is the text the engineer saw.

import { userPattern } from "../checklist/user-pattern.js";
import type { Choice, Prompter, PromptInputOptions } from "../engine/ports.js";
import { InterruptedError } from "../errors.js";
import { sanitizeLine, sanitizeText } from "../sanitize.js";

type Inquirer = typeof import("@inquirer/prompts");

function isPromptCancel(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === "ExitPromptError" || name === "AbortPromptError";
}

export interface TerminalPrompterOptions {
  /** Aborting it cancels the prompt on screen (SIGINT from another source). */
  signal?: AbortSignal;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /**
   * Wait this long before drawing each prompt: with stdout piped (`| tee log`) the prompt goes to
   * stderr, and what was just written to the pipe must reach the screen first, above the question.
   */
  settleMs?: number;
}

export function createTerminalPrompter(options: TerminalPrompterOptions = {}): Prompter {
  let inquirer: Promise<Inquirer> | undefined;
  const load = () => {
    inquirer ??= import("@inquirer/prompts");
    return inquirer;
  };
  const context = () => ({
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.input ? { input: options.input } : {}),
    ...(options.output ? { output: options.output } : {}),
  });
  async function ask<T>(fn: (q: Inquirer) => Promise<T>): Promise<T> {
    const q = await load();
    if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    try {
      return await fn(q);
    } catch (err) {
      if (isPromptCancel(err)) throw new InterruptedError("interrupted at a prompt", { cause: err });
      throw err;
    }
  }
  return {
    confirm: (message, o = {}) =>
      ask((q) =>
        q.confirm(
          { message: sanitizeLine(message), ...(o.default === undefined ? {} : { default: o.default }) },
          context(),
        ),
      ),
    input: (message, o: PromptInputOptions = {}) =>
      ask((q) => {
        const re = o.pattern === undefined ? undefined : userPattern(o.pattern);
        const validate = (value: string): true | string => {
          if (re && !re.test(value)) return sanitizeLine(`must match ${o.pattern}`);
          const verdict = o.validate ? o.validate(value) : true;
          return verdict === true ? true : sanitizeLine(verdict);
        };
        if (o.secret) return q.password({ message: sanitizeLine(message), mask: "*", validate }, context());
        return q.input(
          {
            message: sanitizeLine(message),
            ...(o.default === undefined ? {} : { default: sanitizeLine(o.default) }),
            validate,
          },
          context(),
        );
      }),
    text: (message, o = {}) =>
      ask(async (q) => {
        const question = {
          message: sanitizeLine(message),
          ...(o.default === undefined ? {} : { default: sanitizeLine(o.default) }),
          ...(o.required ? { required: true } : {}),
        };
        if (!o.escape) return q.input(question, context());
        // Esc (a lone ESC key, as readline reports it) cancels this question only and answers "".
        const input = (options.input ?? process.stdin) as NodeJS.ReadableStream;
        const back = new AbortController();
        const onKey = (_s: string, key?: { name?: string }) => {
          if (key?.name === "escape") back.abort();
        };
        const signal = options.signal ? AbortSignal.any([options.signal, back.signal]) : back.signal;
        input.on("keypress", onKey);
        try {
          return await q.input(question, { ...context(), signal });
        } catch (err) {
          if (back.signal.aborted && !options.signal?.aborted) return "";
          throw err;
        } finally {
          input.off("keypress", onKey);
        }
      }),
    select: <T extends string>(message: string, choices: readonly Choice<T>[], o: { default?: T } = {}) =>
      ask((q) =>
        q.select<T>(
          {
            message: sanitizeLine(message),
            choices: choices.map((ch) => ({
              value: ch.value,
              name: sanitizeLine(ch.name),
              ...(ch.description ? { description: sanitizeText(ch.description) } : {}),
            })),
            ...(o.default === undefined ? {} : { default: o.default }),
          },
          context(),
        ),
      ),
  };
}
