// @ts-nocheck
// Label and field selectors as the API server parses them (`app=x,tier!=db`, `env in (a,b)`, `!canary`).
import type { KubeObject, Labels } from "./kube-objects.js";

type Requirement =
  | { op: "eq" | "neq"; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "notexists"; key: string };

export type LabelSelector = Requirement[];

/** Split on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== "");
}

/** Parse a label selector; throws an Error with the API server's wording on a bad one. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text) return [];
  return splitTerms(text).map((term): Requirement => {
    let m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return { op: m[2] === "!=" ? "neq" : "eq", key: m[1]!, value: m[3]! };
    m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      return { op: m[2] === "in" ? "in" : "notin", key: m[1]!, values };
    }
    m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term);
    if (m) return { op: m[1] ? "notexists" : "exists", key: m[2]! };
    throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Labels | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case "eq":
        return has && l[r.key] === r.value;
      case "neq":
        return !has || l[r.key] !== r.value;
      case "in":
        return has && r.values.includes(l[r.key]!);
      case "notin":
        return !has || !r.values.includes(l[r.key]!);
      case "exists":
        return has;
      case "notexists":
        return !has;
    }
    return false;
  });
}

/** `matchLabels` of a LabelSelector object as selector text (what kubectl sends for a deployment). */
export function matchLabelsText(matchLabels: Labels | undefined): string {
  return Object.entries(matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export type FieldSelector = Array<{ path: string; value: string; negate: boolean }>;

export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new Error(`invalid selector: '${term}'; can't understand '${term}'`);
    return { path: m[1]!.trim(), value: m[3]!.trim(), negate: m[2] === "!=" };
  });
}

function fieldValue(obj: KubeObject, path: string): string | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: walking an arbitrary dotted path through a JSON object
  let cur: any = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[part];
  }
  return cur === undefined || cur === null ? undefined : String(cur);
}

export function matchesFields(selector: FieldSelector, obj: KubeObject): boolean {
  return selector.every((r) => {
    const value = fieldValue(obj, r.path) ?? "";
    return r.negate ? value !== r.value : value === r.value;
  });
}
