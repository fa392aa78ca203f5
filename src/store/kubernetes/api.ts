// The few Kubernetes API calls team state needs (Leases and ConfigMaps in one namespace), over one
// `exchange` function so that the lock and the journal can be tested against the sandbox or a fake.
// Names and labels are made valid here: run ids carry upper-case letters, object names may not.
import { createHash } from "node:crypto";
import { StateError } from "../../errors.js";

export type Exchange = (
  what: string,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) => Promise<{ status: number; body: unknown }>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export interface LeaseObject {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: ObjectMeta;
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface ConfigMapObject {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

/** A refusal of the API server that team state cannot work around (403, 422, 5xx after retries...). */
export class TeamStateError extends StateError {
  constructor(
    message: string,
    readonly status: number,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The Status message of an error answer. */
export function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : typeof body === "string" ? body.slice(0, 200) : "";
}

const seg = encodeURIComponent;

export const leasePath = (namespace: string, name?: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${seg(namespace)}/leases${name === undefined ? "" : `/${seg(name)}`}`;

export const configMapPath = (namespace: string, name?: string) =>
  `/api/v1/namespaces/${seg(namespace)}/configmaps${name === undefined ? "" : `/${seg(name)}`}`;

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);

/**
 * A valid object name (RFC 1123 subdomain, at most `max` characters) for `text`: lower-cased, other
 * characters turned into `-`, and a hash of the original appended whenever anything had to change, so
 * that two different texts never share a name.
 */
export function objectName(prefix: string, text: string, max = 63): string {
  const cleaned = `${prefix}${text}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === `${prefix}${text}` && cleaned.length <= max) return cleaned;
  const hash = shortHash(text);
  return `${cleaned.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** A valid label value (at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends) for `text`. */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (cleaned === text && cleaned.length <= 63) return cleaned;
  const hash = shortHash(text);
  return `${cleaned.slice(0, 63 - hash.length - 1).replace(/[^A-Za-z0-9]+$/, "")}-${hash}`.replace(/^-/, "");
}

export interface RetryOptions {
  /** Give up after this long without an answer (default 60 s). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before each wait, e.g. to say "the cluster is unreachable, retrying". */
  onRetry?: (what: string, reason: string, delayMs: number) => void;
}

/**
 * Retry what can pass by itself: no answer (network error), 5xx and 429, with exponential backoff
 * (250 ms doubling to 8 s) until maxWaitMs. Every request team state makes is safe to repeat: reads,
 * writes with a resourceVersion precondition, and creates of deterministic names.
 */
export function retrying(exchange: Exchange, options: RetryOptions = {}): Exchange {
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  return async (what, method, path, body, signal) => {
    const start = now();
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      try {
        const r = await exchange(what, method, path, body, signal);
        if (r.status < 500 && r.status !== 429) return r;
        reason = `HTTP ${r.status}${messageOf(r.body) ? `: ${messageOf(r.body)}` : ""}`;
        if (now() - start >= maxWaitMs)
          throw new TeamStateError(`the Kubernetes API kept failing for ${what}: ${reason}`, r.status);
      } catch (err) {
        if (err instanceof TeamStateError || signal?.aborted) throw err;
        reason = (err as Error).message;
        if (now() - start >= maxWaitMs) throw err;
      }
      const delay = Math.min(250 * 2 ** attempt, 8000, Math.max(0, maxWaitMs - (now() - start)));
      options.onRetry?.(what, reason, delay);
      await sleep(delay);
    }
  };
}

/**
 * A create answered 409 although no object of that name exists (a Conflict, not AlreadyExists: an API
 * server under contention, or a 409 storm): wait this long before creating again, or give up (undefined)
 * after 10 tries (~11 s in all).
 */
export function createConflictDelay(attempt: number): number | undefined {
  return attempt < 10 ? Math.min(100 * 2 ** attempt, 2000) : undefined;
}

export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
