// The simulated Kubernetes API server: plain node:http on 127.0.0.1 serving the subset of the API that
// deploycheck's kube checks and kubectl's get / rollout / describe commands use, backed by KubeCluster.

import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { stringify } from "yaml";
import {
  type ClusterFaults,
  type DeploymentInput,
  KubeCluster,
  type ResourceName,
  type StoredResourceName,
  StoreError,
} from "./kube-cluster.js";
import {
  API_GROUPS,
  apiVersions,
  CORE_V1,
  GROUP_RESOURCES,
  toTable,
  VERSION_INFO,
  wantsTable,
} from "./kube-discovery.js";
import { type KubeObject, reasonFor, statusObject } from "./kube-objects.js";
import { applyPatch, PatchError, patchTypeOf } from "./kube-patch.js";
import { decodeAccessReview, isKubeProtobuf } from "./kube-protobuf.js";
import {
  type FieldSelector,
  type LabelSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from "./kube-selectors.js";
import { logRequests, type RequestLogger } from "./request-log.js";

export interface KubeSandboxOptions {
  /** Time per replica step of a rollout (default 150 ms; tests use 20-50 ms). */
  rolloutStepMs?: number;
  faults?: ClusterFaults;
  /** Called once per answered request (the `deploycheck sandbox` console). */
  onRequest?: RequestLogger;
}

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
  /** Also write these extra contexts (pointing at the same server), e.g. to test context guards. */
  extraContexts?: string[];
}

export interface KubeSandbox {
  url: string;
  server: { host: string; port: number; version: typeof VERSION_INFO };
  /** Mutable: set a field to inject a fault, delete it to clear it. */
  faults: ClusterFaults;
  rolloutStepMs: number;
  /** The cluster behind the server, for tests that need more than the helpers below. */
  cluster: KubeCluster;
  /** Recent requests as `METHOD path?query` (newest last), to see what a client asked for. */
  requests: string[];
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<string>;
  createNamespace(name: string): KubeObject;
  createDeployment(input: DeploymentInput): KubeObject;
  setImage(namespace: string, name: string, image: string, changeCause?: string): KubeObject;
  setPaused(namespace: string, name: string, paused: boolean): KubeObject;
  deleteDeployment(namespace: string, name: string): void;
  /** Watch streams open right now. */
  openWatches(): number;
  /** End every open watch stream, as an API server restart or an idle load balancer does. */
  endWatches(): void;
  getDeployment(namespace: string, name: string): KubeObject | undefined;
  /** The deployment's ReplicaSets, ordered by revision. */
  replicaSets(namespace: string, name: string): KubeObject[];
  pods(namespace: string, labelSelector?: string): KubeObject[];
  /** Resolves when the deployment's rollout is complete (or rejects after timeoutMs). */
  waitForRollout(namespace: string, name: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface ResourceInfo {
  kind: string;
  listKind: string;
  apiVersion: string;
  group: string;
  namespaced: boolean;
}

const RESOURCES: Record<ResourceName, ResourceInfo> = {
  namespaces: {
    kind: "Namespace",
    listKind: "NamespaceList",
    apiVersion: "v1",
    group: "",
    namespaced: false,
  },
  pods: { kind: "Pod", listKind: "PodList", apiVersion: "v1", group: "", namespaced: true },
  events: { kind: "Event", listKind: "EventList", apiVersion: "v1", group: "", namespaced: true },
  deployments: {
    kind: "Deployment",
    listKind: "DeploymentList",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
  },
  replicasets: {
    kind: "ReplicaSet",
    listKind: "ReplicaSetList",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
  },
  configmaps: { kind: "ConfigMap", listKind: "ConfigMapList", apiVersion: "v1", group: "", namespaced: true },
  leases: {
    kind: "Lease",
    listKind: "LeaseList",
    apiVersion: "coordination.k8s.io/v1",
    group: "coordination.k8s.io",
    namespaced: true,
  },
};

const STORED = new Set<ResourceName>(["configmaps", "leases"]);
/** The largest request body the server reads (the real one refuses bodies over 3 MiB with 413). */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

interface Route {
  resource: ResourceName;
  namespace?: string;
  name?: string;
}

/** Map a path to a resource: /api/v1[/namespaces/NS]/RES[/NAME] and /apis/GROUP/v1[/namespaces/NS]/RES[/NAME]. */
function route(path: string): Route | undefined {
  const m = /^\/(?:api\/v1|apis\/(apps|coordination\.k8s\.io)\/v1)(\/.*)?$/.exec(path);
  if (!m?.[2]) return undefined;
  const group = m[1] ?? "";
  const parts = m[2].split("/").filter(Boolean).map(decodeURIComponent);
  const valid = (r: string | undefined): r is ResourceName =>
    r !== undefined && r in RESOURCES && RESOURCES[r as ResourceName].group === group;
  if (parts[0] === "namespaces" && group === "") {
    if (parts.length === 1) return { resource: "namespaces" };
    if (parts.length === 2) return { resource: "namespaces", name: parts[1]! };
  }
  if (parts[0] === "namespaces" && parts.length >= 3 && parts.length <= 4) {
    const resource = parts[2];
    if (!valid(resource) || !RESOURCES[resource].namespaced) return undefined;
    return parts[3] ? { resource, namespace: parts[1]!, name: parts[3] } : { resource, namespace: parts[1]! };
  }
  if (parts.length === 1 && valid(parts[0])) return { resource: parts[0] };
  return undefined;
}

function typed(resource: ResourceName, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: RESOURCES[resource].apiVersion, kind: RESOURCES[resource].kind };
}

function notFound(resource: ResourceName, name: string) {
  const info = RESOURCES[resource];
  const qualified = info.group ? `${resource}.${info.group}` : resource;
  return statusObject(404, "NotFound", `${qualified} "${name}" not found`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: resource,
  });
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString("utf8");
}

async function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new BodyTooLarge("the request body is too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `verb resource[.group]` as listed in ClusterFaults.forbidden. */
function permissionKey(verb: string, resource: string, group: string): string {
  return group ? `${verb} ${resource}.${group}` : `${verb} ${resource}`;
}

/** The verb an API request is for, as RBAC names it. */
function verbOf(method: string, r: Route, q: URLSearchParams): string {
  if (method === "POST") return "create";
  if (method === "PUT") return "update";
  if (method === "PATCH") return "patch";
  if (method === "DELETE") return "delete";
  if (q.get("watch") === "true" || q.get("watch") === "1") return "watch";
  return r.name === undefined ? "list" : "get";
}

export async function startKubeSandbox(options: KubeSandboxOptions = {}): Promise<KubeSandbox> {
  const faults: ClusterFaults = options.faults ?? {};
  const rolloutStepMs = options.rolloutStepMs ?? 150;
  const cluster = new KubeCluster(faults, rolloutStepMs);
  const requests: string[] = [];
  const watches = new Set<ServerResponse>();
  let address = "127.0.0.1:0";

  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, code: number, message: string) =>
    send(res, code, statusObject(code, reasonFor(code), message));

  const matching = (r: Route, labels: LabelSelector, fields: FieldSelector) => (o: KubeObject) =>
    (r.namespace === undefined || o.metadata.namespace === r.namespace) &&
    (r.name === undefined || o.metadata.name === r.name) &&
    matchesLabels(labels, o.metadata.labels) &&
    matchesFields(fields, typed(r.resource, o));

  function watch(
    req: IncomingMessage,
    res: ServerResponse,
    r: Route,
    q: URLSearchParams,
    filter: (o: KubeObject) => boolean,
  ) {
    const info = RESOURCES[r.resource];
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Transfer-Encoding": "chunked",
      "Cache-Control": "no-cache",
    });
    res.flushHeaders();
    const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const since = q.get("resourceVersion") ?? "";
    if (q.get("sendInitialEvents") === "true") {
      for (const o of cluster.list(r.resource, r.namespace).filter(filter))
        write("ADDED", typed(r.resource, o));
      write("BOOKMARK", {
        kind: info.kind,
        apiVersion: info.apiVersion,
        metadata: {
          resourceVersion: cluster.resourceVersion,
          annotations: { "k8s.io/initial-events-end": "true" },
        },
      });
    } else if (since === "" || since === "0") {
      for (const o of cluster.list(r.resource, r.namespace).filter(filter))
        write("ADDED", typed(r.resource, o));
    } else {
      const missed = faults.watchExpired ? undefined : cluster.eventsSince(Number(since));
      if (!missed) {
        write(
          "ERROR",
          statusObject(410, "Expired", `too old resource version: ${since} (${cluster.resourceVersion})`),
        );
        res.end();
        return;
      }
      for (const e of missed)
        if (e.resource === r.resource && filter(e.object)) write(e.type, typed(r.resource, e.object));
    }
    const unsubscribe = cluster.subscribe((e) => {
      if (e.resource === r.resource && filter(e.object)) write(e.type, typed(r.resource, e.object));
    });
    watches.add(res);
    const timeoutSeconds = Number(q.get("timeoutSeconds") ?? 0);
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    const done = () => {
      unsubscribe();
      watches.delete(res);
      if (timer) clearTimeout(timer);
    };
    req.on("close", done);
    res.on("close", done);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const q = url.searchParams;
    const method = req.method ?? "GET";
    requests.push(`${method} ${path}${url.search}`);
    if (requests.length > 500) requests.shift();
    if (faults.unreachableUntil !== undefined && Date.now() < faults.unreachableUntil) {
      req.socket.destroy();
      return;
    }
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const injected = faults.apiError;
    if (injected && new RegExp(injected.pathRegex ?? "").test(path) && path !== "/version") {
      return fail(res, injected.status, injected.message);
    }
    if (method === "GET") {
      switch (path) {
        case "/version":
          return send(res, 200, VERSION_INFO);
        case "/api":
          return send(res, 200, apiVersions(address));
        case "/api/v1":
          return send(res, 200, CORE_V1);
        case "/apis":
          return send(res, 200, API_GROUPS);

        case "/healthz":
        case "/readyz":
        case "/livez":
          res.writeHead(200, { "Content-Type": "text/plain" });
          res.end("ok");
          return;
      }
      const discovery = /^\/apis\/([^/]+)(\/v1)?$/.exec(path);
      const group = discovery ? GROUP_RESOURCES[discovery[1]!] : undefined;
      if (group)
        return send(
          res,
          200,
          discovery?.[2] ? group.v1 : { kind: "APIGroup", apiVersion: "v1", ...group.group },
        );
    }
    if (method === "POST" && path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
      return accessReview(req, res);
    const r = route(path);
    if (!r)
      return send(
        res,
        404,
        statusObject(404, "NotFound", "the server could not find the requested resource"),
      );
    const info = RESOURCES[r.resource];
    const verb = verbOf(method, r, q);
    if (faults.forbidden?.includes(permissionKey(verb, r.resource, info.group))) {
      const what = info.group ? `${r.resource}.${info.group}` : r.resource;
      const where = r.namespace ? ` in the namespace "${r.namespace}"` : " at the cluster scope";
      return send(
        res,
        403,
        statusObject(
          403,
          "Forbidden",
          `${what}${r.name ? ` "${r.name}"` : ""} is forbidden: User "sandbox-user" cannot ${verb} resource "${r.resource}" in API group "${info.group}"${where}`,
          {
            ...(r.name ? { name: r.name } : {}),
            ...(info.group ? { group: info.group } : {}),
            kind: r.resource,
          },
        ),
      );
    }
    if (r.namespace && !cluster.get("namespaces", undefined, r.namespace) && method !== "GET") {
      return send(res, 404, notFound("namespaces", r.namespace));
    }
    if (STORED.has(r.resource) && (method === "POST" || method === "PUT" || method === "DELETE"))
      return writeStored(req, res, method, r.resource as StoredResourceName, r, q);
    if (method === "PATCH") {
      if (r.resource !== "deployments" || !r.name)
        return fail(res, 405, `the server does not allow this method on the requested resource`);
      return patchDeployment(req, res, r as Required<Route>, q);
    }
    if (method !== "GET")
      return fail(res, 405, "the server does not allow this method on the requested resource");

    let labels: LabelSelector;
    let fields: FieldSelector;
    try {
      labels = parseLabelSelector(q.get("labelSelector"));
      fields = parseFieldSelector(q.get("fieldSelector"));
    } catch (err) {
      return fail(res, 400, (err as Error).message);
    }
    const isWatch = q.get("watch") === "true" || q.get("watch") === "1";
    if (isWatch) return watch(req, res, r, q, matching(r, labels, fields));

    if (r.name !== undefined) {
      const obj = cluster.get(r.resource, r.namespace, r.name);
      if (!obj) return send(res, 404, notFound(r.resource, r.name));
      if (wantsTable(req.headers.accept)) {
        return send(
          res,
          200,
          toTable(
            info.kind,
            [typed(r.resource, obj)],
            obj.metadata.resourceVersion,
            Date.now(),
            q.get("includeObject"),
          ),
        );
      }
      return send(res, 200, typed(r.resource, obj));
    }
    const items = cluster
      .list(r.resource, r.namespace)
      .filter(matching(r, labels, fields))
      .map((o) => typed(r.resource, o));
    if (wantsTable(req.headers.accept)) {
      return send(
        res,
        200,
        toTable(info.kind, items, cluster.resourceVersion, Date.now(), q.get("includeObject")),
      );
    }
    return send(res, 200, {
      kind: info.listKind,
      apiVersion: info.apiVersion,
      metadata: { resourceVersion: cluster.resourceVersion },
      items,
    });
  }

  /** POST (create), PUT (replace, with the resourceVersion precondition) and DELETE of leases and configmaps. */
  async function writeStored(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    resource: StoredResourceName,
    r: Route,
    q: URLSearchParams,
  ) {
    const namespace = r.namespace;
    if (!namespace) return fail(res, 405, "the server does not allow this method on the requested resource");
    if (method === "POST" && r.name)
      return fail(res, 405, "the server does not allow this method on the requested resource");
    if (method !== "POST" && !r.name)
      return fail(res, 405, "the server does not allow this method on the requested resource");
    let body: KubeObject | undefined;
    try {
      const text = await readBody(req);
      if (method !== "DELETE") body = JSON.parse(text) as KubeObject;
      else if (text.trim()) body = JSON.parse(text) as KubeObject;
    } catch (err) {
      if (err instanceof BodyTooLarge) return fail(res, 413, "Request entity too large: limit is 3145728");
      return fail(res, 400, `the object provided is unrecognized: ${(err as Error).message}`);
    }
    if (
      method !== "DELETE" &&
      (typeof body !== "object" || body === null || typeof body.metadata !== "object")
    )
      return fail(res, 400, "the object provided is unrecognized (no metadata)");
    if (faults.conflictStorm && faults.conflictStorm > 0) {
      faults.conflictStorm--;
      const name = r.name ?? body?.metadata?.name ?? "";
      const what = resource === "leases" ? "leases.coordination.k8s.io" : "configmaps";
      return send(
        res,
        409,
        statusObject(
          409,
          "Conflict",
          `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
    }
    const info = RESOURCES[resource];
    const typedBody = (o: KubeObject): KubeObject => ({ ...o, apiVersion: info.apiVersion, kind: info.kind });
    const dryRun = q.get("dryRun") === "All";
    try {
      if (method === "POST") {
        const created = dryRun
          ? typedBody(body!)
          : cluster.createObject(resource, namespace, typedBody(body!));
        return send(res, 201, typed(resource, created));
      }
      if (method === "PUT") {
        const updated = dryRun
          ? typedBody(body!)
          : cluster.updateObject(resource, namespace, r.name!, typedBody(body!));
        return send(res, 200, typed(resource, updated));
      }
      const precondition = (body as { preconditions?: { resourceVersion?: string } } | undefined)
        ?.preconditions?.resourceVersion;
      const deleted = cluster.deleteObject(resource, namespace, r.name!, precondition);
      return send(res, 200, typed(resource, deleted));
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      const name = r.name ?? body?.metadata?.name ?? "";
      return send(
        res,
        err.code,
        statusObject(err.code, err.reason, err.message, {
          name,
          ...(info.group ? { group: info.group } : {}),
          kind: resource,
        }),
      );
    }
  }

  /** SelfSubjectAccessReview, as `kubectl auth can-i` asks it: allowed unless listed in faults.forbidden. */
  async function accessReview(req: IncomingMessage, res: ServerResponse) {
    let review: { spec?: { resourceAttributes?: Record<string, string> } };
    try {
      const body = await readBodyBytes(req);
      review = isKubeProtobuf(body) ? decodeAccessReview(body) : JSON.parse(body.toString("utf8"));
    } catch (err) {
      return fail(res, 400, `the object provided is unrecognized: ${(err as Error).message}`);
    }
    const a = review.spec?.resourceAttributes ?? {};
    const denied = faults.forbidden?.includes(
      permissionKey(a["verb"] ?? "", a["resource"] ?? "", a["group"] ?? ""),
    );
    return send(res, 201, {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: review.spec ?? {},
      status: denied
        ? { allowed: false, denied: true }
        : { allowed: true, reason: "sandbox: everything is allowed" },
    });
  }

  async function patchDeployment(
    req: IncomingMessage,
    res: ServerResponse,
    r: Required<Route>,
    q: URLSearchParams,
  ) {
    const type = patchTypeOf(req.headers["content-type"]);
    const text = await readBody(req);
    if (!type) {
      return fail(
        res,
        415,
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
    }
    const current = cluster.get("deployments", r.namespace, r.name);
    if (!current) return send(res, 404, notFound("deployments", r.name));
    let patched: KubeObject;
    try {
      patched = applyPatch(typed("deployments", current), type, JSON.parse(text));
    } catch (err) {
      const message = err instanceof PatchError || err instanceof SyntaxError ? err.message : String(err);
      return fail(res, type === "json" ? 422 : 400, message);
    }
    if (
      !Array.isArray(patched.spec?.template?.spec?.containers) ||
      patched.spec.template.spec.containers.length === 0
    ) {
      return send(
        res,
        422,
        statusObject(
          422,
          "Invalid",
          `Deployment.apps "${r.name}" is invalid: spec.template.spec.containers: Required value`,
        ),
      );
    }
    if (q.get("dryRun") === "All") return send(res, 200, patched);
    return send(res, 200, typed("deployments", cluster.replaceDeployment(current, patched)));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 500, `sandbox: ${(err as Error)?.message ?? String(err)}`);
      else res.end();
    });
  });
  logRequests(server, options.onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;

  const sandbox: KubeSandbox = {
    url,
    server: { host: "127.0.0.1", port, version: VERSION_INFO },
    faults,
    rolloutStepMs,
    cluster,
    requests,
    async writeKubeconfig(path, { context = "staging-sandbox", namespace, extraContexts = [] } = {}) {
      const contexts = [context, ...extraContexts].map((name) => ({
        name,
        context: { cluster: "sandbox", user: "sandbox-user", ...(namespace ? { namespace } : {}) },
      }));
      const config = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "sandbox", cluster: { server: url } }],
        users: [{ name: "sandbox-user", user: { token: "sandbox-not-a-secret" } }],
        contexts,
        "current-context": context,
        preferences: {},
      };
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, stringify(config), { mode: 0o600 });
      return path;
    },
    createNamespace: (name) => cluster.createNamespace(name),
    createDeployment: (input) => cluster.createDeployment(input),
    setImage: (ns, name, image, changeCause) => cluster.setImage(ns, name, image, changeCause),
    setPaused: (ns, name, paused) => cluster.setPaused(ns, name, paused),
    deleteDeployment: (ns, name) => cluster.deleteDeployment(ns, name),
    openWatches: () => watches.size,
    endWatches() {
      for (const res of watches) res.end();
    },
    getDeployment: (ns, name) => cluster.get("deployments", ns, name),
    replicaSets(ns, name) {
      const d = cluster.get("deployments", ns, name);
      if (!d) return [];
      return cluster.ownedReplicaSets(d).sort((a, b) => revision(a) - revision(b));
    },
    pods: (ns, selector) => {
      const labels = parseLabelSelector(selector);
      return cluster.list("pods", ns).filter((p) => matchesLabels(labels, p.metadata.labels));
    },
    waitForRollout(ns, name, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          const d = cluster.get("deployments", ns, name);
          const progressing = (d?.status?.conditions ?? []).find(
            (c: { type: string }) => c.type === "Progressing",
          );
          const done =
            d !== undefined &&
            (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
            progressing?.reason === "NewReplicaSetAvailable" &&
            (d.status?.updatedReplicas ?? 0) === (d.spec.replicas ?? 0) &&
            (d.status?.replicas ?? 0) === (d.spec.replicas ?? 0);
          if (done) {
            clearTimeout(timer);
            unsubscribe();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`deployment ${ns}/${name} did not finish rolling out within ${timeoutMs} ms`));
        }, timeoutMs);
        const unsubscribe = cluster.subscribe((e) => {
          if (e.resource === "deployments") check();
        });
        check();
      });
    },
    async close() {
      cluster.close();
      for (const res of watches) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sandbox;
}

function revision(o: KubeObject): number {
  return Number(o.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
}
