#!/usr/bin/env node
// npm run mutate [-- <group> ...]: Stryker over the core, one module group at a time.
//
// Each group names the modules it mutates and the unit suites that test them. Running a group against its
// own suites (not all 1,000 unit tests) keeps a mutant's test run short; a mutant that only some other
// suite would kill counts as survived, so a group's score is a lower bound. Every group has its own
// incremental file (reports/stryker-incremental-<group>.json): a rerun tests only the mutants whose code
// or covering tests changed. `npm run mutate -- --summary` prints the per-module table from the last
// reports without running anything; `npm run mutate -- --survivors <group> [file]` lists what survived;
// `npm run mutate -- --equivalents` lists the mutants marked equivalent in the code, with why.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @type {Record<string, { mutate: string[], tests: string[], timeoutMS?: number }>} */
export const groups = {
  checks: {
    mutate: ["src/checks/prometheus.ts", "src/checks/watch.ts", "src/checks/http.ts", "src/kube/rollout.ts"],
    tests: [
      "test/unit/checks/prometheus*.test.ts",
      "test/unit/checks/watch*.test.ts",
      "test/unit/checks/http*.test.ts",
      "test/unit/checks/redirects-monitor.test.ts",
      "test/unit/kube/pure.test.ts",
      "test/unit/sandbox/rollout-scale-up.test.ts",
    ],
  },
  kube: {
    mutate: ["src/kube/history.ts", "src/kube/wait.ts"],
    tests: ["test/unit/kube/*.test.ts", "test/unit/checks/kube.test.ts"],
  },
  engine: {
    mutate: ["src/engine/**/*.ts"],
    tests: ["test/unit/engine/*.test.ts"],
  },
  store: {
    mutate: ["src/store/**/*.ts"],
    tests: ["test/unit/store/*.test.ts"],
  },
  record: {
    mutate: ["src/record/**/*.ts"],
    tests: ["test/unit/record/*.test.ts"],
  },
  checklist: {
    mutate: ["src/redact.ts", "src/checklist/validate.ts", "src/checklist/vars.ts"],
    tests: [
      "test/unit/redact*.test.ts",
      "test/unit/checklist/validate.test.ts",
      "test/unit/checklist/validate-problems.test.ts",
      "test/unit/checklist/invalid-fixtures.test.ts",
      "test/unit/checklist/vars*.test.ts",
      "test/unit/checklist/limits-validate.test.ts",
      "test/unit/checklist/dollar-brace-escape.test.ts",
      "test/unit/checklist/load.test.ts",
    ],
  },
  "shell-refs": {
    mutate: ["src/checklist/shell-refs.ts"],
    // Not the property test or the injection matrix: they run real bash for seconds per mutant. The
    // nesting test pins what the matrix proves against bash, purely.
    // The shell-refs-mut-*.test.ts suites are pure tables written against this module's survivors.
    tests: [
      "test/unit/checklist/shell-refs.test.ts",
      "test/unit/checklist/shell-refs-nesting.test.ts",
      "test/unit/checklist/shell-refs-mut-*.test.ts",
    ],
    // Its suites take a third of a second; a mutant that loops forever in the tokenizer (a tenth of
    // them) should not hold a worker for the default 5 s.
    timeoutMS: 2_000,
  },
  import: {
    mutate: ["src/import/convert.ts"],
    tests: ["test/unit/import/*.test.ts"],
  },
};

function run(name) {
  const group = groups[name];
  if (!group) {
    console.error(`mutate: no group "${name}"; groups: ${Object.keys(groups).join(", ")}`);
    process.exit(2);
  }
  mkdirSync(join(root, "reports/mutation"), { recursive: true });
  const config = join(root, `reports/stryker-${name}.config.mjs`);
  writeFileSync(
    config,
    `import base from "../stryker.config.mjs";\nexport default { ...base, mutate: ${JSON.stringify(group.mutate)}, ` +
      `incrementalFile: "reports/stryker-incremental-${name}.json", ` +
      `jsonReporter: { fileName: "reports/mutation/${name}.json" }, ` +
      `htmlReporter: { fileName: "reports/mutation/${name}.html" }, ` +
      `tempDirName: ".stryker-tmp-${name}"${group.timeoutMS ? `, timeoutMS: ${group.timeoutMS}` : ""} };\n`,
  );
  const started = Date.now();
  const result = spawnSync("npx", ["stryker", "run", config], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, STRYKER_TESTS: group.tests.join(",") },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`mutate: group ${name} took ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
  return result.status ?? 1;
}

/** Per-module score from the JSON reports: detected (killed + timeout) over valid mutants. */
function summary() {
  const rows = [];
  for (const name of Object.keys(groups)) {
    const file = join(root, `reports/mutation/${name}.json`);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    for (const [path, entry] of Object.entries(report.files)) {
      const count = {
        Killed: 0,
        Timeout: 0,
        Survived: 0,
        NoCoverage: 0,
        Ignored: 0,
        CompileError: 0,
        RuntimeError: 0,
      };
      for (const mutant of entry.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1;
      const detected = count.Killed + count.Timeout + count.RuntimeError;
      const valid = detected + count.Survived + count.NoCoverage;
      rows.push({
        group: name,
        path,
        valid,
        detected,
        survived: count.Survived,
        noCoverage: count.NoCoverage,
        ignored: count.Ignored,
      });
    }
  }
  let valid = 0;
  let detected = 0;
  for (const row of rows) {
    valid += row.valid;
    detected += row.detected;
    const score = row.valid === 0 ? "n/a" : `${((100 * row.detected) / row.valid).toFixed(1)}%`;
    console.log(
      `${row.group.padEnd(10)} ${row.path.padEnd(36)} ${String(row.valid).padStart(5)} mutants  ${score.padStart(6)}` +
        `  survived ${row.survived}, no coverage ${row.noCoverage}${row.ignored ? `, ignored ${row.ignored}` : ""}`,
    );
  }
  if (valid > 0) console.log(`total ${valid} mutants, ${((100 * detected) / valid).toFixed(1)}% detected`);
}

/** The surviving and uncovered mutants of a group's last report, one per line, with the code they change. */
function survivors(name, only) {
  const file = join(root, `reports/mutation/${name}.json`);
  if (!existsSync(file)) {
    console.error(`mutate: no report for group "${name}" yet: run npm run mutate -- ${name}`);
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  for (const [path, entry] of Object.entries(report.files)) {
    if (only && !path.includes(only)) continue;
    const lines = entry.source.split("\n");
    for (const m of entry.mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const { start, end } = m.location;
      const code = lines[start.line - 1].trim();
      const replacement = (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 120);
      console.log(`${path}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: -> ${replacement}`);
      console.log(`    ${code.slice(0, 160)}${end.line !== start.line ? " ..." : ""}`);
    }
  }
}

/** The mutants marked equivalent (`// Stryker disable next-line <mutator>: <why>`), with their reason. */
function equivalents() {
  for (const name of Object.keys(groups)) {
    const file = join(root, `reports/mutation/${name}.json`);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    for (const [path, entry] of Object.entries(report.files)) {
      const seen = new Set();
      for (const m of entry.mutants) {
        if (m.status !== "Ignored") continue;
        const line = `${path}:${m.location.start.line} ${m.mutatorName}: ${m.statusReason ?? ""}`;
        if (!seen.has(line)) console.log(line);
        seen.add(line);
      }
    }
  }
}

const args = process.argv.slice(2);
if (args.includes("--summary")) {
  summary();
} else if (args[0] === "--equivalents") {
  equivalents();
} else if (args[0] === "--survivors") {
  survivors(args[1], args[2]);
} else {
  const names = args.length > 0 ? args : Object.keys(groups);
  let status = 0;
  for (const name of names) status = run(name) || status;
  summary();
  process.exit(status);
}
