// @ts-nocheck
// One line per request a sandbox part answers, for the `deploycheck sandbox` console: what arrived and
// what it was answered. The sandbox's own background traffic carries TRAFFIC_HEADER and is not logged.
import type { IncomingMessage, Server, ServerResponse } from "node:http";

export const TRAFFIC_HEADER = "x-deploycheck-sandbox-traffic";

export interface RequestLogEntry {
  method: string;
  /** Path and query, as requested. */
  path: string;
  status: number;
  ms: number;
}

export type RequestLogger = (entry: RequestLogEntry, req: IncomingMessage) => void;

/** Call `log` once each response of `server` is sent (a watch: once it ends). */
export function logRequests(server: Server, log: RequestLogger | undefined): void {
  if (!log) return;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers[TRAFFIC_HEADER]) return;
    const started = performance.now();
    res.once("close", () => {
      log(
        {
          method: req.method ?? "GET",
          path: req.url ?? "/",
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        req,
      );
    });
  });
}
