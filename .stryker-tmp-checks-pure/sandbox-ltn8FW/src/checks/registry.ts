// @ts-nocheck
// Step kind -> its check module: the one place that dispatches on kind. Modules load on demand,
// so `show` and `--help` never pay for execa, HTTP or the Kubernetes client.

import { stepKind } from "../checklist/kinds.js";
import type { NestedStep, Step, StepKind } from "../checklist/schema.js";
import type { DescribeOptions, Describer, Executor } from "./types.js";

export interface CheckModule {
  execute: Executor;
  describe: Describer;
}

const modules: Record<StepKind, () => Promise<CheckModule>> = {
  confirm: () => import("./confirm.js"),
  input: () => import("./input.js"),
  note: () => import("./note.js"),
  run: () => import("./run.js"),
  file: () => import("./file.js"),
  http: () => import("./http.js"),
  kube: () => import("./kube.js"),
  prometheus: () => import("./prometheus.js"),
  notify: () => import("./notify.js"),
  watch: () => import("./watch.js"),
};

/** Wraps every check module as it loads; only `deploycheck demo --fail-at` sets one (fault injection). */
export type CheckDecorator = (kind: StepKind, mod: CheckModule) => CheckModule;
let decorator: CheckDecorator | undefined;

/** Install (or with undefined, remove) the decorator applied by loadCheck. */
export function decorateChecks(next: CheckDecorator | undefined): void {
  decorator = next;
}

export async function loadCheck(kind: StepKind): Promise<CheckModule> {
  const mod = await modules[kind]();
  return decorator ? decorator(kind, mod) : mod;
}

export async function executorFor(step: Step | NestedStep): Promise<Executor> {
  return (await loadCheck(stepKind(step))).execute;
}

/** What the step will do, variables interpolated and secrets masked (for `show` and --dry-run). */
export async function describeStep(
  step: Step | NestedStep,
  vars: Record<string, string>,
  options?: DescribeOptions,
): Promise<string> {
  return (await loadCheck(stepKind(step))).describe(step, vars, options);
}
