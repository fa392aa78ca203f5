// Semantic rules a schema cannot express: unique ids, variable references and saveAs order, regular
// expressions that compile, URLs that are http(s), duration variables. Pure: problems carry document paths.

import { COMMON_STEP_KEYS, DURATION_RE, isMutating, STEP_KINDS, stepKind } from "./kinds.js";
import type { Checklist, NestedStep, Step } from "./schema.js";
import { analyzeCommand, isDangerousVariable, strictPatternProblem, type UnsafeKind } from "./shell-refs.js";
import { userPatternProblem } from "./user-pattern.js";
import { REFERENCE_RE, type VariableRule, variableRules } from "./vars.js";

export type DocPath = (string | number)[];

export interface ValidationProblem {
  path: DocPath;
  message: string;
  severity: "error" | "warning";
  suggestion?: string;
  /** Point at the key of the last path segment instead of its value. */
  at?: "key" | "value";
  /** Text inside the value to point at (e.g. the `${name}` reference). */
  needle?: string;
  /** Which occurrence of `needle` (0: the first). */
  needleIndex?: number;
  /** Another place the message refers to; the loader replaces `{related}` in the message by its line. */
  related?: DocPath;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  // Row i starts with i; every other cell is written before it is read.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      // A transposition (needs i, j >= 2: a[-1] and b[-1] are undefined, never equal to a character).
      if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (c === word) continue;
    const distance = editDistance(lower, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.ceil(word.length * 0.4));
  return bestDistance <= limit ? best : undefined;
}

/** Step keys offered as suggestions for an unknown key on a step. */
export const STEP_KEY_CANDIDATES: readonly string[] = [...COMMON_STEP_KEYS, ...STEP_KINDS];

/** Where each step lives in the document and the id it has, given or by default. */
interface StepSite {
  step: Step | NestedStep;
  path: DocPath;
  id: string;
  defaulted: boolean;
}

function stepSites(steps: readonly (Step | NestedStep)[], base: DocPath): StepSite[] {
  return steps.map((step, index) => {
    // A step without a kind cannot get here: the schema refused it.
    const id = step.id ?? `${stepKind(step)}-${index + 1}`;
    return { step, path: [...base, index], id, defaulted: step.id === undefined };
  });
}

/** Every step in run order (guards, then items; a watch's nested steps right after the watch). */
function allStepsInRunOrder(checklist: Checklist): StepSite[] {
  const out: StepSite[] = [];
  const add = (sites: StepSite[]) => {
    for (const site of sites) {
      out.push(site);
      const watch = (site.step as Step).watch;
      if (watch) out.push(...stepSites(watch.steps, [...site.path, "watch", "steps"]));
    }
  };
  add(stepSites(checklist.guards ?? [], ["guards"]));
  checklist.sections.forEach((section, s) => {
    section.items.forEach((item, i) => {
      add(stepSites(item.steps, ["sections", s, "items", i, "steps"]));
    });
  });
  return out;
}

/** Variables a step saves for later steps. */
export function savedNames(step: Step | NestedStep): { name: string; path: DocPath }[] {
  const out: { name: string; path: DocPath }[] = [];
  if (step.input?.saveAs) out.push({ name: step.input.saveAs, path: ["input", "saveAs"] });
  if (typeof step.run === "object" && step.run.saveAs)
    out.push({ name: step.run.saveAs, path: ["run", "saveAs"] });
  for (const check of ["image", "history", "rolloutUndo"] as const) {
    const saveAs = step.kube?.[check]?.saveAs;
    if (saveAs) out.push({ name: saveAs, path: ["kube", check, "saveAs"] });
  }
  return out;
}

/** A mapping's entries by key; none for null, a scalar or a list. */
function mapping(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Every string in a value with its path, not descending into a watch's nested steps. */
function strings(value: unknown, path: DocPath, out: { text: string; path: DocPath }[] = []) {
  if (typeof value === "string") out.push({ text: value, path });
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      strings(v, [...path, i], out);
    });
  } else {
    for (const [k, v] of Object.entries(mapping(value))) {
      if (path.length === 0 && k === "watch") {
        const { steps: _nested, ...rest } = v as Record<string, unknown>;
        strings(rest, ["watch"], out);
      } else strings(v, [...path, k], out);
    }
  }
  return out;
}

function duplicateIds(
  things: readonly { id: string; path: DocPath; defaulted?: boolean }[],
  what: string,
  scope: string,
  problems: ValidationProblem[],
) {
  const seen = new Map<string, DocPath>();
  for (const t of things) {
    const first = seen.get(t.id);
    if (first) {
      problems.push({
        path: t.defaulted ? t.path : [...t.path, "id"],
        message: `duplicate ${what} id "${t.id}"${t.defaulted ? " (the id this step gets by default)" : ""}: ${what} ids must be unique ${scope} (first used {related})`,
        severity: "error",
        related: first,
      });
    } else seen.set(t.id, t.path);
  }
}

/** Placeholder values used to check URLs before the real values are known. */
function placeholderUrl(text: string, checklist: Checklist): string {
  return text.replace(REFERENCE_RE, (_whole, ref: string, offset: number) => {
    // env.NAME is never a declared name (the schema allows no dot in one).
    const def = checklist.vars?.[ref]?.default;
    if (def !== undefined && String(def) !== "") return String(def);
    return offset === 0 ? "http://placeholder.invalid" : "placeholder";
  });
}

function checkUrl(text: string, path: DocPath, checklist: Checklist, problems: ValidationProblem[]) {
  const filled = placeholderUrl(text, checklist);
  const url = URL.canParse(filled) ? new URL(filled) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const via = filled === text ? "" : ` (with variables filled in: ${JSON.stringify(filled)})`;
    problems.push({
      path,
      message: `bad URL ${JSON.stringify(text)}${via}: it must be an absolute http:// or https:// URL`,
      severity: "error",
    });
  }
}

function checkRegex(text: string, path: DocPath, problems: ValidationProblem[]) {
  // A ${var} inside a pattern is filled at run time; check the rest compiles.
  const filled = text.replace(REFERENCE_RE, "x");
  const why = userPatternProblem(filled);
  if (why) {
    problems.push({
      path,
      message: `regular expression does not compile: /${text}/: ${why}`,
      severity: "error",
    });
  }
}

/** Regular-expression fields of a step, relative to the step. */
function regexFields(step: Step | NestedStep): { text: string; path: DocPath }[] {
  const out: { text: string; path: DocPath }[] = [];
  if (step.input?.pattern !== undefined) out.push({ text: step.input.pattern, path: ["input", "pattern"] });
  if (typeof step.run === "object") {
    if (step.run.expect?.stdout !== undefined)
      out.push({ text: step.run.expect.stdout, path: ["run", "expect", "stdout"] });
    if (step.run.expect?.stderr !== undefined)
      out.push({ text: step.run.expect.stderr, path: ["run", "expect", "stderr"] });
  }
  if (step.kube?.context?.matches !== undefined)
    out.push({ text: step.kube.context.matches, path: ["kube", "context", "matches"] });
  return out;
}

/** URL fields of a step, relative to the step. */
function urlFields(step: Step | NestedStep): { text: string; path: DocPath }[] {
  const out: { text: string; path: DocPath }[] = [];
  if (step.http) out.push({ text: step.http.url, path: ["http", "url"] });
  if (step.prometheus) out.push({ text: step.prometheus.url, path: ["prometheus", "url"] });
  if (step.notify) out.push({ text: step.notify.webhook, path: ["notify", "webhook"] });
  return out;
}

/**
 * Duration fields of a step that may hold a `${var}`, relative to the step: only these (a step's timeout and
 * retries.delay are literal, and an http body or a file's values are data, whatever their keys are called).
 */
function durationFields(step: Step | NestedStep): { text: string; path: DocPath }[] {
  const fields: [string | undefined, DocPath][] = [
    [step.http?.maxLatency, ["http", "maxLatency"]],
    [step.http?.thresholds?.p50, ["http", "thresholds", "p50"]],
    [step.http?.thresholds?.p95, ["http", "thresholds", "p95"]],
    [step.http?.thresholds?.p99, ["http", "thresholds", "p99"]],
    [step.file?.maxAge, ["file", "maxAge"]],
    [step.file?.newest?.maxAge, ["file", "newest", "maxAge"]],
    [step.prometheus?.interval, ["prometheus", "interval"]],
    [(step as Step).watch?.duration, ["watch", "duration"]],
    [(step as Step).watch?.interval, ["watch", "interval"]],
  ];
  return fields.flatMap(([text, path]) => (text === undefined ? [] : [{ text, path }]));
}

/** `${ref}` that names nothing: the problem, with a "did you mean" among `candidates`. */
function unknownReference(
  ref: string,
  needle: string,
  path: DocPath,
  candidates: string[],
): ValidationProblem {
  const hint = ref.includes(".")
    ? ` (only env.NAME may contain a dot)`
    : /^[A-Z][A-Z0-9_]*$/.test(ref)
      ? ` (for the environment variable write \${env.${ref}})`
      : "";
  const suggestion = ref.includes(".") ? undefined : suggest(ref, candidates);
  return {
    path,
    needle,
    message: `\${${ref}} names no declared variable and no earlier saveAs${hint}: declare it under vars:`,
    severity: "error",
    ...(suggestion ? { suggestion: `\${${suggestion}}` } : {}),
  };
}

/**
 * References that name nothing, read from the raw document of a checklist that failed the schema, so
 * that `validate` lists them together with the schema errors in one pass. Only what is certain: a name
 * declared under vars: or saved (saveAs) anywhere is not reported (the order is checked once the schema
 * passes).
 */
export function unknownReferencesInRaw(data: unknown): ValidationProblem[] {
  const doc = mapping(data);
  const vars = mapping(doc["vars"]);
  const known = new Set<string>();
  const all: { text: string; path: DocPath }[] = [];
  const walk = (value: unknown, path: DocPath) => {
    if (typeof value === "string") all.push({ text: value, path });
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else {
      for (const [k, v] of Object.entries(mapping(value))) {
        if (k === "saveAs") {
          if (typeof v === "string") known.add(v);
        } else walk(v, [...path, k]);
      }
    }
  };
  // Where references are read: variable defaults, `when`s, and everything in steps and guards.
  for (const [name, v] of Object.entries(vars)) {
    known.add(name);
    if (v && typeof v === "object" && "default" in v)
      walk((v as { default: unknown }).default, ["vars", name, "default"]);
  }
  walk(doc["guards"], ["guards"]);
  walk(doc["sections"], ["sections"]);
  const problems: ValidationProblem[] = [];
  for (const { text, path } of all) {
    // A section's or item's title and id hold no references; their `when` and steps do.
    const last = path[path.length - 1];
    if (path[0] === "sections" && !path.includes("steps") && last !== "when") continue;
    for (const m of text.matchAll(REFERENCE_RE)) {
      const ref = m[1]!;
      if (ref.startsWith("env.") || known.has(ref)) continue;
      problems.push(unknownReference(ref, m[0], path, [...known]));
    }
  }
  return problems;
}

/** Semantic problems of a checklist that already passed the schema. */
export function validateChecklist(checklist: Checklist): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const declared = checklist.vars ?? {};

  // Ids: sections unique, items unique across the checklist (answers and journal keys are item-id/step-id),
  // steps unique in their item (or watch, or among guards).
  duplicateIds(
    checklist.sections.map((s, i) => ({ id: s.id, path: ["sections", i] })),
    "section",
    "in the checklist",
    problems,
  );
  duplicateIds(
    checklist.sections.flatMap((s, si) =>
      s.items.map((it, ii) => ({ id: it.id, path: ["sections", si, "items", ii] })),
    ),
    "item",
    "across the whole checklist (answers files and the journal use item-id/step-id)",
    problems,
  );

  const groups: StepSite[][] = [stepSites(checklist.guards ?? [], ["guards"])];
  checklist.sections.forEach((section, s) => {
    section.items.forEach((item, i) => {
      const sites = stepSites(item.steps, ["sections", s, "items", i, "steps"]);
      groups.push(sites);
      for (const site of sites) {
        const watch = (site.step as Step).watch;
        if (watch) groups.push(stepSites(watch.steps, [...site.path, "watch", "steps"]));
      }
    });
  });
  for (const group of groups) {
    duplicateIds(group, "step", "in their item", problems);
    for (const site of group) {
      if (site.defaulted) {
        problems.push({
          path: site.path,
          message: `step has no id, so it is "${site.id}": give it one, because resume matches steps by id and a default id changes when steps move`,
          severity: "warning",
        });
      }
    }
  }

  // Guards run before anything and decide whether the run may start: they must not change anything.
  checklist.guards?.forEach((guard, g) => {
    if (isMutating(guard)) {
      problems.push({
        path: ["guards", g],
        message:
          "a guard only checks (it runs before anything else): a mutating step belongs in an item (a read-only run command: declare mutating: false)",
        severity: "error",
      });
    }
  });

  // Variable references, in run order: declared vars, env.NAME, or a saveAs of an earlier step.
  const saved = new Set<string>();
  const savedLater = new Map<string, DocPath>();
  const sites = allStepsInRunOrder(checklist);
  for (const site of sites) {
    for (const s of savedNames(site.step))
      if (!savedLater.has(s.name)) savedLater.set(s.name, [...site.path, ...s.path]);
  }
  const checkRefs = (text: string, path: DocPath) => {
    for (const m of text.matchAll(REFERENCE_RE)) {
      const ref = m[1]!;
      if (ref.startsWith("env.")) continue;
      if (Object.hasOwn(declared, ref) || saved.has(ref)) continue;
      const later = savedLater.get(ref);
      if (later) {
        problems.push({
          path,
          needle: m[0],
          message: `\${${ref}} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later`,
          severity: "error",
          related: later,
        });
        continue;
      }
      problems.push(unknownReference(ref, m[0], path, [...Object.keys(declared), ...saved]));
    }
  };
  for (const [name, v] of Object.entries(declared)) {
    if (typeof v.default === "string") checkRefs(v.default, ["vars", name, "default"]);
  }
  for (const site of sites) {
    // A section's `when` is evaluated before its first step, an item's before its first step (only an
    // item's own first step has a path of length 6 ending in 0: guards and watch steps have other lengths).
    if (site.path.length === 6 && site.path[5] === 0) {
      const [, s, , i] = site.path as ["sections", number, "items", number];
      const section = checklist.sections[s]!;
      if (i === 0 && typeof section.when === "string") checkRefs(section.when, ["sections", s, "when"]);
      const item = section.items[i]!;
      if (typeof item.when === "string") checkRefs(item.when, ["sections", s, "items", i, "when"]);
    }
    for (const s of strings(site.step, [])) {
      if (s.path[s.path.length - 1] === "saveAs") continue;
      checkRefs(s.text, [...site.path, ...s.path]);
    }
    for (const s of savedNames(site.step)) {
      if (!NAME_RE.test(s.name)) {
        problems.push({
          path: [...site.path, ...s.path],
          message: `saveAs "${s.name}" is not a variable name: use letters, digits and _ (e.g. previousRevision)`,
          severity: "error",
        });
      } else if (Object.hasOwn(declared, s.name)) {
        problems.push({
          path: [...site.path, ...s.path],
          message: `saveAs "${s.name}" has the name of a declared variable, whose value it would replace`,
          severity: "warning",
        });
      }
      saved.add(s.name);
    }
  }
  if (checklist.notifications) checkRefs(checklist.notifications.webhook, ["notifications", "webhook"]);

  // Regular expressions, URLs and duration variables.
  for (const site of sites) {
    for (const r of regexFields(site.step)) checkRegex(r.text, [...site.path, ...r.path], problems);
    for (const u of urlFields(site.step)) checkUrl(u.text, [...site.path, ...u.path], checklist, problems);
    for (const d of durationFields(site.step)) {
      // The schema let through a literal or exactly one ${name} (env.NAME is never declared).
      for (const [, ref] of d.text.matchAll(REFERENCE_RE)) {
        const def = declared[ref!]?.default;
        if (def !== undefined && !DURATION_RE.test(String(def))) {
          problems.push({
            path: [...site.path, ...d.path],
            message: `bad duration: ${d.text} defaults to ${JSON.stringify(String(def))}; use a number with a unit, e.g. 30s, 5m, 1h`,
            severity: "error",
          });
        }
      }
    }
  }
  if (checklist.notifications)
    checkUrl(checklist.notifications.webhook, ["notifications", "webhook"], checklist, problems);

  const rules = variableRules(checklist);
  for (const site of sites) checkRunValues(site, rules, problems);

  return problems;
}

const FIX = "pass it through `env:` and validate it in your script";

function exampleFor(kind: UnsafeKind): string {
  return kind === "arith" ? '"^[0-9]+$"' : '"^[a-z0-9-]+$"';
}

/**
 * A run step's references where bash would evaluate a value as code (allowed only with a strict
 * pattern, checked again before the step runs) or where no reference can work.
 */
function checkRunValues(site: StepSite, rules: Record<string, VariableRule>, problems: ValidationProblem[]) {
  const run = site.step.run;
  if (run === undefined) return;
  const { command, env = {} } = typeof run === "string" ? { command: run } : run;
  const path: DocPath = typeof run === "string" ? [...site.path, "run"] : [...site.path, "run", "command"];
  for (const ref of analyzeCommand(command).refs) {
    const needle = command.slice(ref.start, ref.end);
    const needleIndex = command.slice(0, ref.start).split(needle).length - 1;
    const at = { path, needle, needleIndex, severity: "error" as const };
    if (ref.refused) {
      problems.push({
        ...at,
        message: `\${${ref.ref}} is in ${ref.refused}: no value can be passed there as data; ${FIX}`,
      });
      continue;
    }
    if (!ref.unsafe) continue;
    const { kind, context } = ref.unsafe;
    const why =
      kind === "arith"
        ? "a value there is evaluated, and a[$(cmd)] in it runs cmd"
        : kind === "name"
          ? "a value there names a variable, and a subscript such as a[$(cmd)] in it runs cmd"
          : kind === "pattern"
            ? "a value there is a pattern, not text"
            : "a value there runs as code";
    const base = `\${${ref.ref}} is in ${context}: ${why}`;
    if (ref.ref.startsWith("env.")) {
      problems.push({
        ...at,
        message: `${base}; ${FIX} (or declare a variable with env: ${ref.ref.slice(4)} and a strict pattern)`,
      });
      continue;
    }
    const pattern = rules[ref.ref]?.pattern;
    if (pattern === undefined) {
      problems.push({
        ...at,
        message: `${base}; ${FIX}, or declare a strict pattern for ${ref.ref} (vars: { ${ref.ref}: { pattern: ${exampleFor(kind)} } })`,
      });
      continue;
    }
    const weak = strictPatternProblem(pattern, kind);
    if (weak) {
      problems.push({
        ...at,
        message: `${base}; the pattern of ${ref.ref} (${JSON.stringify(pattern)}) is not strict enough: ${weak}; ${FIX}`,
      });
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (/^(?:__dc_|__DCENV_)/.test(name)) {
      problems.push({
        path: [...site.path, "run", "env", name],
        at: "key",
        message: `env: ${name} is reserved: deploycheck passes values to the command in __dc_* variables`,
        severity: "error",
      });
    } else if (isDangerousVariable(name) && [...value.matchAll(REFERENCE_RE)].length > 0) {
      problems.push({
        path: [...site.path, "run", "env", name],
        message: `env: ${name} takes a value from a variable, and bash or the programs it starts run or search what ${name} names; set ${name} to a fixed value`,
        severity: "error",
      });
    }
  }
}

/** The checklist with every step id filled in (`<kind>-<n>` where none was given). */
export function withDefaultIds(checklist: Checklist): Checklist {
  const fill = <T extends Step | NestedStep>(steps: readonly T[]): T[] =>
    steps.map((step, index) => {
      const withId = step.id === undefined ? { ...step, id: `${stepKind(step)}-${index + 1}` } : step;
      const watch = (withId as Step).watch;
      return (watch ? { ...withId, watch: { ...watch, steps: fill(watch.steps) } } : withId) as T;
    });
  return {
    ...checklist,
    ...(checklist.guards ? { guards: fill(checklist.guards) } : {}),
    sections: checklist.sections.map((section) => ({
      ...section,
      items: section.items.map((item) => ({ ...item, steps: fill(item.steps) })),
    })),
  };
}

/** `sections[2].items[0].steps[1].timeout` */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
