// @ts-nocheck
// HTTP requests made by the http, prometheus and notify kinds: a per-request timeout joined with the
// step's signal, credentials in the URL moved to an Authorization header, network errors in plain
// words, redirects followed by hand (never to another origin unless asked, and then without the
// checklist's headers or body), and a body read as a stream of which only a bounded prefix is kept.

export interface FetchResult {
  status: number;
  statusText: string;
  /** The body's text: all of it, or its first `maxBodyBytes` bytes when `bodyTruncated`. */
  body: string;
  headers: Headers;
  /** Bytes of body received in all (read to the end, kept or not). */
  bodyBytes: number;
  /** The body was longer than `maxBodyBytes`: `body` is its start only. */
  bodyTruncated: boolean;
  /** The URL that answered (the request's, or the last redirect's). */
  url: string;
  /** Redirects followed, then the one not followed (if any), in order. */
  redirects: Redirect[];
}

export interface Redirect {
  status: number;
  /** Where the server sent the request (absolute URL, as given: redact before showing). */
  to: string;
  /** `to` is on another origin (scheme, host or port) than the URL the checklist wrote. */
  crossOrigin: boolean;
  /** Followed; when false, the response is the redirect itself and `refused` says why. */
  followed: boolean;
  refused?: string;
  /** Names of the request headers not sent on from this hop on (cross-origin). */
  droppedHeaders?: string[];
  /** The request body was not sent on (a cross-origin hop, or a 301/302/303 that turns it into a GET). */
  droppedBody?: boolean;
}

export type FollowRedirects = "sameOrigin" | "any";

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

/** Body bytes kept when the caller sets no limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Hops followed at most, as fetch does. */
const MAX_REDIRECTS = 20;
/** Request headers that say nothing about the sender and go on to another origin. */
const SAFE_HEADERS = new Set(["accept", "accept-language", "user-agent"]);
/** Headers that describe the request body, dropped with it (as fetch does on a 301/302/303). */
const BODY_HEADERS = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
]);

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Redirects to another origin are not followed unless "any" (default "sameOrigin"). */
  followRedirects?: FollowRedirects;
  /** Body bytes kept; the rest is read and dropped (default 1 MiB). */
  maxBodyBytes?: number;
}

export async function fetchText(url: string, options: FetchOptions): Promise<FetchResult> {
  let target = new URL(url);
  const origin = target.origin;
  let headers: Record<string, string> = { ...options.headers };
  // fetch refuses URLs with credentials; Prometheus behind basic auth is commonly written that way.
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers["authorization"] = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  let method = options.method ?? "GET";
  let body = options.body;
  const follow = options.followRedirects ?? "sameOrigin";
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const redirects: Redirect[] = [];
  try {
    for (;;) {
      const res = await fetch(target, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
        redirect: "manual",
      });
      const location = isRedirect(res.status) ? res.headers.get("location") : null;
      if (location === null) return await answer(res, target, redirects, options.maxBodyBytes);
      let next: URL;
      try {
        next = new URL(location, target);
      } catch {
        return await answer(res, target, redirects, options.maxBodyBytes);
      }
      const crossOrigin = next.origin !== origin;
      const hop: Redirect = { status: res.status, to: next.href, crossOrigin, followed: false };
      redirects.push(hop);
      // 301/302 turn a POST into a GET, 303 anything but HEAD; 307/308 repeat the request as it was.
      const toGet =
        (res.status === 303 && method !== "HEAD") ||
        ((res.status === 301 || res.status === 302) && method === "POST");
      const refused =
        next.protocol !== "http:" && next.protocol !== "https:"
          ? `a redirect to a ${next.protocol} URL is never followed`
          : next.username || next.password
            ? "a redirect to a URL with credentials in it is never followed"
            : redirects.length > MAX_REDIRECTS
              ? `more than ${MAX_REDIRECTS} redirects`
              : crossOrigin && follow !== "any"
                ? "it leads to another origin (followRedirects: sameOrigin)"
                : crossOrigin && body !== undefined && !toGet
                  ? `a ${res.status} would send the request body to another origin`
                  : undefined;
      if (refused) {
        hop.refused = refused;
        return await answer(res, target, redirects, options.maxBodyBytes);
      }
      await res.body?.cancel().catch(() => undefined);
      hop.followed = true;
      if (toGet) {
        if (body !== undefined) hop.droppedBody = true;
        method = "GET";
        body = undefined;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !BODY_HEADERS.has(k.toLowerCase())),
        );
      }
      if (crossOrigin) {
        // As browsers drop Authorization on a cross-origin hop, every header the checklist set goes too.
        const dropped = Object.keys(headers).filter((k) => !SAFE_HEADERS.has(k.toLowerCase()));
        if (dropped.length) hop.droppedHeaders = dropped.map((k) => k.toLowerCase());
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => SAFE_HEADERS.has(k.toLowerCase())),
        );
      }
      target = next;
    }
  } catch (err) {
    if (options.signal?.aborted) throw new FetchFailure("stopped", true, { cause: err });
    if (timeout.aborted)
      throw new FetchFailure(`no answer within ${formatMs(options.timeoutMs)}`, false, { cause: err });
    throw new FetchFailure(networkReason(err), false, { cause: err });
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

async function answer(
  res: Response,
  url: URL,
  redirects: Redirect[],
  max = DEFAULT_MAX_BODY_BYTES,
): Promise<FetchResult> {
  const read = await readBounded(res, max);
  return {
    status: res.status,
    statusText: res.statusText,
    body: read.text,
    headers: res.headers,
    bodyBytes: read.bytes,
    bodyTruncated: read.truncated,
    url: url.href,
    redirects,
  };
}

/**
 * The body as a stream: the first `max` bytes are kept (decoded as UTF-8, a character cut at the
 * limit dropped), the rest is read and let go, so memory stays bounded whatever the server sends.
 */
export async function readBounded(
  res: Response,
  max: number,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!res.body) return { text: "", bytes: 0, truncated: false };
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (keptBytes < max) {
      const part = keptBytes + chunk.byteLength <= max ? chunk : chunk.subarray(0, max - keptBytes);
      // A copy: a view would keep the whole chunk it is cut from alive.
      kept.push(part === chunk ? chunk : part.slice());
      keptBytes += part.byteLength;
    }
  }
  const truncated = bytes > keptBytes;
  const decoder = new TextDecoder("utf-8");
  const text =
    kept.map((c) => decoder.decode(c, { stream: true })).join("") + (truncated ? "" : decoder.decode());
  return { text, bytes, truncated };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

/** 1 MiB, 400 MiB, 512 KiB, 900 B: a byte count as shown in messages. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let unit = "B";
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${+v.toFixed(v < 10 ? 1 : 0)} ${unit}`;
}

/** The first `max` characters of a body on one line, for error messages. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
