// The `http` step kind: one request checked for status, body, JSON fields and latency, or N samples
// checked for latency percentiles (nearest rank) and error rate. Header values never appear in output.
import { STATUS_CODES } from "node:http";
import { describeHttp } from "../checklist/describe.js";
import { DURATION_BOUNDS, isMutating } from "../checklist/kinds.js";
import type { HttpStep, NestedStep, Step } from "../checklist/schema.js";
import { interpolate, resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { InternalError } from "../errors.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  FetchFailure,
  type FetchResult,
  type FollowRedirects,
  fetchText,
  formatBytes,
  type Redirect,
} from "./fetch-request.js";
import { dryRunOutcome, failure, formatDuration, stoppedOutcome } from "./format.js";
import type { ExecContext, Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeHttp as describe } from "../checklist/describe.js";

/** Per-request timeout when the step sets none. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Samples in flight at once: enough to finish quickly, few enough not to load the service. */
const SAMPLE_CONCURRENCY = 4;
const BODY_EXCERPT = 2000;

function specOf(step: Step | NestedStep): HttpStep {
  if (step.http === undefined)
    throw new InternalError("http executor called for a step that is not an http step");
  return step.http;
}

function statusText(status: number | number[] | undefined): string {
  if (status === undefined) return "2xx";
  return Array.isArray(status) ? status.join(" or ") : String(status);
}

// ---- execute ---------------------------------------------------------------------------------

interface Request {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  followRedirects: FollowRedirects;
  maxBodyBytes: number;
}

interface Sample {
  /** Response received (whatever its status). */
  response?: FetchResult;
  latencyMs: number;
  /** Why this sample does not meet the expectations, if it does not (every sample without a response has one). */
  problem?: string;
  /** The step's signal stopped it (nothing else is said: the step is cancelled). */
  aborted?: boolean;
}

export const execute: Executor = async (step, ctx) => {
  const spec = specOf(step);
  if (ctx.dryRun && isMutating(step)) return dryRunOutcome(ctx.redact(describeHttp(step, ctx.vars)));
  const request = buildRequest(spec, ctx);
  const started = ctx.now();
  let target: URL;
  try {
    target = new URL(request.url);
  } catch {
    return failure(ctx.redact(`invalid URL ${JSON.stringify(request.url)}`));
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    return failure(ctx.redact(`unsupported URL scheme ${target.protocol} in ${request.url}`));
  const base: Record<string, unknown> = { method: request.method, url: ctx.redact(request.url) };
  if (spec.samples === undefined) return single(spec, request, ctx, started, base);
  return sampled(spec, request, ctx, started, base);
};

function buildRequest(spec: HttpStep, ctx: ExecContext): Request {
  const text = (s: string) => interpolate(s, ctx.vars, ctx.env);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name] = text(value);
  let body: string | undefined;
  if (typeof spec.body === "string") body = text(spec.body);
  else if (spec.body !== undefined) {
    body = JSON.stringify(interpolateDeep(spec.body, text));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  return {
    url: text(spec.url),
    method: spec.method ?? "GET",
    headers,
    body,
    timeoutMs: ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // Stryker disable next-line StringLiteral: fetchText only asks whether it is "any"; "" and "sameOrigin" both refuse another origin
    followRedirects: spec.followRedirects ?? "sameOrigin",
    maxBodyBytes: spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
}

function interpolateDeep(value: unknown, text: (s: string) => string): unknown {
  if (typeof value === "string") return text(value);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, text));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, text)]));
  return value;
}

async function send(request: Request, ctx: ExecContext): Promise<Sample> {
  const started = performance.now();
  try {
    const response = await fetchText(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      timeoutMs: request.timeoutMs,
      signal: ctx.signal,
      followRedirects: request.followRedirects,
      maxBodyBytes: request.maxBodyBytes,
    });
    return { response, latencyMs: performance.now() - started };
  } catch (err) {
    const latencyMs = performance.now() - started;
    if (err instanceof FetchFailure) {
      if (err.aborted) return { latencyMs, aborted: true };
      return { latencyMs, problem: networkProblem(err.message, request.url) };
    }
    return { latencyMs, problem: `request failed: ${(err as Error).message}` };
  }
}

/** "connection refused (ECONNREFUSED)" -> "connection refused to 127.0.0.1:1234". */
function networkProblem(message: string, url: string): string {
  const host = new URL(url).host;
  const code = / \([A-Z_]+\)$/.exec(message);
  if (code) return `${message.slice(0, code.index)} to ${host}`;
  return `${message} (${host})`;
}

function statusLine(response: FetchResult): string {
  const text = response.statusText || STATUS_CODES[response.status] || "";
  return text ? `${response.status} ${text}` : String(response.status);
}

function statusExpected(status: number, expected: number | number[] | undefined): boolean {
  // 2xx: fetch never answers with a 1xx status (an informational answer is not the response).
  if (expected === undefined) return Math.floor(status / 100) === 2;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

/** Every expectation the response does not meet (latency is judged by the caller). */
function responseProblems(spec: HttpStep, response: FetchResult, ctx: ExecContext): string[] {
  const problems: string[] = [];
  if (!statusExpected(response.status, spec.expect?.status)) {
    problems.push(`${statusLine(response)} (expected ${statusText(spec.expect?.status)})`);
    return problems;
  }
  const contains = spec.expect?.bodyContains;
  if (contains !== undefined) {
    const needle = interpolate(contains, ctx.vars, ctx.env);
    if (!response.body.includes(needle))
      problems.push(`body does not contain ${JSON.stringify(needle)}${inKeptPart(response)}`);
  }
  const json = spec.expect?.json;
  if (json && Object.keys(json).length) {
    let doc: unknown;
    try {
      doc = JSON.parse(response.body);
    } catch {
      problems.push(
        response.bodyTruncated
          ? `response is not JSON in its first ${formatBytes(Buffer.byteLength(response.body))}: the body (${formatBytes(response.bodyBytes)}) is longer than maxBodyBytes, only its start was kept`
          : "response is not JSON",
      );
      return problems;
    }
    for (const [path, raw] of Object.entries(json)) {
      const expected = typeof raw === "string" ? interpolate(raw, ctx.vars, ctx.env) : raw;
      const found = lookup(doc, path);
      if (!found.present) problems.push(`json ${path}: missing`);
      else if (!sameValue(found.value, expected))
        problems.push(
          `json ${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found.value)}`,
        );
    }
  }
  return problems;
}

/** " in its first 1 MiB (of 400 MiB: maxBodyBytes)" when the body was cut, else "". */
function inKeptPart(response: FetchResult): string {
  if (!response.bodyTruncated) return "";
  return ` in its first ${formatBytes(Buffer.byteLength(response.body))} (of ${formatBytes(response.bodyBytes)}: maxBodyBytes)`;
}

/** What a response's redirects say, for the summary: where it went, what was not sent, what was refused. */
function redirectNote(response: FetchResult, ctx: ExecContext): string {
  const refused = response.redirects.find((r) => !r.followed);
  const followed = response.redirects.filter((r) => r.followed);
  const parts: string[] = [];
  if (followed.length) {
    const dropped = [...new Set(followed.flatMap((r) => r.droppedHeaders ?? []))];
    const body = followed.some((r) => r.droppedBody);
    const notSent = [
      ...(dropped.length ? [`header${dropped.length > 1 ? "s" : ""} ${dropped.join(", ")}`] : []),
      ...(body ? ["the body"] : []),
    ];
    const cross = followed.some((r) => r.crossOrigin);
    const what = notSent.join(" and ");
    const note = cross
      ? notSent.length
        ? ` (another origin: ${what} not sent there)`
        : " (another origin)"
      : notSent.length
        ? ` (${what} not sent on)`
        : "";
    parts.push(`redirected to ${ctx.redact(response.url)}${note}`);
  }
  if (refused) {
    // Stryker disable next-line OptionalChaining: fetchText gives every redirect it does not follow its reason
    const hint = refused.refused?.startsWith("it leads to another origin")
      ? "; followRedirects: any follows it, without the step's headers and body"
      : "";
    parts.push(`redirect to ${ctx.redact(refused.to)} not followed: ${refused.refused}${hint}`);
  }
  return parts.join(", ");
}

/** The redirects as kept in the record, URLs redacted. */
function redirectDetails(redirects: readonly Redirect[], ctx: ExecContext): Record<string, unknown>[] {
  return redirects.map((r) => ({ ...r, to: ctx.redact(r.to) }));
}

/** A dotted path into JSON: `items.0.status`, numeric segments index arrays. */
export function lookup(doc: unknown, path: string): { present: boolean; value?: unknown } {
  let current: unknown = doc;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment) && Number(segment) < current.length) {
      current = current[Number(segment)];
    } else if (current !== null && typeof current === "object" && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else return { present: false };
  }
  return { present: true, value: current };
}

/** Deep equality; an expected string also matches a number or boolean with that text (variables are strings). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "string" && (typeof actual === "number" || typeof actual === "boolean"))
    return String(actual) === expected;
  if (actual === expected) return true;
  if (typeof actual !== "object" || typeof expected !== "object" || actual === null || expected === null)
    return false;
  if (Array.isArray(actual) !== Array.isArray(expected)) return false;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = Object.keys(e);
  if (keys.length !== Object.keys(a).length) return false;
  return keys.every((k) => Object.hasOwn(a, k) && sameValue(a[k], e[k]));
}

/** The start of the body for the record: redacted whole (as a cut piece when it was cut), then cut. */
function excerptOf(response: FetchResult, ctx: ExecContext): string | undefined {
  if (!response.body) return undefined;
  const safe = ctx.redact.fragment(response.body, { end: response.bodyTruncated });
  const shown = safe.length > BODY_EXCERPT ? `${safe.slice(0, BODY_EXCERPT)}\n…` : safe;
  return response.bodyTruncated
    ? `${shown}\n(body cut: ${formatBytes(response.bodyBytes)} received, the first ${formatBytes(Buffer.byteLength(response.body))} kept; maxBodyBytes)`
    : shown;
}

async function single(
  spec: HttpStep,
  request: Request,
  ctx: ExecContext,
  started: number,
  details: Record<string, unknown>,
): Promise<StepOutcome> {
  ctx.progress.message(ctx.redact(`${request.method} ${request.url}`));
  const sample = await send(request, ctx);
  if (sample.aborted) return stoppedOutcome(ctx, started, ctx.now(), { details });
  const latency = Math.round(sample.latencyMs);
  details["latencyMs"] = latency;
  const response = sample.response;
  // Stryker disable next-line StringLiteral: send gives every sample without a response its problem
  if (!response) return failure(ctx.redact(sample.problem ?? "request failed"), { details });
  details["status"] = response.status;
  details["bodyBytes"] = response.bodyBytes;
  if (response.bodyTruncated) {
    details["bodyTruncated"] = true;
    details["bodyBytesKept"] = Buffer.byteLength(response.body);
  }
  if (response.redirects.length) details["redirects"] = redirectDetails(response.redirects, ctx);
  const redirected = redirectNote(response, ctx);
  const cut = response.bodyTruncated
    ? `body ${formatBytes(response.bodyBytes)}, first ${formatBytes(Buffer.byteLength(response.body))} kept`
    : "";
  const head = [`${statusLine(response)} in ${formatDuration(latency)}`, redirected, cut]
    .filter(Boolean)
    .join(", ");
  const problems = statusExpected(response.status, spec.expect?.status)
    ? responseProblems(spec, response, ctx)
    : [`expected ${statusText(spec.expect?.status)}`];
  if (spec.maxLatency) {
    const maxLatency = resolveDuration(spec.maxLatency, ctx.vars, ctx.env, DURATION_BOUNDS.latency);
    if (sample.latencyMs > maxLatency) problems.push(`latency over limit ${formatDuration(maxLatency)}`);
  }
  // The body is kept either way: a passing response is often the baseline the checklist asks to record.
  const output = excerptOf(response, ctx);
  const kept = { details, ...(output ? { output } : {}) };
  if (problems.length) return failure(ctx.redact(`${head}: ${problems.join("; ")}`), kept);
  return { status: "passed", summary: ctx.redact(head), ...kept };
}

/** Latency statistics (ms) of the answered samples: nearest-rank percentiles, extremes and mean. */
export interface LatencyStats {
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** The statistics of latencies given in any order; undefined when no sample was answered. */
export function latencyStats(latencies: readonly number[]): LatencyStats | undefined {
  if (!latencies.length) return undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0]!,
    max: sorted.at(-1)!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export type LatencyLimits = Partial<Record<"p50" | "p95" | "p99" | "maxLatency", number>>;

/** Each percentile over its limit, then the slowest sample over maxLatency (limits in ms). */
export function latencyProblems(stats: LatencyStats, limits: LatencyLimits): string[] {
  const problems: string[] = [];
  for (const name of ["p50", "p95", "p99"] as const) {
    const limit = limits[name];
    // Stryker disable next-line ConditionalExpression: a number is never greater than undefined
    if (limit !== undefined && stats[name] > limit)
      problems.push(`${name} ${formatDuration(stats[name])} over limit ${formatDuration(limit)}`);
  }
  // Stryker disable next-line ConditionalExpression: a number is never greater than undefined
  if (limits.maxLatency !== undefined && stats.max > limits.maxLatency)
    problems.push(`slowest ${formatDuration(stats.max)} over limit ${formatDuration(limits.maxLatency)}`);
  return problems;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

async function sampled(
  spec: HttpStep,
  request: Request,
  ctx: ExecContext,
  started: number,
  details: Record<string, unknown>,
): Promise<StepOutcome> {
  const total = spec.samples!;
  const samples: Sample[] = [];
  let bodiesCut = 0;
  let redirects: Redirect[] | undefined;
  let redirected = "";
  let next = 0;
  const worker = async () => {
    while (next < total && !ctx.signal.aborted) {
      next++;
      const sample = await send(request, ctx);
      if (sample.response) {
        const response = sample.response;
        sample.problem = responseProblems(spec, response, ctx)[0];
        const refused = response.redirects.find((r) => !r.followed);
        if (refused && sample.problem) sample.problem += `; ${redirectNote(response, ctx)}`;
        if (response.redirects.length && !redirects) {
          redirects = response.redirects;
          redirected = redirectNote(response, ctx);
        }
        if (response.bodyTruncated) bodiesCut++;
        // Judged: the body is let go, so a hundred samples hold no more than the four in flight.
        // Stryker disable next-line StringLiteral: nothing reads a judged body again; only the memory held differs
        sample.response = { ...response, body: "" };
      }
      samples.push(sample);
      ctx.progress.message(`sample ${samples.length}/${total}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SAMPLE_CONCURRENCY, total) }, worker));
  // A sample is only stopped by the step's signal, which stays aborted.
  if (ctx.signal.aborted)
    return stoppedOutcome(ctx, started, ctx.now(), { details: { ...details, samplesDone: samples.length } });

  const stats = latencyStats(samples.filter((s) => s.response).map((s) => s.latencyMs));
  const failed = samples.filter((s) => s.problem);
  const errorRate = failed.length / total;
  const statuses: Record<string, number> = {};
  for (const s of samples) {
    const key = s.response ? String(s.response.status) : "error";
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const reasons: Record<string, number> = {};
  for (const s of failed) reasons[s.problem!] = (reasons[s.problem!] ?? 0) + 1;
  Object.assign(details, {
    samples: total,
    errors: failed.length,
    errorRate,
    ...(stats
      ? {
          p50Ms: Math.round(stats.p50),
          p95Ms: Math.round(stats.p95),
          p99Ms: Math.round(stats.p99),
          minMs: Math.round(stats.min),
          maxMs: Math.round(stats.max),
          meanMs: Math.round(stats.mean),
        }
      : {}),
    statuses,
    ...(failed.length ? { errorReasons: ctx.redact(JSON.stringify(reasons)) } : {}),
    ...(bodiesCut ? { bodiesTruncated: bodiesCut, maxBodyBytes: request.maxBodyBytes } : {}),
    ...(redirects ? { redirects: redirectDetails(redirects, ctx) } : {}),
  });

  const limits: LatencyLimits = {};
  for (const name of ["p50", "p95", "p99"] as const) {
    const text = spec.thresholds?.[name];
    if (text) limits[name] = resolveDuration(text, ctx.vars, ctx.env, DURATION_BOUNDS.latency);
  }
  if (spec.maxLatency)
    limits.maxLatency = resolveDuration(spec.maxLatency, ctx.vars, ctx.env, DURATION_BOUNDS.latency);
  const problems = stats ? latencyProblems(stats, limits) : [];
  // Without an errorRate threshold every sample must succeed, as a single request would have to.
  const allowed = spec.thresholds?.errorRate ?? 0;
  if (errorRate > allowed) {
    const [reason, count] = Object.entries(reasons).sort((a, b) => b[1] - a[1])[0]!;
    problems.push(
      `errors ${percent(errorRate)} over limit ${percent(allowed)} (${count}× ${reason}${Object.keys(reasons).length > 1 ? ", ..." : ""})`,
    );
  }
  const line = [
    stats
      ? `${total} samples: p50 ${formatDuration(stats.p50)} p95 ${formatDuration(stats.p95)} p99 ${formatDuration(stats.p99)}, errors ${percent(errorRate)}`
      : `${total} samples: no response, errors ${percent(errorRate)}`,
    redirected,
    bodiesCut
      ? `${bodiesCut} bod${bodiesCut > 1 ? "ies" : "y"} over ${formatBytes(request.maxBodyBytes)} cut`
      : "",
  ]
    .filter(Boolean)
    .join(", ");
  if (problems.length) return failure(ctx.redact(`${problems.join("; ")}; ${line}`), { details });
  return { status: "passed", summary: ctx.redact(line), details };
}
