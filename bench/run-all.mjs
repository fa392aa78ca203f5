#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, then one table of their figures. Each script measures its own
// baseline in the same run and prints `RESULT {"name","ratio"|"value","goal"}` lines, collected here.
// Uses dist/ (npm run bench builds first).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const scripts = [
  "startup.mjs",
  "steps.mjs",
  "journal.mjs",
  "kube.mjs",
  "rss.mjs",
  "http-body.mjs",
  "team-state.mjs",
];

const rows = [];
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const r = spawnSync(process.execPath, [path.join(here, script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  process.stdout.write(r.stdout ?? "");
  const results = (r.stdout ?? "")
    .split("\n")
    .filter((l) => l.startsWith("RESULT "))
    .map((l) => JSON.parse(l.slice("RESULT ".length)));
  if (results.length === 0) rows.push({ name: `bench/${script}`, shown: "no result", goal: "", ok: false });
  for (const res of results) {
    const value = res.ratio ?? res.value;
    const unit = res.unit && res.unit !== "ratio" ? ` ${res.unit}` : "";
    rows.push({
      name: res.name,
      shown: `${value.toFixed(2)}${unit}`,
      goal: `<= ${res.goal}${unit}`,
      ok: value <= res.goal,
    });
  }
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`\n${"benchmark".padEnd(width)}  ${"median".padStart(12)}  ${"goal".padEnd(14)}  met`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${r.shown.padStart(12)}  ${r.goal.padEnd(14)}  ${r.ok ? "yes" : "NO"}`,
  );
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
