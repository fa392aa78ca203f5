// What each step kind will do, in words and with the exact command or request, for `show` and
// --dry-run. Pure: values come in already resolved (secrets masked by the caller); check modules may
// re-export these as their `describe`.

import { stepKind } from "./kinds.js";
import { formatMeasure } from "./measure.js";
import type { NestedStep, Step, StepKind } from "./schema.js";
import { ESCAPE_OR_REFERENCE_RE, REFERENCE_RE, shellQuote } from "./vars.js";

export type Values = Record<string, string>;
type AnyStep = Step | NestedStep;

/** Same shape as checks/types.ts DescribeOptions. */
export interface DescribeOptions {
  /** Variables whose values are shown as `****`. */
  secrets?: ReadonlySet<string>;
  /** Environment for ${env.NAME}; without it those references stay as written. */
  env?: Record<string, string | undefined>;
}

/**
 * Fill `${name}` from values (secrets as `****`); `${env.NAME}` from options.env, else as written (in a
 * shell command `"$NAME"`, which is what the child will see); unknown names stay as written.
 */
export function fill(
  text: string,
  values: Values,
  options: DescribeOptions & { shell?: boolean } = {},
): string {
  return text.replace(ESCAPE_OR_REFERENCE_RE, (whole, ref: string | undefined) => {
    if (ref === undefined) return "${";
    if (ref.startsWith("env.")) {
      const fromEnv = options.env?.[ref.slice(4)];
      if (fromEnv === undefined) return options.shell ? `"$${ref.slice(4)}"` : whole;
      return options.shell ? shellQuote(fromEnv) : fromEnv;
    }
    if (!Object.hasOwn(values, ref)) return whole;
    if (options.secrets?.has(ref)) return "****";
    const value = values[ref]!;
    return options.shell ? shellQuote(value) : value;
  });
}

/**
 * The values a command refers to, shown beside it (never spliced into it): `tag="v1", token=****`.
 * `${env.NAME}` shows the environment's value when one is given.
 */
export function commandValues(text: string, values: Values, options: DescribeOptions = {}): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const m of text.matchAll(REFERENCE_RE)) {
    const ref = m[1]!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    if (ref.startsWith("env.")) {
      const fromEnv = options.env?.[ref.slice(4)];
      if (fromEnv !== undefined) parts.push(`${ref}=${quoted(fromEnv)}`);
    } else if (Object.hasOwn(values, ref)) {
      parts.push(`${ref}=${options.secrets?.has(ref) ? "****" : quoted(values[ref]!)}`);
    }
  }
  return parts.join(", ");
}

/** Headers whose values are credentials: shown as **** whatever they hold. */
const SECRET_HEADER_RE =
  /^(?:authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api-?key|password/i;

const quoted = (text: string) => JSON.stringify(text);

export function describeConfirm(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const c = step.confirm;
  if (c === undefined) return "confirm";
  const prompt = typeof c === "string" ? c : c.prompt;
  const note = typeof c === "object" && c.requireNote ? " (a note is required)" : "";
  return `ask: ${fill(prompt, values, options)} [yes/no]${note}`;
}

export function describeInput(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const i = step.input;
  if (!i) return "input";
  const parts = [`ask for a value: ${fill(i.prompt, values, options)}`];
  if (i.pattern) parts.push(`matching /${i.pattern}/`);
  if (i.default !== undefined) parts.push(`default ${quoted(fill(i.default, values, options))}`);
  if (i.saveAs) parts.push(`saved as \${${i.saveAs}}`);
  return parts.join(", ");
}

export function describeNote(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  return `note: ${fill(step.note ?? "", values, options)}`;
}

export function describeRun(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const r = step.run;
  if (r === undefined) return "run";
  // The command as the checklist writes it, with its ${references}; the values go beside it.
  const command = typeof r === "string" ? r : r.command;
  const withValues = commandValues(command, values, options);
  const using = withValues ? ` (with ${withValues})` : "";
  if (typeof r === "string") return `$ ${r}${using}`;
  const env = Object.entries(r.env ?? {})
    .map(([k, v]) => `${k}=${shellQuote(fill(v, values, options))} `)
    .join("");
  const parts = [`$ ${env}${r.command}${using}`];
  if (r.cwd) parts.push(`in ${fill(r.cwd, values, options)}`);
  const expect: string[] = [];
  if (r.expect?.exitCode !== undefined) expect.push(`exit code ${[r.expect.exitCode].flat().join(" or ")}`);
  if (r.expect?.stdout !== undefined)
    expect.push(`stdout matching /${fill(r.expect.stdout, values, options)}/`);
  if (r.expect?.stderr !== undefined)
    expect.push(`stderr matching /${fill(r.expect.stderr, values, options)}/`);
  parts.push(expect.length ? `expect ${expect.join(", ")}` : "expect exit code 0");
  if (r.saveAs) parts.push(`stdout saved as \${${r.saveAs}}`);
  return parts.join("; ");
}

export function describeHttp(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const h = step.http;
  if (!h) return "http";
  const method = h.method ?? "GET";
  const url = fill(h.url, values, options);
  const head = h.samples && h.samples > 1 ? `${h.samples} × ${method} ${url}` : `${method} ${url}`;
  const parts = [head];
  const headers = Object.entries(h.headers ?? {});
  if (headers.length)
    parts.push(
      `headers ${headers.map(([k, v]) => `${k}: ${SECRET_HEADER_RE.test(k) ? "****" : fill(v, values, options)}`).join(", ")}`,
    );
  if (h.body !== undefined)
    parts.push(
      `body ${typeof h.body === "string" ? quoted(fill(h.body, values, options)) : JSON.stringify(h.body)}`,
    );
  const expect: string[] = [];
  const status = h.expect?.status;
  expect.push(status === undefined ? "status 2xx" : `status ${[status].flat().join(" or ")}`);
  if (h.expect?.bodyContains !== undefined)
    expect.push(`body containing ${quoted(fill(h.expect.bodyContains, values, options))}`);
  for (const [k, v] of Object.entries(h.expect?.json ?? {})) expect.push(`json ${k} = ${JSON.stringify(v)}`);
  if (h.maxLatency) expect.push(`latency ≤ ${fill(h.maxLatency, values, options)}`);
  const t = h.thresholds;
  if (t) {
    for (const p of ["p50", "p95", "p99"] as const)
      if (t[p]) expect.push(`${p} ≤ ${fill(t[p]!, values, options)}`);
    if (t.errorRate !== undefined) expect.push(`error rate ≤ ${formatPercent(t.errorRate)}`);
  }
  parts.push(`expect ${expect.join(", ")}`);
  return parts.join("; ");
}

function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 10000) / 100}%`;
}

export function describeFile(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const f = step.file;
  if (!f) return "file";
  const path = fill(f.path, values, options);
  const checks: string[] = [];
  if (f.exists === false) checks.push("does not exist");
  else if (f.exists) checks.push("exists");
  if (f.maxAge) checks.push(`modified within ${fill(f.maxAge, values, options)}`);
  if (f.contains !== undefined) checks.push(`contains ${quoted(fill(f.contains, values, options))}`);
  if (f.newest) {
    const glob = f.newest.glob ? ` matching ${f.newest.glob}` : "";
    const age = f.newest.maxAge ? ` modified within ${fill(f.newest.maxAge, values, options)}` : "";
    checks.push(`is a directory whose newest entry${glob} exists${age}`);
  }
  if (f.keys?.length) checks.push(`has keys ${f.keys.join(", ")}`);
  const vals = Object.entries(f.values ?? {});
  if (vals.length)
    checks.push(`has ${vals.map(([k, v]) => `${k}=${fill(String(v), values, options)}`).join(", ")}`);
  if (checks.length === 0) checks.push("exists");
  return `file ${path}: ${checks.join(", ")}`;
}

export function describeKube(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const k = step.kube;
  if (!k) return "kube";
  const target = (t: { deployment: string; namespace?: string | undefined }) =>
    `deployment/${fill(t.deployment, values, options)}${t.namespace ? ` -n ${fill(t.namespace, values, options)}` : ""}`;
  if (k.context) return `kube: the current context matches /${fill(k.context.matches, values, options)}/`;
  if (k.namespace !== undefined) {
    const name = typeof k.namespace === "string" ? k.namespace : k.namespace.name;
    return `kube: namespace ${fill(name, values, options)} exists`;
  }
  // kubectl's own default --timeout is 0 (wait forever); deploycheck waits 300s unless the step says otherwise.
  const timeout = `timeout ${step.timeout ? fill(step.timeout, values, options) : "300s"}`;
  if (k.rolloutStatus) return `kube: rollout status ${target(k.rolloutStatus)} (${timeout})`;
  if (k.pods) {
    const ns = k.pods.namespace ? ` -n ${fill(k.pods.namespace, values, options)}` : "";
    const min = k.pods.min !== undefined ? `, at least ${k.pods.min}` : "";
    return `kube: pods${ns} -l ${fill(k.pods.selector, values, options)} all Running and Ready${min}`;
  }
  if (k.image) {
    const parts = [`kube: container image of ${target(k.image)}`];
    if (k.image.container) parts.push(`container ${fill(k.image.container, values, options)}`);
    if (k.image.equals !== undefined) parts.push(`must be ${fill(k.image.equals, values, options)}`);
    if (k.image.notEquals !== undefined)
      parts.push(`must not be ${fill(k.image.notEquals, values, options)}`);
    if (k.image.saveAs) parts.push(`saved as \${${k.image.saveAs}}`);
    return parts.join(", ");
  }
  if (k.history) {
    const save = k.history.saveAs ? `, current revision saved as \${${k.history.saveAs}}` : "";
    return `kube: rollout history ${target(k.history)}${save}`;
  }
  if (k.resources) {
    const bound = (name: string, b?: { cpu?: string | undefined; memory?: string | undefined }) =>
      b && (b.cpu || b.memory)
        ? `, ${name} ${[b.cpu ? `cpu ${b.cpu}` : "", b.memory ? `memory ${b.memory}` : ""].filter(Boolean).join(" ")}`
        : "";
    return `kube: every container of ${target(k.resources)} has cpu/memory requests and limits${bound("at most", k.resources.max)}${bound("at least", k.resources.min)}`;
  }
  if (k.rolloutUndo) {
    const to =
      k.rolloutUndo.toRevision !== undefined
        ? ` --to-revision=${fill(String(k.rolloutUndo.toRevision), values, options)}`
        : " (to the previous revision)";
    const wait = k.rolloutUndo.wait === false ? "" : `, then rollout status (${timeout})`;
    return `kube: rollout undo ${target(k.rolloutUndo)}${to}${wait} (asks first)`;
  }
  return "kube";
}

export function describePrometheus(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const p = step.prometheus;
  if (!p) return "prometheus";
  const base = fill(p.url, values, options).replace(/\/+$/, "");
  const cmp = (["lt", "lte", "gt", "gte", "eq"] as const)
    .filter((op) => p.expect[op] !== undefined)
    .map(
      (op) =>
        `${{ lt: "<", lte: "≤", gt: ">", gte: "≥", eq: "=" }[op]} ${formatMeasure(p.expect[op]!, p.unit)}`,
    )
    .join(" and ");
  const what = p.measures ? `${p.measures} ` : "";
  let text = `GET ${base}/api/v1/query?query=${fill(p.query, values, options)}; expect ${what}${cmp || "a value"}`;
  if (p.count !== undefined || p.interval !== undefined) {
    text += `; gate: ${p.count ?? 1} measurement(s)${p.interval ? ` every ${fill(p.interval, values, options)}` : ""}`;
    text += `, failure limit ${p.failureLimit ?? 0}, inconclusive limit ${p.inconclusiveLimit ?? 0}`;
  }
  return text;
}

export function describeNotify(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const n = step.notify;
  if (!n) return "notify";
  return `POST ${n.format ?? "slack"} message to ${fill(n.webhook, values, options)}: ${quoted(fill(n.message, values, options))}`;
}

export function describeWatch(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  const w = (step as Step).watch;
  if (!w) return "watch";
  const ids = w.steps.map((s, i) => s.id ?? `${stepKind(s)}-${i + 1}`);
  return `every ${fill(w.interval, values, options)} for ${fill(w.duration, values, options)}: ${ids.join(", ")} (fails as soon as one fails)`;
}

export const DESCRIBERS: Record<
  StepKind,
  (step: AnyStep, values: Values, options?: DescribeOptions) => string
> = {
  confirm: describeConfirm,
  input: describeInput,
  note: describeNote,
  run: describeRun,
  http: describeHttp,
  file: describeFile,
  kube: describeKube,
  prometheus: describePrometheus,
  notify: describeNotify,
  watch: describeWatch,
};

/** What a step will do, by kind. */
export function describe(step: AnyStep, values: Values, options: DescribeOptions = {}): string {
  return DESCRIBERS[stepKind(step)](step, values, options);
}
