// @ts-nocheck
// Fakes for the runner's ports: a scripted prompter, a manual clock, an in-memory journal, an output
// that records lines, and a registry of tiny executors driven by the step's command text.
import type { Step, StepKind } from "../../src/checklist/schema.js";
import type { CheckModule } from "../../src/checks/registry.js";
import type { ExecContext } from "../../src/checks/types.js";
import type { RunEvent, StepOutcome } from "../../src/engine/events.js";
import type {
  Choice,
  Clock,
  Executors,
  Journal,
  Output,
  Prompter,
  PromptInputOptions,
  RunnerPorts,
  StepProgress,
} from "../../src/engine/ports.js";

export class FakeClock implements Clock {
  t = Date.parse("2026-11-26T06:30:00Z");
  slept: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    this.slept.push(ms);
    this.t += ms;
    return !signal?.aborted;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class MemoryJournal implements Journal {
  events: RunEvent[] = [];
  async append(e: RunEvent): Promise<void> {
    this.events.push(structuredClone(e));
  }
  async readAll(): Promise<RunEvent[]> {
    return structuredClone(this.events);
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
  of<T extends RunEvent["type"]>(type: T): Extract<RunEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<RunEvent, { type: T }>[];
  }
}

/** Answers in order: each entry is matched against the question text (substring) and consumed. */
export type Scripted = { q: string; a: string | boolean };

export class FakePrompter implements Prompter {
  asked: string[] = [];
  constructor(private readonly script: Scripted[] = []) {}
  private next(question: string): string | boolean {
    this.asked.push(question);
    const i = this.script.findIndex((s) => question.includes(s.q));
    if (i === -1) throw new Error(`unexpected question: ${question}`);
    const [entry] = this.script.splice(i, 1);
    return entry!.a;
  }
  async confirm(message: string): Promise<boolean> {
    const a = this.next(message);
    return a === true || a === "yes";
  }
  async input(message: string, options: PromptInputOptions = {}): Promise<string> {
    for (;;) {
      const a = String(this.next(message));
      const verdict =
        options.pattern && !new RegExp(options.pattern).test(a)
          ? "no match"
          : (options.validate?.(a) ?? true);
      if (verdict === true) return a;
    }
  }
  async text(message: string): Promise<string> {
    return String(this.next(message));
  }
  async select<T extends string>(message: string, choices: readonly Choice<T>[]): Promise<T> {
    const a = String(this.next(message));
    if (!choices.some((c) => c.value === a)) throw new Error(`${a} is not offered for: ${message}`);
    return a as T;
  }
  remaining(): Scripted[] {
    return this.script;
  }
}

export class RecordingOutput implements Output {
  lines: string[] = [];
  info = (t: string) => void this.lines.push(t);
  warn = (t: string) => void this.lines.push(`WARN ${t}`);
  section = (t: string) => void this.lines.push(`## ${t}`);
  item = (n: number, total: number, t: string) => void this.lines.push(`[${n}/${total}] ${t}`);
  help = (t: string) => void this.lines.push(`help: ${t}`);
  stepStart(label: string): StepProgress {
    this.lines.push(`start ${label}`);
    return { message: () => {}, suspend: () => {}, resume: () => {}, stop: () => {} };
  }
  stepResult = (label: string, mark: string, summary: string) =>
    void this.lines.push(`${mark} ${label}: ${summary}`);
  failureTail = (t: string) => void this.lines.push(`tail: ${t}`);
  block = (t: string) => void this.lines.push(t);
  line = (t = "") => void this.lines.push(t);
  text(): string {
    return this.lines.join("\n");
  }
}

/**
 * Executors for tests. `run` steps interpret their command: "ok", "fail", "hang" (until aborted), "stuck" (never),
 * "flaky:N" (fails N times), "save:name=value", "echo:text" (passes, summary = interpolated text).
 */
export class FakeExecutors implements Executors {
  calls: string[] = [];
  flaky = new Map<string, number>();
  onHang?: () => void;

  async loadCheck(kind: StepKind): Promise<CheckModule> {
    return {
      execute: (step, ctx) => this.execute(kind, step as Step, ctx),
      describe: (step) => `${kind} ${JSON.stringify((step as Record<string, unknown>)[kind])}`,
    };
  }

  private async execute(kind: StepKind, step: Step, ctx: ExecContext): Promise<StepOutcome> {
    this.calls.push(ctx.key);
    switch (kind) {
      case "confirm": {
        const prompt = typeof step.confirm === "string" ? step.confirm : step.confirm!.prompt;
        const yes = await ctx.prompter.confirm(prompt);
        return { status: yes ? "passed" : "failed", summary: yes ? "yes" : "no", answer: yes ? "yes" : "no" };
      }
      case "input": {
        const value = await ctx.prompter.input!(step.input!.prompt, {
          ...(step.input!.pattern ? { pattern: step.input!.pattern } : {}),
        });
        return {
          status: "passed",
          summary: step.input!.secret ? "(secret)" : value,
          answer: value,
          ...(step.input!.saveAs ? { saved: { [step.input!.saveAs]: value } } : {}),
        };
      }
      case "note":
        return { status: "passed", summary: "noted" };
      case "run": {
        const cmd = typeof step.run === "string" ? step.run : step.run!.command;
        if (cmd === "ok") return { status: "passed", summary: "exit 0" };
        if (cmd === "fail")
          return { status: "failed", summary: "exit 1", error: "exit 1", output: "line1\nboom" };
        if (cmd === "hang") {
          this.onHang?.();
          await new Promise<void>((resolve) => {
            if (ctx.signal.aborted) resolve();
            ctx.signal.addEventListener("abort", () => resolve(), { once: true });
          });
          return { status: "failed", summary: "killed", error: "killed" };
        }
        // Ignores its signal: never settles (an executor that cannot stop its work).
        if (cmd === "stuck") return new Promise<StepOutcome>(() => {});
        if (cmd.startsWith("flaky:")) {
          const left = this.flaky.get(ctx.key) ?? Number(cmd.slice(6));
          this.flaky.set(ctx.key, left - 1);
          return left > 0
            ? { status: "failed", summary: "not yet" }
            : { status: "passed", summary: "ok now" };
        }
        if (cmd.startsWith("save:")) {
          const [name, value] = cmd.slice(5).split("=") as [string, string];
          return { status: "passed", summary: "saved", saved: { [name]: value } };
        }
        if (cmd.startsWith("echo:")) {
          const text = cmd.slice(5).replace(/\$\{(\w+)\}/g, (_, n: string) => ctx.vars[n] ?? "");
          return { status: "passed", summary: text, output: text };
        }
        throw new Error(`fake run: unknown command ${cmd}`);
      }
      default:
        return { status: "passed", summary: kind };
    }
  }
}

export type FakePorts = RunnerPorts & {
  journal: MemoryJournal;
  output: RecordingOutput;
  clock: FakeClock;
  executors: FakeExecutors;
  prompter: FakePrompter;
};

export function ports(over: Partial<RunnerPorts> = {}): FakePorts {
  return {
    prompter: new FakePrompter(),
    clock: new FakeClock(),
    journal: new MemoryJournal(),
    output: new RecordingOutput(),
    executors: new FakeExecutors(),
    ...over,
  } as FakePorts;
}
