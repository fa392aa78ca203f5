// @ts-nocheck
// Which kubeconfig applies, read as kubectl reads it (KUBECONFIG files merged first-wins, else ~/.kube/config),
// without the Kubernetes client: the context guard and child kubeconfigs need only this.
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { KubeError } from "../errors.js";

export interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

export interface KubeconfigView {
  /** The files read, in precedence order. */
  files: string[];
  currentContext: string | undefined;
  contexts: Array<{ name: string; cluster?: string; user?: string; namespace?: string }>;
  clusters: Array<{ name: string; server?: string }>;
  /** The merged documents' raw entries, first file first, for writing a child kubeconfig. */
  raw: { clusters: NamedEntry[]; contexts: NamedEntry[]; users: NamedEntry[] };
}

/** The kubeconfig files kubectl would read for this environment (existing ones only). */
export function kubeconfigFiles(env: Record<string, string | undefined>): {
  files: string[];
  searched: string[];
} {
  const list = env["KUBECONFIG"];
  if (list) {
    const searched = list.split(delimiter).filter(Boolean);
    return { files: searched.filter((f) => existsSync(f)), searched };
  }
  const home = env["HOME"] ?? env["USERPROFILE"];
  const file = home ? join(home, ".kube", "config") : undefined;
  return { files: file && existsSync(file) ? [file] : [], searched: file ? [file] : [] };
}

function noKubeconfig(env: Record<string, string | undefined>, searched: string[]): KubeError {
  const where = env["KUBECONFIG"]
    ? `KUBECONFIG=${env["KUBECONFIG"]} names no existing file`
    : `no kubeconfig found (looked for ${searched[0] ?? "~/.kube/config"})`;
  return new KubeError(`no kubeconfig: ${where}`, {
    hint: "Point KUBECONFIG at your cluster's kubeconfig (or create ~/.kube/config), e.g. export KUBECONFIG=~/.kube/staging.yaml",
  });
}

/** File references kubectl resolves relative to the kubeconfig that names them. */
const PATH_KEYS: Record<string, { inner: string; keys: string[] }> = {
  clusters: { inner: "cluster", keys: ["certificate-authority"] },
  users: { inner: "user", keys: ["client-certificate", "client-key", "tokenFile"] },
  contexts: { inner: "context", keys: [] },
};

function entries(doc: Record<string, unknown>, key: string, file: string): NamedEntry[] {
  const value = doc[key];
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is NamedEntry => typeof e?.name === "string")
    .map((e) => {
      const spec = PATH_KEYS[key]!;
      const inner = e[spec.inner];
      if (!inner || typeof inner !== "object") return e;
      const copy = { ...(inner as Record<string, unknown>) };
      for (const k of spec.keys) {
        const v = copy[k];
        if (typeof v === "string" && v !== "" && !isAbsolute(v)) copy[k] = resolve(dirname(file), v);
      }
      return { ...e, [spec.inner]: copy };
    });
}

/** Read and merge the kubeconfig; throws KubeError when there is none or it is not valid YAML. */
export function readKubeconfig(env: Record<string, string | undefined>): KubeconfigView {
  const { files, searched } = kubeconfigFiles(env);
  if (files.length === 0) throw noKubeconfig(env, searched);
  const raw = { clusters: [] as NamedEntry[], contexts: [] as NamedEntry[], users: [] as NamedEntry[] };
  let currentContext: string | undefined;
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new KubeError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object")
      throw new KubeError(`kubeconfig ${file} is not a kubeconfig (expected a YAML map)`);
    const d = doc as Record<string, unknown>;
    // kubectl's merge: the first file to define a name (or the current context) wins.
    for (const key of ["clusters", "contexts", "users"] as const) {
      for (const e of entries(d, key, file)) if (!raw[key].some((x) => x.name === e.name)) raw[key].push(e);
    }
    const cc = d["current-context"];
    if (currentContext === undefined && typeof cc === "string" && cc !== "") currentContext = cc;
  }
  const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
  return {
    files,
    currentContext,
    contexts: raw.contexts.map((c) => {
      const ctx = obj(c["context"]);
      return {
        name: c.name,
        ...(typeof ctx["cluster"] === "string" ? { cluster: ctx["cluster"] } : {}),
        ...(typeof ctx["user"] === "string" ? { user: ctx["user"] } : {}),
        ...(typeof ctx["namespace"] === "string" && ctx["namespace"] ? { namespace: ctx["namespace"] } : {}),
      };
    }),
    clusters: raw.clusters.map((c) => {
      const cl = obj(c["cluster"]);
      return { name: c.name, ...(typeof cl["server"] === "string" ? { server: cl["server"] } : {}) };
    }),
    raw,
  };
}

export interface ResolvedContext {
  name: string;
  namespace: string;
  /** True when the context sets no namespace (kubectl then uses "default"). */
  defaultNamespace: boolean;
  server: string | undefined;
  files: string[];
}

/** The context a step uses: --context when given, else the current one; with its namespace and server. */
export function resolveContext(view: KubeconfigView, explicit: string | undefined): ResolvedContext {
  const name = explicit ?? view.currentContext;
  if (!name) {
    throw new KubeError(`kubeconfig ${view.files.join(", ")} has no current context`, {
      hint: `Pass --context NAME (available: ${view.contexts.map((c) => c.name).join(", ") || "none"}) or run kubectl config use-context NAME`,
    });
  }
  const ctx = view.contexts.find((c) => c.name === name);
  if (!ctx) {
    throw new KubeError(`context "${name}" not found in kubeconfig ${view.files.join(", ")}`, {
      hint: `Available contexts: ${view.contexts.map((c) => c.name).join(", ") || "none"}`,
    });
  }
  const server = view.clusters.find((c) => c.name === ctx.cluster)?.server;
  return {
    name,
    namespace: ctx.namespace ?? "default",
    defaultNamespace: ctx.namespace === undefined,
    server,
    files: view.files,
  };
}
