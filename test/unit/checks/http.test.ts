import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpStep, Step } from "../../../src/checklist/schema.js";
import {
  describe as describeHttp,
  execute,
  latencyProblems,
  latencyStats,
  lookup,
  percentile,
} from "../../../src/checks/http.js";
import { makeContext } from "./context.js";

const step = (http: HttpStep, extra: Partial<Step> = {}): Step => ({ id: "h", http, ...extra }) as Step;

let server: Server;
let base: string;
/** Delays (ms) handed out to /timed requests in order; then 0. */
let delays: number[] = [];
/** Every nth /flaky request answers 503. */
let flakyCounter = 0;
const seen: { method: string; headers: IncomingMessage["headers"]; body: string }[] = [];

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? "/", "http://x");
  seen.push({ method: req.method ?? "", headers: req.headers, body });
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  switch (url.pathname) {
    case "/health":
      json(200, { status: "ok", version: "1.4.2", replicas: 3, checks: [{ name: "db", up: true }] });
      return;
    case "/down":
      json(503, { status: "down", auth: req.headers["authorization"] ?? null });
      return;
    case "/text":
      res.end("plain text, not json");
      return;
    case "/slow":
      setTimeout(() => json(200, { ok: true }), Number(url.searchParams.get("ms")));
      return;
    case "/timed":
      setTimeout(() => json(200, { ok: true }), delays.shift() ?? 0);
      return;
    case "/flaky":
      flakyCounter++;
      json(flakyCounter % 5 === 0 ? 503 : 200, {});
      return;
    case "/echo":
      json(200, { method: req.method, body });
      return;
    default:
      json(404, {});
      return;
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  delays = [];
  flakyCounter = 0;
  seen.length = 0;
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe("http executor, one request", () => {
  it("passes on 2xx and reports status and latency", async () => {
    const out = await execute(step({ url: `${base}/health` }), makeContext());
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(/^200 OK in [\d.]+m?s$/);
    expect(out.details).toMatchObject({ status: 200, method: "GET", url: `${base}/health` });
  });

  it("fails on an unexpected status with the body as output", async () => {
    const out = await execute(step({ url: `${base}/down` }), makeContext());
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^503 Service Unavailable in [\d.]+m?s: expected 2xx$/);
    expect(out.output).toContain('"status":"down"');
    const listed = await execute(
      step({ url: `${base}/down`, expect: { status: [200, 503] } }),
      makeContext(),
    );
    expect(listed.status).toBe("passed");
  });

  it("checks bodyContains and dotted JSON paths, with variables interpolated", async () => {
    const ctx = makeContext({ vars: { version: "1.4.2", path: "health" } });
    const ok = await execute(
      step({
        url: `${base}/\${path}`,
        expect: {
          bodyContains: '"version":"${version}"',
          json: {
            status: "ok",
            version: "${version}",
            replicas: 3,
            "checks.0.up": true,
            "checks.0": { name: "db", up: true },
          },
        },
      }),
      ctx,
    );
    expect(ok.status, ok.summary).toBe("passed");
    const bad = await execute(
      step({
        url: `${base}/health`,
        expect: { bodyContains: "green", json: { status: "degraded", "checks.1.up": true, replicas: "3" } },
      }),
      ctx,
    );
    expect(bad.summary).toMatch(
      /^200 OK in [\d.]+m?s: body does not contain "green"; json status: expected "degraded", found "ok"; json checks.1.up: missing$/,
    );
    const text = await execute(step({ url: `${base}/text`, expect: { json: { a: 1 } } }), ctx);
    expect(text.summary).toMatch(/: response is not JSON$/);
  });

  it("fails a response slower than maxLatency", async () => {
    const out = await execute(step({ url: `${base}/slow?ms=150`, maxLatency: "50ms" }), makeContext());
    expect(out.summary).toMatch(/^200 OK in \d+(\.\d)?m?s: latency over limit 50ms$/);
    expect(out.details?.["latencyMs"]).toBeGreaterThanOrEqual(150);
  });

  it("says clearly when the connection is refused or the server does not answer in time", async () => {
    const port = await freePort();
    const refused = await execute(step({ url: `http://127.0.0.1:${port}/health` }), makeContext());
    expect(refused).toMatchObject({ status: "failed", summary: `connection refused to 127.0.0.1:${port}` });
    const slow = await execute(step({ url: `${base}/slow?ms=1000` }), makeContext({ timeoutMs: 150 }));
    expect(slow.summary).toBe(`no answer within 150ms (127.0.0.1:${base.split(":")[2]})`);
    expect((await execute(step({ url: "not a url" }), makeContext())).summary).toBe(
      'invalid URL "not a url"',
    );
  });

  it("stops when the step is cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const out = await execute(
      step({ url: `${base}/slow?ms=2000` }),
      makeContext({ signal: controller.signal }),
    );
    expect(out.summary).toBe("cancelled");
  });

  it("sends a JSON body and interpolated headers, and never shows secret header values", async () => {
    const ctx = makeContext({ vars: { token: "tok-9f8e7d6c5b" }, secrets: ["tok-9f8e7d6c5b"] });
    const ok = await execute(
      step({
        url: `${base}/echo`,
        method: "POST",
        headers: { Authorization: "Bearer ${token}" },
        body: { rev: "${token}", n: 1 },
      }),
      ctx,
    );
    expect(ok.status).toBe("passed");
    expect(seen[0]).toMatchObject({ method: "POST", body: '{"rev":"tok-9f8e7d6c5b","n":1}' });
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
    expect(seen[0]!.headers["authorization"]).toBe("Bearer tok-9f8e7d6c5b");
    const failed = await execute(
      step({ url: `${base}/down`, headers: { Authorization: "Bearer ${token}" } }),
      ctx,
    );
    expect(failed.output).toContain("[REDACTED]");
    expect(JSON.stringify([ok, failed])).not.toContain("tok-9f8e7d6c5b");
    expect(
      describeHttp(step({ url: `${base}/x`, headers: { Authorization: "Bearer ${token}" } }), ctx.vars),
    ).not.toContain("tok-");
  });
});

describe("http executor, samples", () => {
  it("reports the percentiles of the real samples and fails the ones over their limits", async () => {
    // 18 immediate answers and 2 held back 300 ms: p95 and p99 (ranks 19 and 20) are at least 300 ms.
    // Only lower bounds on real time are asserted; the exact statistics are tested on fixed latencies below.
    delays = [...Array(18).fill(0), 300, 300];
    const out = await execute(
      step({ url: `${base}/timed`, samples: 20, thresholds: { p95: "250ms" } }),
      makeContext(),
    );
    expect(out.status).toBe("failed");
    const d = out.details as Record<string, number>;
    expect(d["p95Ms"]).toBeGreaterThanOrEqual(300);
    expect(d["p50Ms"]).toBeLessThanOrEqual(d["p95Ms"]!);
    expect(d["p99Ms"]).toBe(d["maxMs"]);
    expect(d["minMs"]).toBeLessThanOrEqual(d["meanMs"]!);
    expect(out.summary).toMatch(
      /^p95 [\d.]+m?s over limit 250ms; 20 samples: p50 [\d.]+m?s p95 [\d.]+m?s p99 [\d.]+m?s, errors 0%$/,
    );
    expect(out.details).toMatchObject({ samples: 20, errors: 0, errorRate: 0, statuses: { "200": 20 } });
  });

  it("passes when every percentile is within its limit", async () => {
    const ctx = makeContext();
    // The limit is the largest a checklist may set: no real answer can miss it within the test's time.
    const out = await execute(step({ url: `${base}/health`, samples: 10, thresholds: { p99: "1h" } }), ctx);
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(/^10 samples: p50 [\d.]+m?s p95 [\d.]+m?s p99 [\d.]+m?s, errors 0%$/);
    expect(ctx.messages.at(-1)).toBe("sample 10/10");
  });

  it("counts unexpected statuses as errors against errorRate (0 when not given)", async () => {
    const within = await execute(
      step({ url: `${base}/flaky`, samples: 20, thresholds: { errorRate: 0.25 } }),
      makeContext(),
    );
    expect(within.status).toBe("passed");
    expect(within.summary).toMatch(/errors 20%$/);
    flakyCounter = 0;
    const strict = await execute(step({ url: `${base}/flaky`, samples: 10 }), makeContext());
    expect(strict.status).toBe("failed");
    expect(strict.summary).toMatch(
      /^errors 20% over limit 0% \(2× 503 Service Unavailable \(expected 2xx\)\); 10 samples/,
    );
    expect(strict.details).toMatchObject({ errors: 2, statuses: { "200": 8, "503": 2 } });
  });

  it("counts network errors", async () => {
    const port = await freePort();
    const out = await execute(step({ url: `http://127.0.0.1:${port}/`, samples: 3 }), makeContext());
    expect(out.summary).toBe(
      `errors 100% over limit 0% (3× connection refused to 127.0.0.1:${port}); 3 samples: no response, errors 100%`,
    );
  });
});

describe("http helpers", () => {
  it("nearest-rank percentiles", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 100)]).toEqual([
      50, 95, 99, 100,
    ]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([], 50), "no samples: no number, not a value from outside the list").toBeNaN();
  });

  it("latency statistics on fixed latencies, in any order, where p50, p95 and p99 differ", () => {
    // 100 samples 1..100 ms, shuffled: nearest rank puts p50 at 50, p95 at 95, p99 at 99.
    const hundred = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(latencyStats(hundred)).toEqual({ p50: 50, p95: 95, p99: 99, min: 1, max: 100, mean: 50.5 });
    // 40 samples: ranks 20, 38 and 40 (ceil(0.99 * 40) = 40): p99 is the slowest, p95 two below it.
    const forty = [...Array.from({ length: 37 }, (_, i) => 10 + i), 200, 300, 400];
    expect(latencyStats(forty.reverse())).toEqual({
      p50: 29,
      p95: 200,
      p99: 400,
      min: 10,
      max: 400,
      mean: (Array.from({ length: 37 }, (_, i) => 10 + i).reduce((a, b) => a + b, 0) + 900) / 40,
    });
    expect(latencyStats([42])).toEqual({ p50: 42, p95: 42, p99: 42, min: 42, max: 42, mean: 42 });
    expect(latencyStats([])).toBeUndefined();
    const input = [3, 1, 2];
    latencyStats(input);
    expect(input, "the caller's list is not reordered").toEqual([3, 1, 2]);
  });

  it("each percentile and the slowest sample against its own limit, failing only above it", () => {
    const stats = { p50: 50, p95: 95, p99: 99, min: 1, max: 100, mean: 50.5 };
    expect(latencyProblems(stats, {})).toEqual([]);
    expect(latencyProblems(stats, { p50: 50, p95: 95, p99: 99, maxLatency: 100 }), "at the bound").toEqual(
      [],
    );
    expect(latencyProblems(stats, { p50: 49 })).toEqual(["p50 50ms over limit 49ms"]);
    expect(latencyProblems(stats, { p95: 94 })).toEqual(["p95 95ms over limit 94ms"]);
    expect(latencyProblems(stats, { p99: 98 })).toEqual(["p99 99ms over limit 98ms"]);
    expect(latencyProblems(stats, { maxLatency: 99 })).toEqual(["slowest 100ms over limit 99ms"]);
    // A limit between two percentiles catches only the ones above it, in order.
    expect(latencyProblems(stats, { p50: 96, p95: 96, p99: 96, maxLatency: 96 })).toEqual([
      "p99 99ms over limit 96ms",
      "slowest 100ms over limit 96ms",
    ]);
    expect(
      latencyProblems({ ...stats, p99: 1500, max: 2500 }, { p50: 10, p99: 1000, maxLatency: 2000 }),
    ).toEqual(["p50 50ms over limit 10ms", "p99 1.5s over limit 1s", "slowest 2.5s over limit 2s"]);
  });

  it("dotted JSON paths", () => {
    const doc = { a: { b: [{ c: 1 }, null] } };
    expect(lookup(doc, "a.b.0.c")).toEqual({ present: true, value: 1 });
    expect(lookup(doc, "a.b.1")).toEqual({ present: true, value: null });
    expect(lookup(doc, "a.b.2").present).toBe(false);
    expect(lookup(doc, "a.x").present).toBe(false);
  });

  it("describes the request without header credentials or secret values", () => {
    expect(
      describeHttp(
        step({
          url: "https://${host}/health",
          samples: 20,
          thresholds: { p99: "2s" },
          expect: { status: 200 },
        }),
        { host: "api-staging.buywhere.io" },
      ),
    ).toBe("20 × GET https://api-staging.buywhere.io/health; expect status 200, p99 ≤ 2s");
    const text = describeHttp(
      step({
        url: "${u}/x",
        headers: { Authorization: "Bearer literal-tok", "X-Api-Key": "k-123", Accept: "text/plain" },
      }),
      { u: "https://user:pw@h" },
      { secrets: new Set(["u"]) },
    );
    expect(text).toBe(
      "GET ****/x; headers Authorization: ****, X-Api-Key: ****, Accept: text/plain; expect status 2xx",
    );
  });
});
