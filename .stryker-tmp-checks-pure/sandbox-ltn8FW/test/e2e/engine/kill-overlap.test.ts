// @ts-nocheck
// kill -9 and SIGHUP at randomized points of a run of long mutating steps, resuming each time: at most
// one copy of a step runs at any moment. Each step appends start/end markers with its pid and a
// nanosecond time to a log; the intervals must never overlap. Seeded: SEED=<n> replays a failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../../src/engine/events.js";
import { fold } from "../../../src/engine/state.js";
import {
  alive,
  cli,
  ensureBuilt,
  onlyRunId,
  sleep,
  spawnCli,
  type Workspace,
  waitUntil,
  workspace,
} from "./harness.js";

beforeAll(() => ensureBuilt());

const STEPS = 4;
const KILLS = 20;

const workspaces: Workspace[] = [];
afterEach(() => {
  for (const ws of workspaces.splice(0)) ws.cleanup();
});

/** mulberry32: a small seeded generator, so a failing sequence of kill points can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checklistYaml(): string {
  const lines = [
    "apiVersion: deploycheck/v1",
    "kind: Checklist",
    "metadata: { name: overlap, title: Overlap }",
    "sections:",
    "  - id: s",
    "    title: Steps",
    "    items:",
    "      - id: deploy",
    "        title: Deploy",
    "        steps:",
  ];
  for (let i = 1; i <= STEPS; i++) {
    // A mutating step that takes a while; it notes its end also when stopped with SIGTERM.
    lines.push(
      `          - id: step-${i}`,
      "            mutating: true",
      "            run: |",
      `              echo "start step-${i} $$ $(date +%s%N)" >> log`,
      `              trap 'echo "end step-${i} $$ $(date +%s%N)" >> log; exit 143' TERM`,
      "              sleep 1.5 & wait $!",
      `              echo "end step-${i} $$ $(date +%s%N)" >> log`,
    );
  }
  return `${lines.join("\n")}\n`;
}

interface Interval {
  key: string;
  pid: number;
  start: bigint;
  end: bigint | undefined;
}

function intervals(log: string): Interval[] {
  const open = new Map<number, Interval>();
  const all: Interval[] = [];
  for (const line of log.trim().split("\n")) {
    const [what, key, pid, at] = line.split(" ");
    if (what === "start") {
      const iv: Interval = { key: key!, pid: Number(pid), start: BigInt(at!), end: undefined };
      open.set(iv.pid, iv);
      all.push(iv);
    } else {
      const iv = open.get(Number(pid));
      if (iv && iv.end === undefined) iv.end = BigInt(at!);
    }
  }
  return all;
}

function events(ws: Workspace, id: string): RunEvent[] {
  let text = "";
  try {
    text = readFileSync(join(ws.stateDir, "runs", id, "journal.jsonl"), "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  lines.pop();
  return lines.map((l) => JSON.parse(l) as RunEvent);
}

const count = (evs: RunEvent[], type: RunEvent["type"]) => evs.filter((e) => e.type === type).length;

describe("kill -9 and SIGHUP during long mutating steps", () => {
  it(`never runs two copies of a step, over ${KILLS} randomized kill points`, async () => {
    const seed = Number(process.env["SEED"] ?? Math.floor(Math.random() * 2 ** 31));
    const rand = random(seed);
    const ws = workspace("dc-overlap-");
    workspaces.push(ws);
    ws.file("c.yaml", checklistYaml());
    ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
    const plan: string[] = [];
    try {
      let id: string | undefined;
      for (let k = 0; k < KILLS; k++) {
        const args = id
          ? ["resume", id, "--answers", "answers.yaml"]
          : ["run", "c.yaml", "--answers", "answers.yaml"];
        const before = id ? count(events(ws, id), "step-process") : 0;
        const child = spawnCli(ws, args);
        // Wait for the next step's command to be under way, then kill after a random delay: mostly
        // during the step (whose copy outlives a kill -9 by more than a resume takes to start), some
        // after it (between steps, or in the next one).
        await waitUntil(`step running before kill ${k}`, () => {
          id ??= (() => {
            try {
              return onlyRunId(ws.stateDir);
            } catch {
              return undefined;
            }
          })();
          return id !== undefined && count(events(ws, id), "step-process") > before;
        });
        const how = rand() < 0.5 ? "SIGKILL" : "SIGHUP";
        // A kill -9 early in the step leaves a copy running for longer than a resume takes to start.
        const delay = Math.floor(rand() * (how === "SIGKILL" ? 700 : 1700));
        plan.push(`${how}@${delay}ms`);
        await sleep(delay);
        let delivered = true;
        try {
          process.kill(child.pid!, how);
        } catch (err) {
          // The run got to its end before the kill landed (a long delay on a fast machine).
          if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
          delivered = false;
        }
        const code = await child.exited;
        // A run that finished before the signal arrived ends the kill phase (exit 0 is then right).
        if (fold(events(ws, id!)).finished) break;
        if (how === "SIGHUP" && delivered) expect(code, `kill ${k}: exit after SIGHUP`).toBe(130);
      }
      if (!fold(events(ws, id!)).finished) {
        const last = await cli(ws, ["resume", id!, "--answers", "answers.yaml"]);
        expect(last.code, last.stderr + last.stdout).toBe(0);
      }

      const ivs = intervals(ws.read("log"));
      // Every copy ended (its end marker is written on exit and on SIGTERM) and none is still running.
      for (const iv of ivs) {
        expect(iv.end, `${iv.key} pid ${iv.pid} has no end`).toBeDefined();
        expect(alive(iv.pid), `${iv.key} pid ${iv.pid} still running`).toBe(false);
      }
      // One step at a time: sorted by start, each interval ends before the next starts.
      const sorted = [...ivs].sort((a, b) => (a.start < b.start ? -1 : 1));
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1]!;
        const next = sorted[i]!;
        expect(
          prev.end! <= next.start,
          `${prev.key} (pid ${prev.pid}) still ran when ${next.key} (pid ${next.pid}) started`,
        ).toBe(true);
      }
      // Every step finished, and passed exactly once.
      const state = fold(events(ws, id!));
      for (let i = 1; i <= STEPS; i++) expect(state.steps[`deploy/step-${i}`]?.status).toBe("passed");
      expect(new Set(ivs.map((iv) => iv.key)).size).toBe(STEPS);
    } catch (err) {
      (err as Error).message = `SEED=${seed} (kills: ${plan.join(", ")}): ${(err as Error).message}`;
      throw err;
    }
  }, 180_000);
});
