// The one redaction module: secret variable values and common credential patterns become [REDACTED]
// in everything deploycheck writes or prints. Applied where output is captured, before it is kept.

export const REDACTED = "[REDACTED]";

const PATTERNS: RegExp[] = [
  // PEM private keys, whole block; an output tail may hold only the start or only the end of one.
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*$/g,
  /^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  // Slack incoming webhooks.
  /https:\/\/hooks\.slack(?:-gov)?\.com\/services\/[A-Za-z0-9/_-]+/g,
  // Authorization: Bearer / Basic tokens.
  /(\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // AWS access key ids and secret keys.
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /(aws_secret_access_key["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
  // password=..., token: ..., api_key=..., secret=...
  /(\b(?:password|passwd|pwd|token|api[_-]?key|secret|client[_-]?secret|access[_-]?token)\b["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)/gi,
  // GitHub and Slack tokens.
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  // user:password@ in URLs.
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(@)/gi,
];

/**
 * Text that none of PATTERNS can match lacks all of these (each pattern needs one of them): one scan
 * instead of eleven for the common case, a line with no credential in it.
 */
const MAY_MATCH =
  /PRIVATE KEY|hooks\.slack|bearer|basic|AKIA|ASIA|aws_secret|passw|pwd|token|api[_-]?key|secret|gh[pousr]_|xox[abprs]-|@/i;

export type Redactor = (text: string) => string;

/**
 * A redactor for these secret values (empty and very short values are ignored: redacting "a" would
 * destroy every output). Longer values are replaced first so that a secret containing another is whole.
 */
export function createRedactor(secretValues: Iterable<string> = []): Redactor {
  // A secret may also appear URL-encoded (in a request URL) or JSON-escaped (in a response body).
  const variants = [...secretValues].flatMap((s) => [
    s,
    encodeURIComponent(s),
    JSON.stringify(s).slice(1, -1),
  ]);
  const secrets = [...new Set(variants.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    if (!text) return text;
    let out = text;
    for (const s of secrets) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    if (!MAY_MATCH.test(out)) return out;
    for (const re of PATTERNS) {
      out = out.replace(re, (match: string, prefix?: unknown, ...rest: unknown[]) => {
        if (typeof prefix === "string" && match.startsWith(prefix) && prefix.length < match.length) {
          const suffix = typeof rest[0] === "string" && rest[0] === "@" ? "@" : "";
          return `${prefix}${REDACTED}${suffix}`;
        }
        return REDACTED;
      });
    }
    return out;
  };
}

/** Redact every string inside a JSON-like value (for records and journal events). */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}
