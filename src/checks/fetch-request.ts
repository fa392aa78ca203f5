// HTTP requests made by the prometheus and notify kinds: a per-request timeout joined with the step's
// signal, credentials in the URL moved to an Authorization header, and network errors in plain words.
import { timeoutSignal } from "../timers.js";

export interface FetchResult {
  status: number;
  statusText: string;
  body: string;
  headers: Headers;
}

export class FetchFailure extends Error {
  override name = "FetchFailure";
  constructor(
    message: string,
    /** True when the step's own signal (Ctrl-C, step timeout) stopped the request. */
    readonly aborted: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  CERT_HAS_EXPIRED: "TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
};

/** Why a fetch failed, in words: "connection refused (ECONNREFUSED)". */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code) return `${CODES[code] ?? cause?.message ?? "network error"} (${code})`;
  return cause?.message ?? (err as Error)?.message ?? String(err);
}

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function fetchText(url: string, options: FetchOptions): Promise<FetchResult> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  // fetch refuses URLs with credentials; Prometheus behind basic auth is commonly written that way.
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers["authorization"] = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  const timeout = timeoutSignal(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const res = await fetch(target, {
      method: options.method ?? "GET",
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      signal,
      redirect: "follow",
    });
    const body = await res.text();
    return { status: res.status, statusText: res.statusText, body, headers: res.headers };
  } catch (err) {
    if (options.signal?.aborted) throw new FetchFailure("stopped", true, { cause: err });
    if (timeout.aborted)
      throw new FetchFailure(`no answer within ${formatMs(options.timeoutMs)}`, false, { cause: err });
    throw new FetchFailure(networkReason(err), false, { cause: err });
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

/** The first `max` characters of a body on one line, for error messages. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
