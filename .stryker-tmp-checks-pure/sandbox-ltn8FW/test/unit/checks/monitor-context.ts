// @ts-nocheck
// An ExecContext for the monitor kinds' tests: real clock and sleep (short intervals keep tests fast),
// a scripted prompter that records what it was asked, and progress captured for assertions.
import type { NestedStep } from "../../../src/checklist/schema.js";
import type { ExecContext } from "../../../src/checks/types.js";
import type { StepOutcome } from "../../../src/engine/events.js";
import { createRedactor } from "../../../src/redact.js";

export interface TestContext extends ExecContext {
  asked: string[];
  messages: string[];
  fractions: { done: number; label: string }[];
}

export function execContext(
  over: Partial<ExecContext> & { answers?: boolean[]; secrets?: string[] } = {},
): TestContext {
  const { answers = [], secrets = [], ...rest } = over;
  const asked: string[] = [];
  const messages: string[] = [];
  const fractions: { done: number; label: string }[] = [];
  const controller = new AbortController();
  const signal = rest.signal ?? controller.signal;
  const ctx: TestContext = {
    key: "item/step",
    vars: {},
    env: {},
    cwd: process.cwd(),
    signal,
    timeoutMs: undefined,
    dryRun: false,
    interactive: false,
    progress: {
      message: (text) => messages.push(text),
      fraction: (done, label) => fractions.push({ done, label }),
    },
    prompter: {
      confirm: async (message) => {
        asked.push(message);
        const a = answers.shift();
        if (a === undefined) throw new Error(`unexpected question: ${message}`);
        return a;
      },
      input: async (message) => {
        throw new Error(`unexpected input: ${message}`);
      },
      text: async (message) => {
        throw new Error(`unexpected text: ${message}`);
      },
    },
    redact: createRedactor(secrets),
    now: () => Date.now(),
    sleep: (ms) =>
      new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(false);
        const t = setTimeout(() => resolve(true), ms);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve(false);
        });
      }),
    kube: {},
    runNested: async (_step: NestedStep, _i: number): Promise<StepOutcome> => {
      throw new Error("runNested not set up in this test");
    },
    asked,
    messages,
    fractions,
    ...rest,
  };
  return ctx;
}
