#!/usr/bin/env node
// The staging checklist's Kubernetes reads (context, namespace, rollout status, pods, history, image) done
// natively by deploycheck in one fresh process (Node start-up and the client import included) against the
// same reads done by spawning kubectl once each, both against the simulated API server, interleaved;
// medians of RUNS. Prints native / kubectl (goal <= 0.5), and the share inside a deploycheck process that
// has already loaded its own modules (client import + reads). Uses dist/: build first.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import module from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => path.join(root, "dist", p);
const run = promisify(execFile);
const RUNS = Number(process.env.RUNS ?? 9);
const NS = "staging";
const NAME = "buywhere-api";

/** Child mode: the six reads through the native kube checks, as the runner would call them. */
async function nativeReads() {
  // As bin/deploycheck.js does: Node's compile cache where it exists (Node >= 22.1).
  if (typeof module.enableCompileCache === "function") module.enableCompileCache();
  const { execute } = await import(dist("checks/kube.js"));
  // What a run has loaded before its first kube step (the checks, zod, yaml): not the kube steps' cost.
  await import(dist("checklist/describe.js"));
  const started = performance.now();
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
  for (const kube of steps) {
    const out = await execute({ kube }, ctx);
    if (out.status !== "passed") throw new Error(`${Object.keys(kube)[0]}: ${out.summary}`);
  }
  process.stdout.write(JSON.stringify({ kubeMs: performance.now() - started }));
}

if (process.argv[2] === "--native-reads") {
  await nativeReads();
  process.exit(0);
}

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
  return { total: Number(process.hrtime.bigint() - start) / 1e6, kube: JSON.parse(stdout).kubeMs };
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
  for (let i = 0; i < RUNS; i++) {
    kubectl.push(await timeKubectl());
    const t = await timeNative();
    native.push(t.total);
    inProcess.push(t.kube);
  }
  const n = median(native);
  const p = median(inProcess);
  const k = median(kubectl);
  const fmt = (ms) => `${ms.toFixed(0)} ms`.padStart(7);
  console.log(`kubectl, one process per read             median ${fmt(k)}  (${RUNS} runs)`);
  console.log(`deploycheck native, whole process         median ${fmt(n)}  ratio ${(n / k).toFixed(2)}`);
  console.log(`  of which client import + the six reads  median ${fmt(p)}  ratio ${(p / k).toFixed(2)}`);
  console.log(`kube reads ratio (native process / kubectl): ${(n / k).toFixed(2)} (goal <= 0.5)`);
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
