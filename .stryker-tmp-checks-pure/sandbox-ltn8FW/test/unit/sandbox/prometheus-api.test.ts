// @ts-nocheck
import { afterEach, describe, expect, it } from "vitest";
import { type PrometheusApi, startPrometheusApi } from "../../../src/sandbox/prometheus-api.js";
import { type SampleService, startSampleService } from "../../../src/sandbox/service.js";

let service: SampleService;
let prom: PrometheusApi;
afterEach(async () => {
  await prom?.close();
  await service?.close();
});

const ERROR_RATE = 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))';
const P99 = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))";

async function query(q: string, method: "GET" | "POST" = "GET") {
  const res =
    method === "GET"
      ? await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)
      : await fetch(`${prom.url}/api/v1/query`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ query: q }).toString(),
        });
  // biome-ignore lint/suspicious/noExplicitAny: the tests walk Prometheus JSON answers of several shapes
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function traffic(n: number) {
  for (let i = 0; i < n; i++) await fetch(`${service.url}/products`);
}

describe("sandbox Prometheus API", () => {
  it("answers the error rate, p99 and up from the service's statistics", async () => {
    service = await startSampleService();
    prom = await startPrometheusApi(service);
    await traffic(8);
    service.setFaults({ errorRate: 0.5 });
    await traffic(4);
    const rate = await query(ERROR_RATE);
    expect(rate.status).toBe(200);
    expect(rate.body["status"]).toBe("success");
    expect(rate.body["data"].resultType).toBe("vector");
    expect(rate.body["data"].result).toHaveLength(1);
    expect(Number(rate.body["data"].result[0].value[1])).toBeCloseTo(2 / 12);
    // The latencies are real (only their bucket ratios matter): POST answers exactly what GET does.
    const p99 = await query(P99, "POST");
    expect(p99.status).toBe(200);
    expect(p99.body["data"].result[0].value[1]).toBe((await query(P99)).body["data"].result[0].value[1]);
    expect(Number(p99.body["data"].result[0].value[1])).toBeGreaterThan(0);
    const up = await query('up{job="buywhere-api"}');
    expect(up.body["data"].result[0].metric).toMatchObject({ job: "buywhere-api", namespace: "staging" });
    expect(up.body["data"].result[0].value[1]).toBe("1");
    await service.down();
    expect((await query("up")).body["data"].result[0].value[1]).toBe("0");
    expect(prom.queries).toContain(ERROR_RATE);
  });

  it("reports p99 from the service's latency histogram, interpolated in its bucket", async () => {
    service = await startSampleService();
    prom = await startPrometheusApi(service);
    // Fixed latencies instead of timed requests: 3 answers of 120 ms, all in the (0.1, 0.25] bucket.
    // Rank 0.99 x 3 = 2.97 of 3 in that bucket: 100 + 150 x 2.97 / 3 = 248.5 ms, as Prometheus interpolates.
    for (let i = 0; i < 3; i++)
      service.stats.record({
        at: Date.now(),
        method: "GET",
        path: "/products",
        status: 200,
        durationSeconds: 0.12,
      });
    const p99 = Number((await query(`${P99} * 1000`)).body["data"].result[0].value[1]);
    expect(p99).toBeCloseTo(248.5, 6);
  });

  it("is empty without errors or NaN without traffic, unless `or vector(0)`, and can be made empty or NaN on purpose", async () => {
    service = await startSampleService();
    prom = await startPrometheusApi(service);
    expect((await query(ERROR_RATE)).body["data"].result).toEqual([]);
    await traffic(2);
    expect((await query(ERROR_RATE)).body["data"].result).toEqual([]);
    const zeroSafe = `(sum(rate(http_requests_total{status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total[5m]))`;
    expect((await query(zeroSafe)).body["data"].result[0].value[1]).toBe("0");
    prom.fault = "empty";
    expect((await query(ERROR_RATE)).body["data"].result).toEqual([]);
    prom.fault = "nan";
    expect((await query(zeroSafe)).body["data"].result[0].value[1]).toBe("NaN");
    expect((await query("1 + 1")).body["data"]).toEqual({
      resultType: "scalar",
      result: [expect.any(Number), "NaN"],
    });
  });

  it("answers an unknown query with 400 bad_data like Prometheus", async () => {
    service = await startSampleService();
    prom = await startPrometheusApi(service);
    const bad = await query("sum(rate(http_requests_total[5m]");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: "error", errorType: "bad_data" });
    expect(bad.body["error"]).toMatch(/^invalid parameter "query": .*parse error/);
    const none = await fetch(`${prom.url}/api/v1/query`);
    expect(none.status).toBe(400);
  });
});
