// @ts-nocheck
// The parts of the checklist format that need no zod: step kinds, id and duration patterns, and the
// helpers the runner, show and validate use. Kept apart so a command served from the checklist cache
// (load.ts) never pays for loading zod. schema.ts re-exports all of it.
import type { NestedStep, Step } from "./schema.js";

/** Durations: `500ms`, `30s`, `5m`, `1h`, `1h30m`. */
export const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
/** A literal duration, or exactly one `${var}` whose value is checked after interpolation (vars.resolveDuration). */
export const DURATION_OR_VAR_RE =
  /^(?:(?:\d+(?:\.\d+)?(?:ms|s|m|h))+|\$\{\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?\s*\})$/;
export const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const STEP_KINDS = [
  "confirm",
  "input",
  "run",
  "http",
  "file",
  "kube",
  "prometheus",
  "notify",
  "watch",
  "note",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const KUBE_CHECKS = [
  "context",
  "namespace",
  "rolloutStatus",
  "pods",
  "image",
  "history",
  "resources",
  "rolloutUndo",
] as const;
export type KubeCheckName = (typeof KUBE_CHECKS)[number];

export const COMMON_STEP_KEYS = [
  "id",
  "title",
  "help",
  "when",
  "optional",
  "timeout",
  "retries",
  "allowOverride",
  "mutating",
] as const;

export const NOTIFY_EVENTS = ["start", "finish", "failure"] as const;

/** The kind of a valid step (the loader guarantees exactly one). */
export function stepKind(step: Step | NestedStep): StepKind {
  const kind = STEP_KINDS.find((k) => (step as Record<string, unknown>)[k] !== undefined);
  if (!kind) throw new Error("step without a kind (the loader should have refused it)");
  return kind;
}

/**
 * Steps that can change something, and so only described in a dry run. Safe by default: a `run`
 * command (the tool cannot prove a command read-only), notify, kube rolloutUndo and an http request
 * other than GET/HEAD are mutating unless the checklist declares `mutating: false`.
 */
export function isMutating(step: Step | NestedStep): boolean {
  if (step.mutating !== undefined) return step.mutating;
  if (step.run !== undefined || step.notify !== undefined || step.kube?.rolloutUndo !== undefined)
    return true;
  const method = step.http?.method;
  return method !== undefined && method !== "GET" && method !== "HEAD";
}

/** Steps answered by a person (they need --answers in a non-interactive run). */
export function isManual(step: Step | NestedStep): boolean {
  return step.confirm !== undefined || step.input !== undefined;
}

const HOUR = 3_600_000;

/** The range a duration must fall in, by what it is used for (the README lists them). */
export interface DurationBounds {
  min: number;
  max: number;
}
export const DURATION_BOUNDS = {
  /** A step's `timeout`. */
  timeout: { min: 100, max: 24 * HOUR },
  /** `retries.delay` (up to 100 retries). */
  retryDelay: { min: 0, max: HOUR },
  /** A watch's `duration`. */
  watchDuration: { min: 1, max: 24 * HOUR },
  /** A watch's or prometheus check's `interval`. */
  interval: { min: 1, max: HOUR },
  /** http `maxLatency` and latency thresholds. */
  latency: { min: 1, max: HOUR },
  /** file `maxAge` and `newest.maxAge`. */
  age: { min: 1, max: 8760 * HOUR },
} as const satisfies Record<string, DurationBounds>;

/** A bound as written in a checklist: 24h, 5m, 1s, 100ms. */
function showBound(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Why a literal duration is out of its bounds, or undefined (also for a ${variable}: checked later). */
export function durationBoundsProblem(text: string, bounds: DurationBounds): string | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  const ms = parseDuration(text);
  if (Number.isFinite(ms) && ms >= bounds.min && ms <= bounds.max) return undefined;
  return `${text} is out of range: use a duration from ${showBound(bounds.min)} to ${showBound(bounds.max)}`;
}

/** Parse a duration string into milliseconds. */
export function parseDuration(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000;
  }
  return Math.round(total);
}
