// @ts-nocheck
// Builders for checklists and journal events, so tests state only what matters to them.
import { createHash } from "node:crypto";
import type { Checklist, Item, Section, Step } from "../../src/checklist/schema.js";
import {
  EVENT_VERSION,
  type RunEvent,
  type RunStartedEvent,
  type StepOutcome,
} from "../../src/engine/events.js";

export function runStep(id: string, command = "true", extra: Partial<Step> = {}): Step {
  return { id, run: command, ...extra } as Step;
}
export function confirmStep(id: string, prompt = `confirm ${id}?`, extra: Partial<Step> = {}): Step {
  return { id, confirm: prompt, ...extra } as Step;
}
export function inputStep(
  id: string,
  extra: Partial<Step> & { pattern?: string; saveAs?: string } = {},
): Step {
  const { pattern, saveAs, ...rest } = extra;
  return {
    id,
    input: { prompt: `value for ${id}?`, ...(pattern ? { pattern } : {}), ...(saveAs ? { saveAs } : {}) },
    ...rest,
  } as Step;
}
export function item(id: string, steps: Step[], extra: Partial<Item> = {}): Item {
  return { id, title: `Item ${id}`, steps, ...extra };
}
export function section(id: string, items: Item[], extra: Partial<Section> = {}): Section {
  return { id, title: `Section ${id}`, items, ...extra };
}
export function checklist(sections: Section[], extra: Partial<Checklist> = {}): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "demo", title: "Demo checklist" },
    sections,
    ...extra,
  };
}
/** A checklist of one section whose items each hold the given steps. */
export function simpleChecklist(items: Record<string, Step[]>, extra: Partial<Checklist> = {}): Checklist {
  return checklist(
    [
      section(
        "main",
        Object.entries(items).map(([id, steps]) => item(id, steps)),
      ),
    ],
    extra,
  );
}

/** Events with increasing timestamps, starting with run-started. */
export class EventLog {
  readonly events: RunEvent[] = [];
  private t = Date.parse("2026-11-26T06:30:00Z");

  constructor(start: Partial<Omit<RunStartedEvent, "v" | "type" | "at">> = {}) {
    this.push({
      type: "run-started",
      runId: "demo-20261126T063000Z-7f3a",
      checklist: { name: "demo", title: "Demo", path: "/tmp/demo.yaml", sha256: "aaa" },
      vars: {},
      secretVars: [],
      environment: {
        host: "h",
        user: "u",
        toolVersion: "0",
        node: "v20",
        platform: "linux",
        cwd: "/tmp",
      },
      options: { dryRun: false, interactive: false, keepGoing: false },
      stepHashes: {},
      ...start,
    } as Omit<RunStartedEvent, "v" | "at">);
  }

  private at(): string {
    this.t += 1000;
    return new Date(this.t).toISOString();
  }

  push(e: Record<string, unknown> & { type: RunEvent["type"] }): this {
    this.events.push({ v: EVENT_VERSION, at: this.at(), ...e } as RunEvent);
    return this;
  }

  started(key: string, attempt = 1): this {
    return this.push({ type: "step-started", key, attempt });
  }
  finished(
    key: string,
    status: StepOutcome["status"] = "passed",
    extra: Partial<StepOutcome> = {},
    attempt = 1,
  ): this {
    return this.push({
      type: "step-finished",
      key,
      attempt,
      durationMs: 5,
      outcome: { status, summary: status, ...extra },
    });
  }
  /** started + finished. */
  step(key: string, status: StepOutcome["status"] = "passed", extra: Partial<StepOutcome> = {}): this {
    const attempt = this.attemptsOf(key) + 1;
    return this.started(key, attempt).finished(key, status, extra, attempt);
  }
  interrupted(key: string, attempt = 1): this {
    return this.push({ type: "step-interrupted", key, attempt, durationMs: 3 });
  }
  overridden(key: string, reason = "checked by hand"): this {
    return this.push({ type: "step-overridden", key, by: "ann", reason });
  }
  skipped(key: string, reason = "not needed"): this {
    return this.push({ type: "step-skipped", key, by: "ann", reason });
  }
  resumed(changedSteps: string[] = [], sha = "bbb"): this {
    return this.push({ type: "run-resumed", checklistSha256: sha, changedSteps, stepHashes: {} });
  }
  signoff(ready = true, engineer = "ann"): this {
    return this.push({ type: "signoff", engineer, ready, notes: "", blockers: "" });
  }
  finishedRun(exitCode = 0): this {
    return this.push({ type: "run-finished", exitCode });
  }

  private attemptsOf(key: string): number {
    return this.events.filter((e) => e.type === "step-started" && e.key === key).length;
  }
}

/** Journal text with the hash chain deploycheck writes (each line's `prev` is the sha256 of the line before). */
export function chainedJournal(events: readonly object[], first = "0".repeat(64)): string {
  let prev = first;
  let out = "";
  for (const e of events) {
    const line = JSON.stringify({ ...e, prev });
    out += `${line}\n`;
    prev = createHash("sha256").update(line, "utf8").digest("hex");
  }
  return out;
}

/** Events as read back from a journal, without the chain field. */
export function withoutPrev<T extends object>(events: readonly T[]): Omit<T, "prev">[] {
  return events.map((e) => {
    const { prev: _prev, ...rest } = e as T & { prev?: string };
    return rest;
  });
}
