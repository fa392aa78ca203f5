#!/usr/bin/env node
// @ts-nocheck
// Peak RSS of a non-interactive run of a 2,000-step checklist (100 items of 20 `run: "true"` steps), sign-off
// and signed record included, against the peak RSS of `node -e 0` measured in the same run. Goal: the run
// stays at or under 150 MiB. Peak RSS is read inside the process at exit (process.resourceUsage().maxRSS)
// through bench/rss-hook.mjs. Uses dist/: build first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin/deploycheck.js");
const hook = path.join(root, "bench/rss-hook.mjs");
const RUNS = Number(process.env.RUNS ?? 3);
const ITEMS = 100;
const STEPS_PER_ITEM = 20;
const GOAL_MIB = 150;

if (!existsSync(path.join(root, "dist/cli/main.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}

const dir = mkdtempSync(path.join(tmpdir(), "deploycheck-rss-"));
const lines = [
  "apiVersion: deploycheck/v1",
  "kind: Checklist",
  "metadata: { name: rss, title: Two thousand steps }",
  "sections:",
  "  - id: all",
  "    title: All",
  "    items:",
];
for (let i = 1; i <= ITEMS; i++) {
  lines.push(`      - id: item-${i}`, `        title: Item ${i}`, "        steps:");
  for (let s = 1; s <= STEPS_PER_ITEM; s++) lines.push(`          - { id: s-${s}, run: "true" }`);
}
writeFileSync(path.join(dir, "rss.yaml"), `${lines.join("\n")}\n`);
writeFileSync(path.join(dir, "answers.yaml"), "signoff/engineer: bench\nsignoff/ready: yes\n");

function peakKiB(args, cwd) {
  const file = path.join(dir, "rss.txt");
  rmSync(file, { force: true });
  const r = spawnSync(process.execPath, ["--import", hook, ...args], {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      BENCH_RSS_FILE: file,
      NO_COLOR: "1",
      CI: "1",
      XDG_CONFIG_HOME: path.join(dir, "config"),
    },
  });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(readFileSync(file, "utf8"));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = [];
const run = [];
try {
  for (let i = 0; i < RUNS; i++) {
    base.push(peakKiB(["-e", "0"], dir));
    const state = path.join(dir, `state-${i}`);
    run.push(peakKiB([bin, "run", "rss.yaml", "--state-dir", state, "--answers", "answers.yaml"], dir));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const mib = (kib) => kib / 1024;
const baseMiB = mib(median(base));
const runMiB = mib(median(run));
console.log(`node -e 0                          peak RSS median ${baseMiB.toFixed(1)} MiB (${RUNS} runs)`);
console.log(
  `deploycheck run, ${ITEMS * STEPS_PER_ITEM} run steps   peak RSS median ${runMiB.toFixed(1)} MiB  (${(runMiB / baseMiB).toFixed(2)}x node -e 0; goal <= ${GOAL_MIB} MiB)`,
);
console.log(
  `RESULT ${JSON.stringify({ name: "peak RSS of a 2,000-step run (MiB)", value: runMiB, goal: GOAL_MIB, unit: "MiB" })}`,
);
process.exitCode = runMiB <= GOAL_MIB ? 0 : 1;
