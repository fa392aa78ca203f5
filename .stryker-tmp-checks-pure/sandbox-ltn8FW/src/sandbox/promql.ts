// @ts-nocheck
// A small PromQL subset for the sandbox's Prometheus API: enough for the queries deployment checks
// use (error ratio over a window, p99 latency via histogram_quantile, `up`). Parse, then evaluate.
//
// Supported:
//   - selectors with label matchers and an optional range: metric{a="x",b=~"5..",c!="y",d!~"z"}[5m]
//   - rate(range), increase(range)
//   - sum|avg|min|max|count [by|without (labels)] (expr) [by|without (labels)]
//   - histogram_quantile(φ, vector) with the `le` label, interpolated as Prometheus does
//   - abs, scalar, vector, clamp_min, clamp_max
//   - + - * / % between scalars and vectors (vector/vector matched on identical label sets), and `or`
//   - number literals, NaN, Inf, parentheses, unary minus
// Anything else is a parse or execution error whose message says what is not supported.
import { type UserPattern, userPattern } from "../checklist/user-pattern.js";

/** One time series value: labels (including __name__ for raw selectors) and a number. */
export interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Where the evaluator reads metrics. `at` and windows are epoch ms. */
export interface MetricSource {
  /** Every series of this metric at time `at` (cumulative values for counters). */
  instant(name: string, at: number): Series[];
  /** The increase of every series of this counter over (at - windowMs, at]. */
  increase(name: string, at: number, windowMs: number): Series[];
}

export type QueryValue = { kind: "scalar"; value: number } | { kind: "vector"; series: Series[] };

export class PromQLError extends Error {
  override name = "PromQLError";
  constructor(
    message: string,
    readonly errorType: "bad_data" | "execution" = "bad_data",
  ) {
    super(message);
  }
}

// ---- tokens --------------------------------------------------------------------------------

type Token =
  | { t: "num"; v: number; pos: number }
  | { t: "id"; v: string; pos: number }
  | { t: "str"; v: string; pos: number }
  | { t: "dur"; v: number; raw: string; pos: number }
  | { t: "op"; v: string; pos: number }
  | { t: "eof"; pos: number };

const DURATION_PART = /(\d+)(ms|s|m|h|d|w|y)/y;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === "#") break; // a comment runs to the end of the query
    if (c === "[") {
      const end = src.indexOf("]", i);
      if (end === -1) throw new PromQLError(`1:${pos + 1}: parse error: unclosed left bracket`);
      const raw = src.slice(i + 1, end).trim();
      let ms = 0;
      let at = 0;
      while (at < raw.length) {
        DURATION_PART.lastIndex = at;
        const m = DURATION_PART.exec(raw);
        if (!m) throw new PromQLError(`1:${pos + 2}: parse error: bad duration syntax: "${raw}"`);
        ms += Number(m[1]) * UNIT_MS[m[2]!]!;
        at = DURATION_PART.lastIndex;
      }
      if (!raw || ms <= 0) throw new PromQLError(`1:${pos + 2}: parse error: bad duration syntax: "${raw}"`);
      out.push({ t: "dur", v: ms, raw, pos });
      i = end + 1;
      continue;
    }
    const num = /^(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: Number(num[0]), pos });
      i += num[0].length;
      continue;
    }
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(src.slice(i));
    if (id) {
      const word = id[0];
      if (/^nan$/i.test(word)) out.push({ t: "num", v: Number.NaN, pos });
      else if (/^inf$/i.test(word)) out.push({ t: "num", v: Number.POSITIVE_INFINITY, pos });
      else out.push({ t: "id", v: word, pos });
      i += word.length;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && c !== "`" && j + 1 < src.length) {
          const next = src[j + 1]!;
          value += next === "n" ? "\n" : next === "t" ? "\t" : next;
          j += 2;
        } else {
          value += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new PromQLError(`1:${pos + 1}: parse error: unterminated quoted string`);
      out.push({ t: "str", v: value, pos });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["!=", "=~", "!~", "==", ">=", "<="].includes(two)) {
      out.push({ t: "op", v: two, pos });
      i += 2;
      continue;
    }
    if ("+-*/%^(){},=<>".includes(c)) {
      out.push({ t: "op", v: c, pos });
      i++;
      continue;
    }
    throw new PromQLError(`1:${pos + 1}: parse error: unexpected character: '${c}'`);
  }
  out.push({ t: "eof", pos: src.length });
  return out;
}

// ---- syntax tree ---------------------------------------------------------------------------

type Matcher = { name: string; op: "=" | "!=" | "=~" | "!~"; value: string };

type Node =
  | { n: "num"; v: number }
  | { n: "sel"; name: string; matchers: Matcher[]; rangeMs?: number; pos: number }
  | { n: "call"; fn: string; args: Node[]; pos: number }
  | { n: "agg"; op: string; by?: string[]; without?: string[]; arg: Node; param?: Node }
  | { n: "bin"; op: string; left: Node; right: Node; pos: number }
  | { n: "neg"; arg: Node };

const AGGREGATIONS = new Set(["sum", "avg", "min", "max", "count"]);
const FUNCTIONS = new Set([
  "rate",
  "increase",
  "histogram_quantile",
  "abs",
  "scalar",
  "vector",
  "clamp_min",
  "clamp_max",
]);
const KNOWN_BUT_UNSUPPORTED = new Set([
  "irate",
  "delta",
  "idelta",
  "deriv",
  "avg_over_time",
  "max_over_time",
  "min_over_time",
  "sum_over_time",
  "quantile_over_time",
  "label_replace",
  "topk",
  "bottomk",
  "quantile",
  "stddev",
  "absent",
  "predict_linear",
]);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === "op" && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.t !== "op" || t.v !== v) throw unexpected(t, `"${v}"`);
  }

  parse(): Node {
    if (this.peek().t === "eof") throw new PromQLError("1:1: parse error: no expression found in input");
    const node = this.or();
    const t = this.peek();
    if (t.t !== "eof") throw unexpected(t, "end of input");
    return node;
  }

  /** `or` binds loosest: `(errors or vector(0)) / total` is how error ratios survive zero errors. */
  private or(): Node {
    let left = this.additive();
    for (let t = this.peek(); t.t === "id" && t.v === "or"; t = this.peek()) {
      this.next();
      left = { n: "bin", op: "or", left, right: this.additive(), pos: t.pos };
    }
    return left;
  }

  private additive(): Node {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next() as { v: string; pos: number };
      left = { n: "bin", op: op.v, left, right: this.multiplicative(), pos: op.pos };
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.next() as { v: string; pos: number };
      left = { n: "bin", op: op.v, left, right: this.unary(), pos: op.pos };
    }
    const t = this.peek();
    if (t.t === "op" && ["==", "!=", ">", "<", ">=", "<=", "^"].includes(t.v)) {
      throw new PromQLError(`1:${t.pos + 1}: the sandbox Prometheus does not support the "${t.v}" operator`);
    }
    if (
      t.t === "id" &&
      ["and", "unless", "offset", "bool", "on", "ignoring", "group_left", "group_right"].includes(t.v)
    ) {
      throw new PromQLError(`1:${t.pos + 1}: the sandbox Prometheus does not support "${t.v}"`);
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp("-")) {
      this.next();
      return { n: "neg", arg: this.unary() };
    }
    if (this.isOp("+")) {
      this.next();
      return this.unary();
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.t === "num") return { n: "num", v: t.v };
    if (t.t === "op" && t.v === "(") {
      const inner = this.or();
      this.expectOp(")");
      return this.maybeRange(inner);
    }
    if (t.t === "op" && t.v === "{") return this.selector("", t.pos, true);
    if (t.t !== "id") throw unexpected(t, "an expression");
    if (AGGREGATIONS.has(t.v)) return this.aggregation(t.v);
    if (this.isOp("(")) {
      if (KNOWN_BUT_UNSUPPORTED.has(t.v))
        throw new PromQLError(
          `1:${t.pos + 1}: the sandbox Prometheus does not support the function ${t.v}()`,
        );
      if (!FUNCTIONS.has(t.v))
        throw new PromQLError(`1:${t.pos + 1}: parse error: unknown function with name "${t.v}"`);
      this.next();
      const args: Node[] = [];
      if (!this.isOp(")")) {
        args.push(this.or());
        while (this.isOp(",")) {
          this.next();
          args.push(this.or());
        }
      }
      this.expectOp(")");
      return { n: "call", fn: t.v, args, pos: t.pos };
    }
    if (this.isOp("{")) {
      this.next();
      return this.selector(t.v, t.pos, true);
    }
    return this.selector(t.v, t.pos, false);
  }

  private maybeRange(node: Node): Node {
    if (this.peek().t === "dur") {
      const t = this.peek();
      throw new PromQLError(`1:${t.pos + 1}: the sandbox Prometheus does not support subqueries`);
    }
    return node;
  }

  private selector(name: string, pos: number, braces: boolean): Node {
    const matchers: Matcher[] = [];
    if (braces) {
      while (!this.isOp("}")) {
        const label = this.next();
        if (label.t !== "id") throw unexpected(label, "a label name");
        const op = this.next();
        if (op.t !== "op" || !["=", "!=", "=~", "!~"].includes(op.v))
          throw unexpected(op, "a label matching operator");
        const value = this.next();
        if (value.t !== "str") throw unexpected(value, "a quoted label value");
        if (op.v === "=~" || op.v === "!~") compileMatcher(value.v, value.pos);
        if (label.v === "__name__" && op.v === "=") name = name || value.v;
        else matchers.push({ name: label.v, op: op.v as Matcher["op"], value: value.v });
        if (this.isOp(",")) this.next();
        else if (!this.isOp("}")) throw unexpected(this.peek(), '"," or "}"');
      }
      this.next();
    }
    if (!name) throw new PromQLError(`1:${pos + 1}: parse error: a vector selector must name a metric`);
    const node: Node = { n: "sel", name, matchers, pos };
    const t = this.peek();
    if (t.t === "dur") {
      this.next();
      node.rangeMs = t.v;
    }
    return node;
  }

  private grouping(): { by?: string[]; without?: string[] } | undefined {
    const t = this.peek();
    if (t.t !== "id" || (t.v !== "by" && t.v !== "without")) return undefined;
    this.next();
    this.expectOp("(");
    const labels: string[] = [];
    while (!this.isOp(")")) {
      const l = this.next();
      if (l.t !== "id") throw unexpected(l, "a label name");
      labels.push(l.v);
      if (this.isOp(",")) this.next();
    }
    this.next();
    return t.v === "by" ? { by: labels } : { without: labels };
  }

  private aggregation(op: string): Node {
    const before = this.grouping();
    this.expectOp("(");
    const arg = this.or();
    this.expectOp(")");
    const after = this.grouping();
    return { n: "agg", op, arg, ...(before ?? after ?? {}) };
  }
}

function unexpected(t: Token, wanted: string): PromQLError {
  const what =
    t.t === "eof"
      ? "end of input"
      : t.t === "dur"
        ? `duration "[${t.raw}]"`
        : t.t === "str"
          ? `string "${t.v}"`
          : `"${String(t.v)}"`;
  return new PromQLError(`1:${t.pos + 1}: parse error: unexpected ${what}, expected ${wanted}`);
}

function compileMatcher(pattern: string, pos: number): UserPattern {
  try {
    // PromQL regexes are fully anchored, and RE2 (as in Prometheus): a query cannot hang the sandbox.
    return userPattern(`^(?:${pattern})$`);
  } catch {
    throw new PromQLError(`1:${pos + 1}: parse error: invalid regular expression "${pattern}"`);
  }
}

// ---- evaluation ----------------------------------------------------------------------------

export function parse(query: string): Node {
  return new Parser(tokenize(query)).parse();
}

/** Evaluate a query at time `at` (epoch ms). Throws PromQLError for what cannot be parsed or run. */
export function evaluate(query: string, source: MetricSource, at: number): QueryValue {
  return evalNode(parse(query), source, at);
}

function matches(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? "";
    if (m.op === "=") return v === m.value;
    if (m.op === "!=") return v !== m.value;
    const ok = compileMatcher(m.value, 0).test(v);
    return m.op === "=~" ? ok : !ok;
  });
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _drop, ...rest } = labels;
  return rest;
}

function signature(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function vectorOf(value: QueryValue, what: string): Series[] {
  if (value.kind !== "vector")
    throw new PromQLError(`parse error: expected type instant vector in ${what}, got scalar`);
  return value.series;
}

function evalNode(node: Node, source: MetricSource, at: number): QueryValue {
  switch (node.n) {
    case "num":
      return { kind: "scalar", value: node.v };
    case "neg": {
      const v = evalNode(node.arg, source, at);
      return v.kind === "scalar"
        ? { kind: "scalar", value: -v.value }
        : {
            kind: "vector",
            series: v.series.map((s) => ({ labels: withoutName(s.labels), value: -s.value })),
          };
    }
    case "sel": {
      if (node.rangeMs !== undefined) {
        throw new PromQLError(
          `1:${node.pos + 1}: parse error: ranges only allowed for vector selectors inside rate() or increase(); the expression must be an instant vector`,
        );
      }
      return {
        kind: "vector",
        series: source.instant(node.name, at).filter((s) => matches(s.labels, node.matchers)),
      };
    }
    case "call":
      return evalCall(node, source, at);
    case "agg":
      return evalAggregation(node, source, at);
    case "bin":
      return evalBinary(node.op, evalNode(node.left, source, at), evalNode(node.right, source, at));
  }
}

function evalCall(node: Extract<Node, { n: "call" }>, source: MetricSource, at: number): QueryValue {
  const arity: Record<string, number> = {
    rate: 1,
    increase: 1,
    histogram_quantile: 2,
    abs: 1,
    scalar: 1,
    vector: 1,
    clamp_min: 2,
    clamp_max: 2,
  };
  if (node.args.length !== arity[node.fn]) {
    throw new PromQLError(
      `1:${node.pos + 1}: parse error: expected ${arity[node.fn]} argument(s) in call to "${node.fn}", got ${node.args.length}`,
    );
  }
  const [a, b] = node.args as [Node, Node | undefined];
  switch (node.fn) {
    case "rate":
    case "increase": {
      if (a.n !== "sel" || a.rangeMs === undefined) {
        throw new PromQLError(
          `1:${node.pos + 1}: parse error: expected type range vector in call to function "${node.fn}", got instant vector`,
        );
      }
      const windowMs = a.rangeMs;
      const series = source
        .increase(a.name, at, windowMs)
        .filter((s) => matches(s.labels, a.matchers))
        .map((s) => ({
          labels: withoutName(s.labels),
          value: node.fn === "rate" ? s.value / (windowMs / 1000) : s.value,
        }));
      return { kind: "vector", series };
    }
    case "histogram_quantile": {
      const q = evalNode(a, source, at);
      if (q.kind !== "scalar")
        throw new PromQLError("parse error: expected type scalar in histogram_quantile, got instant vector");
      return {
        kind: "vector",
        series: histogramQuantile(q.value, vectorOf(evalNode(b!, source, at), "histogram_quantile")),
      };
    }
    case "abs":
      return mapVector(evalNode(a, source, at), Math.abs, "abs");
    case "clamp_min":
    case "clamp_max": {
      const limit = evalNode(b!, source, at);
      if (limit.kind !== "scalar") throw new PromQLError(`parse error: expected type scalar in ${node.fn}`);
      const f =
        node.fn === "clamp_min"
          ? (v: number) => Math.max(v, limit.value)
          : (v: number) => Math.min(v, limit.value);
      return mapVector(evalNode(a, source, at), f, node.fn);
    }
    case "scalar": {
      const v = vectorOf(evalNode(a, source, at), "scalar");
      return { kind: "scalar", value: v.length === 1 ? v[0]!.value : Number.NaN };
    }
    case "vector": {
      const v = evalNode(a, source, at);
      if (v.kind !== "scalar") throw new PromQLError("parse error: expected type scalar in call to vector");
      return { kind: "vector", series: [{ labels: {}, value: v.value }] };
    }
  }
  throw new PromQLError(`parse error: unknown function with name "${node.fn}"`);
}

function mapVector(v: QueryValue, f: (n: number) => number, fn: string): QueryValue {
  return {
    kind: "vector",
    series: vectorOf(v, fn).map((s) => ({ labels: withoutName(s.labels), value: f(s.value) })),
  };
}

function evalAggregation(node: Extract<Node, { n: "agg" }>, source: MetricSource, at: number): QueryValue {
  const input = vectorOf(evalNode(node.arg, source, at), node.op);
  const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
  for (const s of input) {
    let labels: Record<string, string>;
    if (node.by)
      labels = Object.fromEntries(node.by.filter((l) => l in s.labels).map((l) => [l, s.labels[l]!]));
    else if (node.without) {
      labels = withoutName(s.labels);
      for (const l of node.without) delete labels[l];
    } else labels = {};
    const key = signature(labels);
    const g = groups.get(key) ?? { labels, values: [] };
    g.values.push(s.value);
    groups.set(key, g);
  }
  const reduce: Record<string, (v: number[]) => number> = {
    sum: (v) => v.reduce((x, y) => x + y, 0),
    avg: (v) => v.reduce((x, y) => x + y, 0) / v.length,
    min: (v) => Math.min(...v),
    max: (v) => Math.max(...v),
    count: (v) => v.length,
  };
  return {
    kind: "vector",
    series: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce[node.op]!(g.values) })),
  };
}

function arithmetic(op: string, x: number, y: number): number {
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      return x / y;
    default:
      return x % y;
  }
}

function evalBinary(op: string, left: QueryValue, right: QueryValue): QueryValue {
  if (op === "or") {
    // Set union: every left series, plus the right series whose label set is not on the left.
    const l = vectorOf(left, '"or"');
    const seen = new Set(l.map((s) => signature(withoutName(s.labels))));
    return {
      kind: "vector",
      series: [...l, ...vectorOf(right, '"or"').filter((s) => !seen.has(signature(withoutName(s.labels))))],
    };
  }
  if (left.kind === "scalar" && right.kind === "scalar")
    return { kind: "scalar", value: arithmetic(op, left.value, right.value) };
  if (left.kind === "scalar" && right.kind === "vector") {
    return {
      kind: "vector",
      series: right.series.map((s) => ({
        labels: withoutName(s.labels),
        value: arithmetic(op, left.value, s.value),
      })),
    };
  }
  if (left.kind === "vector" && right.kind === "scalar") {
    return {
      kind: "vector",
      series: left.series.map((s) => ({
        labels: withoutName(s.labels),
        value: arithmetic(op, s.value, right.value),
      })),
    };
  }
  // One-to-one matching on the full label set (without the metric name), as PromQL does by default.
  const l = vectorOf(left, "binary expression");
  const r = new Map(vectorOf(right, "binary expression").map((s) => [signature(withoutName(s.labels)), s]));
  const out: Series[] = [];
  for (const s of l) {
    const labels = withoutName(s.labels);
    const other = r.get(signature(labels));
    if (other) out.push({ labels, value: arithmetic(op, s.value, other.value) });
  }
  return { kind: "vector", series: out };
}

/** Prometheus' bucket interpolation: the quantile's rank located in the cumulative `le` buckets. */
export function histogramQuantile(q: number, buckets: Series[]): Series[] {
  const groups = new Map<
    string,
    { labels: Record<string, string>; buckets: { le: number; count: number }[] }
  >();
  for (const s of buckets) {
    const le = s.labels["le"];
    if (le === undefined) continue;
    const labels = withoutName(s.labels);
    delete labels["le"];
    const key = signature(labels);
    const g = groups.get(key) ?? { labels, buckets: [] };
    g.buckets.push({ le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), count: s.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function bucketQuantile(q: number, input: { le: number; count: number }[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = [...input].sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets.at(-1)!.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  // Counts from rate() of separate series can be slightly non-monotonic; Prometheus evens them out.
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i]!.count < buckets[i - 1]!.count) buckets[i]!.count = buckets[i - 1]!.count;
  }
  const observations = buckets.at(-1)!.count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  const end = buckets[b]!.le;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

/** Prometheus' number formatting in API answers: "NaN", "+Inf", "-Inf", else the shortest decimal. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}
