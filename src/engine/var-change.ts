// Variables changed between the sessions of one run: which ones, and which steps' resolved definitions
// change with them. Pure: values come in already in their journal form (secret values never reach this
// module; whether a secret changed is decided by the caller from fingerprints and passed in).
import type { Checklist } from "../checklist/schema.js";
import { references } from "../checklist/vars.js";
import { walkSteps } from "../checklist/walk.js";
import type { StepKey } from "./events.js";

export interface VarChange {
  name: string;
  secret: boolean;
  /** The previous session's value; never set for a secret. Absent: the variable did not exist then. */
  from?: string;
  /** This session's value; never set for a secret. Absent: the variable no longer exists. */
  to?: string;
  /** A secret whose earlier value cannot be compared (no fingerprint kept): it may have changed. */
  unknown?: boolean;
}

export interface SessionVars {
  /** Journal form: secret values are a placeholder, never the value. */
  vars: Readonly<Record<string, string>>;
  secretVars: readonly string[];
}

/**
 * The variables whose value differs between two sessions, in name order. A secret counts as changed
 * when the caller says so (`secretChanged`), or when it was not secret before (or is not any more).
 */
export function compareVars(
  before: SessionVars,
  after: SessionVars,
  secretChanged: (name: string) => "same" | "changed" | "unknown",
): VarChange[] {
  const wasSecret = new Set(before.secretVars);
  const isSecret = new Set(after.secretVars);
  const names = [...new Set([...Object.keys(before.vars), ...Object.keys(after.vars)])].sort();
  const out: VarChange[] = [];
  for (const name of names) {
    const had = Object.hasOwn(before.vars, name);
    const has = Object.hasOwn(after.vars, name);
    const secret = wasSecret.has(name) || isSecret.has(name);
    if (secret) {
      if (had && has && wasSecret.has(name) && isSecret.has(name)) {
        const verdict = secretChanged(name);
        if (verdict === "same") continue;
        out.push({ name, secret: true, ...(verdict === "unknown" ? { unknown: true } : {}) });
      } else {
        out.push({ name, secret: true });
      }
      continue;
    }
    const from = had ? before.vars[name] : undefined;
    const to = has ? after.vars[name] : undefined;
    // Values are strings, so equal values means the variable exists in both sessions.
    if (from === to) continue;
    out.push({
      name,
      secret: false,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    });
  }
  return out;
}

/** Every `saveAs` name a step (or its nested steps) defines. Arrays too: their entries are their elements. */
function savedNames(value: unknown, out: Set<string>): Set<string> {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "saveAs" && typeof v === "string") out.add(v);
      else savedNames(v, out);
    }
  }
  return out;
}

/**
 * Steps whose resolved definition changes when these variables change: every step that refers to one
 * of them (in the step, or in its item's or section's `when`), and, in run order, every step that
 * refers to a value saved (`saveAs`) by such a step, since that value may change when it runs again.
 */
export function stepsAffectedByVars(checklist: Checklist, changed: Iterable<string>): StepKey[] {
  const names = new Set(changed);
  const out: StepKey[] = [];
  for (const ref of walkSteps(checklist)) {
    const text = JSON.stringify([ref.step, ref.item.when ?? null, ref.section.when ?? null]);
    if (!references(text).some((n) => names.has(n))) continue;
    out.push(ref.key);
    for (const saved of savedNames(ref.step, new Set())) names.add(saved);
  }
  return out;
}

/** One line per change, for the terminal and the refusal: secret values are never shown. */
export function describeVarChanges(changes: readonly VarChange[]): string[] {
  return changes.map((c) => {
    if (c.secret)
      return `${c.name}: ${c.unknown ? "may have changed (secret; the earlier value cannot be compared here)" : "changed (secret, value not shown)"}`;
    const show = (v: string | undefined) => (v === undefined ? "(not set)" : JSON.stringify(v));
    return `${c.name}: ${show(c.from)} -> ${show(c.to)}`;
  });
}
