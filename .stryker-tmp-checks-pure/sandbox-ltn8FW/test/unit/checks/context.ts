// @ts-nocheck
// Builders for the ExecContext the runner hands to executors: real clock and cwd, a fake prompter.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ExecContext, ExecutorPrompter } from "../../../src/checks/types.js";
import { createRedactor } from "../../../src/redact.js";

export interface TestContext extends ExecContext {
  /** Every progress message, in order. */
  messages: string[];
}

export function makeContext(overrides: Partial<ExecContext> & { secrets?: string[] } = {}): TestContext {
  const messages: string[] = [];
  const { secrets = [], ...rest } = overrides;
  const redact = createRedactor(secrets);
  return {
    key: "item/step",
    vars: {},
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"] },
    cwd: process.cwd(),
    signal: new AbortController().signal,
    timeoutMs: undefined,
    dryRun: false,
    interactive: false,
    progress: { message: (text) => messages.push(text) },
    prompter: fakePrompter().prompter,
    redact,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(() => r(true), ms)),
    kube: {},
    runNested: async () => ({ status: "passed", summary: "" }),
    messages,
    ...rest,
  };
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = "dc-checks-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A prompter that answers from queues and records every question. */
export function fakePrompter(answers: { confirm?: boolean[]; input?: string[]; text?: string[] } = {}) {
  const asked: string[] = [];
  const confirms = [...(answers.confirm ?? [])];
  const inputs = [...(answers.input ?? [])];
  const texts = [...(answers.text ?? [])];
  const prompter: ExecutorPrompter = {
    async confirm(message) {
      asked.push(`confirm: ${message}`);
      const next = confirms.shift();
      if (next === undefined) throw new Error(`unexpected confirm: ${message}`);
      return next;
    },
    async input(message, options) {
      asked.push(`input: ${message}`);
      for (;;) {
        const next = inputs.shift();
        if (next === undefined) throw new Error(`unexpected input: ${message}`);
        const value = next === "" && options?.default !== undefined ? options.default : next;
        const verdict =
          options?.pattern && !new RegExp(options.pattern).test(value)
            ? `must match ${options.pattern}`
            : (options?.validate?.(value) ?? true);
        if (verdict === true) return value;
        asked.push(`invalid: ${verdict}`);
      }
    },
    async text(message, options) {
      asked.push(`text: ${message}`);
      for (;;) {
        const next = texts.shift();
        if (next === undefined) throw new Error(`unexpected text: ${message}`);
        if (!options?.required || next.trim() !== "") return next;
        asked.push("invalid: required");
      }
    },
  };
  return { prompter, asked };
}
