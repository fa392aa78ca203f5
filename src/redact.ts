// The one redaction module: secret variable values and common credential patterns become [REDACTED]
// in everything deploycheck writes or prints (terminal, journal, record, exports, notifications,
// status, errors). Text is redacted whole and raw: before it is cut, quoted or shown. Text that was
// already cut (an output tail, a bounded body prefix, a live line) goes through `fragment`, which also
// masks a piece of a secret left at the cut edge.

export const REDACTED = "[REDACTED]";

/**
 * Secret values shorter than this are refused where they are given (a variable at load time, a secret
 * answer): "a" or "42" would turn every output into noise, and not redacting them would leak them.
 */
export const MIN_SECRET_LENGTH = 3;

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

/** Redacts a whole text; `fragment` redacts a text that was cut from a longer one. */
export interface Redactor {
  (text: string): string;
  /**
   * Redact a piece of a longer text: `start` when its beginning was cut off (an output tail), `end`
   * when its end was (a bounded body prefix, an unfinished line). A secret cut in two at such an edge
   * is masked too: the text left at the edge that is the start (or end) of a secret, 3 characters or
   * more of it (2 of a 3-character secret), becomes [REDACTED].
   */
  fragment(text: string, cut: { start?: boolean; end?: boolean }): string;
}

/**
 * The forms a secret takes in text deploycheck sees: as given, URL-encoded (a request URL),
 * JSON-escaped (a response body), and quoted for bash (single quotes; backslashes in double quotes
 * and in $'...'), as `set -x` or an echoed command shows it.
 */
function variantsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/'/g, `'\\''`),
    secret.replace(/[\\$`"]/g, "\\$&"),
    secret.replace(/[\\']/g, "\\$&"),
  ];
}

/** How much of a secret left at a cut edge is masked: 3 characters (2 of a 3-character secret). */
function minEdge(secret: string): number {
  return Math.max(1, Math.min(3, secret.length - 1));
}

/**
 * A redactor for these secret values. Every non-empty value is redacted, however short (values under
 * MIN_SECRET_LENGTH are refused before they get here). Longer values are replaced first so that a
 * secret containing another is whole; [REDACTED] markers already in the text are left as they are,
 * so redacting twice changes nothing.
 */
export function createRedactor(secretValues: Iterable<string> = []): Redactor {
  const raw = [...new Set([...secretValues].filter((s) => s.length > 0))];
  const secrets = [...new Set(raw.flatMap(variantsOf))].sort((a, b) => b.length - a.length);
  // One pass, longest alternative first at each position, markers left alone: a secret that occurs
  // in "[REDACTED]" itself cannot eat a marker made a moment before.
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const one = secrets.length
    ? new RegExp([literal(REDACTED), ...secrets.map(literal)].join("|"), "g")
    : undefined;
  const redact = (text: string): string => {
    // Stryker disable next-line ConditionalExpression: a shortcut; an empty text comes out of every replacement empty.
    if (!text) return text;
    let out = text;
    // Stryker disable next-line LogicalOperator: a shortcut; with a regex and no secret in the text, replacing changes nothing.
    if (one && secrets.some((s) => out.includes(s))) out = out.replace(one, REDACTED);
    // Stryker disable next-line ConditionalExpression: a shortcut; a text MAY_MATCH rejects matches no pattern either.
    if (!MAY_MATCH.test(out)) return out;
    for (const re of PATTERNS) {
      out = out.replace(re, (match: string, prefix?: unknown, ...rest: unknown[]) => {
        // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a pattern without a group passes the match's offset here (a number, and no match starts with a digit), and no group spans a whole match.
        if (typeof prefix === "string" && match.startsWith(prefix) && prefix.length < match.length) {
          // Stryker disable next-line ConditionalExpression: only a string can equal "@".
          const suffix = typeof rest[0] === "string" && rest[0] === "@" ? "@" : "";
          return `${prefix}${REDACTED}${suffix}`;
        }
        return REDACTED;
      });
    }
    return out;
  };
  const fragment = (text: string, cut: { start?: boolean; end?: boolean }): string => {
    let out = redact(text);
    // Stryker disable next-line ConditionalExpression: a shortcut; no edge of an empty text holds a piece of a secret.
    if (!out) return out;
    // Cut at both ends inside one secret: the whole piece is a middle part of it.
    if (cut.start && cut.end && secrets.some((s) => out.length >= minEdge(s) && s.includes(out)))
      return REDACTED;
    for (const s of secrets) {
      if (cut.end && !out.endsWith(REDACTED)) {
        // Stryker disable next-line MethodExpression,ArithmeticOperator: a longer piece than the secret minus one, or than the text, never matches (whole secrets were replaced already).
        for (let k = Math.min(s.length - 1, out.length); k >= minEdge(s); k--) {
          if (out.endsWith(s.slice(0, k))) {
            out = out.slice(0, out.length - k) + REDACTED;
            break;
          }
        }
      }
      if (cut.start && !out.startsWith(REDACTED)) {
        // Stryker disable next-line MethodExpression,ArithmeticOperator: a longer piece than the secret minus one, or than the text, never matches (whole secrets were replaced already).
        for (let k = Math.min(s.length - 1, out.length); k >= minEdge(s); k--) {
          if (out.startsWith(s.slice(s.length - k))) {
            out = REDACTED + out.slice(k);
            break;
          }
        }
      }
    }
    return out;
  };
  return Object.assign(redact, { fragment });
}

/**
 * Keys whose string values deploycheck itself makes or takes from the checklist's ids: event types,
 * timestamps, step keys and ids, statuses, run ids, hashes. They never hold a secret, and a short
 * secret that happens to occur in one ("run" in "run-finished", "739" in a hash) must not break the
 * journal or the record.
 */
const STRUCTURAL_KEYS = new Set([
  "v",
  "type",
  "at",
  "key",
  "id",
  "status",
  "on",
  "result",
  "kind",
  "schema",
  "runId",
  "sha256",
  "checklistSha256",
  "stepHashes",
  "changedSteps",
  "startedAt",
  "updatedAt",
  "createdAt",
]);

/** What those values look like; anything else under such a key is redacted like any text. */
const IDENTIFIER = /^[A-Za-z0-9._:/#+-]{0,200}$/;

/** Redact every string inside a JSON-like value (for records and journal events); returns a copy. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = STRUCTURAL_KEYS.has(k)
        ? redactDeep(v, (text) => (IDENTIFIER.test(text) ? text : redact(text)))
        : redactDeep(v, redact);
    }
    return out as T;
  }
  return value;
}
