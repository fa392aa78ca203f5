// @ts-nocheck
// The sample service's own request statistics: cumulative counters and a latency histogram (for
// /metrics) plus a bounded log of recent requests (for windowed PromQL such as rate(...[5m])).

/** Upper bounds (seconds) of the latency histogram, as the Prometheus client libraries default them. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface RequestSample {
  /** Epoch ms when the response was sent. */
  at: number;
  method: string;
  path: string;
  status: number;
  durationSeconds: number;
}

export interface MetricSeries {
  labels: Record<string, string>;
  value: number;
}

/** Keep at most this long a history: the longest window a query can look back over. */
const MAX_AGE_MS = 60 * 60_000;
const MAX_SAMPLES = 200_000;

export class RequestStats {
  readonly startedAt: number;
  private readonly log: RequestSample[] = [];
  /** Cumulative counts keyed by method/path/status (series never disappear, as in a real client). */
  private readonly totals = new Map<
    string,
    { method: string; path: string; status: number; count: number }
  >();
  /** Cumulative histogram per path: bucket counts (non-cumulative here), sum and count. */
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(now: number) {
    this.startedAt = now;
  }

  record(sample: RequestSample): void {
    this.log.push(sample);
    if (this.log.length > MAX_SAMPLES || (this.log[0] && this.log[0].at < sample.at - MAX_AGE_MS)) {
      const cutoff = sample.at - MAX_AGE_MS;
      let drop = 0;
      while (drop < this.log.length && (this.log[drop]!.at < cutoff || this.log.length - drop > MAX_SAMPLES))
        drop++;
      this.log.splice(0, drop);
    }
    const key = `${sample.method} ${sample.path} ${sample.status}`;
    const total = this.totals.get(key) ?? {
      method: sample.method,
      path: sample.path,
      status: sample.status,
      count: 0,
    };
    total.count++;
    this.totals.set(key, total);
    const h = this.histograms.get(sample.path) ?? {
      buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    const index = LATENCY_BUCKETS.findIndex((le) => sample.durationSeconds <= le);
    h.buckets[index === -1 ? LATENCY_BUCKETS.length : index]!++;
    h.sum += sample.durationSeconds;
    h.count++;
    this.histograms.set(sample.path, h);
  }

  /** Requests answered in (from, to], oldest first. */
  samplesBetween(from: number, to: number): RequestSample[] {
    return this.log.filter((s) => s.at > from && s.at <= to);
  }

  get requestCount(): number {
    let n = 0;
    for (const t of this.totals.values()) n += t.count;
    return n;
  }

  /**
   * The series of one of the service's metrics, with labels as /metrics exposes them: cumulative
   * values, or (with `window`) the increase over (from, to] computed from the request log.
   */
  series(name: string, window?: { from: number; to: number }): MetricSeries[] {
    const samples = window ? this.samplesBetween(window.from, window.to) : undefined;
    if (name === "http_requests_total") {
      const out = new Map<string, MetricSeries>();
      for (const t of this.totals.values()) {
        const labels = { __name__: name, method: t.method, path: t.path, status: String(t.status) };
        out.set(`${t.method} ${t.path} ${t.status}`, { labels, value: samples ? 0 : t.count });
      }
      for (const s of samples ?? []) out.get(`${s.method} ${s.path} ${s.status}`)!.value++;
      return [...out.values()];
    }
    const histogram = /^http_request_duration_seconds_(bucket|sum|count)$/.exec(name)?.[1];
    if (!histogram) return [];
    const out: MetricSeries[] = [];
    for (const [path, h] of this.histograms) {
      const mine = samples?.filter((s) => s.path === path);
      if (histogram === "sum") {
        const value = mine ? mine.reduce((a, s) => a + s.durationSeconds, 0) : h.sum;
        out.push({ labels: { __name__: name, path }, value });
      } else if (histogram === "count") {
        out.push({ labels: { __name__: name, path }, value: mine ? mine.length : h.count });
      } else {
        let cumulative = 0;
        [...LATENCY_BUCKETS, Number.POSITIVE_INFINITY].forEach((le, i) => {
          cumulative += h.buckets[i]!;
          const value = mine ? mine.filter((s) => s.durationSeconds <= le).length : cumulative;
          const leText = le === Number.POSITIVE_INFINITY ? "+Inf" : String(le);
          out.push({ labels: { __name__: name, path, le: leText }, value });
        });
      }
    }
    return out;
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  exposition(up: boolean): string {
    const lines: string[] = [];
    lines.push("# HELP http_requests_total Requests answered, by method, path and status.");
    lines.push("# TYPE http_requests_total counter");
    for (const t of [...this.totals.values()].sort((a, b) =>
      a.path + a.status < b.path + b.status ? -1 : 1,
    )) {
      lines.push(
        `http_requests_total{method="${t.method}",path="${escapeLabel(t.path)}",status="${t.status}"} ${t.count}`,
      );
    }
    lines.push("# HELP http_request_duration_seconds Time to answer a request.");
    lines.push("# TYPE http_request_duration_seconds histogram");
    for (const [path, h] of [...this.histograms.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const p = escapeLabel(path);
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += h.buckets[i]!;
        lines.push(`http_request_duration_seconds_bucket{path="${p}",le="${le}"} ${cumulative}`);
      });
      cumulative += h.buckets[LATENCY_BUCKETS.length]!;
      lines.push(`http_request_duration_seconds_bucket{path="${p}",le="+Inf"} ${cumulative}`);
      lines.push(`http_request_duration_seconds_sum{path="${p}"} ${h.sum}`);
      lines.push(`http_request_duration_seconds_count{path="${p}"} ${h.count}`);
    }
    lines.push("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.");
    lines.push("# TYPE process_start_time_seconds gauge");
    lines.push(`process_start_time_seconds ${Math.floor(this.startedAt / 1000)}`);
    lines.push("# HELP service_up Whether the service accepts requests.");
    lines.push("# TYPE service_up gauge");
    lines.push(`service_up ${up ? 1 : 0}`);
    return `${lines.join("\n")}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
