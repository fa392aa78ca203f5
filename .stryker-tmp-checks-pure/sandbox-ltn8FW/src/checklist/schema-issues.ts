// @ts-nocheck
// zod issues -> problems with document paths and messages a person can act on: wrong types, missing
// fields, unknown keys with the nearest valid key, unions reduced to the branch that fits. Pure.
import type { z } from "zod";
import { ChecklistSchema, STEP_KINDS } from "./schema.js";
import { formatPath, STEP_KEY_CANDIDATES, suggest, type ValidationProblem } from "./validate.js";

/** Problems for the issues of a failed ChecklistSchema parse of `data`. */
export function problemsFromIssues(issues: readonly Issue[], data: unknown): ValidationProblem[] {
  // A step with an unknown key also "has no kind" when the unknown key is a misspelled kind: say it once.
  const unknownAt = new Set(
    issues.filter((i) => i.code === "unrecognized_keys").map((i) => formatPath(i.path)),
  );
  const relevant = issues.filter(
    (i) => !(i.code === "custom" && isNoKind(i) && unknownAt.has(formatPath(i.path))),
  );
  return dedupe(relevant.flatMap((issue) => flattenIssue(issue, [], data)));
}

type Issue = z.core.$ZodIssue;

function valueAt(data: unknown, docPath: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of docPath) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "nothing (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  record: "a mapping (key: value)",
};

function isStepPath(p: readonly PropertyKey[]): boolean {
  const n = p.length;
  return (
    (n >= 2 && p[n - 2] === "steps" && typeof p[n - 1] === "number") ||
    (n === 2 && p[0] === "guards" && typeof p[1] === "number")
  );
}

/** zod issue (possibly a union) -> problems relative to the document root. */
function flattenIssue(issue: Issue, prefix: PropertyKey[], data: unknown): ValidationProblem[] {
  const full = [...prefix, ...issue.path];
  const docPath = full.filter((s): s is string | number => typeof s !== "symbol");
  const value = valueAt(data, full);
  const missing = value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value");
  if (missing && full.length > 0) {
    return [
      {
        path: docPath,
        severity: "error",
        message: `missing required field "${String(full[full.length - 1])}"`,
      },
    ];
  }
  switch (issue.code) {
    case "invalid_union": {
      // Keep the branches whose type fits the value; if exactly one fits, its issues are the real ones.
      const fitting = issue.errors.filter(
        (branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      if (fitting.length === 1) return fitting[0]!.flatMap((i) => flattenIssue(i, full, data));
      const expected = issue.errors
        .flatMap((branch) => branch.filter((i) => i.code === "invalid_type" && i.path.length === 0))
        .map((i) => EXPECTED[(i as { expected: string }).expected] ?? (i as { expected: string }).expected);
      const unique = [...new Set(expected)];
      return [
        {
          path: docPath,
          severity: "error",
          message:
            value === undefined
              ? `missing required field "${String(full[full.length - 1])}"`
              : unique.length > 0
                ? `expected ${unique.join(" or ")}, got ${describeValue(value)}`
                : "this value matches none of the allowed forms",
        },
      ];
    }
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const onStep = isStepPath(full);
        const nested = onStep && full.includes("watch");
        if (nested && key === "watch") {
          return {
            path: [...docPath, key],
            at: "key" as const,
            severity: "error" as const,
            message: "a watch cannot contain another watch: nest the checks themselves",
          };
        }
        const candidates = onStep
          ? STEP_KEY_CANDIDATES.filter((k) => !nested || k !== "watch")
          : allowedKeys(full);
        const suggestion = suggest(key, candidates);
        return {
          path: [...docPath, key],
          at: "key" as const,
          severity: "error" as const,
          message: onStep
            ? `unknown step kind or key "${key}" (kinds: ${STEP_KINDS.join(", ")})`
            : `unknown key "${key}"${candidates.length ? ` (allowed here: ${candidates.join(", ")})` : ""}`,
          ...(suggestion ? { suggestion } : {}),
        };
      });
    case "invalid_type": {
      if (value === undefined) {
        return [
          {
            path: docPath,
            severity: "error",
            message: `missing required field "${String(full[full.length - 1])}"`,
          },
        ];
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [
        { path: docPath, severity: "error", message: `expected ${expected}, got ${describeValue(value)}` },
      ];
    }
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v));
      const suggestion =
        typeof value === "string"
          ? suggest(
              value,
              issue.values.filter((v) => typeof v === "string"),
            )
          : undefined;
      return [
        {
          path: docPath,
          severity: "error",
          message: `${describeValue(value)} is not allowed here: expected ${options.length === 1 ? options[0] : `one of ${options.join(", ")}`}`,
          ...(suggestion ? { suggestion } : {}),
        },
      ];
    }
    case "invalid_key": {
      const key = String(full[full.length - 1]);
      const inVars = full.length === 2 && full[0] === "vars";
      return [
        {
          path: docPath,
          at: "key",
          severity: "error",
          message: inVars
            ? `variable name "${key}" is not allowed: use letters, digits and _ (e.g. apiUrl), so that \${${key}} can refer to it`
            : `key "${key}" is not allowed here`,
        },
      ];
    }
    case "too_small": {
      const origin = issue.origin;
      const message =
        origin === "array"
          ? `needs at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? "y" : "ies"}`
          : origin === "string"
            ? `must not be shorter than ${issue.minimum} characters`
            : `must be at least ${issue.minimum}, got ${String(value)}`;
      return [{ path: docPath, severity: "error", message }];
    }
    case "too_big": {
      const message =
        issue.origin === "array"
          ? `has too many entries (at most ${issue.maximum})`
          : `must be at most ${issue.maximum}, got ${String(value)}`;
      return [{ path: docPath, severity: "error", message }];
    }
    case "invalid_format": {
      return [{ path: docPath, severity: "error", message: `${issue.message}; got ${describeValue(value)}` }];
    }
    case "custom": {
      const kind = (issue.params as { deploycheck?: string } | undefined)?.deploycheck;
      return [
        {
          path: docPath,
          severity: "error",
          message: issue.message,
          ...(kind === "many-kinds" ? { at: "key" as const } : {}),
        },
      ];
    }
    default:
      return [{ path: docPath, severity: "error", message: issue.message }];
  }
}

/** The keys a strict object in the schema allows at a document path (for "did you mean"). */
function allowedKeys(docPath: readonly PropertyKey[]): string[] {
  let schema: unknown = ChecklistSchema;
  const def = (s: unknown) => (s as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const unwrap = (s: unknown): unknown => {
    let cur = s;
    for (let i = 0; i < 20; i++) {
      const d = def(cur);
      if (d.type === "optional" || d.type === "default" || d.type === "nullable") cur = d["innerType"];
      else if (d.type === "pipe") cur = d["in"];
      else if (d.type === "union") {
        const obj = (d["options"] as unknown[]).find((o) => def(unwrap(o)).type === "object");
        if (!obj) return cur;
        cur = obj;
      } else return cur;
    }
    return cur;
  };
  for (const seg of docPath) {
    const d = def(unwrap(schema));
    if (d.type === "object") schema = (d["shape"] as Record<string, unknown>)[String(seg)];
    else if (d.type === "array") schema = d["element"];
    else if (d.type === "record") schema = d["valueType"];
    else return [];
    if (!schema) return [];
  }
  const d = def(unwrap(schema));
  return d.type === "object" ? Object.keys(d["shape"] as Record<string, unknown>) : [];
}

function isNoKind(issue: Issue): boolean {
  return (issue as { params?: { deploycheck?: string } }).params?.deploycheck === "no-kind";
}

function dedupe(problems: ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
