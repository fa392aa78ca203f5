// @ts-nocheck
// N real processes race to take over one stale lock: exactly one wins each round, the others are told
// who holds it. Uses the built dist/store/lock.js (the code the CLI runs).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "./helpers/built.js";

const PROCESSES = 6;
const ROUNDS = 4;

// Each racer says it is ready, spins until "go" exists (so all of them try at the same instant), tries,
// prints its result and, if it won, holds the lock until "done" (every racer has answered).
const child = `
import { existsSync, writeFileSync } from "node:fs";
const { acquireLock } = await import(process.argv[1]);
const dir = process.argv[2];
writeFileSync(dir + "/ready-" + process.pid, "");
while (!existsSync(dir + "/go")) {}
let held;
try {
  held = acquireLock(dir, "staging", "staging-20261126T060000Z-0001");
  process.stdout.write(JSON.stringify({ won: true, pid: process.pid, why: held.takenOver?.why }) + "\\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ won: false, pid: process.pid, error: err.message }) + "\\n");
}
const wait = () => (existsSync(dir + "/done") ? held?.release() : setTimeout(wait, 10));
wait();
`;

interface Result {
  won: boolean;
  pid: number;
  why?: string;
  error?: string;
}

function racer(dir: string): { result: Promise<Result>; closed: Promise<void> } {
  const p = spawn(
    process.execPath,
    ["--input-type=module", "-e", child, join(ROOT, "dist/store/lock.js"), dir],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  const result = new Promise<Result>((resolve, reject) => {
    p.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0] ?? ""));
    });
    p.on("error", reject);
    p.on("close", () => reject(new Error(`racer exited, printed ${JSON.stringify(out)}`)));
  });
  return { result, closed: new Promise((resolve) => p.on("close", () => resolve())) };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

let work: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), "dc-lock-race-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("stale lock takeover with real processes", () => {
  it(`exactly one of ${PROCESSES} processes takes over a stale lock, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(work, `round-${round}`);
      mkdirSync(join(dir, "locks"), { recursive: true });
      // Stale three ways across rounds: dead pid, nonsense pid, reused pid (this live process, wrong start).
      const stale = [{ pid: 4194304 }, { pid: 0 }, { pid: process.pid, pidStart: "1" }, { pid: -1 }][
        round % 4
      ];
      writeFileSync(
        join(dir, "locks", "staging.lock"),
        JSON.stringify({
          ...stale,
          host: hostname(),
          startedAt: "2026-11-26T06:00:00.000Z",
          runId: "old",
          checklist: "staging",
        }),
      );
      const racers = Array.from({ length: PROCESSES }, () => racer(dir));
      await until(() => readdirSync(dir).filter((f) => f.startsWith("ready-")).length === PROCESSES);
      writeFileSync(join(dir, "go"), "");
      const results = await Promise.all(racers.map((r) => r.result));
      writeFileSync(join(dir, "done"), "");
      await Promise.all(racers.map((r) => r.closed));
      const winners = results.filter((r) => r.won);
      expect(winners, JSON.stringify(results)).toHaveLength(1);
      expect(winners[0]?.why).toMatch(/^pid .* (is not running|is not a process id|is now another process)/);
      for (const loser of results.filter((r) => !r.won)) {
        expect(loser.error).toMatch(new RegExp(`is held by pid ${winners[0]?.pid} on host`));
      }
      // No marker or temporary file left behind; the lock was released by its winner.
      expect(readdirSync(join(dir, "locks"))).toEqual([]);
      expect(() => readFileSync(join(dir, "locks", "staging.lock"))).toThrow();
    }
  }, 60_000);
});
