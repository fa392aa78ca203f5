// @ts-nocheck
// `deploycheck sandbox`: the sandbox alone in the foreground, with a workspace holding the stand-in
// scripts the staging checklist calls. Prints the commands that run the staging checklist against it
// (copy-pasteable from any directory), logs every request and webhook it answers, and stops cleanly
// on Ctrl-C or SIGTERM (the workspace, with its runs and records, is kept).
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { shellQuote } from "../../checklist/vars.js";
import type { RequestLogEntry } from "../../sandbox/request-log.js";
import type { SandboxPart } from "../../sandbox/start.js";
import type { GlobalOptions } from "../options.js";

export interface SandboxCommandOptions extends GlobalOptions {
  workspace?: string;
}

/** Short waits for a sandbox run: metric gates every 2 s, a 30 s watch in rounds of 10 s. */
export const SANDBOX_DURATIONS: Readonly<Record<string, string>> = {
  gateInterval: "2s",
  watchDuration: "30s",
  watchInterval: "10s",
};

const PART_NAMES: Record<SandboxPart, string> = {
  kube: "kube API",
  service: "service",
  prometheus: "prometheus",
  webhook: "webhook",
};

/** One console line per request: time, part, method, path, status, duration (and a webhook's text). */
export function requestLine(at: Date, part: SandboxPart, e: RequestLogEntry & { text?: string }): string {
  const time = at.toISOString().slice(11, 19);
  const path = e.path.length > 100 ? `${e.path.slice(0, 99)}…` : e.path;
  const text = e.text ? `  ${JSON.stringify(e.text.length > 120 ? `${e.text.slice(0, 119)}…` : e.text)}` : "";
  return `${time}  ${PART_NAMES[part].padEnd(10)}  ${e.method} ${path} ${e.status} (${e.ms}ms)${text}`;
}

export async function run(_args: string[], options: SandboxCommandOptions): Promise<number> {
  const [{ startSandbox }, ws, { loadChecklist }, { bundledDir }] = await Promise.all([
    import("../../sandbox/start.js"),
    import("../../sandbox/demo-workspace.js"),
    import("../../checklist/load.js"),
    import("../../checklist/find.js"),
  ]);
  const workspace = resolve(options.workspace ?? (await mkdtemp(join(tmpdir(), "deploycheck-sandbox-ws-"))));
  await mkdir(workspace, { recursive: true });
  await ws.prepareWorkspace(workspace);
  const { checklist } = await loadChecklist(join(bundledDir(), "staging.yaml"));
  await ws.writeDemoAnswers(
    workspace,
    checklist,
    "Sandbox Engineer",
    "sandbox-answers.yaml",
    "deploycheck run staging ... --answers sandbox-answers.yaml",
  );
  const logging = !options.json;
  const sandbox = await startSandbox({
    traffic: true,
    ...(logging
      ? { onRequest: (part, e) => process.stdout.write(`${requestLine(new Date(), part, e)}\n`) }
      : {}),
  });
  const vars = { ...sandbox.vars, ...SANDBOX_DURATIONS };
  const varFlags = Object.entries(vars)
    .map(([k, v]) => `--var ${shellQuote(`${k}=${v}`)}`)
    .join(" ");
  // Without kubectl, item 22's `kubectl get namespace` goes to the workspace's stand-in.
  const exports: Record<string, string> = {
    KUBECONFIG: sandbox.kubeconfigPath,
    SLACK_WEBHOOK_URL: sandbox.sink.slackUrl,
  };
  if (!ws.onPath("kubectl")) {
    const bin = await ws.writeKubectlStandIn(workspace);
    Object.assign(exports, {
      PATH: `${bin}${delimiter}$PATH`,
      DEMO_KUBE_SERVER: sandbox.kube.url,
      DEMO_KUBE_CONTEXT: "staging-sandbox",
    });
  }
  const exportLine = `export ${Object.entries(exports)
    .map(([k, v]) =>
      k === "PATH" ? `PATH=${shellQuote(v.replace("$PATH", ""))}"$PATH"` : `${k}=${shellQuote(v)}`,
    )
    .join(" ")}`;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        kubeconfig: sandbox.kubeconfigPath,
        kubeApiServer: sandbox.kube.url,
        service: sandbox.service.url,
        prometheus: sandbox.prometheus.url,
        webhookSink: sandbox.sink.url,
        slackWebhook: sandbox.sink.slackUrl,
        workspace,
        vars,
        env: { ...sandbox.env, ...exports },
      })}\n`,
    );
  } else {
    const run = `deploycheck run staging ${varFlags}`;
    process.stdout.write(
      [
        "deploycheck sandbox is running (Ctrl-C to stop)",
        "",
        `  Kubernetes API:  ${sandbox.kube.url}  (simulated; context staging-sandbox)`,
        `  kubeconfig:      ${sandbox.kubeconfigPath}`,
        `  sample service:  ${sandbox.service.url}  (/health /ready /metrics /products /search?q=)`,
        `  Prometheus API:  ${sandbox.prometheus.url}/api/v1/query`,
        `  webhook sink:    ${sandbox.sink.url}  (received messages: ${sandbox.sink.url}/received)`,
        `  workspace:       ${workspace}  (stand-in scripts; runs and records stay here)`,
        "",
        "Run the staging checklist against it from another terminal (you answer the confirmations;",
        "gates and the watch are shortened with --var):",
        `  cd ${shellQuote(workspace)}`,
        `  ${exportLine}`,
        `  ${run}`,
        "",
        "Or without prompts, from the same directory (sandbox-answers.yaml answers yes and signs off ready):",
        `  ${run} --non-interactive --answers sandbox-answers.yaml`,
        "",
        "Requests and webhooks as they arrive:",
        "",
      ].join("\n"),
    );
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => resolve(s);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await sandbox.close();
  if (!options.json) {
    process.stdout.write(
      `\nsandbox stopped (${signal}); the workspace stays: ${workspace} (delete it when done)\n`,
    );
  }
  return 0;
}
