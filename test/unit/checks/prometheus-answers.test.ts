// The prometheus step against a real HTTP server on 127.0.0.1 that answers each query with a scripted
// answer (a value, an empty result, a refusal, a hostile body), on a fake clock: what the engineer reads
// (summary, progress, question) and what the record keeps (details, measurements) for every kind of answer,
// and the metric gate's counting and waiting without real sleeps.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { execute, queryEndpoint } from "../../../src/checks/prometheus.js";
import { execContext } from "./monitor-context.js";

type Answer = (res: ServerResponse, req: IncomingMessage) => void;

let server: Server;
let origin: string;
/** The answers still to give, one per request; the last one repeats. */
let script: Answer[] = [];
const seen: { url: string; accept: string | undefined }[] = [];

const T0 = Date.parse("2026-11-30T08:00:00.000Z");

function json(body: unknown, status = 200): Answer {
  return (res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}
const vector = (...series: { metric?: Record<string, string>; value: [number, unknown] }[]) =>
  json({ status: "success", data: { resultType: "vector", result: series } });
/** One series with this value, as Prometheus sends it (a string). */
const value = (v: string) => vector({ metric: {}, value: [T0 / 1000, v] });
const empty = vector();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", accept: req.headers["accept"] });
    req.resume();
    const next = script.length > 1 ? script.shift()! : script[0]!;
    next(res, req);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  script = [value("0")];
  seen.length = 0;
});

const step = (p: Record<string, unknown> = {}): Step =>
  ({ id: "q", prometheus: { url: origin, query: "up", expect: { lt: 0.1 }, ...p } }) as Step;

/** A context on a fake clock: sleeping moves time and is recorded; `sleepResult` false = interrupted. */
function fake(over: Parameters<typeof execContext>[0] & { sleepResult?: boolean } = {}) {
  const { sleepResult = true, ...rest } = over;
  const clock = { t: T0, slept: [] as number[] };
  const ctx = execContext({
    now: () => clock.t,
    sleep: async (ms) => {
      clock.slept.push(ms);
      clock.t += ms;
      return sleepResult;
    },
    ...rest,
  });
  return { ctx, clock };
}

describe("queryEndpoint", () => {
  it.each([
    ["http://prom:9090", "http://prom:9090/api/v1/query"],
    ["http://prom:9090/", "http://prom:9090/api/v1/query"],
    ["http://prom:9090///", "http://prom:9090/api/v1/query"],
    ["http://prom:9090/api/v1/query", "http://prom:9090/api/v1/query"],
    ["http://prom:9090/api/v1/query//", "http://prom:9090/api/v1/query"],
    ["http://proxy/prometheus", "http://proxy/prometheus/api/v1/query"],
    // "query" somewhere in the path is not the endpoint: only a path that ends with it is
    ["http://proxy/api/v1/query/prom", "http://proxy/api/v1/query/prom/api/v1/query"],
    ["http://proxy/api/v1/query_range", "http://proxy/api/v1/query_range/api/v1/query"],
  ])("%s -> %s", (url, endpoint) => {
    expect(queryEndpoint(url)).toBe(endpoint);
  });
});

describe("prometheus values as Prometheus sends them", () => {
  it.each([
    // [value sent, expect, status, summary, details.value]
    ["+Inf", { gt: 1000 }, "passed", "+Inf > 1000", Number.POSITIVE_INFINITY],
    ["Inf", { gt: 1000 }, "passed", "+Inf > 1000", Number.POSITIVE_INFINITY],
    ["-Inf", { lt: 0 }, "passed", "-Inf < 0", Number.NEGATIVE_INFINITY],
    ["+Inf", { lt: 1 }, "failed", "+Inf, expected < 1", Number.POSITIVE_INFINITY],
    ["-Inf", { gte: 0 }, "failed", "-Inf, expected ≥ 0", Number.NEGATIVE_INFINITY],
    ["12", { eq: 12 }, "passed", "12 = 12", 12],
    ["0.1", { lte: 0.1 }, "passed", "0.1 ≤ 0.1", 0.1],
    ["0.1", { gte: 0.1 }, "passed", "0.1 ≥ 0.1", 0.1],
    ["2", { gte: 1, lt: 3 }, "passed", "2 < 3 and ≥ 1", 2],
    ["3", { gte: 1, lt: 3 }, "failed", "3, expected < 3", 3],
  ] as const)("%s with %o: %s, %s", async (sent, expectation, status, summary, parsed) => {
    script = [value(sent)];
    const { ctx } = fake();
    const out = await execute(step({ expect: expectation }), ctx);
    expect(out.status).toBe(status);
    expect(out.summary).toBe(summary);
    expect(out.details?.["value"]).toBe(parsed);
    expect(out.details?.["measurements"]).toEqual([
      { at: "2026-11-30T08:00:00.000Z", value: sent, result: status, reason: summary },
    ]);
  });

  it("asks for JSON, with the query in the URL, and keeps what it asked in the record", async () => {
    const { ctx } = fake({ secrets: ["s3cret"] });
    const out = await execute(step({ query: 'sum(up{job="s3cret"})' }), ctx);
    expect(out.status).toBe("passed");
    expect(seen).toEqual([
      { url: "/api/v1/query?query=sum%28up%7Bjob%3D%22s3cret%22%7D%29", accept: "application/json" },
    ]);
    expect(out.details).toEqual({
      url: `${origin}/api/v1/query`,
      query: 'sum(up{job="[REDACTED]"})',
      expect: { lt: 0.1 },
      measurements: [{ at: "2026-11-30T08:00:00.000Z", value: "0", result: "passed", reason: "0 < 0.1" }],
      failures: 0,
      inconclusive: 0,
      value: 0,
    });
  });

  it("NaN and an empty result are inconclusive, an empty result kept without a value", async () => {
    for (const [answer, reason, kept] of [
      [value("NaN"), "NaN (no data to compute from)", "NaN"],
      [empty, "empty result (no data)", undefined],
    ] as const) {
      script = [answer];
      const { ctx } = fake();
      const out = await execute(step(), ctx);
      const summary = `inconclusive: the query gave no value: ${reason}; a non-interactive run fails an inconclusive check`;
      expect(out).toEqual({
        status: "failed",
        summary,
        error: summary,
        details: expect.objectContaining({ inconclusiveResult: true, failures: 0, inconclusive: 1 }),
      });
      expect(out.details?.["measurements"]).toEqual([
        {
          at: "2026-11-30T08:00:00.000Z",
          ...(kept === undefined ? {} : { value: kept }),
          result: "inconclusive",
          reason,
        },
      ]);
      if (kept === "NaN") expect(out.details?.["value"]).toBeNaN();
      else if (kept === undefined) expect(out.details).not.toHaveProperty("value");
    }
  });
});

describe("an inconclusive value, interactively", () => {
  function asking(answer: boolean) {
    const asked: { message: string; options: unknown }[] = [];
    const { ctx } = fake({ interactive: true });
    ctx.prompter = {
      ...ctx.prompter,
      confirm: async (message, options) => {
        asked.push({ message, options });
        return answer;
      },
    };
    return { ctx, asked };
  }
  const why = "the query gave no value: empty result (no data)";

  it("asks the engineer, defaulting to no, and records the answer and who decided", async () => {
    script = [empty];
    const yes = asking(true);
    const accepted = await execute(step(), yes.ctx);
    expect(yes.asked).toEqual([
      {
        message: `Inconclusive: ${why}. Have you checked the metric yourself, and should it count as passed?`,
        options: { default: false },
      },
    ]);
    expect(accepted).toMatchObject({
      status: "passed",
      summary: `inconclusive, accepted by the engineer: ${why}`,
      answer: "yes",
      details: { inconclusiveResult: true, decidedBy: "engineer" },
    });
    expect(accepted).not.toHaveProperty("error");

    const no = asking(false);
    const refused = await execute(step(), no.ctx);
    expect(refused).toMatchObject({
      status: "failed",
      summary: `inconclusive, not accepted by the engineer: ${why}`,
      error: `inconclusive, not accepted by the engineer: ${why}`,
      answer: "no",
      details: { inconclusiveResult: true, decidedBy: "engineer" },
    });
  });
});

describe("answers that are not in the API's format", () => {
  // Before these were decoded, an empty string was Number("") = 0 and passed `lt: 0.1`, and a scalar of
  // null failed with "Cannot read properties of null".
  it.each([
    [
      "a vector value that is an empty string",
      { resultType: "vector", result: [{ metric: {}, value: [0, ""] }] },
    ],
    ["a vector value in hex", { resultType: "vector", result: [{ metric: {}, value: [0, "0x0"] }] }],
    ["a vector value with spaces", { resultType: "vector", result: [{ metric: {}, value: [0, " 0 "] }] }],
    ["a vector value sent as a number", { resultType: "vector", result: [{ metric: {}, value: [0, 0] }] }],
    ["a vector sample without its time", { resultType: "vector", result: [{ metric: {}, value: ["0"] }] }],
    [
      "a vector sample with more than time and value",
      { resultType: "vector", result: [{ value: [0, "0", "1"] }] },
    ],
    ["a vector series that is null", { resultType: "vector", result: [null] }],
    ["a vector series without a value", { resultType: "vector", result: [{ metric: {} }] }],
    ["a vector series that is not an object", { resultType: "vector", result: ["0"] }],
    ["a vector that is not a list", { resultType: "vector", result: { value: [0, "0"] } }],
    // a string has a length and indexes, as a list of series has
    ["a vector that is a string", { resultType: "vector", result: "abc" }],
    ["a scalar of null", { resultType: "scalar", result: null }],
    ["a scalar that is a string", { resultType: "scalar", result: "12" }],
    ["a scalar value that is an empty string", { resultType: "scalar", result: [0, ""] }],
  ])("%s: refused, saying what came", async (_name, data) => {
    const body = JSON.stringify({ status: "success", data });
    script = [json(body)];
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    const message = `Prometheus answered a ${data.resultType} that is not in the API's format (a sample is [time, "value"]): ${body.length > 120 ? `${body.slice(0, 120)}…` : body}`;
    expect(out).toMatchObject({ status: "failed", summary: message, error: message });
  });

  it.each([
    ["0", 0],
    ["-0.5", -0.5],
    [".25", 0.25],
    ["5.", 5],
    ["1e-05", 0.00001],
    ["1E+06", 1_000_000],
    ["+3", 3],
    ["123.456", 123.456],
    ["-12e3", -12_000],
  ])("the float %s is a value", async (sent, parsed) => {
    script = [value(sent)];
    const { ctx } = fake();
    const out = await execute(step({ expect: { gte: -1e6 } }), ctx);
    expect(out.status).toBe("passed");
    expect(out.details?.["value"]).toBe(parsed);
  });

  it("several series whose metric is not an object are still counted and shown", async () => {
    script = [
      json({
        status: "success",
        data: {
          resultType: "vector",
          result: [null, { metric: "x" }, { metric: ["a"] }, { metric: { n: 1 } }],
        },
      }),
    ];
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    expect(out.summary).toBe(
      "the query returned 4 series ({}, {}, {}, …); a check needs one value: aggregate them, e.g. sum(...) or max(...)",
    );
  });
});

describe("answers that are not one value", () => {
  const endpoint = () => `${origin}/api/v1/query`;
  const series = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      metric: { __name__: "http_requests_total", path: `/p${i}`, code: "200" },
      value: [0, "1"] as [number, unknown],
    }));

  it.each([
    [
      "three series, all named",
      vector(...series(3)),
      'the query returned 3 series (http_requests_total{path="/p0",code="200"}, http_requests_total{path="/p1",code="200"}, http_requests_total{path="/p2",code="200"}); a check needs one value: aggregate them, e.g. sum(...) or max(...)',
    ],
    [
      "four series, the first three named",
      vector(...series(4)),
      'the query returned 4 series (http_requests_total{path="/p0",code="200"}, http_requests_total{path="/p1",code="200"}, http_requests_total{path="/p2",code="200"}, …); a check needs one value: aggregate them, e.g. sum(...) or max(...)',
    ],
    [
      "two series without a metric",
      vector({ value: [0, "1"] }, { metric: { job: "a" }, value: [0, "2"] }),
      'the query returned 2 series ({}, {job="a"}); a check needs one value: aggregate them, e.g. sum(...) or max(...)',
    ],
    [
      "a range vector",
      json({
        status: "success",
        data: { resultType: "matrix", result: [{ metric: {}, values: [[0, "1"]] }] },
      }),
      "the query returned a matrix; a check needs an instant vector or a scalar (no range selector at the top level)",
    ],
    [
      "a string",
      json({ status: "success", data: { resultType: "string", result: [0, "1"] } }),
      "the query returned a string; a check needs an instant vector or a scalar (no range selector at the top level)",
    ],
    [
      "no data at all",
      json({ status: "success" }),
      "the query returned a result of unknown type; a check needs an instant vector or a scalar (no range selector at the top level)",
    ],
    [
      "a refusal without an error type or text",
      json({ status: "error" }, 422),
      "Prometheus refused the query: HTTP 422",
    ],
    [
      "a refusal with an error type",
      json({ status: "error", errorType: "execution", error: "query timed out" }, 503),
      "Prometheus refused the query (execution): query timed out",
    ],
  ])("%s", async (_name, answer, message) => {
    script = [answer];
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    expect(out).toMatchObject({ status: "failed", summary: message, error: message });
    expect(out.details).toMatchObject({ url: endpoint(), query: "up", measurements: [] });
  });

  it("a body that is not a Prometheus answer: status and an excerpt, redacted", async () => {
    script = [
      (res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end(`<html>\n  <body>bad gateway token=hunter22 ${"x".repeat(200)}</body></html>`);
      },
    ];
    const { ctx } = fake({ secrets: ["hunter22"] });
    const out = await execute(step(), ctx);
    const shown = `<html> <body>bad gateway token=[REDACTED] ${"x".repeat(200)}`.slice(0, 120);
    expect(out.summary).toBe(
      `${origin}/api/v1/query answered 502 Bad Gateway with something other than a Prometheus API answer: ${shown}…`,
    );
    expect(out.status).toBe("failed");
  });

  it("a body over 1 MiB: refused, with its size", async () => {
    script = [
      (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          `{"status":"success","data":{"resultType":"vector","result":[${" ".repeat(1.5 * 1024 * 1024)}]}}`,
        );
      },
    ];
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toBe(
      `Prometheus at ${origin}/api/v1/query answered with more than 1 MiB (1.5 MiB); a check needs one value: aggregate the series, e.g. sum(...) or max(...)`,
    );
  });

  it("a redirect refused on the same origin gives no hint about other origins", async () => {
    const port = new URL(origin).port;
    script = [
      (res) => {
        res.writeHead(302, { location: `http://user:pw@127.0.0.1:${port}/elsewhere` });
        res.end();
      },
    ];
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(
      new RegExp(
        `^Prometheus at ${origin}/api/v1/query redirected \\(HTTP 302\\) to http://.*127\\.0\\.0\\.1:${port}/elsewhere, not followed: a redirect to a URL with credentials in it is never followed$`,
      ),
    );
    expect(out.summary).not.toContain("pw@");
    expect(out.details?.["redirects"]).toEqual([
      expect.objectContaining({ status: 302, crossOrigin: false, followed: false }),
    ]);
  });

  it("waits no longer than the step's timeout for an answer", async () => {
    script = [() => undefined]; // never answers
    const { ctx } = fake({ timeoutMs: 50 });
    const out = await execute(step(), ctx);
    expect(out.summary).toBe(`cannot reach Prometheus at ${origin}/api/v1/query: no answer within 50ms`);
  });
});

describe("the step itself", () => {
  it("refuses an expect without a comparison, before asking anything", async () => {
    const { ctx } = fake();
    const out = await execute(step({ expect: {} }), ctx);
    expect(out).toEqual({
      status: "failed",
      summary: "nothing to compare: expect needs one of lt, lte, gt, gte, eq",
      error: "expect has no comparison",
      details: { url: `${origin}/api/v1/query`, query: "up", expect: {} },
    });
    expect(seen).toEqual([]);
  });

  it("refuses an interval that is not a duration, saying so", async () => {
    const { ctx } = fake({ vars: { every: "soon" } });
    const out = await execute(step({ interval: "${every}", count: 2 }), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(/^interval: \$\{every\} is "soon", which is not a duration/);
    expect(out.error).toBe(out.summary!.slice("interval: ".length));
    expect(seen).toEqual([]);
  });

  it("is only for prometheus steps", async () => {
    const { ctx } = fake();
    await expect(execute({ id: "h", http: { url: origin } } as Step, ctx)).rejects.toThrow(
      "prometheus executor called for another kind",
    );
  });

  it("stops, as interrupted, when the run is stopped during a query", async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx } = fake({ signal: controller.signal });
    const out = await execute(step({ count: 3 }), ctx);
    expect(out).toEqual({
      status: "failed",
      summary: "interrupted after 0/3 measurements",
      error: "interrupted",
      details: expect.objectContaining({ measurements: [] }),
    });
  });
});

describe("the metric gate", () => {
  const gate = (count: number, intervalMs: number, failureLimit: number, inconclusiveLimit: number) => ({
    count,
    intervalMs,
    failureLimit,
    inconclusiveLimit,
  });

  it.each([
    ["count", { count: 1 }, gate(1, 0, 0, 0)],
    ["interval", { interval: "30s" }, gate(1, 30_000, 0, 0)],
    ["failureLimit", { failureLimit: 2 }, gate(1, 0, 2, 0)],
    ["inconclusiveLimit", { inconclusiveLimit: 3 }, gate(1, 0, 0, 3)],
  ])("any one of count, interval and the limits makes a gate (%s)", async (_name, fields, expected) => {
    const { ctx } = fake();
    const out = await execute(step(fields), ctx);
    expect(out.status).toBe("passed");
    expect(out.summary).toBe("0 < 0.1 (1/1 measurements passed)");
    expect(out.details?.["gate"]).toEqual(expected);
    // one measurement: no progress per measurement
    expect(ctx.messages).toEqual([]);
  });

  it("without any of them it is one query, no gate", async () => {
    const { ctx } = fake();
    const out = await execute(step(), ctx);
    expect(out.summary).toBe("0 < 0.1");
    expect(out.details).not.toHaveProperty("gate");
    expect(ctx.messages).toEqual([]);
  });

  it("waits the interval between measurements, never before the first, saying how many are done", async () => {
    const { ctx, clock } = fake();
    const out = await execute(step({ count: 3, interval: "30s" }), ctx);
    expect(out.summary).toBe("0 < 0.1 (3/3 measurements passed)");
    expect(clock.slept).toEqual([30_000, 30_000]);
    expect(ctx.messages).toEqual([
      "measurement 1/3: passed, 0 < 0.1",
      "next measurement in 30s (1/3 done)",
      "measurement 2/3: passed, 0 < 0.1",
      "next measurement in 30s (2/3 done)",
      "measurement 3/3: passed, 0 < 0.1",
    ]);
    expect((out.details!["measurements"] as { at: string }[]).map((m) => m.at)).toEqual([
      "2026-11-30T08:00:00.000Z",
      "2026-11-30T08:00:30.000Z",
      "2026-11-30T08:01:00.000Z",
    ]);
  });

  it("without an interval, measures back to back", async () => {
    const { ctx, clock } = fake();
    await execute(step({ count: 3 }), ctx);
    expect(clock.slept).toEqual([]);
    expect(seen).toHaveLength(3);
    expect(ctx.messages).toHaveLength(3);
  });

  it("stops, as interrupted, when the wait for the next measurement is interrupted", async () => {
    const { ctx } = fake({ sleepResult: false });
    const out = await execute(step({ count: 3, interval: "1m" }), ctx);
    expect(out).toMatchObject({
      status: "failed",
      summary: "interrupted after 1/3 measurements",
      error: "interrupted",
    });
    expect(seen).toHaveLength(1);
  });

  it("stops, as interrupted, when the run is stopped between measurements", async () => {
    const controller = new AbortController();
    const { ctx } = fake({ signal: controller.signal });
    ctx.sleep = async () => {
      controller.abort();
      return true;
    };
    const out = await execute(step({ count: 3, interval: "1s" }), ctx);
    expect(out.summary).toBe("interrupted after 1/3 measurements");
    expect(out.details?.["measurements"]).toHaveLength(1);
  });

  it.each([
    // [answers in order, fields, status, summary]
    [
      ["0", "0.5", "0"],
      { count: 3, failureLimit: 1 },
      "passed",
      "0 < 0.1 (3/3 measurements: 2 passed, 1 failed)",
    ],
    [
      ["0", "empty", "0"],
      { count: 3, inconclusiveLimit: 1 },
      "passed",
      "0 < 0.1 (3/3 measurements: 2 passed, 1 inconclusive)",
    ],
    [
      ["0.5", "empty", "0"],
      { count: 3, failureLimit: 1, inconclusiveLimit: 1 },
      "passed",
      "0 < 0.1 (3/3 measurements: 1 passed, 1 failed, 1 inconclusive)",
    ],
    [
      ["0", "0", "0.5"],
      { count: 3, failureLimit: 1 },
      "passed",
      "last: 0.5, expected < 0.1 (3/3 measurements: 2 passed, 1 failed)",
    ],
    [
      ["0", "0.5", "empty"],
      { count: 3, failureLimit: 1, inconclusiveLimit: 1 },
      "passed",
      "last: empty result (no data) (3/3 measurements: 1 passed, 1 failed, 1 inconclusive)",
    ],
    [
      ["empty", "0.5", "0"],
      { count: 4, inconclusiveLimit: 1 },
      "failed",
      "2/4 measurements: 0 passed, 1 failed, 1 inconclusive (failure limit 0); last: 0.5, expected < 0.1",
    ],
    [
      ["0", "0.5", "empty", "empty"],
      { count: 5, failureLimit: 1, inconclusiveLimit: 1 },
      "failed",
      "inconclusive: 4/5 measurements: 1 passed, 1 failed, 2 inconclusive (inconclusive limit 1); last: empty result (no data); a non-interactive run fails an inconclusive check",
    ],
  ] as const)("%j with %o: %s, %s", async (answers, fields, status, summary) => {
    script = answers.map((a) => (a === "empty" ? empty : value(a)));
    const { ctx } = fake();
    const out = await execute(step(fields), ctx);
    expect(out.status).toBe(status);
    expect(out.summary).toBe(summary);
    const results = (out.details!["measurements"] as { result: string }[]).map((m) => m.result);
    expect(out.details?.["failures"]).toBe(results.filter((r) => r === "failed").length);
    expect(out.details?.["inconclusive"]).toBe(results.filter((r) => r === "inconclusive").length);
  });
});
