// The connection to a cluster through @kubernetes/client-node, loaded on first use (it costs hundreds of ms),
// and the handful of API calls the kube checks make, each failing with one clear KubeError.
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as K8s from "@kubernetes/client-node";
import { KubeError } from "../errors.js";
import { toKubeError } from "./errors.js";
import { type KubeconfigView, type ResolvedContext, readKubeconfig, resolveContext } from "./kubeconfig.js";
import type { DeploymentLike, PodLike, ReplicaSetLike } from "./types.js";

export interface ConnectOptions {
  /** --context; else the kubeconfig's current context. */
  context?: string;
  env: Record<string, string | undefined>;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** The parts of the client deploycheck uses (what scripts/bundle-kube-client.mjs bundles). */
export type ClientModule = Pick<
  typeof K8s,
  "KubeConfig" | "CoreV1Api" | "AppsV1Api" | "Watch" | "setHeaderOptions" | "PatchStrategy"
>;

let clientModule: Promise<ClientModule> | undefined;
let loadedFrom: "bundle" | "package" | undefined;

/** Where the client was loaded from (undefined before the first kube step). */
export function clientSource(): "bundle" | "package" | undefined {
  return loadedFrom;
}

/**
 * Import the client once per process: the bundle built next to dist/ when there is one (one file loads in a
 * fraction of the time of the package's ~1400 modules), else the package. Also usable to warm it up while a
 * person reads a prompt.
 */
export function loadClientModule(): Promise<ClientModule> {
  clientModule ??= (async () => {
    const bundle = new URL("../vendor/kube-client.js", import.meta.url);
    if (bundle.protocol === "file:" && existsSync(fileURLToPath(bundle))) {
      const mod = (await import(bundle.href)) as ClientModule;
      loadedFrom = "bundle";
      return mod;
    }
    const mod = await import("@kubernetes/client-node");
    loadedFrom = "package";
    return mod;
  })();
  return clientModule;
}

const connections = new Map<string, Promise<KubeClient>>();

export class KubeClient {
  private constructor(
    readonly k8s: ClientModule,
    readonly config: K8s.KubeConfig,
    readonly context: ResolvedContext,
    private readonly core: K8s.CoreV1Api,
    private readonly apps: K8s.AppsV1Api,
  ) {}

  /**
   * A client for the context (shared by the steps of a run). Throws KubeError when there is no kubeconfig:
   * the client library would otherwise silently talk to http://localhost:8080.
   */
  static connect(options: ConnectOptions): Promise<KubeClient> {
    const view = readKubeconfig(options.env);
    // Keyed by the files and their modification times: a rewritten kubeconfig gets a new client.
    const key = JSON.stringify([view.files.map((f) => [f, statSync(f).mtimeMs]), options.context ?? ""]);
    let client = connections.get(key);
    if (!client) {
      client = KubeClient.create(view, options);
      connections.set(key, client);
      client.catch(() => connections.delete(key));
    }
    return client;
  }

  private static async create(view: KubeconfigView, options: ConnectOptions): Promise<KubeClient> {
    const context = resolveContext(view, options.context);
    if (!context.server) {
      throw new KubeError(
        `context "${context.name}" has no cluster server in kubeconfig ${view.files.join(", ")}`,
        {
          hint: "Each context needs a cluster with a server URL (kubectl config view shows them).",
        },
      );
    }
    const k8s = await loadClientModule();
    const config = new k8s.KubeConfig();
    try {
      // Load each file with the client (it resolves relative certificate paths), then merge first-wins
      // like kubectl (the client's own merge lets later files win).
      const merged = {
        clusters: [] as K8s.Cluster[],
        contexts: [] as K8s.Context[],
        users: [] as K8s.User[],
      };
      for (const file of view.files) {
        const one = new k8s.KubeConfig();
        one.loadFromFile(file);
        for (const c of one.clusters) {
          if (merged.clusters.some((x) => x.name === c.name)) continue;
          // The client refuses plain http unless TLS verification is off; there is no TLS to verify on
          // http:// (kubectl proxy, the sandbox), so say so instead of failing.
          merged.clusters.push(c.server.startsWith("http://") ? { ...c, skipTLSVerify: true } : c);
        }
        for (const c of one.contexts)
          if (!merged.contexts.some((x) => x.name === c.name)) merged.contexts.push(c);
        for (const u of one.users) if (!merged.users.some((x) => x.name === u.name)) merged.users.push(u);
      }
      config.loadFromOptions({ ...merged, currentContext: context.name });
    } catch (err) {
      throw new KubeError(`cannot load kubeconfig ${view.files.join(", ")}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new KubeClient(
      k8s,
      config,
      context,
      config.makeApiClient(k8s.CoreV1Api),
      config.makeApiClient(k8s.AppsV1Api),
    );
  }

  get server(): string {
    return this.context.server ?? "";
  }

  /** The step's namespace, else the context's (kubectl's rule), else "default". */
  namespaceOr(namespace: string | undefined): string {
    return namespace || this.context.namespace;
  }

  private async call<T>(
    what: string,
    signal: AbortSignal | undefined,
    request: () => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal?.reason ?? new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([request(), aborted]);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw toKubeError(err, { server: this.server, context: this.context.name, what });
    } finally {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  readNamespace(name: string, signal?: AbortSignal): Promise<K8s.V1Namespace> {
    return this.call(`namespace "${name}"`, signal, () => this.core.readNamespace({ name }));
  }

  readDeployment(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<K8s.V1Deployment & DeploymentLike> {
    return this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.apps.readNamespacedDeployment({ name, namespace }),
    );
  }

  /** The deployment as a list (with the list's resourceVersion to watch from), as kubectl's list+watch starts. */
  async listDeployment(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ items: DeploymentLike[]; resourceVersion: string | undefined }> {
    const list = await this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${name}` }),
    );
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
  }

  async listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<PodLike[]> {
    const list = await this.call(`pods matching "${labelSelector}" in namespace "${namespace}"`, signal, () =>
      this.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items;
  }

  async listReplicaSets(
    namespace: string,
    labelSelector: string,
    signal?: AbortSignal,
  ): Promise<ReplicaSetLike[]> {
    const list = await this.call(
      `replicasets matching "${labelSelector}" in namespace "${namespace}"`,
      signal,
      () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
    );
    return list.items;
  }

  /** One application/json-patch+json PATCH, as kubectl rollout undo sends it. */
  patchDeployment(
    namespace: string,
    name: string,
    patch: unknown[],
    signal?: AbortSignal,
  ): Promise<DeploymentLike> {
    return this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.apps.patchNamespacedDeployment(
        { name, namespace, body: patch, fieldManager: "deploycheck" },
        this.k8s.setHeaderOptions("Content-Type", this.k8s.PatchStrategy.JsonPatch),
      ),
    );
  }

  /**
   * Watch one deployment from a resourceVersion. Resolves once the stream is open; `onDone` is called once
   * when it ends (server closed it, error, or abort).
   */
  async watchDeployment(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    onEvent: (type: WatchEventType, object: DeploymentLike) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController> {
    const watch = new this.k8s.Watch(this.config);
    return watch.watch(
      `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true },
      (type, object) => onEvent(type as WatchEventType, object as DeploymentLike),
      (err) =>
        onDone(
          err
            ? toKubeError(err, {
                server: this.server,
                context: this.context.name,
                what: `deployment "${name}" in namespace "${namespace}"`,
              })
            : null,
        ),
    );
  }
}

/** Forget cached connections (tests that rewrite a kubeconfig under the same path). */
export function resetConnections(): void {
  connections.clear();
}
