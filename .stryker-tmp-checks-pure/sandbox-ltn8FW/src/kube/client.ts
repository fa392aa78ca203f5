// @ts-nocheck
// The connection to a cluster: @kubernetes/client-node's KubeConfig (loaded on first use) for credentials and
// TLS, our transport for the handful of API calls the kube checks make, each failing with one clear KubeError.
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { KubeConfig } from "@kubernetes/client-node/dist/config.js";
import type { newClusters, newContexts, newUsers } from "@kubernetes/client-node/dist/config_types.js";
import { kubeNameProblem } from "../checklist/kube-names.js";
import { KubeError } from "../errors.js";
import { toKubeError } from "./errors.js";
import {
  type KubeconfigView,
  kubeconfigFiles,
  type ResolvedContext,
  readKubeconfig,
  resolveContext,
} from "./kubeconfig.js";
import { Transport } from "./transport.js";
import type { DeploymentLike, NamespaceLike, PodLike, ReplicaSetLike } from "./types.js";

export interface ConnectOptions {
  /** --context; else the kubeconfig's current context. */
  context?: string;
  env: Record<string, string | undefined>;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/**
 * The part of the client deploycheck uses (what scripts/bundle-kube-client.mjs bundles): KubeConfig and its
 * entry constructors, for turning a kubeconfig user into headers and TLS options. The generated API classes
 * and their fetch stack are most of the package's weight and are not used.
 */
export interface ClientModule {
  KubeConfig: typeof KubeConfig;
  newClusters: typeof newClusters;
  newContexts: typeof newContexts;
  newUsers: typeof newUsers;
}

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
    // The same two modules of the package (it has no exports map; these paths are its public files).
    const [config, types] = await Promise.all([
      import("@kubernetes/client-node/dist/config.js"),
      import("@kubernetes/client-node/dist/config_types.js"),
    ]);
    loadedFrom = "package";
    return { KubeConfig: config.KubeConfig, ...types };
  })();
  return clientModule;
}

const connections = new Map<string, Promise<KubeClient>>();

export class KubeClient {
  private constructor(
    readonly context: ResolvedContext,
    private readonly http: Transport,
  ) {}

  /**
   * A client for the context (shared by the steps of a run). Throws KubeError when there is no kubeconfig:
   * the client library would otherwise silently talk to http://localhost:8080.
   */
  static connect(options: ConnectOptions): Promise<KubeClient> {
    const { files } = kubeconfigFiles(options.env);
    // Keyed by the files and their modification times: a rewritten kubeconfig gets a new client, and an
    // unchanged one is not parsed again for every step.
    const key = JSON.stringify([
      files.map((f) => [f, statSync(f, { throwIfNoEntry: false })?.mtimeMs]),
      options.context ?? "",
    ]);
    let client = connections.get(key);
    if (!client) {
      // readKubeconfig throws the KubeError that says why when there is no kubeconfig.
      client = KubeClient.create(readKubeconfig(options.env), options);
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
      // The files as readKubeconfig merged them (first file wins, like kubectl; relative certificate paths
      // resolved against the file naming them), turned into the client's entries: no second YAML parse.
      const clusters = k8s.newClusters(view.raw.clusters).map((c) =>
        // The client refuses plain http unless TLS verification is off; there is no TLS to verify on
        // http:// (kubectl proxy, the sandbox), so say so instead of failing.
        c.server.startsWith("http://") ? { ...c, skipTLSVerify: true } : c,
      );
      config.loadFromOptions({
        clusters,
        contexts: k8s.newContexts(view.raw.contexts),
        users: k8s.newUsers(view.raw.users),
        currentContext: context.name,
      });
    } catch (err) {
      throw new KubeError(`cannot load kubeconfig ${view.files.join(", ")}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new KubeClient(context, new Transport(config));
  }

  get server(): string {
    return this.context.server ?? "";
  }

  /** The step's namespace, else the context's (kubectl's rule), else "default". */
  namespaceOr(namespace: string | undefined): string {
    // A namespace given but empty (a variable with no value) is refused later, not replaced.
    return namespace ?? this.context.namespace;
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

  readNamespace(name: string, signal?: AbortSignal): Promise<NamespaceLike> {
    checkNames(name);
    return this.call(`namespace "${name}"`, signal, () =>
      this.http.request(`/api/v1/namespaces/${seg(name)}`, { signal }),
    );
  }

  readDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentLike> {
    checkNames(namespace, name);
    return this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.http.request(deploymentsPath(namespace, name), { signal }),
    );
  }

  /** The deployment as a list (with the list's resourceVersion to watch from), as kubectl's list+watch starts. */
  async listDeployment(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ items: DeploymentLike[]; resourceVersion: string | undefined }> {
    checkNames(namespace, name);
    const list = await this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.http.request<ListOf<DeploymentLike>>(deploymentsPath(namespace), {
        query: { fieldSelector: `metadata.name=${name}` },
        signal,
      }),
    );
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion };
  }

  async listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<PodLike[]> {
    checkNames(namespace);
    const list = await this.call(`pods matching "${labelSelector}" in namespace "${namespace}"`, signal, () =>
      this.http.request<ListOf<PodLike>>(`/api/v1/namespaces/${seg(namespace)}/pods`, {
        query: { labelSelector },
        signal,
      }),
    );
    return list.items ?? [];
  }

  async listReplicaSets(
    namespace: string,
    labelSelector: string,
    signal?: AbortSignal,
  ): Promise<ReplicaSetLike[]> {
    checkNames(namespace);
    const list = await this.call(
      `replicasets matching "${labelSelector}" in namespace "${namespace}"`,
      signal,
      () =>
        this.http.request<ListOf<ReplicaSetLike>>(`/apis/apps/v1/namespaces/${seg(namespace)}/replicasets`, {
          query: { labelSelector },
          signal,
        }),
    );
    return list.items ?? [];
  }

  /** One application/json-patch+json PATCH, as kubectl rollout undo sends it. */
  patchDeployment(
    namespace: string,
    name: string,
    patch: unknown[],
    signal?: AbortSignal,
  ): Promise<DeploymentLike> {
    checkNames(namespace, name);
    return this.call(`deployment "${name}" in namespace "${namespace}"`, signal, () =>
      this.http.request(deploymentsPath(namespace, name), {
        method: "PATCH",
        query: { fieldManager: "deploycheck" },
        body: patch,
        contentType: "application/json-patch+json",
        signal,
      }),
    );
  }

  /**
   * One request of the team-state backend: the answer's status and parsed body, whatever the status (it
   * tells 404, 409 and 403 apart itself); a network failure is a KubeError naming the server.
   */
  exchange(
    what: string,
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    return this.call(what, signal, async () => {
      const answer = await this.http.exchange(path, {
        method,
        ...(body === undefined ? {} : { body }),
        signal,
      });
      let parsed: unknown;
      try {
        parsed = answer.body ? JSON.parse(answer.body) : undefined;
      } catch {
        parsed = answer.body;
      }
      return { status: answer.status, body: parsed };
    });
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
    checkNames(namespace, name);
    return this.http.watch(
      deploymentsPath(namespace),
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

interface ListOf<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

const seg = encodeURIComponent;

/**
 * Names go into URL paths: ".", ".." or "" would resolve away their segment (a cluster-wide list instead
 * of one namespace). Invalid DNS-1123 names are refused before any request.
 */
function checkNames(namespace: string, deployment?: string): void {
  const problem =
    kubeNameProblem("namespace", namespace) ??
    (deployment === undefined ? undefined : kubeNameProblem("deployment", deployment));
  if (problem)
    throw new KubeError(problem, {
      hint: "Check the step's namespace and deployment (and the variables they use).",
    });
}

function deploymentsPath(namespace: string, name?: string): string {
  return `/apis/apps/v1/namespaces/${seg(namespace)}/deployments${name === undefined ? "" : `/${seg(name)}`}`;
}

/** Forget cached connections (tests that rewrite a kubeconfig under the same path). */
export function resetConnections(): void {
  connections.clear();
}
