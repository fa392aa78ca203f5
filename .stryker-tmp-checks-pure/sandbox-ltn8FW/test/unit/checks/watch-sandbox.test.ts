// @ts-nocheck
// The watch kind with real nested checks (http, prometheus) against the sandbox service.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NestedStep, Step } from "../../../src/checklist/schema.js";
import { stepKind } from "../../../src/checklist/schema.js";
import { loadCheck } from "../../../src/checks/registry.js";
import { execute } from "../../../src/checks/watch.js";
import { type PrometheusApi, startPrometheusApi } from "../../../src/sandbox/prometheus-api.js";
import { type SampleService, startSampleService } from "../../../src/sandbox/service.js";
import { execContext } from "./monitor-context.js";

let service: SampleService;
let prom: PrometheusApi;
beforeEach(async () => {
  service = await startSampleService();
  prom = await startPrometheusApi(service);
});
afterEach(async () => {
  await prom.close();
  await service.close();
});

const nested: NestedStep[] = [
  { id: "health", http: { url: "${apiUrl}/health", expect: { status: 200 } } },
  {
    id: "error-rate",
    prometheus: {
      url: "${prometheusUrl}",
      query:
        '(sum(rate(http_requests_total{status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total[5m]))',
      expect: { lt: 0.1 },
    },
  },
];
const watch: Step = { id: "watch", watch: { duration: "300ms", interval: "100ms", steps: nested } };

function ctx(onRound?: (round: number) => Promise<void>) {
  let calls = 0;
  const c = execContext({ vars: { apiUrl: "", prometheusUrl: "" } });
  c.vars = { apiUrl: service.url, prometheusUrl: prom.url };
  c.runNested = async (step, i) => {
    if (i === 0) await onRound?.(++calls);
    const mod = await loadCheck(stepKind(step));
    return mod.execute(step, { ...c, key: `item/watch#${i + 1}` });
  };
  return c;
}

describe("watch against the sandbox service", () => {
  it("passes while the service is healthy", async () => {
    const out = await execute(watch, ctx());
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(
      /^4\/4 rounds passed, [\d.]+m?s from first to last round \(window 300ms, every 100ms\)$/,
    );
    expect(
      (out.details?.["window"] as { observedMs?: number } | undefined)?.observedMs,
    ).toBeGreaterThanOrEqual(300);
  });

  it("fails in the round where the service starts answering 500s, naming the nested step", async () => {
    const out = await execute(
      watch,
      ctx(async (round) => {
        if (round === 3) service.setFaults({ errorRate: 1 });
      }),
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^round 3\/4 \(after \d+ms\): health failed: 500 Internal Server Error/);
  });

  it("fails when the service goes down", async () => {
    const out = await execute(
      watch,
      ctx(async (round) => {
        if (round === 2) await service.down();
      }),
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^round 2\/4 .*health failed: .*(ECONNREFUSED|connection)/);
  });
});
