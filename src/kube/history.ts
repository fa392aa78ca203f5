// A deployment's revision history and the plan of `kubectl rollout undo` (kubectl's history.go and
// rollback.go, pkg/util/deployment), pure: the caller fetches the objects and sends the patch.
import { canonicalJson } from "../record/canonical.js";
import type { DeploymentLike, PodTemplateLike, ReplicaSetLike } from "./types.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";
const POD_TEMPLATE_HASH = "pod-template-hash";
/** Annotations a rollback never takes from the ReplicaSet: the deployment keeps its own values. */
const ANNOTATIONS_TO_SKIP = [
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
];

export interface Revision {
  revision: number;
  changeCause: string;
  replicaSet: string;
  images: string[];
  replicas: number;
}

/** Revision annotation of a ReplicaSet or deployment; missing or unparsable counts as 0. */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const n = Number.parseInt(obj.metadata?.annotations?.[REVISION_ANNOTATION] ?? "", 10);
  return Number.isFinite(n) ? n : 0;
}

/** The deployment's label selector as a query string (matchLabels). */
export function selectorOf(deployment: DeploymentLike): string {
  return Object.entries(deployment.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** ReplicaSets the deployment controls: an ownerReference with controller: true and the deployment's uid. */
export function controlledReplicaSets(
  deployment: DeploymentLike,
  replicaSets: ReplicaSetLike[],
): ReplicaSetLike[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) =>
    // Stryker disable next-line ArrayDeclaration: a made-up element has no `controller`, so matches nothing either.
    (rs.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.uid === uid),
  );
}

export function imagesOf(template: PodTemplateLike | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? "");
}

/** The history kubectl prints, oldest first (a ReplicaSet per revision). */
export function revisionHistory(deployment: DeploymentLike, replicaSets: ReplicaSetLike[]): Revision[] {
  return (
    controlledReplicaSets(deployment, replicaSets)
      // A controlled ReplicaSet has metadata: its owner reference is in it.
      .map((rs) => ({
        revision: revisionOf(rs),
        changeCause: rs.metadata!.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? "<none>",
        replicaSet: rs.metadata!.name ?? "",
        images: imagesOf(rs.spec?.template),
        replicas: rs.spec?.replicas ?? 0,
      }))
      .sort((a, b) => a.revision - b.revision)
  );
}

/** kubectl's `rollout history` table. */
export function formatHistory(kindName: string, history: Revision[]): string {
  if (history.length === 0) return "No rollout history found.";
  const width = Math.max("REVISION".length, ...history.map((h) => String(h.revision).length)) + 2;
  const rows = history.map((h) => `${String(h.revision).padEnd(width)}${h.changeCause}`);
  return [`${kindName} `, `${"REVISION".padEnd(width)}CHANGE-CAUSE`, ...rows].join("\n");
}

/**
 * Plain JSON (the template went through JSON already) without empty maps, empty lists and nulls:
 * apimachinery's semantic equality treats them alike. Key order is canonicalJson's business.
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    return items.length ? items : undefined;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, normalise(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value === null ? undefined : value;
}

function withoutHash(template: PodTemplateLike | undefined): PodTemplateLike {
  const copy: PodTemplateLike = JSON.parse(JSON.stringify(template ?? {}));
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

/** kubectl's equalIgnoreHash: the templates are equal once the pod-template-hash label is removed. */
export function equalIgnoreHash(a: PodTemplateLike | undefined, b: PodTemplateLike | undefined): boolean {
  return (
    canonicalJson(normalise(withoutHash(a)) ?? null) === canonicalJson(normalise(withoutHash(b)) ?? null)
  );
}

export type JsonPatchOperation = { op: "replace"; path: string; value: unknown };

export type UndoPlan =
  | {
      action: "patch";
      /** The revision rolled back to (as found on its ReplicaSet). */
      targetRevision: number;
      /** The deployment's revision before the rollback. */
      fromRevision: number;
      targetImages: string[];
      patch: JsonPatchOperation[];
    }
  | { action: "skip"; targetRevision: number; fromRevision: number; message: string }
  | { action: "refuse"; message: string };

/**
 * What `kubectl rollout undo [--to-revision=N]` would do: find the ReplicaSet of the target revision (the
 * second highest when none is given), refuse for a paused deployment, skip when the template already matches,
 * else one JSON patch replacing /spec/template (without pod-template-hash) and /metadata/annotations.
 */
export function planUndo(
  deployment: DeploymentLike,
  replicaSets: ReplicaSetLike[],
  name: string,
  toRevision = 0,
): UndoPlan {
  if (toRevision < 0)
    return { action: "refuse", message: `unable to find specified revision ${toRevision} in history` };
  let target: ReplicaSetLike | undefined;
  let latest: { rs?: ReplicaSetLike; revision: number } = { revision: -1 };
  let previous: { rs?: ReplicaSetLike; revision: number } = { revision: -1 };
  for (const rs of controlledReplicaSets(deployment, replicaSets)) {
    const v = revisionOf(rs);
    if (toRevision === 0) {
      if (latest.revision < v) {
        previous = latest;
        latest = { rs, revision: v };
      } else if (previous.revision < v) {
        previous = { rs, revision: v };
      }
    } else if (v === toRevision) {
      target = rs;
      break;
    }
  }
  if (toRevision > 0 && !target) {
    return { action: "refuse", message: `unable to find specified revision ${toRevision} in history` };
  }
  if (toRevision === 0) {
    if (!previous.rs)
      return { action: "refuse", message: `no rollout history found for deployment "${name}"` };
    target = previous.rs;
  }
  const rs = target!;
  if (deployment.spec?.paused) {
    return {
      action: "refuse",
      message:
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    };
  }
  const targetRevision = revisionOf(rs);
  const fromRevision = revisionOf(deployment);
  if (equalIgnoreHash(rs.spec?.template, deployment.spec?.template)) {
    // kubectl names the revision it was asked for (0 when none was given).
    return {
      action: "skip",
      targetRevision,
      fromRevision,
      message: `skipped rollback (current template already matches revision ${toRevision})`,
    };
  }
  const template = withoutHash(rs.spec?.template);
  const annotations: Record<string, string> = {};
  const own = deployment.metadata?.annotations ?? {};
  for (const k of ANNOTATIONS_TO_SKIP) if (own[k] !== undefined) annotations[k] = own[k];
  for (const [k, v] of Object.entries(rs.metadata!.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.includes(k)) annotations[k] = v;
  }
  return {
    action: "patch",
    targetRevision,
    fromRevision,
    targetImages: imagesOf(template),
    patch: [
      { op: "replace", path: "/spec/template", value: template },
      { op: "replace", path: "/metadata/annotations", value: annotations },
    ],
  };
}
