// @ts-nocheck
// The `kube` step kind: context, namespace, rolloutStatus, pods, image, history, resources and rolloutUndo
// through the Kubernetes API. The client (src/kube/client.ts) is imported only when a check needs the API.

import { KUBE_CHECKS } from "../checklist/kinds.js";
import type { KubeCheckName, KubeStep, NestedStep, Step } from "../checklist/schema.js";
import { interpolate } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { DeploycheckError, KubeError } from "../errors.js";
import type { KubeClient } from "../kube/client.js";
import { dryRunOutcome, failure, stoppedOutcome, userRegex } from "./format.js";
import type { ExecContext, Executor } from "./types.js";

export const DEFAULT_ROLLOUT_TIMEOUT_MS = 300_000;

type Check<K extends KubeCheckName> = NonNullable<KubeStep[K]>;
type Text = (s: string) => string;

function checkName(spec: KubeStep): KubeCheckName {
  const name = KUBE_CHECKS.find((k) => spec[k] !== undefined);
  if (!name) throw new Error("kube step without a check (the loader should have refused it)");
  return name;
}

async function connect(ctx: ExecContext): Promise<KubeClient> {
  const { KubeClient } = await import("../kube/client.js");
  return KubeClient.connect({ env: ctx.env, ...(ctx.kube.context ? { context: ctx.kube.context } : {}) });
}

function errorOutcome(err: unknown): StepOutcome {
  if (err instanceof DeploycheckError) {
    return failure(err.message, {
      error: err.hint ? `${err.message}\n  ${err.hint}` : err.message,
      ...(err.hint ? { details: { hint: err.hint } } : {}),
    });
  }
  throw err;
}

export const execute: Executor = async (step: Step | NestedStep, ctx: ExecContext): Promise<StepOutcome> => {
  const spec = step.kube;
  if (!spec) throw new Error("not a kube step");
  const text: Text = (s) => interpolate(s, ctx.vars, ctx.env);
  const started = ctx.now();
  try {
    switch (checkName(spec)) {
      case "context":
        return await checkContext(spec.context!, ctx, text);
      case "namespace":
        return await checkNamespace(spec.namespace!, ctx, text);
      case "rolloutStatus":
        return await checkRolloutStatus(spec.rolloutStatus!, ctx, text);
      case "pods":
        return await checkPods(spec.pods!, ctx, text);
      case "image":
        return await checkImage(spec.image!, ctx, text);
      case "history":
        return await checkHistory(spec.history!, ctx, text);
      case "resources":
        return await checkResources(spec.resources!, ctx, text);
      case "rolloutUndo":
        return await rolloutUndo(spec.rolloutUndo!, ctx, text);
    }
  } catch (err) {
    if (ctx.signal.aborted) return stoppedOutcome(ctx, started, ctx.now());
    return errorOutcome(err);
  }
};

// ---- context and namespace ----------------------------------------------------------------------

async function checkContext(check: Check<"context">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const { readKubeconfig, resolveContext } = await import("../kube/kubeconfig.js");
  const view = readKubeconfig(ctx.env);
  const current = ctx.kube.context ?? view.currentContext;
  const pattern = text(check.matches);
  if (!current) {
    return failure(
      `no current context in kubeconfig ${view.files.join(", ")}; expected one matching "${pattern}"`,
    );
  }
  if (ctx.kube.context) resolveContext(view, ctx.kube.context);
  const details = { context: current, expected: pattern, kubeconfig: view.files };
  if (!userRegex(pattern).test(current)) {
    return failure(`current context "${current}" does not match "${pattern}"`, { details });
  }
  // The context is right, so API steps will follow (usually after a few prompts): start loading the client
  // now, in the background, so the first of them does not wait for it.
  void import("../kube/client.js").then((m) => m.loadClientModule()).catch(() => undefined);
  return { status: "passed", summary: `context "${current}" matches "${pattern}"`, details };
}

async function checkNamespace(check: Check<"namespace">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const name = text(typeof check === "string" ? check : check.name);
  const client = await connect(ctx);
  const ns = await client.readNamespace(name, ctx.signal);
  const phase = ns.status?.phase ?? "Active";
  return {
    status: "passed",
    summary: `namespace "${name}" exists (${phase})`,
    details: { namespace: name, phase, context: client.context.name },
  };
}

// ---- rollout status -------------------------------------------------------------------------------

/** Margin before the step's own timeout: end the wait with kubectl's message before the runner aborts it. */
const TIMEOUT_MARGIN_MS = 100;

async function waitRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  ctx: ExecContext,
  startedAt: number,
): Promise<{
  outcome: "done" | "failed" | "timeout";
  message: string;
  messages: string[];
  revision: string | undefined;
}> {
  const { waitForRollout, TIMED_OUT } = await import("../kube/wait.js");
  const result = await waitForRollout(client, namespace, name, {
    signal: ctx.signal,
    timeoutMs:
      ctx.timeoutMs === undefined
        ? DEFAULT_ROLLOUT_TIMEOUT_MS
        : Math.max(0, ctx.timeoutMs - (ctx.now() - startedAt) - TIMEOUT_MARGIN_MS),
    onMessage: (m) => ctx.progress.message(m),
  });
  const revision = result.deployment.metadata?.annotations?.["deployment.kubernetes.io/revision"];
  if (result.timedOut) return { outcome: "timeout", message: TIMED_OUT, messages: result.messages, revision };
  return {
    outcome: result.verdict.done ? "done" : "failed",
    message: result.verdict.message,
    messages: result.messages,
    revision,
  };
}

async function checkRolloutStatus(
  check: Check<"rolloutStatus">,
  ctx: ExecContext,
  text: Text,
): Promise<StepOutcome> {
  const started = ctx.now();
  const client = await connect(ctx);
  const namespace = client.namespaceOr(check.namespace && text(check.namespace));
  const name = text(check.deployment);
  const result = await waitRollout(client, namespace, name, ctx, started);
  const details = { deployment: name, namespace, revision: result.revision, messages: result.messages };
  const output = result.messages.join("\n");
  if (result.outcome === "done") return { status: "passed", summary: result.message, details, output };
  const last = result.messages.at(-1);
  const summary = result.outcome === "timeout" && last ? `${result.message} (${last})` : result.message;
  return failure(summary, { details, output });
}

// ---- pods -----------------------------------------------------------------------------------------

async function checkPods(check: Check<"pods">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const { podRow, isHealthy } = await import("../kube/pods.js");
  const client = await connect(ctx);
  const namespace = client.namespaceOr(check.namespace && text(check.namespace));
  const selector = text(check.selector);
  const pods = await client.listPods(namespace, selector, ctx.signal);
  const rows = pods.map(podRow);
  const healthy = pods.filter(isHealthy).length;
  const min = check.min ?? 1;
  const details = { namespace, selector, pods: rows, ready: healthy, total: pods.length };
  const output = rows.map((r) => `${r.name}  ${r.ready}  ${r.status}  ${r.restarts}`).join("\n");
  const summary = `${healthy}/${pods.length} pods ready`;
  if (pods.length < min) {
    return failure(
      pods.length === 0
        ? `no pods match "${selector}" in namespace "${namespace}" (expected at least ${min})`
        : `${summary}: ${pods.length} pods match "${selector}", expected at least ${min}`,
      { details, output },
    );
  }
  const bad = rows.filter((_row, i) => !isHealthy(pods[i]!));
  if (bad.length > 0) {
    const list = bad.map((r) => `${r.name} (${r.status}, ${r.ready} ready)`).join(", ");
    return failure(`${summary}: not ready: ${list}`, { details, output });
  }
  return { status: "passed", summary, details, output };
}

// ---- image, history, resources ----------------------------------------------------------------------

function deploymentTarget(
  check: { deployment: string; namespace?: string | undefined },
  client: KubeClient,
  text: Text,
) {
  return {
    namespace: client.namespaceOr(check.namespace && text(check.namespace)),
    name: text(check.deployment),
  };
}

/** An expected image matches the full reference, or just its tag when it names only a tag ("1.9.0"). */
export function imageMatches(image: string, expected: string): boolean {
  if (image === expected) return true;
  if (/[/:@]/.test(expected)) return false;
  const tag = /:([^/:@]+)$/.exec(image.split("@")[0]!)?.[1];
  return tag === expected;
}

async function checkImage(check: Check<"image">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const client = await connect(ctx);
  const { namespace, name } = deploymentTarget(check, client, text);
  const d = await client.readDeployment(namespace, name, ctx.signal);
  const containers = d.spec?.template?.spec?.containers ?? [];
  const wanted = check.container && text(check.container);
  const container = wanted ? containers.find((c) => c.name === wanted) : containers[0];
  if (!container) {
    return failure(
      wanted
        ? `deployment "${name}" has no container "${wanted}" (containers: ${containers.map((c) => c.name).join(", ")})`
        : `deployment "${name}" has no containers`,
    );
  }
  const image = container.image ?? "";
  const images = Object.fromEntries(containers.map((c) => [c.name, c.image ?? ""]));
  const details: Record<string, unknown> = {
    deployment: name,
    namespace,
    container: container.name,
    image,
    images,
  };
  const saved = check.saveAs ? { saved: { [check.saveAs]: image } } : {};
  if (check.equals !== undefined) {
    const expected = text(check.equals);
    details["expected"] = expected;
    if (!imageMatches(image, expected)) {
      return failure(`image ${image}, expected ${expected}`, { details, ...saved });
    }
  }
  if (check.notEquals !== undefined) {
    const unexpected = text(check.notEquals);
    details["notExpected"] = unexpected;
    if (imageMatches(image, unexpected)) {
      return failure(`image is still ${image}`, { details, ...saved });
    }
  }
  return { status: "passed", summary: `image ${image}`, details, ...saved };
}

async function checkHistory(check: Check<"history">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const { revisionHistory, formatHistory, selectorOf, revisionOf } = await import("../kube/history.js");
  const client = await connect(ctx);
  const { namespace, name } = deploymentTarget(check, client, text);
  const d = await client.readDeployment(namespace, name, ctx.signal);
  const rss = await client.listReplicaSets(namespace, selectorOf(d), ctx.signal);
  const history = revisionHistory(d, rss);
  const current = revisionOf(d);
  const currentEntry = history.find((h) => h.revision === current);
  const details = { deployment: name, namespace, currentRevision: current, revisions: history };
  const output = formatHistory(`deployment.apps/${name}`, history);
  const saved = check.saveAs ? { saved: { [check.saveAs]: String(current) } } : {};
  if (history.length === 0)
    return { status: "passed", summary: "No rollout history found.", details, output, ...saved };
  const cause = currentEntry && currentEntry.changeCause !== "<none>" ? ` (${currentEntry.changeCause})` : "";
  const summary = `${history.length} revision${history.length === 1 ? "" : "s"}, current ${current}${cause}`;
  return { status: "passed", summary, details, output, ...saved };
}

async function checkResources(check: Check<"resources">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const { resourceProblems, formatResources } = await import("../kube/resources.js");
  const client = await connect(ctx);
  const { namespace, name } = deploymentTarget(check, client, text);
  const d = await client.readDeployment(namespace, name, ctx.signal);
  const containers = d.spec?.template?.spec?.containers ?? [];
  const bounds = {
    ...(check.max
      ? {
          max: {
            cpu: check.max.cpu && text(check.max.cpu),
            memory: check.max.memory && text(check.max.memory),
          },
        }
      : {}),
    ...(check.min
      ? {
          min: {
            cpu: check.min.cpu && text(check.min.cpu),
            memory: check.min.memory && text(check.min.memory),
          },
        }
      : {}),
  };
  const problems = resourceProblems(containers, bounds);
  const details = {
    deployment: name,
    namespace,
    containers: containers.map((c) => ({
      name: c.name,
      requests: c.resources?.requests ?? {},
      limits: c.resources?.limits ?? {},
    })),
    ...(problems.length ? { problems } : {}),
  };
  if (problems.length > 0) return failure(problems.join("; "), { details });
  return { status: "passed", summary: formatResources(containers), details };
}

// ---- rollout undo -----------------------------------------------------------------------------------

function toRevisionOf(check: Check<"rolloutUndo">, text: Text): number {
  if (check.toRevision === undefined) return 0;
  const value =
    typeof check.toRevision === "number" ? check.toRevision : Number(text(check.toRevision).trim());
  if (!Number.isInteger(value) || value < 0) {
    throw new KubeError(`toRevision must be a revision number, got "${check.toRevision}"`);
  }
  return value;
}

async function rolloutUndo(check: Check<"rolloutUndo">, ctx: ExecContext, text: Text): Promise<StepOutcome> {
  const started = ctx.now();
  const { planUndo, selectorOf, revisionOf, imagesOf } = await import("../kube/history.js");
  const toRevision = toRevisionOf(check, text);
  const client = await connect(ctx);
  const { namespace, name } = deploymentTarget(check, client, text);
  const d = await client.readDeployment(namespace, name, ctx.signal);
  const rss = await client.listReplicaSets(namespace, selectorOf(d), ctx.signal);
  const plan = planUndo(d, rss, name, toRevision);
  const imageBefore = imagesOf(d.spec?.template).join(", ");
  const details: Record<string, unknown> = {
    deployment: name,
    namespace,
    revisionBefore: revisionOf(d),
    imageBefore,
  };
  if (plan.action === "refuse") return failure(plan.message, { details });
  const saved = check.saveAs ? { saved: { [check.saveAs]: String(plan.fromRevision) } } : {};
  details["targetRevision"] = plan.targetRevision;
  if (plan.action === "skip") {
    return { status: "passed", summary: plan.message, details: { ...details, skipped: true }, ...saved };
  }
  details["targetImage"] = plan.targetImages.join(", ");
  if (ctx.dryRun) {
    return {
      ...dryRunOutcome(
        `roll back deployment/${name} in ${namespace} to revision ${plan.targetRevision} (${plan.targetImages.join(", ")})`,
      ),
      details,
    };
  }
  // Always confirm in an interactive run; a non-interactive run was started with this step in its checklist.
  if (ctx.interactive) {
    const ok = await ctx.prompter.confirm(
      `Undo the last rollout of deployment/${name} in ${namespace}, switching it to revision ${plan.targetRevision} (${plan.targetImages.join(", ")})?`,
      {
        default: false,
      },
    );
    if (!ok) return failure("rollback not confirmed: nothing was changed", { details });
  }
  await client.patchDeployment(namespace, name, plan.patch, ctx.signal);
  ctx.progress.message(`deployment.apps/${name} rolled back`);
  const lines = [`deployment.apps/${name} rolled back`];
  if (check.wait === false) {
    return {
      status: "passed",
      summary: `rolled back deployment/${name} to revision ${plan.targetRevision} (${plan.targetImages.join(", ")}); not waiting`,
      details,
      output: lines.join("\n"),
      ...saved,
    };
  }
  const result = await waitRollout(client, namespace, name, ctx, started);
  lines.push(...result.messages);
  details["revisionAfter"] = result.revision === undefined ? undefined : Number(result.revision);
  details["rollout"] = result.message;
  if (result.outcome !== "done") {
    return failure(`rolled back, but the rollout did not finish: ${result.message}`, {
      details,
      output: lines.join("\n"),
      ...saved,
    });
  }
  const after = await client.readDeployment(namespace, name, ctx.signal);
  details["imageAfter"] = imagesOf(after.spec?.template).join(", ");
  details["revisionAfter"] = revisionOf(after);
  return {
    status: "passed",
    summary: `rolled back deployment/${name} from revision ${plan.fromRevision} to revision ${plan.targetRevision} (${details["imageAfter"]}), now revision ${details["revisionAfter"]}`,
    details,
    output: lines.join("\n"),
    ...saved,
  };
}

// ---- describe ---------------------------------------------------------------------------------------

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeKube as describe } from "../checklist/describe.js";
