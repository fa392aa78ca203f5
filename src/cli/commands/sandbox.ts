// `deploycheck sandbox`: the sandbox alone in the foreground; prints how to point kubectl and a checklist
// at it, and stops cleanly on Ctrl-C or SIGTERM.
import { shellQuote } from "../../checklist/vars.js";
import type { GlobalOptions } from "../options.js";

export async function run(_args: string[], options: GlobalOptions): Promise<number> {
  const { startSandbox } = await import("../../sandbox/start.js");
  const sandbox = await startSandbox();
  const varFlags = Object.entries(sandbox.vars)
    .map(([k, v]) => `--var ${shellQuote(`${k}=${v}`)}`)
    .join(" ");
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        kubeconfig: sandbox.kubeconfigPath,
        kubeApiServer: sandbox.kube.url,
        service: sandbox.service.url,
        prometheus: sandbox.prometheus.url,
        webhookSink: sandbox.sink.url,
        slackWebhook: sandbox.sink.slackUrl,
        vars: sandbox.vars,
        env: sandbox.env,
      })}\n`,
    );
  } else {
    process.stdout.write(
      [
        "deploycheck sandbox is running (Ctrl-C to stop)",
        "",
        `  Kubernetes API:  ${sandbox.kube.url}  (simulated; context staging-sandbox)`,
        `  kubeconfig:      ${sandbox.kubeconfigPath}`,
        `  sample service:  ${sandbox.service.url}  (/health /ready /metrics /products /search?q=)`,
        `  Prometheus API:  ${sandbox.prometheus.url}/api/v1/query`,
        `  webhook sink:    ${sandbox.sink.slackUrl}  (received messages: ${sandbox.sink.url}/received)`,
        "",
        "Point kubectl and deploycheck at it:",
        `  export KUBECONFIG=${shellQuote(sandbox.kubeconfigPath)}`,
        `  export SLACK_WEBHOOK_URL=${shellQuote(sandbox.sink.slackUrl)}`,
        `  deploycheck run staging ${varFlags}`,
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
  if (!options.json) process.stdout.write(`\nsandbox stopped (${signal})\n`);
  return 0;
}
