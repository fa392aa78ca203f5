// @ts-nocheck
// Discovery documents and server-side Table output of the simulated API server: what kubectl reads to
// find resources and what `kubectl get` prints.
import { type Condition, humanAge, type KubeObject } from "./kube-objects.js";

const VERBS = ["get", "list", "watch", "patch"];
/** Leases and configmaps are written whole by clients (team state), so they take every verb. */
const WRITE_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"];

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean",
  buildDate: "2025-04-22T16:03:52Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export const CORE_V1 = {
  kind: "APIResourceList",
  groupVersion: "v1",
  resources: [
    {
      name: "namespaces",
      singularName: "namespace",
      namespaced: false,
      kind: "Namespace",
      verbs: VERBS,
      shortNames: ["ns"],
    },
    {
      name: "pods",
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      verbs: VERBS,
      shortNames: ["po"],
      categories: ["all"],
    },
    {
      name: "events",
      singularName: "event",
      namespaced: true,
      kind: "Event",
      verbs: VERBS,
      shortNames: ["ev"],
    },
    {
      name: "configmaps",
      singularName: "configmap",
      namespaced: true,
      kind: "ConfigMap",
      verbs: WRITE_VERBS,
      shortNames: ["cm"],
    },
  ],
};

export const COORDINATION_V1 = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: "coordination.k8s.io/v1",
  resources: [{ name: "leases", singularName: "lease", namespaced: true, kind: "Lease", verbs: WRITE_VERBS }],
};

export const AUTHORIZATION_V1 = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: "authorization.k8s.io/v1",
  resources: [
    {
      name: "selfsubjectaccessreviews",
      singularName: "selfsubjectaccessreview",
      namespaced: false,
      kind: "SelfSubjectAccessReview",
      verbs: ["create"],
    },
  ],
};

export const APPS_V1 = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: "apps/v1",
  resources: [
    {
      name: "deployments",
      singularName: "deployment",
      namespaced: true,
      kind: "Deployment",
      verbs: VERBS,
      shortNames: ["deploy"],
      categories: ["all"],
    },
    {
      name: "replicasets",
      singularName: "replicaset",
      namespaced: true,
      kind: "ReplicaSet",
      verbs: VERBS,
      shortNames: ["rs"],
      categories: ["all"],
    },
  ],
};

export const API_GROUPS = {
  kind: "APIGroupList",
  apiVersion: "v1",
  groups: ["apps", "coordination.k8s.io", "authorization.k8s.io"].map((name) => ({
    name,
    versions: [{ groupVersion: `${name}/v1`, version: "v1" }],
    preferredVersion: { groupVersion: `${name}/v1`, version: "v1" },
  })),
};

/** Each API group's discovery documents by group name: /apis/<group> and /apis/<group>/v1. */
export const GROUP_RESOURCES: Record<string, { group: (typeof API_GROUPS.groups)[number]; v1: unknown }> = {
  apps: { group: API_GROUPS.groups[0]!, v1: APPS_V1 },
  "coordination.k8s.io": { group: API_GROUPS.groups[1]!, v1: COORDINATION_V1 },
  "authorization.k8s.io": { group: API_GROUPS.groups[2]!, v1: AUTHORIZATION_V1 },
};

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
}

const col = (name: string, type = "string", format = ""): Column => ({
  name,
  type,
  format,
  description: name,
});

/** Column definitions and cells of `kubectl get` for each resource, as the real server's printers give them. */
const PRINTERS: Record<string, { columns: Column[]; cells(o: KubeObject, now: number): unknown[] }> = {
  Namespace: {
    columns: [col("Name", "string", "name"), col("Status"), col("Age")],
    cells: (o, now) => [o.metadata.name, o.status?.phase ?? "Active", age(o, now)],
  },
  Pod: {
    columns: [
      col("Name", "string", "name"),
      col("Ready"),
      col("Status"),
      col("Restarts", "string"),
      col("Age"),
    ],
    cells: (o, now) => {
      const statuses: Array<{
        ready?: boolean;
        restartCount?: number;
        state?: Record<string, { reason?: string }>;
      }> = o.status?.containerStatuses ?? [];
      const total = o.spec?.containers?.length ?? statuses.length;
      const ready = statuses.filter((s) => s.ready && s.state?.["running"]).length;
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      return [o.metadata.name, `${ready}/${total}`, podStatus(o), restarts, age(o, now)];
    },
  },
  Deployment: {
    columns: [
      col("Name", "string", "name"),
      col("Ready"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Age"),
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      age(o, now),
    ],
  },
  ReplicaSet: {
    columns: [
      col("Name", "string", "name"),
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Age"),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.replicas ?? 0,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      age(o, now),
    ],
  },
  ConfigMap: {
    columns: [col("Name", "string", "name"), col("Data", "integer"), col("Age")],
    cells: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length, age(o, now)],
  },
  Lease: {
    columns: [col("Name", "string", "name"), col("Holder"), col("Age")],
    cells: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? "", age(o, now)],
  },
  Event: {
    columns: [col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Message")],
    cells: (o) => ["", "", "", o.metadata.name, ""],
  },
};

function age(o: KubeObject, now: number): string {
  return humanAge(now - Date.parse(o.metadata.creationTimestamp));
}

/** The STATUS column: the phase, overridden by a waiting/terminated reason, or Terminating. */
export function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? "Unknown";
  for (const s of pod.status?.containerStatuses ?? []) {
    const r = s.state?.waiting?.reason ?? s.state?.terminated?.reason;
    if (r) reason = r;
  }
  return reason;
}

export function isPodReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: Condition) => c.type === "Ready" && c.status === "True");
}

/** Does the Accept header ask for a meta.k8s.io Table? */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? "");
}

export function toTable(
  kind: string,
  objects: KubeObject[],
  resourceVersion: string,
  now: number,
  includeObject: string | null,
) {
  const printer = PRINTERS[kind] ?? {
    columns: [col("Name", "string", "name"), col("Age")],
    cells: (o: KubeObject, n: number) => [o.metadata.name, age(o, n)],
  };
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: printer.columns.map((c, i) => ({ ...c, priority: 0, ...(i === 0 ? {} : {}) })),
    rows: objects.map((o) => ({
      cells: printer.cells(o, now),
      object:
        includeObject === "None"
          ? undefined
          : includeObject === "Object"
            ? o
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
