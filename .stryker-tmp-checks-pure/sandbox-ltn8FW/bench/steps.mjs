#!/usr/bin/env node
// @ts-nocheck
// Overhead of the runner on automated steps: a non-interactive `deploycheck run` of 200 trivial `run`
// steps (`true`) against a plain Node script doing the same job. Goal: ratio <= 1.3.
//
// The baseline is what a minimal tool running those commands would do: a fresh `node` process (its
// start-up counted, as ours is) that runs `bash -c true` 200 times one after another, asynchronously
// (child_process.spawn, waiting for the child to close), capturing stdout and stderr as strings, as
// deploycheck does. It keeps no journal, no process group and no record: that is deploycheck's overhead,
// which is what the ratio measures. Both are whole processes timed from outside, interleaved, medians of
// RUNS (default 7). The state dir is shared by the runs, as a user's would be (earlier runs are listed).
// Also splits the run into its fixed cost (a 1-step run) and the cost per step.
// The last line is `RESULT {json}` for bench/run-all.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin/deploycheck.js");
const RUNS = Number(process.env.RUNS ?? 7);
const STEPS = 200;
if (!existsSync(path.join(root, "dist/cli/main.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = mkdtempSync(path.join(tmpdir(), "dc-bench-steps-"));
const items = Array.from(
  { length: STEPS },
  (_, i) =>
    `      - id: item-${i}\n        title: Item ${i}\n        steps:\n          - id: t\n            run: "true"\n`,
).join("");
writeFileSync(
  path.join(dir, "bench.yaml"),
  `apiVersion: deploycheck/v1\nkind: Checklist\nmetadata: { name: bench, title: Bench }\nsections:\n  - id: s\n    title: S\n    items:\n${items}`,
);
writeFileSync(path.join(dir, "answers.yaml"), "signoff/ready: yes\nsignoff/engineer: bench\n");
// One step: the fixed cost of a run (start-up, checklist load, run dir, sign-off, record).
writeFileSync(
  path.join(dir, "one.yaml"),
  `apiVersion: deploycheck/v1\nkind: Checklist\nmetadata: { name: one, title: One }\nsections:\n  - id: s\n    title: S\n    items:\n      - id: item-0\n        title: Item 0\n        steps:\n          - id: t\n            run: "true"\n`,
);
const baselineScript = `
const { spawn } = require("node:child_process");
function run(command) {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => { stdout += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk) => { stderr += chunk; });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
(async () => {
  for (let i = 0; i < ${STEPS}; i++) {
    const r = await run("true");
    if (r.code !== 0) process.exit(1);
  }
})();`;

// The floor under our per-step cost: execa (required for run steps) against child_process.spawn for the
// same commands in one already-started process, alternating, with the options run.ts uses.
const execaUrl = existsSync(path.join(root, "dist/vendor/execa.js"))
  ? pathToFileURL(path.join(root, "dist/vendor/execa.js")).href
  : "execa";
const floorScript = `
import { spawn } from "node:child_process";
const { execa } = await import(${JSON.stringify(execaUrl)});
const env = { ...process.env };
const viaSpawn = () => new Promise((resolve, reject) => {
  const child = spawn("bash", ["-c", "true"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.setEncoding("utf8").on("data", () => {});
  child.stderr.setEncoding("utf8").on("data", () => {});
  child.on("error", reject);
  child.on("close", resolve);
});
const viaExeca = () => {
  const sub = execa("bash", ["-c", "true"], { env, extendEnv: false, reject: false, stdin: "ignore", buffer: false, detached: true, forceKillAfterDelay: 2000 });
  sub.stdout.setEncoding("utf8").on("data", () => {});
  sub.stderr.setEncoding("utf8").on("data", () => {});
  return sub;
};
const ms = { spawn: [], execa: [] };
for (let i = 0; i < ${STEPS}; i++) {
  for (const [name, fn] of [["spawn", viaSpawn], ["execa", viaExeca]]) {
    const t = performance.now();
    await fn();
    ms[name].push(performance.now() - t);
  }
}
// The journal's floor: one line written and fdatasynced per step, in the directory the runs use.
const fs = await import("node:fs");
const fd = fs.openSync(process.argv[1], "a");
const line = JSON.stringify({ v: 1, type: "step-started", at: new Date().toISOString(), key: "item-0/t", attempt: 1 }) + "\\n";
const sync = [];
for (let i = 0; i < ${STEPS}; i++) {
  const t = performance.now();
  fs.writeSync(fd, line);
  fs.fdatasyncSync(fd);
  sync.push(performance.now() - t);
}
fs.closeSync(fd);
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify({ spawn: med(ms.spawn), execa: med(ms.execa), fdatasync: med(sync) }));`;

const env = {
  ...process.env,
  NO_COLOR: "1",
  CI: "1",
  HOME: dir,
  XDG_CONFIG_HOME: path.join(dir, ".config"),
  DEPLOYCHECK_STATE_DIR: path.join(dir, "state"),
};

function time(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"], env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.slice(0, 3).join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const runs = { baseline: [], deploycheck: [], one: [] };
try {
  for (let r = 0; r < RUNS; r++) {
    runs.baseline.push(time(["-e", baselineScript]));
    runs.deploycheck.push(time([bin, "run", "bench.yaml", "--answers", "answers.yaml", "--new"]));
    runs.one.push(time([bin, "run", "one.yaml", "--answers", "answers.yaml", "--new"]));
  }
  const floor = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", floorScript, path.join(dir, "fsync.jsonl")],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (floor.status !== 0) throw new Error(`execa/spawn comparison failed: ${floor.stderr}`);
  runs.floor = JSON.parse(floor.stdout);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const base = median(runs.baseline);
const dc = median(runs.deploycheck);
const ratio = dc / base;
console.log(
  `${STEPS} trivial run steps: deploycheck ${dc.toFixed(0)} ms, plain Node spawning bash ${base.toFixed(0)} ms; ratio ${ratio.toFixed(2)} (goal <= 1.3)`,
);
const one = median(runs.one);
const perStep = (dc - one) / (STEPS - 1);
console.log(
  `  fixed cost of a run ${one.toFixed(0)} ms; per step ${perStep.toFixed(2)} ms vs ${(base / STEPS).toFixed(2)} ms per bash spawn (ratio ${(perStep / (base / STEPS)).toFixed(2)})`,
);
console.log(
  `  in one process, per command: execa ${runs.floor.execa.toFixed(2)} ms vs child_process.spawn ${runs.floor.spawn.toFixed(2)} ms (execa adds ${(runs.floor.execa - runs.floor.spawn).toFixed(2)} ms); a journal line written and fdatasynced ${runs.floor.fdatasync.toFixed(2)} ms`,
);
console.log(
  `RESULT ${JSON.stringify({ name: "steps", ratio: Number(ratio.toFixed(3)), goal: 1.3, unit: "ratio" })}`,
);
process.exitCode = ratio <= 1.3 ? 0 : 1;
