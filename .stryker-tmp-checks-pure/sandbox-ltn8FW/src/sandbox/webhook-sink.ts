// @ts-nocheck
// The sandbox's webhook sink: stands in for a Slack incoming webhook or any JSON webhook. It records
// every POST body, can be told to fail the next N deliveries, and lists what it got at GET /received.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { logRequests, type RequestLogger } from "./request-log.js";

export interface ReceivedWebhook {
  at: string;
  path: string;
  contentType: string;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** The status the sink answered. */
  status: number;
}

export interface WebhookSink {
  readonly url: string;
  readonly port: number;
  /** A Slack-looking URL on the sink: http://127.0.0.1:PORT/services/T0000/B0000/<secret>. */
  readonly slackUrl: string;
  readonly received: ReceivedWebhook[];
  /** Answer the next `count` deliveries with `status` (default 500), then accept again. */
  failNext(count: number, status?: number): void;
  /** Delay every answer (to test client timeouts). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startWebhookSink(
  options: { host?: string; port?: number; onRequest?: RequestLogger } = {},
): Promise<WebhookSink> {
  const host = options.host ?? "127.0.0.1";
  const received: ReceivedWebhook[] = [];
  const state = { failures: 0, failStatus: 500, delayMs: 0 };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    if (req.method === "GET" && url.pathname === "/received") {
      const text = JSON.stringify(received);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { "content-type": "text/plain" });
      res.end("the webhook sink accepts POST\n");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let status = 200;
    if (state.failures > 0) {
      state.failures--;
      status = state.failStatus;
    }
    const entry: ReceivedWebhook = {
      at: new Date().toISOString(),
      path: url.pathname,
      contentType: req.headers["content-type"] ?? "",
      body,
      status,
    };
    try {
      entry.json = JSON.parse(body);
    } catch {
      // not JSON: keep the text only
    }
    received.push(entry);
    const answer = () => {
      res.writeHead(status, { "content-type": "text/plain" });
      // Slack answers "ok", and a short plain-text reason on errors.
      res.end(status === 200 ? "ok" : "internal_error (injected by the sandbox)");
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs).unref();
    else answer();
  });
  logRequests(server, options.onRequest);
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    slackUrl: `${url}/services/T00000000/B00000000/sandboxWebhookSecret0000`,
    received,
    failNext(count, status = 500) {
      state.failures = count;
      state.failStatus = status;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
