import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { describe as describeStep, execute } from "../../../src/checks/prometheus.js";
import { type PrometheusApi, startPrometheusApi } from "../../../src/sandbox/prometheus-api.js";
import { type SampleService, startSampleService } from "../../../src/sandbox/service.js";
import { execContext } from "./monitor-context.js";

const ERROR_RATE =
  '(sum(rate(http_requests_total{status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total[5m]))';

// A fresh service per test: the error rate looks back 5 minutes, so traffic must not leak between tests.
let service: SampleService;
let prom: PrometheusApi;
let closedPort: number;
beforeAll(async () => {
  const s = await startSampleService();
  closedPort = s.port;
  await s.close();
});
beforeEach(async () => {
  service = await startSampleService();
  prom = await startPrometheusApi(service);
});
afterEach(async () => {
  await prom.close();
  await service.close();
});

const step = (p: Record<string, unknown>): Step =>
  ({
    id: "q",
    prometheus: { url: "${prometheusUrl}", query: ERROR_RATE, expect: { lt: 0.1 }, ...p },
  }) as Step;
const ctx = (over: Parameters<typeof execContext>[0] = {}) =>
  execContext({ vars: { prometheusUrl: prom.url }, ...over });
async function traffic(n: number) {
  for (let i = 0; i < n; i++) await fetch(`${service.url}/products`);
}

describe("prometheus check", () => {
  it("passes when the value meets expect, and keeps the measurement", async () => {
    await traffic(5);
    const out = await execute(step({}), ctx());
    expect(out.status).toBe("passed");
    expect(out.summary).toBe("0 < 0.1");
    expect(out.details?.["measurements"]).toEqual([
      expect.objectContaining({ value: "0", result: "passed" }),
    ]);
    expect(prom.queries.at(-1)).toBe(ERROR_RATE);
  });

  it("fails when the value breaks expect, saying value and bound", async () => {
    await traffic(5);
    service.setFaults({ errorRate: 1 });
    await traffic(5);
    const out = await execute(step({ query: 'up{job="buywhere-api"}', expect: { eq: 0 } }), ctx());
    expect(out.status).toBe("failed");
    expect(out.summary).toBe("1, expected = 0");
    const rate = await execute(step({}), ctx());
    expect(rate.status).toBe("failed");
    expect(rate.summary).toMatch(/^0\.\d+, expected < 0\.1$/);
    // Said in words and units, as the title would: "error rate 50%, expected < 10%".
    const said = await execute(step({ measures: "error rate", unit: "ratio" }), ctx());
    expect(said.summary).toMatch(/^error rate \d+(\.\d+)?%, expected < 10%$/);
  });

  it("says what it measured, in its unit, with the threshold: error rate 0.31% < 10%", async () => {
    await traffic(5);
    const c = ctx();
    const gate = await execute(step({ measures: "error rate", unit: "ratio", count: 2 }), c);
    expect(gate.summary).toBe("error rate 0% < 10% (2/2 measurements passed)");
    expect(c.messages).toContain("measurement 1/2: passed, error rate 0% < 10%");
    const p99 = await execute(
      step({ query: "0.8534", expect: { lt: 2 }, measures: "p99 latency", unit: "seconds" }),
      ctx(),
    );
    expect(p99.summary).toBe("p99 latency 853.4ms < 2s");
  });

  it("is inconclusive on an empty result or NaN: fails non-interactively, asks interactively", async () => {
    await traffic(2);
    prom.fault = "empty";
    const ni = await execute(step({}), ctx());
    expect(ni.status).toBe("failed");
    expect(ni.summary).toMatch(/inconclusive: .*empty result.*non-interactive/);
    prom.fault = "nan";
    const yes = ctx({ interactive: true, answers: [true] });
    const accepted = await execute(step({}), yes);
    expect(accepted.status).toBe("passed");
    expect(yes.asked[0]).toMatch(/Inconclusive: .*NaN/);
    expect(accepted.details?.["decidedBy"]).toBe("engineer");
    const refused = await execute(step({}), ctx({ interactive: true, answers: [false] }));
    expect(refused.status).toBe("failed");
  });

  it("runs a metric gate: count measurements every interval, failure and inconclusive limits", async () => {
    await traffic(3);
    const c = ctx();
    const ok = await execute(step({ interval: "20ms", count: 3 }), c);
    expect(ok.status).toBe("passed");
    expect(ok.details?.["measurements"]).toHaveLength(3);
    expect(ok.summary).toBe("0 < 0.1 (3/3 measurements passed)");
    expect(c.messages.some((m) => m.startsWith("measurement 2/3"))).toBe(true);

    service.setFaults({ errorRate: 1 });
    await traffic(10);
    const tolerated = await execute(step({ count: 2, failureLimit: 2 }), ctx());
    expect(tolerated.status).toBe("passed");
    const failed = await execute(step({ interval: "10ms", count: 5, failureLimit: 1 }), ctx());
    expect(failed.status).toBe("failed");
    // stops as soon as the failure limit is exceeded
    expect(failed.details?.["measurements"]).toHaveLength(2);
    expect(failed.summary).toMatch(/2\/5 measurements: 0 passed, 2 failed.*failure limit 1/);

    prom.fault = "empty";
    const inconclusive = await execute(step({ count: 3, inconclusiveLimit: 1 }), ctx());
    expect(inconclusive.status).toBe("failed");
    expect(inconclusive.details?.["inconclusive"]).toBe(2);
    expect(inconclusive.summary).toMatch(/inconclusive limit 1/);
    const within = await execute(step({ count: 2, inconclusiveLimit: 2 }), ctx());
    expect(within.status).toBe("passed");
  });

  it("says clearly when Prometheus is unreachable, refuses the query, or returns several series", async () => {
    const down = await execute(step({ url: `http://127.0.0.1:${closedPort}` }), ctx());
    expect(down.status).toBe("failed");
    expect(down.summary).toBe(
      `cannot reach Prometheus at http://127.0.0.1:${closedPort}/api/v1/query: connection refused (ECONNREFUSED)`,
    );
    const bad = await execute(step({ query: "sum(rate(http_requests_total[5m])" }), ctx());
    expect(bad.summary).toMatch(
      /^Prometheus refused the query \(bad_data\): invalid parameter "query": .*parse error/,
    );
    await traffic(1);
    await fetch(`${service.url}/health`);
    const many = await execute(step({ query: "sum by (path) (rate(http_requests_total[5m]))" }), ctx());
    expect(many.status).toBe("failed");
    expect(many.summary).toMatch(/returned \d+ series \(\{path="\/\w+"\}.*aggregate them/);
  });

  it("redacts credentials in the URL and describes the gate", async () => {
    const out = await execute(step({ url: `http://admin:hunter22@127.0.0.1:${closedPort}` }), ctx());
    expect(out.summary).not.toContain("hunter22");
    expect(
      describeStep(step({ interval: "30s", count: 5, failureLimit: 1 }), {
        prometheusUrl: "http://prom:9090/",
      }),
    ).toMatch(/^GET http:\/\/prom:9090\/api\/v1\/query\?query=.*every 30s/);
  });
});
