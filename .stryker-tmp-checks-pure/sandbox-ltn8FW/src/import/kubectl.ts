// @ts-nocheck
// Turning the kubectl commands of a checklist into native kube checks (or saying they are not one). Pure.
import type { KubeStep } from "../checklist/schema.js";
import { pipeline, shellWords } from "./command.js";

/** What the converter needs from its variables: a reference for a namespace or a deployment name. */
export interface KubeRefs {
  namespace(value: string): string;
  deployment(value: string): string;
  /** A label selector with known deployment names replaced by their variable. */
  selector(value: string): string;
  /**
   * The regular expression a context name must match: from the context the text names (`stated`), else
   * the document's environment; undefined when it names neither.
   */
  contextPattern(stated?: string): string | undefined;
}

export interface KubeCommand {
  kube: KubeStep;
  /** kubectl's `--timeout`, as a step timeout. */
  timeout?: string;
}

interface KubectlArgs {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = new Map([
  ["-n", "namespace"],
  ["--namespace", "namespace"],
  ["-l", "selector"],
  ["--selector", "selector"],
  ["--timeout", "timeout"],
  ["--to-revision", "to-revision"],
  ["--context", "context"],
  ["-o", "output"],
  ["--output", "output"],
  ["-c", "container"],
  ["--container", "container"],
]);

function parseArgs(words: string[]): KubectlArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf("=");
    const name = w.startsWith("-") && eq > 0 ? w.slice(0, eq) : w;
    const known = VALUE_FLAGS.get(name);
    if (known && eq > 0 && w.startsWith("-")) flags.set(known, w.slice(eq + 1));
    else if (known && i + 1 < words.length) flags.set(known, words[++i]!);
    else if (w.startsWith("-")) flags.set(w, "true");
    else positional.push(w);
  }
  return { positional, flags };
}

/** `deployment/api`, `deploy/api`, `deployments.apps/api`, or `deployment api` -> `api`. */
function deploymentTarget(positional: string[]): string | undefined {
  const [first, second] = positional;
  if (!first) return undefined;
  const slash = /^(deployments?|deploy)(?:\.apps)?\/(.+)$/.exec(first);
  if (slash) return slash[2];
  if (/^(deployments?|deploy)(?:\.apps)?$/.test(first) && second) return second;
  return undefined;
}

const KUBECTL_MUTATING = new Set([
  "apply",
  "create",
  "delete",
  "patch",
  "scale",
  "set",
  "edit",
  "replace",
  "annotate",
  "label",
  "drain",
  "cordon",
  "uncordon",
  "taint",
  "autoscale",
  "expose",
  "run",
]);

/** Whether a kubectl command changes the cluster (for the `run` steps that stay shell commands). */
export function kubectlMutates(command: string): boolean {
  const { positional } = parseArgs(shellWords(pipeline(command)[0] ?? ""));
  const [verb, sub] = positional;
  if (verb === "rollout") return sub !== "status" && sub !== "history";
  if (verb === "config") return sub === "use-context" || sub === "set-context";
  return verb !== undefined && KUBECTL_MUTATING.has(verb);
}

/** Flags that point kubectl elsewhere than the current context, or make it do something a check cannot. */
const NOT_NATIVE =
  /^(?:--context|--kubeconfig|--cluster|--server|-s|--as|--as-group|--user|--token|-A|--all-namespaces|-w|--watch|--watch-only|-f|--filename|-k|--kustomize|--raw)(?:=|$)/;

/**
 * The native kube check a kubectl (or oc) command amounts to, or undefined when it is none of them.
 * `stated` is what the document says the command prints (the context a current-context check must show).
 */
export function kubeCheck(command: string, refs: KubeRefs, stated?: string): KubeCommand | undefined {
  if (/[`<>]|\$\(|\n/.test(command)) return undefined;
  const parts = pipeline(command);
  const words = shellWords(parts[0] ?? "");
  if (words[0] !== "kubectl" && words[0] !== "oc") return undefined;
  if (words.some((w) => NOT_NATIVE.test(w)) || /[;&]/.test(command)) return undefined;
  const { positional, flags } = parseArgs(words);
  const ns = flags.get("namespace");
  const namespace = ns ? { namespace: refs.namespace(ns) } : {};
  const [verb, sub, ...rest] = positional;
  const timeout = flags.get("timeout");
  const withTimeout = (kube: KubeStep): KubeCommand =>
    timeout && /^\d+(?:ms|s|m|h)$/.test(timeout) && !/^0\D/.test(timeout) ? { kube, timeout } : { kube };
  const greps = parts.slice(1).map((p) => p.toLowerCase());
  const restAfterPipes = parts.length === 1 || greps.every((p) => p.startsWith("grep"));
  if (!restAfterPipes) return undefined;

  if (verb === "config" && sub === "current-context" && parts.length === 1) {
    const matches = refs.contextPattern(stated);
    return matches === undefined ? undefined : { kube: { context: { matches } } };
  }
  if (verb === "get" && sub && /^(namespaces?|ns)$/.test(sub) && rest.length === 1 && parts.length === 1) {
    return { kube: { namespace: refs.namespace(rest[0]!) } };
  }
  if (verb === "rollout") {
    const deployment = deploymentTarget(rest);
    if (!deployment || parts.length > 1) return undefined;
    const target = { deployment: refs.deployment(deployment), ...namespace };
    if (sub === "status") return withTimeout({ rolloutStatus: target });
    if (sub === "history") return { kube: { history: target } };
    if (sub === "undo") {
      const revision = flags.get("to-revision");
      const toRevision = revision && /^\d+$/.test(revision) ? { toRevision: Number(revision) } : {};
      return { kube: { rolloutUndo: { ...target, ...toRevision } } };
    }
    return undefined;
  }
  const output = flags.get("output");
  if (
    verb === "get" &&
    sub &&
    /^(pods?|po)$/.test(sub) &&
    rest.length === 0 &&
    parts.length === 1 &&
    (output === undefined || output === "wide")
  ) {
    // Without a selector: every pod of the namespace, as `kubectl get pods` lists them.
    const selector = flags.get("selector") ?? "";
    return { kube: { pods: { selector: refs.selector(selector), ...namespace } } };
  }
  const imageAsked =
    greps.some((g) => g.includes("image")) || (flags.get("output") ?? "").toLowerCase().includes("image");
  if ((verb === "describe" || verb === "get") && imageAsked && sub) {
    const deployment = deploymentTarget([sub, ...rest]);
    if (deployment) return { kube: { image: { deployment: refs.deployment(deployment), ...namespace } } };
  }
  if (
    (verb === "get" || verb === "describe") &&
    sub &&
    parts.length === 1 &&
    (output === undefined || output === "wide")
  ) {
    // `kubectl get deployment api`: what the engineer reads there is whether it is rolled out and ready.
    const deployment = deploymentTarget([sub, ...rest]);
    const extra = /^(deployments?|deploy)(?:\.apps)?$/.test(sub) ? rest.slice(1) : rest;
    if (deployment && extra.length === 0 && !deployment.includes("/"))
      return { kube: { rolloutStatus: { deployment: refs.deployment(deployment), ...namespace } } };
  }
  return undefined;
}
