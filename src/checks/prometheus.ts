// The `prometheus` step kind: an instant query whose single value is compared with `expect`, optionally
// repeated as a metric gate in the manner of Argo Rollouts analysis (count, interval, failure and
// inconclusive limits). No data (empty result, NaN) is inconclusive: a person decides, never the tool.
import { DURATION_BOUNDS } from "../checklist/kinds.js";
import { formatMeasure, type MeasureUnit, namedMeasure } from "../checklist/measure.js";
import type { NestedStep, PrometheusStep, Step } from "../checklist/schema.js";
import { interpolate, resolveDuration } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { excerpt, FetchFailure, fetchText, formatBytes, formatMs } from "./fetch-request.js";
import type { ExecContext, Executor } from "./types.js";

const REQUEST_TIMEOUT_MS = 30_000;
const OPERATORS = ["lt", "lte", "gt", "gte", "eq"] as const;
type Operator = (typeof OPERATORS)[number];
const SYMBOL: Record<Operator, string> = { lt: "<", lte: "≤", gt: ">", gte: "≥", eq: "=" };

export type MeasurementResult = "passed" | "failed" | "inconclusive";

export interface Measurement {
  at: string;
  /** The value as Prometheus sent it ("NaN", "+Inf", "0.012"); absent for an empty result. */
  value?: string;
  result: MeasurementResult;
  reason: string;
}

/** A query that could not be measured at all: unreachable server, PromQL error, several series. */
class QueryError extends Error {
  // Stryker disable next-line StringLiteral: execute catches every QueryError and shows only its message
  override name = "QueryError";
}

/** The URL of the instant-query endpoint for a configured Prometheus URL (base or full endpoint). */
export function queryEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/api\/v1\/query$/.test(trimmed) ? trimmed : `${trimmed}/api/v1/query`;
}

function comparisons(expect: PrometheusStep["expect"]): [Operator, number][] {
  return OPERATORS.filter((op) => expect[op] !== undefined).map((op) => [op, expect[op]!]);
}

function holds(op: Operator, value: number, bound: number): boolean {
  switch (op) {
    case "lt":
      return value < bound;
    case "lte":
      return value <= bound;
    case "gt":
      return value > bound;
    case "gte":
      return value >= bound;
    case "eq":
      return value === bound;
  }
}

export function describeExpect(expect: PrometheusStep["expect"], unit?: MeasureUnit): string {
  return comparisons(expect)
    .map(([op, n]) => `${SYMBOL[op]} ${formatMeasure(n, unit)}`)
    .join(" and ");
}

/** A sample value as the API writes it: a decimal float, NaN or an infinity, always in a string. */
const SAMPLE_VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Inf)$/;

/** The value of a sample `[time, "value"]`, or undefined when it is not one (Number("") would be 0). */
function sampleValue(sample: unknown): string | undefined {
  if (!Array.isArray(sample) || sample.length !== 2) return undefined;
  const text: unknown = sample[1];
  return typeof text === "string" && SAMPLE_VALUE.test(text) ? text : undefined;
}

/** The number of a value `sampleValue` accepted. */
function parseSampleValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function seriesName(metric: Record<string, unknown> | undefined): string {
  const { __name__: name = "", ...labels } = metric ?? {};
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v)}"`)
    .join(",");
  return `${name}{${inner}}`;
}

/** One instant query: the raw value string, or undefined for an empty result. Throws QueryError. */
async function instantQuery(
  endpoint: string,
  query: string,
  p: PrometheusStep,
  ctx: ExecContext,
  details: Record<string, unknown>,
): Promise<string | undefined> {
  const url = `${endpoint}?${new URLSearchParams({ query }).toString()}`;
  let res: Awaited<ReturnType<typeof fetchText>>;
  try {
    res = await fetchText(url, {
      headers: { accept: "application/json" },
      timeoutMs: Math.min(ctx.timeoutMs ?? REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS),
      signal: ctx.signal,
      // Stryker disable next-line StringLiteral: fetchText follows another origin only for "any"; "" is refused as sameOrigin is
      followRedirects: p.followRedirects ?? "sameOrigin",
    });
  } catch (err) {
    if (err instanceof FetchFailure && err.aborted) throw err;
    throw new QueryError(`cannot reach Prometheus at ${endpoint}: ${(err as Error).message}`);
  }
  if (res.redirects.length) details["redirects"] = res.redirects.map((r) => ({ ...r, to: ctx.redact(r.to) }));
  const refused = res.redirects.find((r) => !r.followed);
  if (refused) {
    const hint = refused.crossOrigin ? "; write the URL it redirects to, or set followRedirects: any" : "";
    throw new QueryError(
      `Prometheus at ${endpoint} redirected (HTTP ${refused.status}) to ${refused.to}, not followed: ${refused.refused}${hint}`,
    );
  }
  if (res.bodyTruncated) {
    throw new QueryError(
      `Prometheus at ${endpoint} answered with more than ${formatBytes(Buffer.byteLength(res.body))} (${formatBytes(res.bodyBytes)}); a check needs one value: aggregate the series, e.g. sum(...) or max(...)`,
    );
  }
  let body: {
    status?: string;
    error?: string;
    errorType?: string;
    data?: { resultType?: string; result?: unknown };
  };
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new QueryError(
      `${endpoint} answered ${res.status} ${res.statusText} with something other than a Prometheus API answer: ${excerpt(ctx.redact(res.body), 120)}`,
    );
  }
  if (body.status !== "success") {
    const kind = body.errorType ? ` (${body.errorType})` : "";
    throw new QueryError(`Prometheus refused the query${kind}: ${body.error ?? `HTTP ${res.status}`}`);
  }
  const { resultType, result } = body.data ?? {};
  const malformed = () =>
    new QueryError(
      `Prometheus answered a ${resultType} that is not in the API's format (a sample is [time, "value"]): ${excerpt(ctx.redact(res.body), 120)}`,
    );
  if (resultType === "scalar") {
    const value = sampleValue(result);
    if (value === undefined) throw malformed();
    return value;
  }
  if (resultType === "vector") {
    if (!Array.isArray(result)) throw malformed();
    const series = result as unknown[];
    if (series.length === 0) return undefined;
    if (series.length > 1) {
      const names = series
        .slice(0, 3)
        .map((s) => seriesName(isRecord(s) && isRecord(s["metric"]) ? s["metric"] : undefined))
        .join(", ");
      throw new QueryError(
        `the query returned ${series.length} series (${names}${series.length > 3 ? ", …" : ""}); a check needs one value: aggregate them, e.g. sum(...) or max(...)`,
      );
    }
    const only = series[0];
    const value = isRecord(only) ? sampleValue(only["value"]) : undefined;
    if (value === undefined) throw malformed();
    return value;
  }
  throw new QueryError(
    `the query returned a ${resultType ?? "result of unknown type"}; a check needs an instant vector or a scalar (no range selector at the top level)`,
  );
}

function judge(raw: string | undefined, p: PrometheusStep, now: number): Measurement {
  const { expect, unit } = p;
  const at = new Date(now).toISOString();
  if (raw === undefined) return { at, result: "inconclusive", reason: "empty result (no data)" };
  const value = parseSampleValue(raw);
  if (Number.isNaN(value))
    return { at, value: raw, result: "inconclusive", reason: "NaN (no data to compute from)" };
  const failed = comparisons(expect).filter(([op, n]) => !holds(op, value, n));
  if (failed.length === 0) {
    return {
      at,
      value: raw,
      result: "passed",
      reason: `${namedMeasure(value, unit, p.measures)} ${describeExpect(expect, unit)}`,
    };
  }
  const [op, n] = failed[0]!;
  return {
    at,
    value: raw,
    result: "failed",
    reason: `${namedMeasure(value, unit, p.measures)}, expected ${SYMBOL[op]} ${formatMeasure(n, unit)}`,
  };
}

interface Gate {
  count: number;
  intervalMs: number;
  failureLimit: number;
  inconclusiveLimit: number;
}

function gateOf(
  p: PrometheusStep,
  vars: Record<string, string>,
  env: Record<string, string | undefined>,
): Gate | undefined {
  const isGate =
    p.count !== undefined ||
    p.interval !== undefined ||
    p.failureLimit !== undefined ||
    p.inconclusiveLimit !== undefined;
  if (!isGate) return undefined;
  return {
    count: p.count ?? 1,
    intervalMs: p.interval ? resolveDuration(p.interval, vars, env, DURATION_BOUNDS.interval) : 0,
    failureLimit: p.failureLimit ?? 0,
    inconclusiveLimit: p.inconclusiveLimit ?? 0,
  };
}

function prometheusOf(step: Step | NestedStep): PrometheusStep {
  if (!step.prometheus) throw new Error("prometheus executor called for another kind");
  return step.prometheus;
}

export const execute: Executor = async (step, ctx): Promise<StepOutcome> => {
  const p = prometheusOf(step);
  const endpoint = queryEndpoint(interpolate(p.url, ctx.vars, ctx.env));
  const shownEndpoint = ctx.redact(endpoint);
  const query = interpolate(p.query, ctx.vars, ctx.env);
  let gate: Gate | undefined;
  try {
    gate = gateOf(p, ctx.vars, ctx.env);
  } catch (err) {
    const message = (err as Error).message;
    return { status: "failed", summary: `interval: ${message}`, error: message };
  }
  const details: Record<string, unknown> = { url: shownEndpoint, query: ctx.redact(query), expect: p.expect };
  if (gate) details["gate"] = gate;
  if (comparisons(p.expect).length === 0) {
    return {
      status: "failed",
      summary: "nothing to compare: expect needs one of lt, lte, gt, gte, eq",
      error: "expect has no comparison",
      details,
    };
  }
  const count = gate?.count ?? 1;
  const measurements: Measurement[] = [];
  details["measurements"] = measurements;
  let failures = 0;
  let inconclusive = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0 && gate && gate.intervalMs > 0) {
      ctx.progress.message(`next measurement in ${formatMs(gate.intervalMs)} (${i}/${count} done)`);
      if (!(await ctx.sleep(gate.intervalMs))) return interrupted(details, i, count);
    }
    let raw: string | undefined;
    try {
      raw = await instantQuery(endpoint, query, p, ctx, details);
    } catch (err) {
      // Stryker disable next-line LogicalOperator: instantQuery wraps every FetchFailure but an aborted one in a QueryError, which has no `aborted`
      if (err instanceof FetchFailure && err.aborted) return interrupted(details, i, count);
      const message = ctx.redact((err as Error).message);
      return { status: "failed", summary: message, error: message, details };
    }
    const m = judge(raw, p, ctx.now());
    measurements.push(m);
    if (m.result === "failed") failures++;
    if (m.result === "inconclusive") inconclusive++;
    if (count > 1) ctx.progress.message(`measurement ${i + 1}/${count}: ${m.result}, ${m.reason}`);
    if (!gate) break;
    // As Argo Rollouts does, stop as soon as a limit is exceeded: more measurements cannot undo it.
    if (failures > gate.failureLimit || inconclusive > gate.inconclusiveLimit) break;
  }
  details["failures"] = failures;
  details["inconclusive"] = inconclusive;
  const last = measurements.at(-1)!;
  if (last.value !== undefined) details["value"] = parseSampleValue(last.value);

  if (!gate) {
    if (last.result === "passed") return { status: "passed", summary: last.reason, details };
    if (last.result === "failed")
      return { status: "failed", summary: last.reason, error: last.reason, details };
    return decideInconclusive(`the query gave no value: ${last.reason}`, details, ctx);
  }
  const tally = `${measurements.length}/${gate.count} measurements: ${measurements.length - failures - inconclusive} passed, ${failures} failed, ${inconclusive} inconclusive`;
  if (failures > gate.failureLimit) {
    const why = `${tally} (failure limit ${gate.failureLimit}); last: ${last.reason}`;
    return { status: "failed", summary: why, error: why, details };
  }
  if (inconclusive > gate.inconclusiveLimit) {
    return decideInconclusive(
      `${tally} (inconclusive limit ${gate.inconclusiveLimit}); last: ${last.reason}`,
      details,
      ctx,
    );
  }
  // Passed: the value first, as the title speaks of it ("error rate 0.31% < 10%"), then how often.
  const counts = [
    `${measurements.length - failures - inconclusive} passed`,
    ...(failures ? [`${failures} failed`] : []),
    ...(inconclusive ? [`${inconclusive} inconclusive`] : []),
  ];
  const how =
    counts.length === 1
      ? `${measurements.length}/${gate.count} measurements passed`
      : `${measurements.length}/${gate.count} measurements: ${counts.join(", ")}`;
  const lastShown = last.result === "passed" ? last.reason : `last: ${last.reason}`;
  return { status: "passed", summary: `${lastShown} (${how})`, details };
};

function interrupted(details: Record<string, unknown>, done: number, count: number): StepOutcome {
  return {
    status: "failed",
    summary: `interrupted after ${done}/${count} measurements`,
    error: "interrupted",
    details,
  };
}

/** Inconclusive: ask the engineer (interactive) or fail (non-interactive); never pass silently. */
async function decideInconclusive(
  why: string,
  details: Record<string, unknown>,
  ctx: ExecContext,
): Promise<StepOutcome> {
  details["inconclusiveResult"] = true;
  if (!ctx.interactive) {
    const summary = `inconclusive: ${why}; a non-interactive run fails an inconclusive check`;
    return { status: "failed", summary, error: summary, details };
  }
  const accept = await ctx.prompter.confirm(
    `Inconclusive: ${why}. Have you checked the metric yourself, and should it count as passed?`,
    { default: false },
  );
  details["decidedBy"] = "engineer";
  if (accept) {
    return {
      status: "passed",
      summary: `inconclusive, accepted by the engineer: ${why}`,
      answer: "yes",
      details,
    };
  }
  const summary = `inconclusive, not accepted by the engineer: ${why}`;
  return { status: "failed", summary, error: summary, answer: "no", details };
}

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describePrometheus as describe } from "../checklist/describe.js";
