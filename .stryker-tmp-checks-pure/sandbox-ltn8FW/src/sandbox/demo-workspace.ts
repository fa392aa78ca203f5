// @ts-nocheck
// The demo's workspace: stand-in versions of the scripts the staging checklist calls (backup, health
// check, smoke test, deployment monitor, notify), the answers for a non-interactive demo, and the
// sandbox ports a resumed demo reuses. The scripts use node (always there) rather than curl or gzip.
import { accessSync, constants } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { stringify } from "yaml";
import type { Checklist } from "../checklist/schema.js";
import { walkSteps } from "../checklist/walk.js";

/** A file whose presence makes the next stand-in script fail once, with the file's text as its error. */
export const FAIL_MARKER = ".demo-fail";
const STATE_FILE = ".demo-sandbox.json";

const LIB = `# Shared by the demo's stand-in scripts (written by deploycheck demo).
NODE="\${DEMO_NODE:-node}"
cd "$(dirname "$0")/.."
# deploycheck demo --fail-at leaves this marker for the step it wants to fail: fail once, then clear it.
if [ -f ${FAIL_MARKER} ]; then
  msg=$(cat ${FAIL_MARKER})
  rm -f ${FAIL_MARKER}
  echo "$msg" >&2
  exit 1
fi
`;

const BACKUP = `#!/usr/bin/env bash
# Stand-in for the pre-deployment backup (deploycheck demo): "backup" dumps the database to
# backups/backup-<ts>.sql.gz and records the rollback state; "verify" checks the newest backup.
set -euo pipefail
. "$(dirname "$0")/demo-lib.sh"
case "\${1:-}" in
  backup)
    "$NODE" --input-type=module -e '
      import { createHash } from "node:crypto";
      import { mkdirSync, writeFileSync } from "node:fs";
      import { gzipSync } from "node:zlib";
      const now = new Date();
      const ts = now.toISOString().replace(/[-:]/g, "").replace(/\\.\\d+Z$/, "Z");
      mkdirSync("backups", { recursive: true });
      const file = "backups/backup-" + ts + ".sql.gz";
      const dump = "-- buywhere staging database dump (sandbox stand-in)\\n" +
        "CREATE TABLE products (id text PRIMARY KEY, name text, price numeric);\\n" +
        "INSERT INTO products VALUES (\\x27p-1001\\x27, \\x27Espresso machine\\x27, 249.00);\\n";
      writeFileSync(file, gzipSync(dump));
      const prevSha = createHash("sha1").update("buywhere-api@1.8.0").digest("hex");
      writeFileSync(".rollback_state", [
        "DEPLOYMENT_ID=deploy-" + ts,
        "DEPLOY_TIME=" + now.toISOString(),
        "ENVIRONMENT=staging",
        "PREV_SHA=" + prevSha,
        "BACKUP_FILE=" + file,
        "",
      ].join("\\n"));
      console.log("backup written to " + file + " (" + dump.length + " bytes before compression)");
      console.log("rollback state written to .rollback_state (DEPLOYMENT_ID=deploy-" + ts + ")");
    '
    ;;
  verify)
    "$NODE" --input-type=module -e '
      import { readFileSync } from "node:fs";
      import { gunzipSync } from "node:zlib";
      const state = Object.fromEntries(readFileSync(".rollback_state", "utf8").split("\\n")
        .filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      const file = state.BACKUP_FILE;
      if (!file) { console.error(".rollback_state has no BACKUP_FILE"); process.exit(1); }
      let text;
      try { text = gunzipSync(readFileSync(file)).toString("utf8"); }
      catch (e) { console.error(file + " is not a readable gzip file: " + e.message); process.exit(1); }
      if (!text.includes("CREATE TABLE")) { console.error(file + " does not look like a database dump"); process.exit(1); }
      console.log("backup " + file + " is intact (" + text.split("\\n").length + " lines)");
    '
    ;;
  *)
    echo "usage: $0 backup|verify" >&2
    exit 2
    ;;
esac
`;

const HEALTH = `#!/usr/bin/env bash
# Stand-in for the enhanced health check (deploycheck demo): $API_URL/health answers 200 and every
# dependency it reports is "ok".
set -euo pipefail
. "$(dirname "$0")/demo-lib.sh"
: "\${API_URL:?API_URL is not set}"
"$NODE" --input-type=module -e '
  const base = process.env.API_URL.replace(/\\/+$/, "");
  const t0 = performance.now();
  let res;
  try { res = await fetch(base + "/health", { signal: AbortSignal.timeout(5000) }); }
  catch (e) { console.error("health check: cannot reach " + base + ": " + (e.cause?.code ?? e.message)); process.exit(1); }
  const ms = Math.round(performance.now() - t0);
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200) { console.error("health check: /health answered " + res.status); process.exit(1); }
  const checks = Object.entries(body.checks ?? {});
  for (const [name, state] of checks) console.log("  " + name.padEnd(10) + state);
  const bad = checks.filter(([, s]) => s !== "ok");
  if (bad.length) { console.error("health check: unhealthy: " + bad.map(([n]) => n).join(", ")); process.exit(1); }
  console.log("health check passed: " + base + "/health 200 in " + ms + "ms, " + checks.length + " dependencies ok");
'
`;

const SMOKE = `#!/usr/bin/env bash
# Stand-in for the pre-deployment smoke tests (deploycheck demo): the core and business endpoints answer.
set -euo pipefail
. "$(dirname "$0")/demo-lib.sh"
base="\${API_URL:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --base-url) base="$2"; shift 2 ;;
    *) echo "usage: $0 --base-url URL" >&2; exit 2 ;;
  esac
done
[ -n "$base" ] || { echo "smoke tests: no --base-url (or API_URL)" >&2; exit 2; }
"$NODE" --input-type=module -e '
  const base = process.argv[1].replace(/\\/+$/, "");
  const cases = [["/health", 200], ["/ready", 200], ["/products", 200], ["/search?q=grinder", 200], ["/metrics", 200]];
  let failed = 0;
  for (const [path, want] of cases) {
    const t0 = performance.now();
    let status = "unreachable";
    try { status = (await fetch(base + path, { signal: AbortSignal.timeout(5000) })).status; } catch (e) { status = e.cause?.code ?? "error"; }
    const ok = status === want;
    if (!ok) failed++;
    console.log((ok ? "PASS " : "FAIL ") + path.padEnd(20) + String(status).padEnd(6) + Math.round(performance.now() - t0) + "ms");
  }
  if (failed) { console.error(failed + " of " + cases.length + " smoke tests failed"); process.exit(1); }
  console.log("all " + cases.length + " smoke tests passed against " + base);
' "$base"
`;

const MONITOR = `#!/usr/bin/env bash
# Stand-in for the deployment monitor (deploycheck demo): "status" reports whether it is watching the
# deployment; "circuit-breaker" is CLOSED while the API answers its health check, OPEN otherwise.
set -euo pipefail
. "$(dirname "$0")/demo-lib.sh"
case "\${1:-}" in
  status)
    echo "deployment monitor: active (deployment \${DEPLOYMENT:-buywhere-api}, namespace \${ENVIRONMENT:-staging}, every 30s)"
    ;;
  circuit-breaker)
    "$NODE" --input-type=module -e '
      const base = (process.env.API_URL ?? "").replace(/\\/+$/, "");
      let ok = false;
      try { ok = (await fetch(base + "/health", { signal: AbortSignal.timeout(5000) })).ok; } catch {}
      if (ok) console.log("circuit breaker: CLOSED (0 consecutive failures, threshold 5)");
      else { console.log("circuit breaker: OPEN (health check failing)"); process.exit(1); }
    '
    ;;
  *)
    echo "usage: $0 status|circuit-breaker" >&2
    exit 2
    ;;
esac
`;

const NOTIFY = `#!/usr/bin/env bash
# Stand-in for deployment-notify.sh (deploycheck demo): posts the deployment's outcome to the Slack
# webhook in SLACK_WEBHOOK_URL (the sandbox's webhook sink).
set -euo pipefail
. "$(dirname "$0")/demo-lib.sh"
outcome="\${1:-success}"
: "\${SLACK_WEBHOOK_URL:?SLACK_WEBHOOK_URL is not set: deployment-notify.sh is not configured}"
"$NODE" --input-type=module -e '
  const [outcome] = process.argv.slice(1);
  const text = (outcome === "success" ? "Deployment succeeded: " : "Deployment " + outcome + ": ") +
    (process.env.DEPLOYMENT ?? "buywhere-api") + " in " + (process.env.ENVIRONMENT ?? "staging");
  let res;
  try {
    res = await fetch(process.env.SLACK_WEBHOOK_URL, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }), signal: AbortSignal.timeout(10000) });
  } catch (e) { console.error("notify: cannot reach the webhook: " + (e.cause?.code ?? e.message)); process.exit(1); }
  if (!res.ok) { console.error("notify: the webhook answered " + res.status); process.exit(1); }
  console.log("notification sent: " + text);
' "$outcome"
`;

/**
 * Used only when no kubectl is installed: the one kubectl call of the staging checklist (`kubectl get
 * namespace NAME`, item 22) and `config current-context`, against the sandbox's API server.
 */
const KUBECTL = `#!/usr/bin/env bash
# Stand-in kubectl (deploycheck demo, used because no kubectl is installed): knows "get namespace NAME"
# and "config current-context" against the sandbox. Install kubectl for everything else.
set -euo pipefail
"\${DEMO_NODE:-node}" --input-type=module -e '
  const args = process.argv.slice(1).filter((a) => !a.startsWith("--context") && !a.startsWith("--kubeconfig"));
  const server = process.env.DEMO_KUBE_SERVER, context = process.env.DEMO_KUBE_CONTEXT;
  if (args[0] === "config" && args[1] === "current-context") { console.log(context); process.exit(0); }
  if (args[0] === "get" && /^(namespace|namespaces|ns)$/.test(args[1] ?? "") && args[2]) {
    let res;
    try { res = await fetch(server + "/api/v1/namespaces/" + encodeURIComponent(args[2])); }
    catch (e) { console.error("The connection to the server " + server + " was refused - did you specify the right host or port?"); process.exit(1); }
    if (res.status === 404) { console.error("Error from server (NotFound): namespaces \\"" + args[2] + "\\" not found"); process.exit(1); }
    if (!res.ok) { console.error("Error from server: " + res.status); process.exit(1); }
    const ns = await res.json();
    const age = Math.max(0, Math.round((Date.now() - Date.parse(ns.metadata.creationTimestamp)) / 60000));
    console.log("NAME".padEnd(12) + "STATUS".padEnd(9) + "AGE");
    console.log(ns.metadata.name.padEnd(12) + (ns.status?.phase ?? "Active").padEnd(9) + age + "m");
    process.exit(0);
  }
  console.error("this stand-in kubectl (deploycheck demo) only knows: get namespace NAME, config current-context; install kubectl for more");
  process.exit(1);
' "$@"
`;

export const DEMO_SCRIPTS: Record<string, string> = {
  "demo-lib.sh": LIB,
  "pre-deploy-backup.sh": BACKUP,
  "enhanced-health-check.sh": HEALTH,
  "pre-deploy-smoke-test.sh": SMOKE,
  "deployment-monitor.sh": MONITOR,
  "deployment-notify.sh": NOTIFY,
};

/** Write the stand-in scripts (always: they are the demo's, not the user's) and the backups directory. */
export async function prepareWorkspace(dir: string): Promise<void> {
  await mkdir(join(dir, "scripts"), { recursive: true });
  await mkdir(join(dir, "backups"), { recursive: true });
  for (const [name, text] of Object.entries(DEMO_SCRIPTS)) {
    const file = join(dir, "scripts", name);
    await writeFile(file, text);
    await chmod(file, 0o755);
  }
}

/** Whether an executable `name` is on this PATH. */
export function onPath(name: string, path = process.env["PATH"] ?? ""): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((d) => {
      try {
        accessSync(join(d, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** A stand-in kubectl in `<dir>/bin` (put first on PATH by the caller), for machines without one. */
export async function writeKubectlStandIn(dir: string): Promise<string> {
  const bin = join(dir, "bin");
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, "kubectl"), KUBECTL);
  await chmod(join(bin, "kubectl"), 0o755);
  return bin;
}

/**
 * Answers for every manual step of the checklist (and the rollback confirmations the kube steps ask),
 * so the demo runs without a person: "yes" everywhere, a note where one is required, the sign-off.
 */
export function demoAnswers(checklist: Checklist, engineer: string): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const ref of walkSteps(checklist)) {
    const { step, key } = ref;
    if (step.confirm !== undefined) {
      const note = typeof step.confirm === "object" && step.confirm.requireNote;
      answers[key] = note ? { value: "yes", note: "Done in the deploycheck demo sandbox." } : "yes";
    } else if (step.input !== undefined) {
      answers[key] = step.input.default ?? "demo";
    } else if (step.kube?.rolloutUndo !== undefined) {
      answers[key] = "yes";
    }
  }
  answers["signoff/engineer"] = engineer;
  answers["signoff/ready"] = "yes";
  answers["signoff/notes"] = "Demo run against the deploycheck sandbox.";
  answers["signoff/blockers"] = "none";
  return answers;
}

export async function writeDemoAnswers(
  dir: string,
  checklist: Checklist,
  engineer: string,
  name = "demo-answers.yaml",
  command = "deploycheck demo",
): Promise<string> {
  const file = join(dir, name);
  const header = `# Answers for a non-interactive \`${command}\` (item-id/step-id: answer). They sign off "ready".\n`;
  await writeFile(file, header + stringify(demoAnswers(checklist, engineer)));
  return file;
}

export interface SandboxPorts {
  service?: number;
  prometheus?: number;
  sink?: number;
}

/** The ports the last demo in this workspace used: a resumed run's URLs then still answer. */
export async function readSandboxPorts(dir: string): Promise<SandboxPorts> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, STATE_FILE), "utf8")) as SandboxPorts;
    const port = (v: unknown) => (typeof v === "number" && v > 0 && v < 65536 ? v : undefined);
    const out: SandboxPorts = {};
    for (const k of ["service", "prometheus", "sink"] as const) {
      const p = port(parsed[k]);
      if (p) out[k] = p;
    }
    return out;
  } catch {
    return {};
  }
}

export async function writeSandboxPorts(dir: string, ports: Required<SandboxPorts>): Promise<void> {
  await writeFile(join(dir, STATE_FILE), `${JSON.stringify(ports)}\n`);
}
