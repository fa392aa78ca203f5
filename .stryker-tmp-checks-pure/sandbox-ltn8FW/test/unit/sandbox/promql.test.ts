// @ts-nocheck
import { describe, expect, it } from "vitest";
import {
  evaluate,
  histogramQuantile,
  type MetricSource,
  PromQLError,
  type Series,
} from "../../../src/sandbox/promql.js";

// A fixed source: two counters series and a histogram, with increases chosen so results are exact.
const counters: Series[] = [
  { labels: { __name__: "http_requests_total", path: "/products", status: "200", job: "api" }, value: 90 },
  { labels: { __name__: "http_requests_total", path: "/products", status: "500", job: "api" }, value: 10 },
];
const buckets: Series[] = [
  ["0.1", 50],
  ["0.5", 90],
  ["1", 100],
  ["+Inf", 100],
].map(([le, value]) => ({
  labels: { __name__: "http_request_duration_seconds_bucket", path: "/products", le: String(le) },
  value: Number(value),
}));
const source: MetricSource = {
  instant: (name) =>
    name === "up"
      ? [{ labels: { __name__: "up", job: "api" }, value: 1 }]
      : [...counters, ...buckets].filter((s) => s.labels["__name__"] === name),
  increase: (name) => [...counters, ...buckets].filter((s) => s.labels["__name__"] === name),
};
const value = (q: string) => {
  const v = evaluate(q, source, 1_000_000);
  if (v.kind === "scalar") return v.value;
  expect(v.series).toHaveLength(1);
  return v.series[0]!.value;
};

describe("promql subset", () => {
  it("computes an error ratio over a window", () => {
    expect(
      value('sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'),
    ).toBeCloseTo(0.1);
    expect(value('sum(increase(http_requests_total{status!~"2.."}[1h]))')).toBe(10);
    expect(
      value(
        '(sum(rate(http_requests_total{status=~"4.."}[5m])) or vector(0)) / sum(rate(http_requests_total[5m]))',
      ),
    ).toBe(0);
    expect(value('sum by (job) (rate(http_requests_total{job="api"}[5m]))')).toBeCloseTo(100 / 300);
  });

  it("computes p99 latency with histogram_quantile as Prometheus interpolates", () => {
    // rank 99 of 100 falls in (0.5, 1] holding 10 observations: 0.5 + 0.5 * (9/10)
    expect(
      value("histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))"),
    ).toBeCloseTo(0.95);
    expect(
      value("histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    ).toBeCloseTo(0.1);
    expect(
      value("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) * 1000"),
    ).toBeCloseTo(950);
  });

  it("answers up, scalars and arithmetic", () => {
    expect(value('up{job="api"}')).toBe(1);
    expect(evaluate('up{job="other"}', source, 0)).toEqual({ kind: "vector", series: [] });
    expect(value("1 + 2 * 3")).toBe(7);
    expect(value("-(4 - 6) / 2")).toBe(1);
    expect(Number.isNaN(value("NaN"))).toBe(true);
    expect(value("scalar(up)")).toBe(1);
  });

  it("returns NaN for a quantile of an empty histogram and empty for a missing le", () => {
    expect(
      Number.isNaN(
        histogramQuantile(0.99, [
          { labels: { le: "+Inf" }, value: 0 },
          { labels: { le: "1" }, value: 0 },
        ])[0]!.value,
      ),
    ).toBe(true);
    expect(
      evaluate("histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])))", source, 0),
    ).toEqual({ kind: "vector", series: [] });
  });

  it("rejects what it cannot parse or does not support, with Prometheus-like messages", () => {
    expect(() => evaluate("sum(rate(http_requests_total[5m])", source, 0)).toThrow(
      /parse error: unexpected end of input/,
    );
    expect(() => evaluate("rate(http_requests_total)", source, 0)).toThrow(/expected type range vector/);
    expect(() => evaluate("frobnicate(up)", source, 0)).toThrow(/unknown function with name "frobnicate"/);
    expect(() => evaluate("irate(up[5m])", source, 0)).toThrow(/does not support the function irate/);
    expect(() => evaluate("up > 0", source, 0)).toThrow(PromQLError);
    expect(() => evaluate("http_requests_total[5x]", source, 0)).toThrow(/bad duration/);
    expect(() => evaluate("", source, 0)).toThrow(/no expression/);
  });
});
