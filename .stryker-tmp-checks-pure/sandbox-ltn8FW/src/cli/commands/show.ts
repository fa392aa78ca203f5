// @ts-nocheck
// `deploycheck show <checklist>`: the plan — sections, numbered items, steps with their kind and exactly
// what each will run or request (variables resolved, secrets masked), and the variables table.
import { findChecklist } from "../../checklist/find.js";
import { isManual, isMutating, stepKind } from "../../checklist/kinds.js";
import { loadChecklist } from "../../checklist/load.js";
import type { Checklist, NestedStep, Step } from "../../checklist/schema.js";
import { evalWhen, parseVarFlags, resolveVars } from "../../checklist/vars.js";
import { itemCount } from "../../checklist/walk.js";
import { describeStep } from "../../checks/registry.js";
import { sanitizeLine as line, sanitizeText } from "../../sanitize.js";
import type { GlobalOptions } from "../options.js";

export interface ShownVariable {
  name: string;
  /** Resolved value; `****` for a secret that has one; null when unset. */
  value: string | null;
  source: "var" | "env" | "default" | "unset";
  secret: boolean;
  required: boolean;
  env?: string;
  description?: string;
}

export interface ShownStep {
  id: string;
  key: string;
  kind: string;
  title?: string;
  description: string;
  optional: boolean;
  mutating: boolean;
  manual: boolean;
  when?: string | boolean;
  /** false when `when` is false with the current variables (the step will be not-applicable). */
  applicable: boolean;
  timeout?: string;
  steps?: ShownStep[];
}

export interface ShownPlan {
  checklist: {
    name: string;
    title: string;
    ref?: string;
    environment?: string;
    path: string;
    sha256: string;
    items: number;
    steps: number;
  };
  variables: ShownVariable[];
  guards: ShownStep[];
  sections: {
    id: string;
    title: string;
    items: { number: number; of: number; id: string; title: string; optional: boolean; steps: ShownStep[] }[];
  }[];
  signoff?: Checklist["signoff"];
}

interface ShowVars {
  variables: ShownVariable[];
  /** Values of the variables that have one (unset ones are left out so their `${name}` stays visible). */
  values: Record<string, string>;
  secrets: ReadonlySet<string>;
}

function resolveForShow(checklist: Checklist, cli: Record<string, string>, env: NodeJS.ProcessEnv): ShowVars {
  // `show` must work before every variable is known: resolve as if none were required, then mark them.
  const relaxed = Object.fromEntries(
    Object.entries(checklist.vars ?? {}).map(([name, v]) => [name, { ...v, required: false }]),
  );
  const resolved = resolveVars({ vars: relaxed }, cli, env);
  const values: Record<string, string> = {};
  const variables = Object.entries(checklist.vars ?? {}).map(([name, def]): ShownVariable => {
    const source = resolved.sources[name] ?? "unset";
    const raw = resolved.values[name] ?? "";
    if (source !== "unset") values[name] = raw;
    const value = source === "unset" ? null : def.secret && raw !== "" ? "****" : raw;
    return {
      name,
      value,
      source,
      secret: Boolean(def.secret),
      required: def.required ?? def.default === undefined,
      ...(def.env ? { env: def.env } : {}),
      ...(def.description ? { description: def.description } : {}),
    };
  });
  return { variables, values, secrets: new Set(resolved.secrets) };
}

async function showStep(
  step: Step | NestedStep,
  index: number,
  parentKey: string,
  vars: ShowVars,
  env: NodeJS.ProcessEnv,
): Promise<ShownStep> {
  const { values, secrets } = vars;
  const id = step.id ?? `${stepKind(step)}-${index + 1}`;
  const kind = stepKind(step);
  const shown: ShownStep = {
    id,
    key: `${parentKey}/${id}`,
    kind,
    ...(step.title ? { title: step.title } : {}),
    description: await describeStep(step, values, { secrets }),
    optional: Boolean(step.optional),
    mutating: isMutating(step),
    manual: isManual(step),
    ...(step.when !== undefined ? { when: step.when } : {}),
    applicable: evalWhen(step.when, values, env),
    ...(step.timeout ? { timeout: step.timeout } : {}),
  };
  const watch = (step as Step).watch;
  if (watch) {
    shown.steps = await Promise.all(watch.steps.map((s, i) => showStep(s, i, shown.key, vars, env)));
  }
  return shown;
}

export async function buildPlan(
  nameOrPath: string,
  cliVars: Record<string, string>,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ShownPlan> {
  const loaded = await loadChecklist(findChecklist(nameOrPath, cwd));
  const { checklist } = loaded;
  const vars = resolveForShow(checklist, cliVars, env);
  const total = itemCount(checklist);
  let number = 0;
  let stepTotal = 0;
  const sections: ShownPlan["sections"] = [];
  for (const section of checklist.sections) {
    const items: ShownPlan["sections"][number]["items"] = [];
    for (const item of section.items) {
      number += 1;
      stepTotal += item.steps.length;
      const steps = await Promise.all(item.steps.map((s, i) => showStep(s, i, item.id, vars, env)));
      items.push({
        number,
        of: total,
        id: item.id,
        title: item.title,
        optional: Boolean(item.optional),
        steps,
      });
    }
    sections.push({ id: section.id, title: section.title, items });
  }
  const guards = await Promise.all(
    (checklist.guards ?? []).map((g, i) => showStep(g, i, "guard", vars, env)),
  );
  guards.forEach((g, i) => {
    g.key = `guard/${i + 1}`;
  });
  const m = checklist.metadata;
  return {
    checklist: {
      name: m.name,
      title: m.title,
      ...(m.ref ? { ref: m.ref } : {}),
      ...(m.environment ? { environment: m.environment } : {}),
      path: loaded.path,
      sha256: loaded.sha256,
      items: total,
      steps: stepTotal,
    },
    variables: vars.variables,
    guards,
    sections,
    ...(checklist.signoff ? { signoff: checklist.signoff } : {}),
  };
}

function flags(s: ShownStep): string {
  const f: string[] = [];
  if (s.manual) f.push("manual");
  if (s.mutating) f.push("mutating");
  if (s.optional) f.push("optional");
  if (s.timeout) f.push(`timeout ${s.timeout}`);
  if (s.when !== undefined)
    f.push(`when ${JSON.stringify(s.when)}${s.applicable ? "" : ": not applicable now"}`);
  return f.length ? ` (${f.join(", ")})` : "";
}

function renderStep(s: ShownStep, indent: string, out: string[]): void {
  out.push(`${indent}- ${s.id} [${s.kind}]${flags(s)}${s.title ? `: ${line(s.title)}` : ""}`);
  out.push(`${indent}    ${s.description}`);
  for (const n of s.steps ?? []) renderStep(n, `${indent}    `, out);
}

export function renderPlan(plan: ShownPlan): string {
  const c = plan.checklist;
  const out: string[] = [];
  const about = [...new Set([c.name, c.ref, c.environment].filter(Boolean))].join(", ");
  out.push(`${line(c.title)} (${line(about)})`);
  out.push(`${c.path}  ${c.items} items, ${c.steps} steps  sha256 ${c.sha256.slice(0, 12)}`);
  if (plan.variables.length) {
    out.push("", "Variables");
    const w = Math.max(...plan.variables.map((v) => v.name.length));
    for (const v of plan.variables) {
      const value =
        v.value === null ? (v.required ? "(unset: required)" : "(unset)") : v.value === "" ? '""' : v.value;
      const via = v.source === "env" && v.env ? `env ${v.env}` : v.source;
      out.push(`  ${v.name.padEnd(w)}  ${line(value)}  [${via}]${v.secret ? " secret" : ""}`);
    }
  }
  if (plan.guards.length) {
    out.push("", "Guards (checked before the first item; a failed guard refuses the run)");
    for (const g of plan.guards) renderStep(g, "  ", out);
  }
  for (const section of plan.sections) {
    out.push("", line(section.title));
    for (const item of section.items) {
      out.push(`  [${item.number}/${item.of}] ${line(item.title)}${item.optional ? " (optional)" : ""}`);
      for (const s of item.steps) renderStep(s, "    ", out);
    }
  }
  if (plan.signoff) {
    out.push("", line(plan.signoff.title ?? "Sign-off"));
    out.push("  Engineer, Deployment ready (yes/no), Notes, Issues/Blockers; timestamp by the tool");
    if (plan.signoff.requireAllRequiredPassed)
      out.push('  "ready: yes" is refused while a required item failed without an override');
  }
  // Text from the checklist (commands, descriptions) cannot drive the terminal.
  return sanitizeText(`${out.join("\n")}\n`);
}

export async function run(args: string[], options: GlobalOptions): Promise<number> {
  const plan = await buildPlan(args[0]!, parseVarFlags(options.var), process.cwd(), process.env);
  process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan));
  return 0;
}
