// @ts-nocheck
// The sandbox's sample HTTP service (the "buywhere-api" of the demo): /health, /ready, /metrics,
// /products, /search, with its own request statistics and faults that tests and `demo --fail-at` inject.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { logRequests, type RequestLogger } from "./request-log.js";
import { RequestStats } from "./request-stats.js";

export interface ServiceFaults {
  /** Fraction 0..1 of requests answered 500 (spread evenly, so 0.5 fails every second request). */
  errorRate: number;
  /** Added to every response, in ms. */
  latencyMs: number;
}

export interface SampleService {
  /** Base URL, e.g. http://127.0.0.1:41234 (the port stays the same across down/up). */
  readonly url: string;
  readonly port: number;
  readonly stats: RequestStats;
  readonly faults: Readonly<ServiceFaults>;
  /** True while the listener accepts connections. */
  readonly isUp: boolean;
  setFaults(faults: Partial<ServiceFaults>): void;
  /** Close the listener and every open connection: clients get "connection refused". */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface SampleServiceOptions {
  host?: string;
  port?: number;
  faults?: Partial<ServiceFaults>;
  now?: () => number;
  onRequest?: RequestLogger;
}

const PRODUCTS = [
  { id: "p-1001", name: "Espresso machine", price: 249.0, currency: "SGD", stock: 12 },
  { id: "p-1002", name: "Burr grinder", price: 129.5, currency: "SGD", stock: 30 },
  { id: "p-1003", name: "Milk frother", price: 39.9, currency: "SGD", stock: 0 },
  { id: "p-1004", name: "Pour-over kettle", price: 59.0, currency: "SGD", stock: 8 },
  { id: "p-1005", name: "Coffee scale", price: 45.0, currency: "SGD", stock: 21 },
];

/** Paths are recorded as routes, so a scan of random URLs cannot grow the series without bound. */
function route(pathname: string): string {
  return ["/health", "/ready", "/metrics", "/products", "/search", "/"].includes(pathname)
    ? pathname
    : "other";
}

export async function startSampleService(options: SampleServiceOptions = {}): Promise<SampleService> {
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const stats = new RequestStats(now());
  const faults: ServiceFaults = { errorRate: 0, latencyMs: 0, ...options.faults };
  // Error injection is deterministic: each request adds errorRate, and a request fails when the
  // accumulator reaches 1. Tests can then count on exact numbers of failures.
  let errorBudget = 0;
  let up = false;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = route(url.pathname);
    const respond = (status: number, body: unknown, type = "application/json") => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
      res.end(text);
      stats.record({
        at: now(),
        method: req.method ?? "GET",
        path,
        status,
        durationSeconds: (performance.now() - started) / 1000,
      });
    };
    const answer = () => {
      if (path !== "/metrics" && faults.errorRate > 0) {
        errorBudget += faults.errorRate;
        if (errorBudget >= 1 - 1e-9) {
          errorBudget -= 1;
          respond(500, { error: "internal server error (injected by the sandbox)" });
          return;
        }
      }
      switch (url.pathname) {
        case "/":
          return respond(200, {
            service: "buywhere-api",
            endpoints: ["/health", "/ready", "/metrics", "/products", "/search?q="],
          });
        case "/health":
          return respond(200, {
            status: "ok",
            checks: { database: "ok", redis: "ok" },
            uptimeSeconds: Math.round((now() - stats.startedAt) / 1000),
          });
        case "/ready":
          return respond(200, { ready: true });
        case "/metrics":
          return respond(200, stats.exposition(up), "text/plain; version=0.0.4; charset=utf-8");
        case "/products":
          return respond(200, { items: PRODUCTS, total: PRODUCTS.length });
        case "/search": {
          const q = (url.searchParams.get("q") ?? "").toLowerCase();
          if (!q) return respond(400, { error: "missing query parameter q" });
          const items = PRODUCTS.filter((p) => p.name.toLowerCase().includes(q));
          return respond(200, { query: q, items, total: items.length });
        }
        default:
          return respond(404, { error: `no route ${url.pathname}` });
      }
    };
    // The body is drained before answering, so POSTs with bodies do not reset the connection.
    req.resume();
    req.on("end", () => {
      if (faults.latencyMs > 0) setTimeout(answer, faults.latencyMs).unref();
      else answer();
    });
  });
  logRequests(server, options.onRequest);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const listen = async (port: number) => {
    server.listen(port, host);
    await once(server, "listening");
    up = true;
  };
  const stop = async () => {
    if (!up) return;
    up = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };

  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    faults,
    get isUp() {
      return up;
    },
    setFaults(next) {
      Object.assign(faults, next);
      if (next.errorRate !== undefined) errorBudget = 0;
    },
    down: stop,
    up: async () => {
      if (!up) await listen(port);
    },
    close: stop,
  };
}
