// Variables: resolution (--var, then env, then default), interpolation of ${name} and ${env.NAME},
// shell quoting for run commands, and `when` conditions. Pure: the environment is passed in.
import { UsageError } from "../errors.js";
import { MIN_SECRET_LENGTH } from "../redact.js";
import { DURATION_RE, type DurationBounds, durationBoundsProblem, parseDuration } from "./kinds.js";
import type { Checklist } from "./schema.js";

/**
 * A reference: ${name} or ${env.NAME}. Not one when written `$${...}`: that is the escape for a literal
 * `${` (e.g. a shell variable in a run command), see ESCAPE_OR_REFERENCE_RE.
 */
export const REFERENCE_RE = /(?<!\$)\$\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}/g;

/** `$${` (group 1 unset: the escape, stands for a literal `${`) or a reference (group 1: its name). */
export const ESCAPE_OR_REFERENCE_RE = new RegExp(`\\$\\$\\{|${REFERENCE_RE.source}`, "g");

/** Text with each `$${` escape turned into the literal `${` it stands for (no reference is touched). */
export function unescapeDollarBrace(text: string): string {
  return text.replace(ESCAPE_OR_REFERENCE_RE, (whole, ref: string | undefined) =>
    ref === undefined ? "${" : whole,
  );
}

export interface ResolvedVars {
  values: Record<string, string>;
  /** Names of secret variables; their values are redacted everywhere. */
  secrets: string[];
  /** Where each value came from, for `show`. */
  sources: Record<string, "var" | "env" | "default" | "unset">;
}

/** Parse repeated `--var key=value` flags. */
export function parseVarFlags(flags: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`--var ${JSON.stringify(flag)} is not key=value`, {
        hint: "Write --var name=value, e.g. --var namespace=staging",
      });
    }
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

/** Resolve declared variables: --var, then env, then default. Missing required variables are one error. */
export function resolveVars(
  checklist: Pick<Checklist, "vars">,
  cli: Record<string, string>,
  env: Record<string, string | undefined>,
): ResolvedVars {
  const declared = checklist.vars ?? {};
  const values: Record<string, string> = {};
  const sources: ResolvedVars["sources"] = {};
  const secrets: string[] = [];
  const missing: string[] = [];
  for (const name of Object.keys(cli)) {
    if (!(name in declared)) {
      const known = Object.keys(declared);
      throw new UsageError(`--var ${name}: the checklist declares no variable "${name}"`, {
        hint: known.length
          ? `Declared variables: ${known.join(", ")}`
          : "The checklist declares no variables.",
      });
    }
  }
  for (const [name, def] of Object.entries(declared)) {
    if (def.secret) secrets.push(name);
    const fromEnv = def.env ? env[def.env] : undefined;
    if (cli[name] !== undefined) {
      values[name] = cli[name];
      sources[name] = "var";
    } else if (fromEnv !== undefined && fromEnv !== "") {
      values[name] = fromEnv;
      sources[name] = "env";
    } else if (def.default !== undefined) {
      values[name] = String(def.default);
      sources[name] = "default";
    } else {
      values[name] = "";
      sources[name] = "unset";
      if (def.required ?? true)
        missing.push(def.env ? `${name} (--var ${name}=... or ${def.env})` : `${name} (--var ${name}=...)`);
    }
  }
  for (const name of secrets) {
    const value = values[name]!;
    if (value.length > 0 && value.length < MIN_SECRET_LENGTH) {
      throw new UsageError(
        `variable ${name} is secret, but its value (from ${sources[name] === "var" ? `--var ${name}` : sources[name] === "env" ? declared[name]!.env : "its default"}) has ${value.length} character${value.length === 1 ? "" : "s"}; a secret needs at least ${MIN_SECRET_LENGTH}`,
        {
          hint: `A value that short cannot be redacted without garbling all output, and is never left unredacted. Use a longer value, or drop "secret: true" from ${name} if it is not a secret.`,
        },
      );
    }
  }
  if (missing.length) {
    throw new UsageError(`missing required variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`, {
      hint: "Pass each with --var name=value or set its environment variable.",
    });
  }
  return { values, secrets, sources };
}

/** The names a text refers to: `name` for ${name}, `env.NAME` for ${env.NAME}. */
export function references(text: string): string[] {
  return [...text.matchAll(REFERENCE_RE)].map((m) => m[1]!);
}

/** POSIX shell single-quoting: the result is always one word, whatever the value holds. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface InterpolateOptions {
  /** Quote each value for bash, so no value can inject a command. */
  shell?: boolean;
  /** Replace these variables' values by a mask (for `show`). */
  mask?: ReadonlySet<string>;
}

/** Replace ${name} and ${env.NAME}. Unknown names are left as written (validate reports them). */
export function interpolate(
  text: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  options: InterpolateOptions = {},
): string {
  return text.replace(ESCAPE_OR_REFERENCE_RE, (whole, ref: string | undefined) => {
    if (ref === undefined) return "${";
    let value: string | undefined;
    if (ref.startsWith("env.")) value = env[ref.slice(4)] ?? "";
    else if (Object.hasOwn(values, ref)) value = values[ref];
    if (value === undefined) return whole;
    if (options.mask?.has(ref)) value = "****";
    return options.shell ? shellQuote(value) : value;
  });
}

/** What the checklist declares about a variable that matters where it is used: its pattern, secrecy. */
export interface VariableRule {
  pattern?: string;
  secret?: boolean;
}

/**
 * Patterns and secrecy of declared variables and of values saved by `input` steps (their `pattern`),
 * for the run step's checks of values used where bash evaluates them.
 */
export function variableRules(
  checklist: Pick<Checklist, "vars" | "sections" | "guards">,
): Record<string, VariableRule> {
  const rules: Record<string, VariableRule> = Object.create(null);
  for (const [name, def] of Object.entries(checklist.vars ?? {})) {
    rules[name] = {
      ...(def.pattern !== undefined ? { pattern: def.pattern } : {}),
      ...(def.secret ? { secret: true } : {}),
    };
  }
  const visit = (
    steps: readonly {
      input?:
        | { saveAs?: string | undefined; pattern?: string | undefined; secret?: boolean | undefined }
        | undefined;
      watch?: { steps: readonly unknown[] } | undefined;
    }[],
  ) => {
    for (const step of steps) {
      const input = step.input;
      if (input?.saveAs && !(input.saveAs in rules)) {
        rules[input.saveAs] = {
          ...(input.pattern !== undefined ? { pattern: input.pattern } : {}),
          ...(input.secret ? { secret: true } : {}),
        };
      }
      if (step.watch) visit(step.watch.steps as typeof steps);
    }
  };
  // Stryker disable next-line ArrayDeclaration: a made-up element has no `input` or `watch`, so adds no rule.
  visit(checklist.guards ?? []);
  for (const section of checklist.sections) for (const item of section.items) visit(item.steps);
  return rules;
}

const FALSY = new Set(["", "false", "no", "0", "off", "n"]);

/**
 * Evaluate a `when` condition: `true`/`false`, "${x}" (truthy unless empty/false/no/0/off),
 * "!${x}", "${x} == value", "${x} != value".
 */
export function evalWhen(
  when: string | boolean | undefined,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
): boolean {
  if (when === undefined) return true;
  if (typeof when === "boolean") return when;
  const expr = when.trim();
  const cmp = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(expr);
  if (cmp) {
    const left = interpolate(cmp[1]!, values, env).trim();
    const right = interpolate(cmp[3]!, values, env)
      .trim()
      .replace(/^(["'])(.*)\1$/, "$2");
    return cmp[2] === "==" ? left === right : left !== right;
  }
  if (expr.startsWith("!")) return !evalWhen(expr.slice(1), values, env);
  return !FALSY.has(interpolate(expr, values, env).trim().toLowerCase());
}

/**
 * A duration field's value in ms. Durations may be one `${var}` (e.g. `duration: ${watchDuration}`),
 * so they are interpolated first and the result must then be a literal duration.
 */
export function resolveDuration(
  text: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  bounds: DurationBounds,
): number {
  const value = interpolate(text, values, env).trim();
  if (!DURATION_RE.test(value)) {
    throw new UsageError(`${text} is ${JSON.stringify(value)}, which is not a duration`, {
      hint: "Use a number with a unit, e.g. 500ms, 30s, 5m, 1h.",
    });
  }
  const problem = durationBoundsProblem(value, bounds);
  if (problem) throw new UsageError(text === value ? problem : `${text} is ${problem}`);
  return parseDuration(value);
}
