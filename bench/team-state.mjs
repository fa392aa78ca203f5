#!/usr/bin/env node
// Team state on the cluster (issue 17), against the simulated API server on 127.0.0.1:
// 1. Per-step journal cost with team state on (the local journal, then the step's lines stored as one
//    ConfigMap, the step start fenced by the lease: in memory for a read-only step, with a lease read for a
//    mutating one) against the local journal alone, as the runner writes them (the step's result written,
//    then the next step's start appended: one fdatasync, one push). Rounds interleave the two so that
//    machine load hits both alike; medians of RUNS rounds of STEPS steps. The ratio is team / local.
// 2. RUNNERS concurrent `deploycheck run` processes (each its own HOME and state dir) on CHECKLISTS team
//    checklists of RUN_STEPS mutating steps: the lease lets one run per checklist at a time, the others are
//    refused and try again 100 ms later, so runs go through in turn. Throughput (runs and steps per second
//    of wall time), and no lost events: every run's journal in the cluster is its local journal line for
//    line, every step passed exactly once, and its signed record is stored beside it.
// Uses dist/: build first. Prints RESULT lines for run-all.mjs.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(path.join(root, "dist/cli/team.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}
const { startKubeSandbox } = await import(path.join(root, "dist/sandbox/kube-server.js"));
const { openFileJournal, createRunDir } = await import(path.join(root, "dist/store/runs.js"));
const team = await import(path.join(root, "dist/cli/team.js"));
const { TeamJournal } = await import(path.join(root, "dist/store/kubernetes/team-journal.js"));

const RUNS = Number(process.env.RUNS ?? 5);
const STEPS = Number(process.env.STEPS ?? 100);
const RUNNERS = Number(process.env.RUNNERS ?? 20);
const CHECKLISTS = Number(process.env.CHECKLISTS ?? 5);
const RUN_STEPS = Number(process.env.RUN_STEPS ?? 10);
const NS = "deploycheck";
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const work = mkdtempSync(path.join(tmpdir(), "dc-bench-team-"));
const sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
const kubeconfig = await sandbox.writeKubeconfig(path.join(work, "kubeconfig"));
sandbox.createNamespace(NS);
process.env.KUBECONFIG = kubeconfig;

// ---- 1. per-step journal cost -------------------------------------------------------------------
const outcome = { status: "passed", summary: "exit 0 in 3ms", details: { command: "true", exitCode: 0 } };
const conn = await team.connectTeam({ namespace: NS, leaseSeconds: 30 }, {});
let round = 0;

/** ms per step: STEPS steps' events through the journal (team state on or off). */
async function perStep(withTeam, mutating) {
  const stateDir = path.join(work, `state-${withTeam ? "team" : "local"}-${round}`);
  const runId = `benchjournal-20261130T120000Z-${String(round++).padStart(4, "0").slice(-4)}`;
  const dir = createRunDir(stateDir, runId, "checklist: bench\n");
  writeFileSync(path.join(dir, "journal.jsonl"), "");
  const local = openFileJournal(dir);
  let journal = local;
  let lease;
  if (withTeam) {
    lease = await team.TeamLease.acquire(conn, "benchjournal", team.holderFor("bench", runId));
    journal = new TeamJournal({
      local,
      cluster: team.clusterJournal(conn, "benchjournal", runId),
      fence: lease,
      isMutating: () => mutating,
    });
  }
  const event = (type, i) => ({
    v: 1,
    type,
    at: new Date().toISOString(),
    key: `item-${i}/step`,
    attempt: 1,
  });
  const start = process.hrtime.bigint();
  await journal.append(event("step-started", 0));
  for (let i = 0; i < STEPS; i++) {
    journal.write({ ...event("step-finished", i), durationMs: 3, outcome });
    await journal.append(event("step-started", i + 1));
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  local.close();
  await lease?.release();
  return ms / STEPS;
}

const samples = { local: [], readOnly: [], mutating: [] };
await perStep(true, true); // warm-up: modules, the connection, the namespace's first objects
for (let r = 0; r < RUNS; r++) {
  samples.local.push(await perStep(false, false));
  samples.readOnly.push(await perStep(true, false));
  samples.mutating.push(await perStep(true, true));
}
const local = median(samples.local);
const readOnly = median(samples.readOnly);
const mutating = median(samples.mutating);
console.log(`journal per step (${STEPS} steps, median of ${RUNS}):`);
console.log(`  local journal                          ${local.toFixed(3)} ms`);
console.log(
  `  team state, read-only step             ${readOnly.toFixed(3)} ms  (${(readOnly / local).toFixed(1)}x)`,
);
console.log(
  `  team state, mutating step (lease read) ${mutating.toFixed(3)} ms  (${(mutating / local).toFixed(1)}x)`,
);

// ---- 2. concurrent runners ----------------------------------------------------------------------
const BIN = path.join(root, "bin/deploycheck.js");
const names = Array.from({ length: CHECKLISTS }, (_, c) => `benchteam${c}`);
const checklistText = (name) => `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: ${name}, title: Bench ${name} }
team:
  kubernetes: { namespace: ${NS} }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
${Array.from({ length: RUN_STEPS }, (_, i) => `          - { id: s${i}, run: "true", mutating: true }`).join("\n")}
`;

function runner(n) {
  const name = names[n % CHECKLISTS];
  const home = path.join(work, `runner-${n}`);
  const cwd = path.join(home, "work");
  mkdirSync(path.join(cwd, "checklists"), { recursive: true });
  writeFileSync(path.join(cwd, "checklists", `${name}.yaml`), checklistText(name));
  writeFileSync(
    path.join(cwd, "answers.yaml"),
    `signoff/engineer: runner${n}\nsignoff/ready: yes\nsignoff/notes: ''\nsignoff/blockers: ''\n`,
  );
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    USER: `runner${n}`,
    SHLVL: "1",
    XDG_CONFIG_HOME: path.join(home, "config"),
    XDG_CACHE_HOME: path.join(home, "cache"),
    KUBECONFIG: kubeconfig,
    CI: "1",
    NO_COLOR: "1",
  };
  let refusals = 0;
  const attempt = () =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, "run", name, "--answers", "answers.yaml"], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });
  return (async () => {
    for (;;) {
      const r = await attempt();
      if (r.code === 0) return { n, name, cwd, refusals };
      if (r.code === 2 && r.out.includes("is being run by")) {
        refusals++;
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      throw new Error(`runner ${n} (${name}) failed with exit ${r.code}:\n${r.out}`);
    }
  })();
}

const before = process.hrtime.bigint();
const finished = await Promise.all(Array.from({ length: RUNNERS }, (_, n) => runner(n)));
const seconds = Number(process.hrtime.bigint() - before) / 1e9;

// No lost events: each run's journal in the cluster is the local one, line for line; every step passed once.
let lost = 0;
let lines = 0;
const problems = [];
for (const f of finished) {
  const runsDir = path.join(f.cwd, ".deploycheck", "runs");
  for (const runId of readdirSync(runsDir)) {
    const local = readFileSync(path.join(runsDir, runId, "journal.jsonl"), "utf8")
      .trim()
      .split("\n");
    const stored = new Map();
    let record = false;
    for (const cm of sandbox.cluster.list("configmaps", NS)) {
      if (cm.metadata.annotations?.["deploycheck.io/run-id"] !== runId) continue;
      if (cm.metadata.name.endsWith("-record"))
        record = cm.data["record.json"] === readFileSync(path.join(runsDir, runId, "record.json"), "utf8");
      for (const [k, v] of Object.entries(cm.data ?? {}))
        if (/^e\d+$/.test(k)) stored.set(Number(k.slice(1)), v);
    }
    const cluster = Array.from({ length: stored.size }, (_, i) => stored.get(i));
    const missing =
      local.filter((l, i) => cluster[i] !== l).length + Math.max(0, cluster.length - local.length);
    const passed = local
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "step-finished" && e.outcome.status === "passed");
    if (
      missing ||
      passed.length !== RUN_STEPS ||
      new Set(passed.map((e) => e.key)).size !== RUN_STEPS ||
      !record
    )
      problems.push(
        `${runId}: ${missing} lines differ, ${passed.length} steps passed, record stored: ${record}`,
      );
    lost += missing;
    lines += local.length;
  }
}
const refusals = finished.reduce((a, f) => a + f.refusals, 0);
console.log(
  `\n${RUNNERS} runners on ${CHECKLISTS} checklists (${RUN_STEPS} mutating steps each): ${seconds.toFixed(1)} s wall`,
);
console.log(
  `  throughput        ${(RUNNERS / seconds).toFixed(2)} runs/s, ${((RUNNERS * RUN_STEPS) / seconds).toFixed(1)} steps/s`,
);
console.log(`  lease refusals    ${refusals} (retried after 100 ms)`);
console.log(
  `  journal lines     ${lines} in ${finished.length} runs; lost or different in the cluster: ${lost}`,
);
for (const p of problems) console.log(`  PROBLEM ${p}`);

console.log(
  `RESULT ${JSON.stringify({ name: "team journal per step / local (read-only step)", ratio: readOnly / local, goal: 20 })}`,
);
console.log(
  `RESULT ${JSON.stringify({ name: "team journal per step / local (mutating step)", ratio: mutating / local, goal: 30 })}`,
);
console.log(
  `RESULT ${JSON.stringify({ name: `${RUNNERS} team runners: lost events`, value: lost + problems.length, goal: 0, unit: "events" })}`,
);

await sandbox.close();
rmSync(work, { recursive: true, force: true });
