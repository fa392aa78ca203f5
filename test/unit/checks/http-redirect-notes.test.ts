// What an http step says about the redirects it met, word for word, against two real servers on
// 127.0.0.1 (two origins): where it went, what was not sent on, what was not followed and why, for one
// request and for samples. Latencies come from a frozen performance clock, so they read 0ms.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { HttpStep, Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/http.js";
import { makeContext } from "./context.js";

const step = (http: HttpStep): Step => ({ id: "h", http }) as Step;

let a: Server;
let b: Server;
let A: string;
let B: string;
const seenB: { method: string; headers: IncomingMessage["headers"] }[] = [];

/** `${A}/go?status=S&to=URL` answers S (302 by default) with `location: URL`. */
const go = (to: string, status = 302) => `${A}/go?status=${status}&to=${encodeURIComponent(to)}`;

beforeAll(async () => {
  a = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/go")
        res
          .writeHead(Number(url.searchParams.get("status")), { location: url.searchParams.get("to") ?? "" })
          .end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  b = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seenB.push({ method: req.method ?? "", headers: req.headers });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  for (const s of [a, b]) await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  A = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
  B = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  seenB.length = 0;
  vi.spyOn(performance, "now").mockReturnValue(5000);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const REFUSED_CROSS =
  "not followed: it leads to another origin (followRedirects: sameOrigin); followRedirects: any follows it, without the step's headers and body";

describe("http redirect notes, one request", () => {
  // Built when a test runs: the servers' origins are known only then.
  const cases: [string, () => [HttpStep, string]][] = [
    ["same origin", () => [{ url: go(`${A}/here`) }, `200 OK in 0ms, redirected to ${A}/here`]],
    [
      "same origin, a 302 turned the POST into a GET, then a 307 repeated it",
      () => [
        { url: go(go(`${A}/here`, 307)), method: "POST", body: { a: 1 } },
        `200 OK in 0ms, redirected to ${A}/here (the body not sent on)`,
      ],
    ],
    [
      "another origin, nothing to drop",
      () => [
        { url: go(`${B}/landing`), followRedirects: "any" },
        `200 OK in 0ms, redirected to ${B}/landing (another origin)`,
      ],
    ],
    [
      "same origin first, then another origin",
      () => [
        { url: go(go(`${B}/landing`)), followRedirects: "any" },
        `200 OK in 0ms, redirected to ${B}/landing (another origin)`,
      ],
    ],
    [
      "another origin, one header dropped",
      () => [
        { url: go(`${B}/landing`), followRedirects: "any", headers: { "X-Api-Key": "k" } },
        `200 OK in 0ms, redirected to ${B}/landing (another origin: header x-api-key not sent there)`,
      ],
    ],
    [
      "another origin, a header and the body dropped",
      () => [
        {
          url: go(`${B}/landing`),
          method: "POST",
          body: "x",
          followRedirects: "any",
          headers: { "X-Api-Key": "k" },
        },
        `200 OK in 0ms, redirected to ${B}/landing (another origin: header x-api-key and the body not sent there)`,
      ],
    ],
    [
      "a body not re-sent to another origin: not followed, without the followRedirects hint",
      () => [
        {
          url: go(`${B}/landing`, 307),
          method: "POST",
          body: "x",
          followRedirects: "any",
          expect: { status: 307 },
        },
        `307 Temporary Redirect in 0ms, redirect to ${B}/landing not followed: a 307 would send the request body to another origin`,
      ],
    ],
    [
      "followed on the same origin, then not followed to another",
      () => [
        { url: go(go(`${B}/landing`)) },
        `302 Found in 0ms, redirected to ${go(`${B}/landing`)}, redirect to ${B}/landing ${REFUSED_CROSS}: expected 2xx`,
      ],
    ],
  ];
  it.each(cases)("%s", async (_, make) => {
    const [http, summary] = make();
    const out = await execute(step(http), makeContext());
    expect(out.summary).toBe(summary);
  });
});

describe("http redirect notes, samples", () => {
  it("adds the redirect not followed to each failed sample's reason and to the line, and keeps it", async () => {
    const out = await execute(step({ url: go(`${B}/landing`), samples: 2 }), makeContext());
    const note = `redirect to ${B}/landing ${REFUSED_CROSS}`;
    expect(out.summary).toBe(
      `errors 100% over limit 0% (2× 302 Found (expected 2xx); ${note}); 2 samples: p50 0ms p95 0ms p99 0ms, errors 100%, ${note}`,
    );
    expect(out.details?.["redirects"]).toEqual([
      {
        status: 302,
        to: `${B}/landing`,
        crossOrigin: true,
        followed: false,
        refused: "it leads to another origin (followRedirects: sameOrigin)",
      },
    ]);
    expect(seenB).toHaveLength(0);
  });

  it("says where followed samples went, and a sample that passes carries no note", async () => {
    const out = await execute(step({ url: go(`${A}/here`), samples: 2 }), makeContext());
    expect(out).toMatchObject({
      status: "passed",
      summary: `2 samples: p50 0ms p95 0ms p99 0ms, errors 0%, redirected to ${A}/here`,
    });
    expect(out.details?.["redirects"]).toEqual([
      { status: 302, to: `${A}/here`, crossOrigin: false, followed: true },
    ]);
    const refusedButExpected = await execute(
      step({ url: go(`${B}/landing`), samples: 2, expect: { status: 302 } }),
      makeContext(),
    );
    expect(refusedButExpected).toMatchObject({
      status: "passed",
      summary: `2 samples: p50 0ms p95 0ms p99 0ms, errors 0%, redirect to ${B}/landing ${REFUSED_CROSS}`,
    });
  });
});
