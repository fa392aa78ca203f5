// A kubeconfig for child processes (kubectl in run steps) with the chosen --context as the current one, so that
// a `run: kubectl ...` step talks to the same cluster as the native kube checks. Light: no Kubernetes client.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { readKubeconfig, resolveContext } from "./kubeconfig.js";

export interface ChildKubeconfigOptions {
  /** The run's directory: the kubeconfig is written there (mode 0600). */
  runDir: string;
  /** The --context chosen for the run; without one, children use the user's kubeconfig unchanged. */
  context?: string;
  env?: Record<string, string | undefined>;
}

/** Path of the child kubeconfig, or undefined when no context was chosen (nothing to change). */
export async function childKubeconfig(options: ChildKubeconfigOptions): Promise<string | undefined> {
  if (!options.context) return undefined;
  const view = readKubeconfig(options.env ?? process.env);
  resolveContext(view, options.context);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: view.raw.clusters,
    contexts: view.raw.contexts,
    users: view.raw.users,
    "current-context": options.context,
    preferences: {},
  };
  await mkdir(options.runDir, { recursive: true });
  const path = join(options.runDir, "kubeconfig");
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}
