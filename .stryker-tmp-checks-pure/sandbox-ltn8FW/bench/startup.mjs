#!/usr/bin/env node
// @ts-nocheck
// Start-up cost of the CLI: wall time of `node bin/deploycheck.js --help` against `node -e 0` (Node's own
// start-up), interleaved so machine load hits both alike; medians of RUNS each. Goal: ratio <= 1.3.
// Also `validate staging` (goal <= 2.0), answered from the checklist cache as it is on an engineer's
// machine after the first run, and the same with the cache off (a first validation of an edited file:
// yaml + zod + parse), and `show staging`, for reference. Uses dist/: build first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin/deploycheck.js");
const RUNS = Number(process.env.RUNS ?? 15);

if (!existsSync(path.join(root, "dist/cli/main.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}

// Its own checklist cache, so that "warm" means this script's runs and "cold" is forced off.
const cacheHome = mkdtempSync(path.join(tmpdir(), "deploycheck-bench-cache-"));
process.on("exit", () => rmSync(cacheHome, { recursive: true, force: true }));

function time(args, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: cacheHome, ...extraEnv },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const cases = {
  baseline: ["-e", "0"],
  help: [bin, "--help"],
  validate: [bin, "validate", "staging"],
  validateCold: [bin, "validate", "staging"],
  show: [bin, "show", "staging"],
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
// Warm the file system cache and Node's compile cache once, then measure interleaved.
// validateCold runs with the checklist cache off: the cost of a first validation (yaml + zod + parse).
const envOf = (name) => (name === "validateCold" ? { DEPLOYCHECK_NO_CACHE: "1" } : {});
for (const [name, args] of Object.entries(cases)) time(args, envOf(name));
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(time(args, envOf(name)));
}

const base = median(samples.baseline);
const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`node -e 0                       median ${fmt(base)}  (${RUNS} runs)`);
const labels = {
  help: "deploycheck --help",
  validate: "deploycheck validate staging",
  validateCold: "  the same, checklist cache off",
  show: "deploycheck show staging",
};
for (const name of ["help", "validate", "validateCold", "show"]) {
  const m = median(samples[name]);
  const label = labels[name];
  console.log(`${label.padEnd(31)} median ${fmt(m)}  ratio ${(m / base).toFixed(2)}`);
}
const ratio = median(samples.help) / base;
// The fastest runs are the least disturbed by other load on the machine: a second, steadier view.
const minRatio = Math.min(...samples.help) / Math.min(...samples.baseline);
console.log(
  `startup ratio (--help / node -e 0): median ${ratio.toFixed(2)}, best-of ${minRatio.toFixed(2)} (goal <= 1.3)`,
);
const validateRatio = median(samples.validate) / base;
const coldRatio = median(samples.validateCold) / base;
console.log(
  `validate ratio (validate staging / node -e 0): median ${validateRatio.toFixed(2)} (goal <= 2.0); ` +
    `a first validation of a new or edited file (cache off): ${coldRatio.toFixed(2)}`,
);
// Machine-readable lines for bench/run-all.mjs.
console.log(`RESULT ${JSON.stringify({ name: "deploycheck --help / node -e 0", ratio, goal: 1.3 })}`);
console.log(
  `RESULT ${JSON.stringify({ name: "deploycheck validate staging / node -e 0", ratio: validateRatio, goal: 2.0 })}`,
);
