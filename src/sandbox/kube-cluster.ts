// The simulated cluster's state (namespaces, deployments, replicasets, pods), the change feed that
// watches read, and a deployment controller that rolls out template changes over time as the real one does.
import {
  ANNOTATIONS_NOT_COPIED,
  CHANGE_CAUSE,
  type Condition,
  type Container,
  clone,
  DESIRED_REPLICAS,
  type KubeObject,
  type Labels,
  MAX_REPLICAS,
  newUid,
  POD_TEMPLATE_HASH,
  type PodTemplate,
  pruneNulls,
  REVISION,
  REVISION_HISTORY,
  randomSuffix,
  revisionOf,
  templateHash,
  templateKey,
  timestamp,
} from "./kube-objects.js";
import { matchesLabels, matchLabelsText, parseLabelSelector } from "./kube-selectors.js";

export type ResourceName =
  | "namespaces"
  | "pods"
  | "events"
  | "deployments"
  | "replicasets"
  | "configmaps"
  | "leases";

/** The resources clients create, replace and delete as whole objects (team state: leases and configmaps). */
export type StoredResourceName = "configmaps" | "leases";

/** Why a create/update/delete of a stored object was refused, as the API server says it. */
export class StoreError extends Error {
  constructor(
    readonly code: 404 | 409 | 422,
    readonly reason: "NotFound" | "AlreadyExists" | "Conflict" | "Invalid",
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** The API server's limit on one object (etcd's request size), which also bounds a ConfigMap's data. */
export const MAX_OBJECT_BYTES = 1024 * 1024;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  resource: ResourceName;
  rv: number;
}

export interface ClusterFaults {
  /** Pods of a new ReplicaSet run but never become ready: the rollout stalls. */
  neverReady?: boolean;
  /** Rollouts in progress stop and report ProgressDeadlineExceeded. */
  progressDeadlineExceeded?: boolean;
  /** Answer requests whose path matches with this error (a Status object). */
  apiError?: { status: number; message: string; pathRegex?: string };
  /** Delay every response by this much. */
  latencyMs?: number;
  /** Every watch from a resourceVersion answers 410 Expired, as after etcd compaction: clients list again. */
  watchExpired?: boolean;
  /** Freeze the deployment controller: nothing progresses while set. */
  pause?: boolean;
  /** The next N writes (create/update/delete) of leases and configmaps answer 409 Conflict. */
  conflictStorm?: number;
  /** Until this time (ms since the epoch), every connection is dropped without an answer. */
  unreachableUntil?: number;
  /** Requests the sandbox user may not make, as `verb resource[.group]` (e.g. `create leases.coordination.k8s.io`): 403. */
  forbidden?: string[];
}

export interface DeploymentInput {
  namespace: string;
  name: string;
  image: string;
  replicas?: number;
  labels?: Labels;
  resources?: Container["resources"];
  containerName?: string;
  changeCause?: string;
  progressDeadlineSeconds?: number;
}

const HISTORY_LIMIT = 2000;

export class KubeCluster {
  private rv = 1;
  private readonly store = new Map<ResourceName, Map<string, KubeObject>>([
    ["namespaces", new Map()],
    ["pods", new Map()],
    ["events", new Map()],
    ["deployments", new Map()],
    ["replicasets", new Map()],
    ["configmaps", new Map()],
    ["leases", new Map()],
  ]);
  private readonly history: WatchEvent[] = [];
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  /** Pod name -> the time its readiness is due (pods become ready one step after creation). */
  private readonly readyAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly faults: ClusterFaults,
    readonly rolloutStepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- store --------------------------------------------------------------------------------

  get resourceVersion(): string {
    return String(this.rv);
  }

  private key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.store.get(resource)!.get(this.key(namespace, name));
    return obj ? clone(obj) : undefined;
  }

  list(resource: ResourceName, namespace?: string, where?: (o: KubeObject) => boolean): KubeObject[] {
    return [...this.store.get(resource)!.values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && (!where || where(o)))
      .sort((a, b) =>
        this.key(a.metadata.namespace, a.metadata.name).localeCompare(
          this.key(b.metadata.namespace, b.metadata.name),
        ),
      )
      .map(clone);
  }

  /** Events after `sinceRv`, oldest first; undefined when they are no longer kept (410 Expired). */
  eventsSince(sinceRv: number): WatchEvent[] | undefined {
    const oldest = this.history[0]?.rv;
    if (oldest !== undefined && sinceRv < oldest - 1) return undefined;
    return this.history.filter((e) => e.rv > sinceRv);
  }

  subscribe(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(resource: ResourceName, type: WatchEvent["type"], object: KubeObject): void {
    const event: WatchEvent = {
      type,
      object: clone(object),
      resource,
      rv: Number(object.metadata.resourceVersion),
    };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    for (const l of this.listeners) l(event);
  }

  private write(resource: ResourceName, obj: KubeObject): KubeObject {
    const map = this.store.get(resource)!;
    const k = this.key(obj.metadata.namespace, obj.metadata.name);
    const existed = map.has(k);
    obj.metadata.resourceVersion = String(++this.rv);
    map.set(k, clone(obj));
    this.emit(resource, existed ? "MODIFIED" : "ADDED", obj);
    return obj;
  }

  private delete(resource: ResourceName, obj: KubeObject): void {
    const map = this.store.get(resource)!;
    if (!map.delete(this.key(obj.metadata.namespace, obj.metadata.name))) return;
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit(resource, "DELETED", obj);
  }

  private meta(name: string, namespace?: string) {
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: newUid(),
      resourceVersion: "",
      creationTimestamp: timestamp(this.now()),
    };
  }

  // ---- API for the server, tests and the demo -------------------------------------------------

  createNamespace(name: string): KubeObject {
    const existing = this.get("namespaces", undefined, name);
    if (existing) return existing;
    return this.write("namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { ...this.meta(name), labels: { "kubernetes.io/metadata.name": name } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }

  // ---- leases and configmaps: whole objects with resourceVersion preconditions ---------------------

  /** Create `obj` (kind and apiVersion set by the caller); AlreadyExists when the name is taken. */
  createObject(resource: StoredResourceName, namespace: string, obj: KubeObject): KubeObject {
    const name = obj.metadata?.name ?? "";
    this.checkObject(resource, name, obj);
    if (!this.get("namespaces", undefined, namespace))
      throw new StoreError(404, "NotFound", `namespaces "${namespace}" not found`);
    if (this.get(resource, namespace, name))
      throw new StoreError(409, "AlreadyExists", `${qualified(resource)} "${name}" already exists`);
    const { resourceVersion: _ignored, ...meta } = obj.metadata;
    return this.write(resource, {
      ...obj,
      metadata: { ...meta, ...this.meta(name, namespace), ...(meta.labels ? { labels: meta.labels } : {}) },
    });
  }

  /**
   * Replace the object. A resourceVersion in `obj` is a precondition: it must be the stored one, or the
   * update is a 409 Conflict (optimistic concurrency, as every Kubernetes client relies on).
   */
  updateObject(resource: StoredResourceName, namespace: string, name: string, obj: KubeObject): KubeObject {
    this.checkObject(resource, name, obj);
    if (obj.metadata.name !== name)
      throw new StoreError(
        422,
        "Invalid",
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    const current = this.get(resource, namespace, name);
    if (!current) throw new StoreError(404, "NotFound", `${qualified(resource)} "${name}" not found`);
    const wanted = obj.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(resource, name);
    return this.write(resource, {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      },
    });
  }

  /** Delete the object; a resourceVersion precondition as for updates. */
  deleteObject(
    resource: StoredResourceName,
    namespace: string,
    name: string,
    resourceVersion?: string,
  ): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw new StoreError(404, "NotFound", `${qualified(resource)} "${name}" not found`);
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
      throw conflict(resource, name);
    this.delete(resource, current);
    return current;
  }

  private checkObject(resource: StoredResourceName, name: string, obj: KubeObject): void {
    const kind = resource === "leases" ? "Lease" : "ConfigMap";
    if (!name || name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
      throw new StoreError(
        422,
        "Invalid",
        `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      );
    const size = Buffer.byteLength(JSON.stringify(obj));
    if (size > MAX_OBJECT_BYTES)
      throw new StoreError(
        422,
        "Invalid",
        `${kind} "${name}" is invalid: []: Too long: must have at most ${MAX_OBJECT_BYTES} bytes`,
      );
  }

  /** A deployment at revision 1, already rolled out (its pods ready). */
  createDeployment(input: DeploymentInput): KubeObject {
    this.createNamespace(input.namespace);
    const labels = input.labels ?? { app: input.name };
    const container: Container = {
      name: input.containerName ?? input.name,
      image: input.image,
      ports: [{ containerPort: 8080, protocol: "TCP" }],
      resources: input.resources ?? {},
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      imagePullPolicy: "IfNotPresent",
    };
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        ...this.meta(input.name, input.namespace),
        generation: 1,
        labels: { ...labels },
        annotations: input.changeCause ? { [CHANGE_CAUSE]: input.changeCause } : {},
      },
      spec: {
        replicas: input.replicas ?? 3,
        selector: { matchLabels: { ...labels } },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            containers: [container],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
            securityContext: {},
            schedulerName: "default-scheduler",
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: input.progressDeadlineSeconds ?? 600,
      },
      status: {},
    };
    this.write("deployments", deployment);
    this.sync(input.namespace, input.name);
    this.settle(input.namespace, input.name);
    return this.get("deployments", input.namespace, input.name)!;
  }

  /** Change the first container's image (a template change: a new rollout), like `kubectl set image`. */
  setImage(namespace: string, name: string, image: string, changeCause?: string): KubeObject {
    return this.updateDeployment(namespace, name, (d) => {
      d.spec.template.spec.containers[0].image = image;
      if (changeCause !== undefined) {
        d.metadata.annotations = { ...d.metadata.annotations, [CHANGE_CAUSE]: changeCause };
      }
    });
  }

  /** Pause or resume a deployment (spec.paused), like `kubectl rollout pause|resume`. */
  /** Delete a deployment and its ReplicaSets and pods (watchers see DELETED). */
  deleteDeployment(namespace: string, name: string): void {
    const d = this.get("deployments", namespace, name);
    if (!d) return;
    for (const rs of this.ownedReplicaSets(d)) {
      for (const pod of this.list("pods", namespace).filter((p) =>
        (p.metadata.ownerReferences ?? []).some((o: { uid?: string }) => o.uid === rs.metadata.uid),
      ))
        this.delete("pods", pod);
      this.delete("replicasets", rs);
    }
    this.delete("deployments", d);
  }

  setPaused(namespace: string, name: string, paused: boolean): KubeObject {
    return this.updateDeployment(namespace, name, (d) => {
      if (paused) d.spec.paused = true;
      else delete d.spec.paused;
    });
  }

  /** Apply a change to a deployment as a client write: generation bumps when the spec changed. */
  updateDeployment(namespace: string, name: string, change: (d: KubeObject) => void): KubeObject {
    const current = this.get("deployments", namespace, name);
    if (!current) throw new Error(`deployments.apps "${name}" not found`);
    const next = clone(current);
    change(next);
    return this.replaceDeployment(current, next);
  }

  /** Store a client's new version of a deployment (after PATCH), keeping server-owned fields. */
  replaceDeployment(current: KubeObject, patched: KubeObject): KubeObject {
    const next = pruneNulls(patched);
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace!,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation ?? 1,
    };
    next.status = current.status;
    if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation! += 1;
    this.write("deployments", next);
    // The real controller observes the change a moment later: until then kubectl prints
    // "Waiting for deployment spec update to be observed...".
    const ns = current.metadata.namespace!;
    setTimeout(
      () => {
        if (!this.closed) this.sync(ns, current.metadata.name);
        this.schedule();
      },
      Math.min(20, this.rolloutStepMs),
    ).unref();
    return clone(next);
  }

  /** Complete every pending rollout of this deployment now (pods ready at once), unless faults stop it. */
  settle(namespace: string, name: string): void {
    for (let i = 0; i < 1000; i++) {
      this.sync(namespace, name);
      const { progressed, complete } = this.step(namespace, name, true);
      if (complete || !progressed) break;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  // ---- the deployment controller -----------------------------------------------------------------

  ownedReplicaSets(deployment: KubeObject): KubeObject[] {
    const selector = parseLabelSelector(matchLabelsText(deployment.spec.selector?.matchLabels));
    return this.list(
      "replicasets",
      deployment.metadata.namespace,
      (rs) =>
        matchesLabels(selector, rs.metadata.labels) &&
        (rs.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === deployment.metadata.uid),
    );
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.list("pods", rs.metadata.namespace, (p) =>
      (p.metadata.ownerReferences ?? []).some((o) => o.uid === rs.metadata.uid),
    );
  }

  private isReady(pod: KubeObject): boolean {
    return (pod.status?.conditions ?? []).some((c: Condition) => c.type === "Ready" && c.status === "True");
  }

  /** Observe the deployment's generation: find or create the ReplicaSet of its template, set revisions. */
  private sync(namespace: string, name: string): void {
    const d = this.get("deployments", namespace, name);
    if (!d) return;
    const before = clone(d);
    const generation = d.metadata.generation ?? 1;
    const observed = d.status?.observedGeneration ?? 0;
    if (d.spec.paused) {
      if (observed < generation) {
        d.status = { ...d.status, observedGeneration: generation };
        this.setProgressing(d, "Unknown", "DeploymentPaused", "Deployment is paused");
        this.write("deployments", d);
      }
      return;
    }
    const owned = this.ownedReplicaSets(d);
    const key = templateKey(d.spec.template);
    let newRs = owned.find((rs) => templateKey(rs.spec.template) === key);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    let changed = false;
    if (!newRs) {
      newRs = this.createReplicaSet(d, maxRevision + 1);
      changed = true;
    } else if (revisionOf(newRs) < maxRevision) {
      const old = String(revisionOf(newRs));
      const annotations = { ...newRs.metadata.annotations };
      const history = annotations[REVISION_HISTORY];
      annotations[REVISION_HISTORY] = history ? `${history},${old}` : old;
      annotations[REVISION] = String(maxRevision + 1);
      this.copyAnnotations(d, annotations);
      newRs.metadata.annotations = annotations;
      this.write("replicasets", newRs);
      changed = true;
    } else {
      const annotations = { ...newRs.metadata.annotations };
      this.copyAnnotations(d, annotations);
      if (JSON.stringify(annotations) !== JSON.stringify(newRs.metadata.annotations)) {
        newRs.metadata.annotations = annotations;
        this.write("replicasets", newRs);
      }
    }
    const revision = revisionOf(newRs);
    const annotations = { ...d.metadata.annotations, [REVISION]: String(revision) };
    d.metadata.annotations = annotations;
    d.status = { ...d.status, observedGeneration: generation };
    if (changed) {
      this.setProgressing(
        d,
        "True",
        "NewReplicaSetCreated",
        `Created new replica set "${newRs.metadata.name}"`,
      );
    }
    this.refreshStatus(d);
    // Nothing to observe (a sync that found everything in place) writes nothing, as no event is due.
    if (JSON.stringify(d) !== JSON.stringify(before)) this.write("deployments", d);
    this.schedule();
  }

  private copyAnnotations(d: KubeObject, target: Record<string, string>): void {
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
      if (!ANNOTATIONS_NOT_COPIED.has(k)) target[k] = v;
    }
    // A change cause removed from the deployment is not left behind on the new ReplicaSet.
    if (!d.metadata.annotations?.[CHANGE_CAUSE]) delete target[CHANGE_CAUSE];
  }

  private createReplicaSet(d: KubeObject, revision: number): KubeObject {
    const template: PodTemplate = clone(d.spec.template);
    let hash = templateHash(template);
    for (
      let collision = 1;
      this.get("replicasets", d.metadata.namespace, `${d.metadata.name}-${hash}`);
      collision++
    ) {
      hash = templateHash(template, collision);
    }
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash },
    };
    const annotations: Record<string, string> = {
      [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1),
      [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + 1),
      [REVISION]: String(revision),
    };
    this.copyAnnotations(d, annotations);
    const rs: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        ...this.meta(`${d.metadata.name}-${hash}`, d.metadata.namespace),
        generation: 1,
        labels: { ...template.metadata.labels },
        annotations,
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: d.metadata.name,
            uid: d.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template,
      },
      status: { replicas: 0, observedGeneration: 1 },
    };
    return this.write("replicasets", rs);
  }

  private setProgressing(d: KubeObject, status: Condition["status"], reason: string, message: string): void {
    const at = timestamp(this.now());
    const conditions: Condition[] = [...(d.status?.conditions ?? [])];
    const i = conditions.findIndex((c) => c.type === "Progressing");
    const prev = conditions[i];
    const next: Condition = {
      type: "Progressing",
      status,
      reason,
      message,
      lastUpdateTime: at,
      lastTransitionTime: prev && prev.status === status ? (prev.lastTransitionTime ?? at) : at,
    };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
    d.status = { ...d.status, conditions };
  }

  private progressing(d: KubeObject): Condition | undefined {
    return (d.status?.conditions ?? []).find((c: Condition) => c.type === "Progressing");
  }

  /** Recompute replica counts and the Available condition from the pods. */
  private refreshStatus(d: KubeObject): { complete: boolean; newRs?: KubeObject } {
    const owned = this.ownedReplicaSets(d);
    const key = templateKey(d.spec.template);
    const newRs = owned.find((rs) => templateKey(rs.spec.template) === key);
    let replicas = 0;
    let ready = 0;
    let updated = 0;
    for (const rs of owned) {
      const pods = this.podsOf(rs);
      const readyPods = pods.filter((p) => this.isReady(p)).length;
      replicas += pods.length;
      ready += readyPods;
      if (rs === newRs) updated = pods.length;
      const status = {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        readyReplicas: readyPods,
        availableReplicas: readyPods,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      if (JSON.stringify(status) !== JSON.stringify(rs.status)) {
        rs.status = status;
        this.write("replicasets", rs);
      }
    }
    const desired = d.spec.replicas ?? 1;
    const maxUnavailable = Math.floor(desired * 0.25);
    const status = {
      ...d.status,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, desired - ready),
    };
    for (const k of [
      "replicas",
      "updatedReplicas",
      "readyReplicas",
      "availableReplicas",
      "unavailableReplicas",
    ]) {
      if (status[k] === 0) delete status[k];
    }
    d.status = status;
    const availableOk = ready >= desired - maxUnavailable;
    const conditions: Condition[] = [...(d.status.conditions ?? [])];
    const i = conditions.findIndex((c) => c.type === "Available");
    const prev = conditions[i];
    if (!prev || prev.status !== (availableOk ? "True" : "False")) {
      const at = timestamp(this.now());
      const next: Condition = {
        type: "Available",
        status: availableOk ? "True" : "False",
        reason: availableOk ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        message: availableOk
          ? "Deployment has minimum availability."
          : "Deployment does not have minimum availability.",
        lastUpdateTime: at,
        lastTransitionTime: at,
      };
      if (i >= 0) conditions[i] = next;
      else conditions.unshift(next);
      d.status.conditions = conditions;
    }
    const complete =
      newRs !== undefined &&
      updated === desired &&
      replicas === desired &&
      ready === desired &&
      owned.every((rs) => rs === newRs || (rs.spec.replicas ?? 0) === 0);
    return newRs ? { complete, newRs } : { complete };
  }

  private createPod(rs: KubeObject, readyNow: boolean): void {
    const name = `${rs.metadata.name}-${randomSuffix()}`;
    const template: PodTemplate = rs.spec.template;
    const at = timestamp(this.now());
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...this.meta(name, rs.metadata.namespace),
        labels: { ...template.metadata?.labels },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: rs.metadata.name,
            uid: rs.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...clone(template.spec), nodeName: "sandbox-node-1" },
      status: {},
    };
    this.setPodState(pod, readyNow ? "ready" : "creating", at);
    this.write("pods", pod);
    if (!readyNow) this.readyAt.set(pod.metadata.uid, this.now() + this.rolloutStepMs);
  }

  private setPodState(pod: KubeObject, state: "creating" | "running" | "ready", at: string): void {
    const containers: Container[] = pod.spec.containers;
    const ready = state === "ready";
    const running = state !== "creating";
    pod.status = {
      phase: running ? "Running" : "Pending",
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: at },
        { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: at },
        { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: at },
        { type: "PodScheduled", status: "True", lastTransitionTime: at },
      ],
      hostIP: "10.0.0.10",
      podIP: `10.244.0.${10 + (Number.parseInt(pod.metadata.uid.slice(0, 2), 16) % 200)}`,
      startTime: pod.metadata.creationTimestamp,
      qosClass: "Burstable",
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        ready,
        started: running,
        restartCount: 0,
        state: running ? { running: { startedAt: at } } : { waiting: { reason: "ContainerCreating" } },
      })),
    };
  }

  /**
   * One step of the rolling update of one deployment (maxSurge 25% rounded up, maxUnavailable 25% rounded
   * down): pods whose time has come become ready, then one old pod goes or one new pod comes.
   */
  private step(namespace: string, name: string, instant = false): { progressed: boolean; complete: boolean } {
    const d = this.get("deployments", namespace, name);
    if (!d || d.spec.paused) return { progressed: false, complete: true };
    if (this.faults.pause) return { progressed: false, complete: false };
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) {
      return { progressed: false, complete: false };
    }
    const owned = this.ownedReplicaSets(d);
    const key = templateKey(d.spec.template);
    const newRs = owned.find((rs) => templateKey(rs.spec.template) === key);
    if (!newRs) return { progressed: false, complete: false };
    const stalled = this.faults.progressDeadlineExceeded === true;
    const now = this.now();
    let progressed = false;
    if (!stalled) {
      for (const rs of owned) {
        const becomeReady = !(rs === newRs && this.faults.neverReady);
        for (const pod of this.podsOf(rs)) {
          const due = this.readyAt.get(pod.metadata.uid);
          if (due === undefined || (!instant && due > now)) continue;
          this.readyAt.delete(pod.metadata.uid);
          this.setPodState(pod, becomeReady ? "ready" : "running", timestamp(now));
          this.write("pods", pod);
          progressed = true;
        }
      }
    }
    const desired = d.spec.replicas ?? 1;
    const maxSurge = Math.max(
      Math.ceil(desired * 0.25),
      desired * 0.25 < 1 && Math.floor(desired * 0.25) === 0 ? 1 : 0,
    );
    const maxUnavailable = Math.floor(desired * 0.25);
    const olds = owned.filter((rs) => rs !== newRs && (rs.spec.replicas ?? 0) > 0);
    const allPods = owned.flatMap((rs) => this.podsOf(rs));
    const readyCount = allPods.filter((p) => this.isReady(p)).length;
    if (!stalled) {
      // Scale down: an old pod that is not ready goes first; a ready one only while availability allows.
      for (const rs of olds) {
        const pods = this.podsOf(rs);
        const victim =
          pods.find((p) => !this.isReady(p)) ??
          (readyCount - 1 >= desired - maxUnavailable ? pods[0] : undefined);
        if (victim) {
          rs.spec.replicas = Math.max(0, (rs.spec.replicas ?? 0) - 1);
          rs.metadata.annotations = { ...rs.metadata.annotations, [DESIRED_REPLICAS]: String(desired) };
          this.write("replicasets", rs);
          this.readyAt.delete(victim.metadata.uid);
          this.delete("pods", victim);
          progressed = true;
          break;
        }
      }
      const total = owned.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      const newReplicas = newRs.spec.replicas ?? 0;
      if (newReplicas < desired && total < desired + maxSurge) {
        newRs.spec.replicas = newReplicas + 1;
        this.write("replicasets", newRs);
        this.createPod(newRs, instant && !this.faults.neverReady);
        progressed = true;
      } else if (newReplicas > desired) {
        const victim = this.podsOf(newRs)[0];
        newRs.spec.replicas = newReplicas - 1;
        this.write("replicasets", newRs);
        if (victim) this.delete("pods", victim);
        progressed = true;
      }
    }
    const fresh = this.get("deployments", namespace, name)!;
    const { complete } = this.refreshStatus(fresh);
    const prog = this.progressing(fresh);
    if (complete) {
      if (prog?.reason !== "NewReplicaSetAvailable") {
        this.setProgressing(
          fresh,
          "True",
          "NewReplicaSetAvailable",
          `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`,
        );
      }
    } else if (prog?.reason !== "ProgressDeadlineExceeded") {
      const lastUpdate = prog?.lastUpdateTime ? Date.parse(prog.lastUpdateTime) : now;
      const deadlineMs = (fresh.spec.progressDeadlineSeconds ?? 600) * 1000;
      if (stalled || (!progressed && now - lastUpdate > deadlineMs)) {
        this.setProgressing(
          fresh,
          "False",
          "ProgressDeadlineExceeded",
          `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`,
        );
      } else if (progressed) {
        this.setProgressing(
          fresh,
          "True",
          "ReplicaSetUpdated",
          `ReplicaSet "${newRs.metadata.name}" is progressing.`,
        );
      }
    }
    if (JSON.stringify(fresh) !== JSON.stringify(this.get("deployments", namespace, name))) {
      this.write("deployments", fresh);
    }
    return { progressed, complete };
  }

  /**
   * Run the controller every rolloutStepMs while some rollout is unfinished (also while a fault holds it,
   * so that clearing the fault lets it continue, and so that progress deadlines are noticed).
   */
  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      let more = false;
      for (const d of this.list("deployments")) {
        if (!this.step(d.metadata.namespace!, d.metadata.name).complete) more = true;
      }
      if (more) this.schedule();
    }, this.rolloutStepMs);
    this.timer.unref();
  }
}

function qualified(resource: StoredResourceName): string {
  return resource === "leases" ? "leases.coordination.k8s.io" : "configmaps";
}

function conflict(resource: StoredResourceName, name: string): StoreError {
  return new StoreError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}
