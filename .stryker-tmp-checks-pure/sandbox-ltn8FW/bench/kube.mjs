#!/usr/bin/env node
// @ts-nocheck
// The staging checklist's Kubernetes reads (context, namespace, rollout status, pods, history, image) done
// natively by deploycheck in one fresh process (Node start-up and the client import included) against the
// same reads done by spawning kubectl once each, both against the simulated API server, interleaved;
// medians of RUNS. Prints native / kubectl (goal <= 0.5), the share inside a deploycheck process that
// has already loaded its own modules (client import + reads), where the native process spends its time
// (Node start-up, our modules, each step), and a final `RESULT {...}` line. Uses dist/: build first.
// The native process loads the kube check module and the step helpers a run has loaded before its first kube
// step (a run answered from the checklist cache loads no zod), then everything the six reads need (yaml for
// the kubeconfig, the bundled client): all of it counts. The rest of the CLI's start-up is the same whether
// a checklist reads the cluster natively or through kubectl in run steps, so it is in neither side. kubectl runs with the same kubeconfig and a warm discovery cache (KUBECACHEDIR), as on
// an engineer's machine.
// The child (--native-reads) imports only what it uses: the harness's own modules (child_process, the temp
// directory) are loaded by the parent alone, so that they are not counted as deploycheck's.
import module from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => path.join(root, "dist", p);
const RUNS = Number(process.env.RUNS ?? 9);
const NS = "staging";
const NAME = "buywhere-api";

/** Child mode: the six reads through the native kube checks, as the runner would call them. */
async function nativeReads() {
  // performance.now() counts from the process's start: this is Node's own start-up, up to our first line.
  const nodeStartMs = performance.now();
  // As bin/deploycheck.js does: Node's compile cache where it exists (Node >= 22.1).
  if (typeof module.enableCompileCache === "function") module.enableCompileCache();
  const { execute } = await import(dist("checks/kube.js"));
  // Step helpers a run has loaded before its first kube step: counted in the whole process, not in the kube
  // steps' own share.
  await import(dist("checklist/describe.js"));
  const started = performance.now();
  const importsMs = started - nodeStartMs;
  const vars = { namespace: NS, deployment: NAME };
  const target = { deployment: "${deployment}", namespace: "${namespace}" };
  const ctx = {
    key: "bench/kube",
    vars,
    env: process.env,
    cwd: process.cwd(),
    signal: new AbortController().signal,
    timeoutMs: 300_000,
    dryRun: false,
    interactive: false,
    progress: { message() {} },
    prompter: {},
    redact: (t) => t,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(() => r(true), ms)),
    kube: {},
    runNested: async () => ({ status: "passed", summary: "" }),
  };
  const steps = [
    { context: { matches: "staging" } },
    { namespace: "${namespace}" },
    { rolloutStatus: target },
    { pods: { selector: "app=${deployment}", namespace: "${namespace}" } },
    { history: target },
    { image: target },
  ];
  const stepMs = {};
  for (const kube of steps) {
    const name = Object.keys(kube)[0];
    const t = performance.now();
    const out = await execute({ kube }, ctx);
    stepMs[name] = performance.now() - t;
    if (out.status !== "passed") throw new Error(`${name}: ${out.summary}`);
  }
  process.stdout.write(
    JSON.stringify({ kubeMs: performance.now() - started, nodeStartMs, importsMs, stepMs }),
  );
}

if (process.argv[2] === "--native-reads") {
  await nativeReads();
  process.exit(0);
}

const { execFile } = await import("node:child_process");
const { existsSync, mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { promisify } = await import("node:util");
const run = promisify(execFile);

if (!existsSync(dist("sandbox/kube-server.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}

const { startKubeSandbox } = await import(dist("sandbox/kube-server.js"));
const { seedStaging } = await import(dist("sandbox/start.js"));
const dir = mkdtempSync(path.join(tmpdir(), "dc-bench-kube-"));
const sandbox = await startKubeSandbox();
seedStaging(sandbox);
const kubeconfig = await sandbox.writeKubeconfig(path.join(dir, "kubeconfig"), { namespace: NS });
const env = {
  PATH: process.env.PATH,
  HOME: dir,
  KUBECONFIG: kubeconfig,
  KUBECACHEDIR: path.join(dir, "kube-cache"),
  KUBE_FEATURE_WatchListClient: "false",
  NODE_COMPILE_CACHE: path.join(dir, "node-compile-cache"),
};

const kubectlReads = [
  ["config", "current-context"],
  ["get", "namespace", NS],
  ["rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=300s"],
  ["get", "pods", "-n", NS, "-l", `app=${NAME}`],
  ["rollout", "history", `deployment/${NAME}`, "-n", NS],
  ["describe", "deployment", NAME, "-n", NS],
];

async function timeKubectl() {
  const start = process.hrtime.bigint();
  for (const args of kubectlReads) await run("kubectl", args, { env });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timeNative() {
  const start = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, [fileURLToPath(import.meta.url), "--native-reads"], { env });
  return { total: Number(process.hrtime.bigint() - start) / 1e6, ...JSON.parse(stdout) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

try {
  // Warm both once (kubectl's discovery cache, the file system cache, Node's compile cache), then interleave.
  await timeKubectl();
  await timeNative();
  const native = [];
  const inProcess = [];
  const kubectl = [];
  const spans = [];
  for (let i = 0; i < RUNS; i++) {
    kubectl.push(await timeKubectl());
    const t = await timeNative();
    native.push(t.total);
    inProcess.push(t.kubeMs);
    spans.push(t);
  }
  const n = median(native);
  const p = median(inProcess);
  const k = median(kubectl);
  const fmt = (ms) => `${ms.toFixed(0)} ms`.padStart(7);
  console.log(`kubectl, one process per read             median ${fmt(k)}  (${RUNS} runs)`);
  console.log(`deploycheck native, whole process         median ${fmt(n)}  ratio ${(n / k).toFixed(2)}`);
  console.log(`  of which client import + the six reads  median ${fmt(p)}  ratio ${(p / k).toFixed(2)}`);
  // Where the native process spends its time (medians of each span, so they need not add up exactly).
  const span = (f) => fmt(median(spans.map(f)));
  console.log(
    `  native spans: Node start-up ${span((t) => t.nodeStartMs)}, our modules ${span((t) => t.importsMs)}`,
  );
  console.log(
    `  per step:${Object.keys(spans[0].stepMs)
      .map((s) => ` ${s} ${span((t) => t.stepMs[s]).trim()}`)
      .join(",")}`,
  );
  console.log(`kube reads ratio (native process / kubectl): ${(n / k).toFixed(2)} (goal <= 0.5)`);
  console.log(
    `RESULT ${JSON.stringify({ name: "kube", ratio: Number((n / k).toFixed(3)), goal: 0.5, unit: "ratio" })}`,
  );
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
