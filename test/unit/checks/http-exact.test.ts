// The http kind's exact words and records against a real server on 127.0.0.1: the summary, details and
// output a step leaves, request building (bodies, content type, dry run), JSON expectations, statuses
// and sampled runs. Latencies come from a fake performance clock that the server advances, so the
// statistics are exact; the order in which samples finish is set by a gate the test opens one at a time.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { HttpStep, NestedStep, Step } from "../../../src/checklist/schema.js";
import { execute, lookup } from "../../../src/checks/http.js";
import { InternalError } from "../../../src/errors.js";
import { makeContext } from "./context.js";

const step = (http: HttpStep, extra: Partial<Step> = {}): Step => ({ id: "h", http, ...extra }) as Step;

const DOC = {
  n: 3,
  t: true,
  s: "3",
  nul: null,
  arr: [1, 2],
  obj: { a: 1, b: [1] },
  empty: {},
  emptyArr: [],
};

/** The fake performance clock (ms); the server moves it forward while it "works" on a request. */
let clock = 0;
let server: Server;
let base: string;
let raw: TcpServer;
let rawBase: string;
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
/** Requests of /gated waiting for their answer, in order of arrival. */
const held: ServerResponse[] = [];
/** Statuses the gate answers with, one per released request, in order. */
let plan: number[] = [];
/** The gate may release the next request (set again when the previous sample has been recorded). */
let gateOpen = true;
let arrived: () => void = () => undefined;
let altCounter = 0;

function release(): void {
  if (!gateOpen || !held.length || !plan.length) return;
  gateOpen = false;
  const status = plan.shift()!;
  held.shift()!.writeHead(status, { "content-type": "application/json" }).end("{}");
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? "/", "http://x");
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  const status = Number(url.searchParams.get("status") ?? 200);
  clock += Number(url.searchParams.get("work") ?? 0);
  switch (url.pathname) {
    case "/json":
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(DOC));
      return;
    case "/reason":
      res.writeHead(status, url.searchParams.get("text") ?? "", { "content-type": "text/plain" }).end();
      return;
    case "/echo":
      res.writeHead(200, { "content-type": "text/plain" }).end("echo");
      return;
    case "/big": {
      const bytes = Number(url.searchParams.get("bytes"));
      res.writeHead(status, { "content-type": "text/plain" }).end("a".repeat(bytes));
      return;
    }
    case "/utf8":
      // "é" is two bytes: a one-byte limit keeps half a character, which is dropped.
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("é");
      return;
    case "/alt":
      // Every other request answers a body over the step's maxBodyBytes.
      altCounter++;
      res.writeHead(200, { "content-type": "text/plain" }).end(altCounter % 2 ? "b".repeat(100) : "b");
      return;
    case "/gated":
      held.push(res);
      release();
      return;
    case "/hang":
      arrived();
      return;
    default:
      res.writeHead(404).end();
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
  // A status line with no reason phrase, which node:http never sends.
  raw = createTcpServer((socket) => {
    socket.once("data", () => socket.end("HTTP/1.1 299 \r\ncontent-length: 0\r\nconnection: close\r\n\r\n"));
  });
  await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
  rawBase = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => raw.close(r));
});
beforeEach(() => {
  seen.length = 0;
  held.length = 0;
  plan = [];
  gateOpen = true;
  altCounter = 0;
  arrived = () => undefined;
  clock = 1000;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe("http step, one request: what the record says", () => {
  it("keeps method, URL, latency, status and size in the details, and nothing else for a plain answer", async () => {
    const ctx = makeContext();
    const out = await execute(step({ url: `${base}/echo?work=42` }), ctx);
    expect(out).toEqual({
      status: "passed",
      summary: "200 OK in 42ms",
      details: { method: "GET", url: `${base}/echo?work=42`, latencyMs: 42, status: 200, bodyBytes: 4 },
      output: "echo",
    });
    expect(ctx.messages).toEqual([`GET ${base}/echo?work=42`]);
  });

  it("passes a response exactly at maxLatency and fails one a millisecond over it", async () => {
    const at = await execute(step({ url: `${base}/echo?work=50`, maxLatency: "50ms" }), makeContext());
    expect(at).toMatchObject({ status: "passed", summary: "200 OK in 50ms" });
    const over = await execute(step({ url: `${base}/echo?work=51`, maxLatency: "50ms" }), makeContext());
    expect(over).toMatchObject({ status: "failed", summary: "200 OK in 51ms: latency over limit 50ms" });
    const roomy = await execute(step({ url: `${base}/echo?work=3`, maxLatency: "1h" }), makeContext());
    expect(roomy.status).toBe("passed");
  });

  it("names the expected statuses, and 2xx means 200 to 299", async () => {
    const cases: [HttpStep, string][] = [
      [{ url: `${base}/echo`, expect: { status: 201 } }, "200 OK in 0ms: expected 201"],
      [{ url: `${base}/echo`, expect: { status: [201, 204] } }, "200 OK in 0ms: expected 201 or 204"],
      [{ url: `${base}/big?bytes=0&status=300` }, "300 Multiple Choices in 0ms: expected 2xx"],
      [{ url: `${base}/big?bytes=0&status=503` }, "503 Service Unavailable in 0ms: expected 2xx"],
    ];
    for (const [http, summary] of cases) {
      const out = await execute(step(http), makeContext());
      expect(out, http.url).toMatchObject({ status: "failed", summary, error: summary });
    }
    const edge = await execute(step({ url: `${base}/big?bytes=0&status=299` }), makeContext());
    // node:http sends "unknown" as the reason phrase of a code it has no name for.
    expect(edge).toMatchObject({ status: "passed", summary: "299 unknown in 0ms" });
  });

  it("shows the server's own reason phrase, the standard one when it sends none, or just the code", async () => {
    const own = await execute(step({ url: `${base}/reason?text=All%20Good` }), makeContext());
    expect(own.summary).toBe("200 All Good in 0ms");
    const none = await execute(step({ url: `${rawBase}/` }), makeContext());
    expect(none).toMatchObject({ status: "passed", summary: "299 in 0ms" });
  });

  it("refuses a URL that is not http or https before sending anything, and tries https", async () => {
    const ftp = await execute(step({ url: "ftp://127.0.0.1/file" }), makeContext());
    expect(ftp).toEqual({
      status: "failed",
      summary: "unsupported URL scheme ftp: in ftp://127.0.0.1/file",
      error: "unsupported URL scheme ftp: in ftp://127.0.0.1/file",
    });
    const port = await freePort();
    const https = await execute(step({ url: `https://127.0.0.1:${port}/` }), makeContext());
    expect(https.summary).toBe(`connection refused to 127.0.0.1:${port}`);
  });

  it("records a failed request with its method, URL and latency", async () => {
    const port = await freePort();
    const out = await execute(step({ url: `http://127.0.0.1:${port}/x` }), makeContext());
    expect(out).toEqual({
      status: "failed",
      summary: `connection refused to 127.0.0.1:${port}`,
      error: `connection refused to 127.0.0.1:${port}`,
      details: { method: "GET", url: `http://127.0.0.1:${port}/x`, latencyMs: 0 },
    });
  });

  it("keeps a message that only looks like it ends in an error code whole, with the host after it", async () => {
    const out = await execute(step({ url: `${base}/echo`, headers: { "X (ABC) Y": "1" } }), makeContext());
    expect(out.status).toBe("failed");
    expect(out.summary).toContain("X (ABC) Y");
    expect(out.summary).toMatch(new RegExp(`\\(127\\.0\\.0\\.1:${base.split(":")[2]}\\)$`));
  });

  it("says a request could not be made at all when the URL's credentials cannot be decoded", async () => {
    const out = await execute(
      step({ url: `http://%ZZ:pw@127.0.0.1:${base.split(":")[2]}/echo` }),
      makeContext(),
    );
    expect(out.summary).toBe("request failed: URI malformed");
    expect(seen).toHaveLength(0);
  });

  it("is stopped by its signal, keeping method and URL", async () => {
    const controller = new AbortController();
    arrived = () => controller.abort();
    const out = await execute(step({ url: `${base}/hang` }), makeContext({ signal: controller.signal }));
    expect(out).toEqual({
      status: "failed",
      summary: "cancelled",
      error: "cancelled",
      details: { method: "GET", url: `${base}/hang` },
    });
  });

  it("keeps an excerpt of exactly 2000 characters whole", async () => {
    const out = await execute(step({ url: `${base}/big?bytes=2000` }), makeContext());
    expect(out.output).toBe("a".repeat(2000));
    const longer = await execute(step({ url: `${base}/big?bytes=2001` }), makeContext());
    expect(longer.output).toBe(`${"a".repeat(2000)}\n…`);
    const empty = await execute(step({ url: `${base}/big?bytes=0` }), makeContext());
    expect(empty).not.toHaveProperty("output");
  });

  it("keeps no excerpt when nothing of a cut body could be kept", async () => {
    const out = await execute(step({ url: `${base}/utf8`, maxBodyBytes: 1 }), makeContext());
    expect(out).toEqual({
      status: "passed",
      summary: "200 OK in 0ms, body 2 B, first 0 B kept",
      details: {
        method: "GET",
        url: `${base}/utf8`,
        latencyMs: 0,
        status: 200,
        bodyBytes: 2,
        bodyTruncated: true,
        bodyBytesKept: 0,
      },
    });
  });

  it("says when a cut body is not JSON in the part that was kept", async () => {
    const out = await execute(
      step({ url: `${base}/big?bytes=5000`, maxBodyBytes: 1000, expect: { json: { a: 1 } } }),
      makeContext(),
    );
    expect(out.summary).toBe(
      "200 OK in 0ms, body 4.9 KiB, first 1000 B kept: response is not JSON in its first 1000 B: the body (4.9 KiB) is longer than maxBodyBytes, only its start was kept",
    );
  });

  it("throws an internal error when handed a step of another kind", async () => {
    const notHttp = { id: "r", run: "true" } as unknown as NestedStep;
    await expect(execute(notHttp, makeContext())).rejects.toThrow(
      new InternalError("http executor called for a step that is not an http step"),
    );
  });
});

describe("http step, the request sent", () => {
  it("sends a text body as it is (interpolated), without a JSON content type", async () => {
    const out = await execute(
      step({ url: `${base}/echo`, method: "POST", body: "rev=${rev}" }),
      makeContext({ vars: { rev: "abc" } }),
    );
    expect(out.status).toBe("passed");
    expect(seen[0]).toMatchObject({ method: "POST", body: "rev=abc" });
    expect(seen[0]!.headers["content-type"]).toBe("text/plain;charset=UTF-8");
  });

  it("interpolates a JSON body all the way down, arrays and nulls included", async () => {
    await execute(
      step({
        url: `${base}/echo`,
        method: "PUT",
        body: { tags: ["${v}", 2, { at: "${v}" }], none: null, n: 1, ok: false },
      }),
      makeContext({ vars: { v: "x1" } }),
    );
    expect(JSON.parse(seen[0]!.body)).toEqual({
      tags: ["x1", 2, { at: "x1" }],
      none: null,
      n: 1,
      ok: false,
    });
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
  });

  it("keeps the step's own content type for a JSON body, whatever its case", async () => {
    await execute(
      step({
        url: `${base}/echo`,
        method: "PATCH",
        headers: { Accept: "application/json", "Content-Type": "application/merge-patch+json" },
        body: { replicas: 3 },
      }),
      makeContext(),
    );
    expect(seen[0]!.headers["content-type"]).toBe("application/merge-patch+json");
  });

  it("in a dry run describes a mutating request without sending it, and sends a read", async () => {
    const post = await execute(
      step({ url: `${base}/echo`, method: "POST", body: "x" }),
      makeContext({ dryRun: true }),
    );
    expect(post).toEqual({
      status: "described",
      summary: `dry run, would do: POST ${base}/echo; body "x"; expect status 2xx`,
      dryRun: true,
    });
    expect(seen).toHaveLength(0);
    const get = await execute(step({ url: `${base}/echo` }), makeContext({ dryRun: true }));
    expect(get.status).toBe("passed");
    expect(seen).toHaveLength(1);
  });
});

describe("http step, JSON expectations", () => {
  // [path, expected, matches]: an expected string matches a number or boolean with that text, nothing else
  // is converted; objects and arrays match deeply, key for key.
  const table: [string, unknown, boolean][] = [
    ["n", 3, true],
    ["n", "3", true],
    ["n", "4", false],
    ["n", 4, false],
    ["n", {}, false],
    ["n", [], false],
    ["t", "true", true],
    ["t", true, true],
    ["t", "false", false],
    ["s", "3", true],
    ["s", 3, false],
    ["nul", null, true],
    ["nul", "null", false],
    ["nul", {}, false],
    ["obj", "[object Object]", false],
    ["obj", { a: 1, b: [1] }, true],
    ["obj", { a: 1, b: ["1"] }, true],
    ["obj", { a: 1 }, false],
    ["obj", { a: 1, b: [1], c: 2 }, false],
    ["obj", { a: 2, b: [1] }, false],
    ["obj", { a: 1, b: [2] }, false],
    ["obj", { a: 1, c: [1] }, false],
    ["obj", null, false],
    ["empty", {}, true],
    ["empty", null, false],
    ["empty", "", false],
    ["empty", 0, false],
    ["empty", [], false],
    ["emptyArr", [], true],
    ["emptyArr", {}, false],
    ["arr", [1, 2], true],
    ["arr", "1,2", false],
    ["arr", { 0: 1, 1: 2 }, false],
    ["arr", [1], false],
  ];
  it.each(table)("json %s: %j matches: %s", async (path, expected, matches) => {
    const out = await execute(
      step({ url: `${base}/json`, expect: { json: { [path]: expected } as Record<string, never> } }),
      makeContext(),
    );
    const problem = `json ${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(DOC[path as keyof typeof DOC])}`;
    expect(out.summary).toBe(matches ? "200 OK in 0ms" : `200 OK in 0ms: ${problem}`);
  });
});

describe("http step, samples", () => {
  it("records exact statistics, statuses and no redirects for answers that all pass", async () => {
    const ctx = makeContext();
    const out = await execute(step({ url: `${base}/echo`, samples: 2 }), ctx);
    expect(out).toEqual({
      status: "passed",
      summary: "2 samples: p50 0ms p95 0ms p99 0ms, errors 0%",
      details: {
        method: "GET",
        url: `${base}/echo`,
        samples: 2,
        errors: 0,
        errorRate: 0,
        p50Ms: 0,
        p95Ms: 0,
        p99Ms: 0,
        minMs: 0,
        maxMs: 0,
        meanMs: 0,
        statuses: { "200": 2 },
      },
    });
    expect(ctx.messages).toEqual(["sample 1/2", "sample 2/2"]);
  });

  it("has at most four requests in flight", async () => {
    const realFetch = globalThis.fetch;
    let inFlight = 0;
    let most = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (...args) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await realFetch(...args);
      } finally {
        inFlight--;
      }
    });
    const out = await execute(step({ url: `${base}/echo`, samples: 10 }), makeContext());
    expect(out.status).toBe("passed");
    expect(seen).toHaveLength(10);
    expect(most).toBe(4);
  });

  it("fails samples slower than maxLatency", async () => {
    const out = await execute(
      step({ url: `${base}/echo?work=80`, samples: 2, maxLatency: "50ms" }),
      makeContext(),
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^slowest \d+ms over limit 50ms; 2 samples: p50 \d+ms/);
  });

  it("names the most frequent failure first, says there were others, and joins every problem", async () => {
    const ctx = makeContext();
    // The gate answers in this order, one sample at a time.
    plan = [500, 502, 503, 503, 503, 200];
    ctx.progress.message = (text) => {
      ctx.messages.push(text);
      gateOpen = true;
      release();
    };
    const out = await execute(
      step({ url: `${base}/gated?work=7`, samples: 6, thresholds: { p50: "1ms" } }),
      ctx,
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(
      /^p50 \d+ms over limit 1ms; errors 83\.3% over limit 0% \(3× 503 Service Unavailable \(expected 2xx\), \.\.\.\); 6 samples: p50 \d+ms p95 \d+ms p99 \d+ms, errors 83\.3%$/,
    );
    expect(out.details).toMatchObject({
      errors: 5,
      statuses: { "200": 1, "500": 1, "502": 1, "503": 3 },
      errorReasons: JSON.stringify({
        "500 Internal Server Error (expected 2xx)": 1,
        "502 Bad Gateway (expected 2xx)": 1,
        "503 Service Unavailable (expected 2xx)": 3,
      }),
    });
  });

  it("counts requests that got no answer under 'error'", async () => {
    const port = await freePort();
    const out = await execute(step({ url: `http://127.0.0.1:${port}/`, samples: 2 }), makeContext());
    expect(out.details).toEqual({
      method: "GET",
      url: `http://127.0.0.1:${port}/`,
      samples: 2,
      errors: 2,
      errorRate: 1,
      statuses: { error: 2 },
      errorReasons: JSON.stringify({ [`connection refused to 127.0.0.1:${port}`]: 2 }),
    });
  });

  it("says one body was cut, in the singular", async () => {
    const out = await execute(step({ url: `${base}/alt`, samples: 2, maxBodyBytes: 10 }), makeContext());
    expect(out.summary).toBe("2 samples: p50 0ms p95 0ms p99 0ms, errors 0%, 1 body over 10 B cut");
  });

  it("stops when its signal is aborted between two samples, saying how many were done", async () => {
    const controller = new AbortController();
    const ctx = makeContext({ signal: controller.signal });
    ctx.progress.message = () => controller.abort();
    const out = await execute(step({ url: `${base}/echo`, samples: 1 }), ctx);
    expect(out).toEqual({
      status: "failed",
      summary: "cancelled",
      error: "cancelled",
      details: { method: "GET", url: `${base}/echo`, samplesDone: 1 },
    });
  });

  it("stops when its signal is aborted during a sample", async () => {
    const controller = new AbortController();
    arrived = () => controller.abort();
    const out = await execute(
      step({ url: `${base}/hang`, samples: 3 }),
      makeContext({ signal: controller.signal }),
    );
    expect(out).toMatchObject({ status: "failed", summary: "cancelled" });
    expect(out.details).toMatchObject({ method: "GET", url: `${base}/hang` });
  });
});

describe("dotted JSON paths", () => {
  const doc = { s: "abc", nul: null, arr: [10, 20, 30], obj: { "0": "zero", k: "v" } };
  // [path, found, value]: numeric segments index arrays only; a string or null has no fields.
  const table: [string, boolean, unknown][] = [
    ["arr.1", true, 20],
    ["arr.01", true, 20],
    ["arr.3", false, undefined],
    ["arr. 1", false, undefined],
    ["arr.1 ", false, undefined],
    ["arr.x1", false, undefined],
    ["obj.0", true, "zero"],
    ["obj.k", true, "v"],
    ["s.0", false, undefined],
    ["s.1", false, undefined],
    ["s.length", false, undefined],
    ["nul.x", false, undefined],
    ["nul", true, null],
  ];
  it.each(table)("%s: found %s, %j", (path, present, value) => {
    expect(lookup(doc, path)).toEqual(present ? { present, value } : { present });
  });
});
