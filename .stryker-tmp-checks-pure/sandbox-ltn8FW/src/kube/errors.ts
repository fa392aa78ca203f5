// @ts-nocheck
// Client failures as one clear KubeError each: unreachable cluster (naming the server), 401/403 with the API's
// own message, 404 naming the object, anything else with its Status message.
import { KubeError } from "../errors.js";

export interface ErrorContext {
  /** The API server URL of the context in use. */
  server: string;
  context: string;
  /** What was asked for, e.g. `deployment "buywhere-api" in namespace "staging"`. */
  what: string;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted",
};

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The `message` of a Status body (the client hands it over as raw text, sometimes parsed). */
export function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() || undefined;
    }
  }
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === "string" && message ? message : undefined;
}

export function toKubeError(err: unknown, at: ErrorContext): KubeError {
  if (err instanceof KubeError) return err;
  // ApiException carries `code`; the watch's failed response an Error with `statusCode`.
  const e = err as { code?: unknown; statusCode?: unknown };
  const status = typeof e.code === "number" ? e.code : e.statusCode;
  if (typeof status === "number") {
    const message = statusMessage((err as { body?: unknown }).body);
    if (status === 401) {
      return new KubeError(`unauthorized (401) at ${at.server}${message ? `: ${message}` : ""}`, {
        cause: err,
        hint: `The credentials of context "${at.context}" were refused: log in again or refresh them.`,
      });
    }
    if (status === 403) {
      return new KubeError(`forbidden (403): ${message ?? `not allowed to read ${at.what}`}`, {
        cause: err,
        hint: `Context "${at.context}" lacks the permission; ask for it or use another context (--context).`,
      });
    }
    if (status === 404) {
      return new KubeError(`${at.what} not found`, {
        cause: err,
        ...(message ? { hint: `The API server said: ${message}` } : {}),
      });
    }
    return new KubeError(`Kubernetes API error ${status} for ${at.what}${message ? `: ${message}` : ""}`, {
      cause: err,
    });
  }
  const code = errorCode(err);
  if (code && NETWORK_CODES[code]) {
    return new KubeError(`cannot reach the Kubernetes API server at ${at.server} (${NETWORK_CODES[code]})`, {
      cause: err,
      hint: `Is the cluster of context "${at.context}" running and reachable? Check with: kubectl --context ${at.context} get --raw /version`,
    });
  }
  const message = (err as { message?: unknown })?.message;
  return new KubeError(
    `Kubernetes request for ${at.what} failed: ${typeof message === "string" ? message : String(err)}`,
    {
      cause: err,
    },
  );
}
