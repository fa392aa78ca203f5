// @ts-nocheck
import { afterEach, describe, expect, it } from "vitest";
import { type SampleService, startSampleService } from "../../../src/sandbox/service.js";

let service: SampleService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe("sample service", () => {
  it("serves health, ready, products and search, and counts requests in /metrics", async () => {
    service = await startSampleService();
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", checks: { database: "ok", redis: "ok" } });
    expect((await fetch(`${service.url}/ready`)).status).toBe(200);
    const products = (await (await fetch(`${service.url}/products`)).json()) as { total: number };
    expect(products.total).toBe(5);
    const search = (await (await fetch(`${service.url}/search?q=grinder`)).json()) as { total: number };
    expect(search.total).toBe(1);
    expect((await fetch(`${service.url}/search`)).status).toBe(400);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",path="/health",status="200"} 1');
    expect(metrics).toContain('http_requests_total{method="GET",path="/search",status="400"} 1');
    expect(metrics).toContain("# TYPE http_request_duration_seconds histogram");
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{path="\/products",le="\+Inf"\} 1/);
    expect(metrics).toContain('http_request_duration_seconds_count{path="/products"} 1');
    expect(service.stats.requestCount).toBe(6); // the /metrics request is recorded after rendering
  });

  it("injects an exact fraction of 500s and added latency", async () => {
    service = await startSampleService({ faults: { errorRate: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${service.url}/products`)).status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(3);
    service.setFaults({ errorRate: 0, latencyMs: 150 });
    const t0 = performance.now();
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    const slow = service.stats
      .series("http_request_duration_seconds_bucket")
      .filter((s) => s.labels["path"] === "/health");
    expect(slow.find((s) => s.labels["le"] === "0.1")!.value).toBe(0);
    expect(slow.find((s) => s.labels["le"] === "0.25")!.value).toBe(1);
  });

  it("goes down (connection refused) and comes back on the same port", async () => {
    service = await startSampleService();
    const url = service.url;
    await service.down();
    expect(service.isUp).toBe(false);
    const err = await fetch(`${url}/health`).then(
      () => undefined,
      (e: Error & { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(err).toBe("ECONNREFUSED");
    await service.up();
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
