#!/usr/bin/env node
// @ts-nocheck
// Per-step cost of saving a run's progress at 20 vs 2,000 steps: the journal alone (step-started and
// step-finished appended and fsynced per step) and the whole runner loop (plan, journal, fold) with
// no-op executors. Medians of RUNS; goal: ratio (2,000 / 20) <= 1.2. Uses dist/: build first.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(path.join(root, "dist/store/journal.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}
const { JournalFile } = await import(path.join(root, "dist/store/journal.js"));
const { openFileJournal } = await import(path.join(root, "dist/store/runs.js"));
const { runChecklist } = await import(path.join(root, "dist/engine/runner.js"));
const { fold } = await import(path.join(root, "dist/engine/state.js"));

const RUNS = Number(process.env.RUNS ?? 5);
const SIZES = [20, 2000];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const outcome = { status: "passed", summary: "exit 0 in 3ms", details: { command: "true", exitCode: 0 } };

/** ms per step to append N steps' events to a fresh journal. */
function journalPerStep(n) {
  const dir = mkdtempSync(path.join(tmpdir(), "dc-bench-journal-"));
  const j = JournalFile.open(path.join(dir, "journal.jsonl"));
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const key = `item-${i}/step`;
    j.append({ v: 1, type: "step-started", at: new Date().toISOString(), key, attempt: 1 });
    j.append({
      v: 1,
      type: "step-finished",
      at: new Date().toISOString(),
      key,
      attempt: 1,
      durationMs: 3,
      outcome,
    });
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  j.close();
  rmSync(dir, { recursive: true, force: true });
  return ms / n;
}

function checklistOf(n) {
  const items = Array.from({ length: n }, (_, i) => ({
    id: `item-${i}`,
    title: `Item ${i}`,
    steps: [{ id: "step", run: "true" }],
  }));
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "bench", title: "Bench" },
    sections: [{ id: "s", title: "S", items }],
  };
}

const noop = () => {};
const output = {
  info: noop,
  warn: noop,
  section: noop,
  item: noop,
  help: noop,
  stepStart: () => ({ message: noop, suspend: noop, resume: noop, stop: noop }),
  stepResult: noop,
  failureTail: noop,
  block: noop,
  line: noop,
};

/** ms per step of the runner loop over N steps (file journal, no-op executors), sign-off excluded. */
async function runnerPerStep(n) {
  const dir = mkdtempSync(path.join(tmpdir(), "dc-bench-runner-"));
  const journal = openFileJournal(dir);
  const checklist = checklistOf(n);
  const started = {
    v: 1,
    type: "run-started",
    at: new Date().toISOString(),
    runId: "bench-1",
    checklist: { name: "bench", title: "Bench", path: "/bench.yaml", sha256: "x" },
    vars: {},
    secretVars: [],
    environment: { host: "h", user: "u", toolVersion: "0", node: process.version, platform: "x", cwd: dir },
    options: { dryRun: false, interactive: false, keepGoing: false },
    stepHashes: {},
  };
  await journal.append(started);
  let stepsDone = 0;
  let t0 = 0n;
  let t1 = 0n;
  const executors = {
    loadCheck: async () => ({
      execute: async () => {
        if (stepsDone++ === 0) t0 = process.hrtime.bigint();
        if (stepsDone === n) t1 = process.hrtime.bigint();
        return { status: "passed", summary: "ok" };
      },
      describe: () => "true",
    }),
  };
  const prompter = {
    confirm: async () => true,
    input: async () => "",
    text: async () => "",
    select: async () => "",
  };
  const clock = { now: () => Date.now(), sleep: async () => true };
  await runChecklist(
    {
      runId: "bench-1",
      checklist,
      vars: {},
      secretVars: [],
      env: {},
      cwd: dir,
      interactive: false,
      dryRun: false,
      keepGoing: false,
      answers: { "signoff/ready": { value: "yes" } },
      kube: {},
      signal: new AbortController().signal,
      engineer: "bench",
      firstSession: false,
    },
    fold([started]),
    { prompter, clock, journal, output, executors },
  );
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  // From the first step's start to the last step's start: n - 1 steps fully saved.
  return Number(t1 - t0) / 1e6 / (n - 1);
}

const results = { journal: {}, runner: {} };
for (const n of SIZES) {
  results.journal[n] = [];
  results.runner[n] = [];
}
for (let r = 0; r < RUNS; r++) {
  // Interleaved so machine load hits both sizes alike.
  for (const n of SIZES) results.journal[n].push(journalPerStep(n));
  for (const n of SIZES) results.runner[n].push(await runnerPerStep(n));
}

let ok = true;
const summary = {};
for (const [what, label] of [
  ["journal", "journal append+fsync per step"],
  ["runner", "runner loop per step (plan + journal + fold)"],
]) {
  const small = median(results[what][20]);
  const large = median(results[what][2000]);
  const ratio = large / small;
  if (what === "journal" && ratio > 1.2) ok = false;
  summary[what] = ratio;
  console.log(
    `${label}: ${small.toFixed(3)} ms at 20 steps, ${large.toFixed(3)} ms at 2,000 steps; ratio ${ratio.toFixed(2)} (goal <= 1.2)`,
  );
}
// One machine-readable line for bench/run-all.mjs.
console.log(
  `RESULT ${JSON.stringify({ name: "journal per step, 2,000 / 20 steps", ratio: summary.journal, goal: 1.2 })}`,
);
process.exitCode = ok ? 0 : 1;
