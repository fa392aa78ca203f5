// @ts-nocheck
// A minimal Prometheus-compatible HTTP API over the sample service's own statistics, as if Prometheus
// scraped it: GET|POST /api/v1/query answers the PromQL subset of promql.ts, in Prometheus' JSON shapes.
//
// Metrics (every series also carries the target labels job, instance and namespace):
//   up                                            1 while the service listens, 0 when it is down
//   http_requests_total{method,path,status}       counter
//   http_request_duration_seconds_bucket{path,le} histogram (also _sum, _count)
// Query shapes the staging checklist uses, for example:
//   (sum(rate(http_requests_total{status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total[5m]))
//     (without `or vector(0)` the ratio is empty, i.e. inconclusive, until a first 5xx happens, as in
//     real Prometheus; with no traffic at all it is NaN, also inconclusive)
//   histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
//   up{job="buywhere-api"}
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { evaluate, formatSampleValue, type MetricSource, PromQLError, type QueryValue } from "./promql.js";
import { logRequests, type RequestLogger } from "./request-log.js";
import type { SampleService } from "./service.js";

/** What every answer looks like: normal, no series at all (inconclusive), or NaN values. */
export type MetricsFault = "none" | "empty" | "nan";

export interface PrometheusApi {
  readonly url: string;
  readonly port: number;
  readonly queries: string[];
  fault: MetricsFault;
  close(): Promise<void>;
}

export interface PrometheusApiOptions {
  host?: string;
  /** Listen on this port (default: any free port). */
  port?: number;
  /** The `job` label of the scraped target (default buywhere-api). */
  job?: string;
  namespace?: string;
  now?: () => number;
  onRequest?: RequestLogger;
}

export function serviceMetrics(
  service: SampleService,
  target: { job: string; namespace: string },
): MetricSource {
  const targetLabels = {
    job: target.job,
    instance: `127.0.0.1:${service.port}`,
    namespace: target.namespace,
  };
  const labelled = (series: { labels: Record<string, string>; value: number }[]) =>
    series.map((s) => ({ labels: { ...s.labels, ...targetLabels }, value: s.value }));
  return {
    instant(name, _at) {
      if (name === "up")
        return [{ labels: { __name__: "up", ...targetLabels }, value: service.isUp ? 1 : 0 }];
      return labelled(service.stats.series(name));
    },
    increase(name, at, windowMs) {
      return labelled(service.stats.series(name, { from: at - windowMs, to: at }));
    },
  };
}

function toJson(value: QueryValue, atSeconds: number, fault: MetricsFault): unknown {
  if (value.kind === "scalar") {
    const v = fault === "none" ? value.value : Number.NaN;
    return { resultType: "scalar", result: [atSeconds, formatSampleValue(v)] };
  }
  const series = fault === "empty" ? [] : value.series;
  return {
    resultType: "vector",
    result: series.map((s) => ({
      metric: s.labels,
      value: [atSeconds, formatSampleValue(fault === "nan" ? Number.NaN : s.value)],
    })),
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startPrometheusApi(
  service: SampleService,
  options: PrometheusApiOptions = {},
): Promise<PrometheusApi> {
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const source = serviceMetrics(service, {
    job: options.job ?? "buywhere-api",
    namespace: options.namespace ?? "staging",
  });
  const queries: string[] = [];
  const api = { fault: "none" as MetricsFault };

  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    const url = new URL(req.url ?? "/", "http://sandbox");
    if (url.pathname === "/-/healthy" || url.pathname === "/-/ready") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("Prometheus Server is Ready.\n");
      return;
    }
    if (url.pathname !== "/api/v1/query") {
      send(404, { status: "error", errorType: "not_found", error: `no API endpoint ${url.pathname}` });
      return;
    }
    if (req.method !== "GET" && req.method !== "POST") {
      send(405, { status: "error", errorType: "bad_data", error: `method ${req.method} not allowed` });
      return;
    }
    const params = new URLSearchParams(url.search);
    if (req.method === "POST") {
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.set(k, v);
    }
    const query = params.get("query");
    if (!query) {
      send(400, {
        status: "error",
        errorType: "bad_data",
        error: 'invalid parameter "query": no query given',
      });
      return;
    }
    queries.push(query);
    const timeParam = params.get("time");
    const at = timeParam ? Number(timeParam) * 1000 : now();
    if (!Number.isFinite(at)) {
      send(400, {
        status: "error",
        errorType: "bad_data",
        error: `invalid parameter "time": cannot parse "${timeParam}"`,
      });
      return;
    }
    try {
      const value = evaluate(query, source, at);
      send(200, { status: "success", data: toJson(value, at / 1000, api.fault) });
    } catch (err) {
      if (err instanceof PromQLError) {
        send(err.errorType === "bad_data" ? 400 : 422, {
          status: "error",
          errorType: err.errorType,
          error: `invalid parameter "query": ${err.message}`,
        });
      } else {
        send(500, { status: "error", errorType: "internal", error: String(err) });
      }
    }
  });
  logRequests(server, options.onRequest);
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    queries,
    get fault() {
      return api.fault;
    },
    set fault(f: MetricsFault) {
      api.fault = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
