// @ts-nocheck
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { startSandbox } from "../../../src/sandbox/start.js";

describe("startSandbox", () => {
  it("starts cluster, service, Prometheus API and sink, and points vars and env at them", async () => {
    const sandbox = await startSandbox({ rolloutStepMs: 20 });
    try {
      expect(sandbox.vars).toMatchObject({
        apiUrl: sandbox.service.url,
        prometheusUrl: sandbox.prometheus.url,
      });
      expect(sandbox.env).toMatchObject({
        KUBECONFIG: sandbox.kubeconfigPath,
        SLACK_WEBHOOK_URL: sandbox.sink.slackUrl,
      });
      expect((await fetch(`${sandbox.service.url}/health`)).status).toBe(200);
      const up = (await (await fetch(`${sandbox.prometheus.url}/api/v1/query?query=up`)).json()) as {
        data: { result: { metric: Record<string, string> }[] };
      };
      expect(up.data.result[0]!.metric).toMatchObject({ job: "buywhere-api", namespace: "staging" });
      expect((await fetch(sandbox.sink.slackUrl, { method: "POST", body: "{}" })).status).toBe(200);
    } finally {
      await sandbox.close();
    }
    await expect(fetch(`${sandbox.service.url}/health`)).rejects.toThrow();
  });

  it("reuses preferred ports, and falls back to a free one when a port is taken", async () => {
    const first = await startSandbox({ rolloutStepMs: 20 });
    const ports = { service: first.service.port, prometheus: first.prometheus.port, sink: first.sink.port };
    await first.close();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.sink, "127.0.0.1", resolve));
    const second = await startSandbox({ rolloutStepMs: 20, ports });
    try {
      expect(second.service.port).toBe(ports.service);
      expect(second.prometheus.port).toBe(ports.prometheus);
      expect(second.sink.port).not.toBe(ports.sink);
    } finally {
      await second.close();
      blocker.close();
    }
  });
});
