// @ts-nocheck
// A kubeconfig for child processes (kubectl in run steps) with the chosen --context as the current one, so that
// a `run: kubectl ...` step talks to the same cluster as the native kube checks. Light: no Kubernetes client.
// It holds credentials, so it holds only the chosen context's cluster and user, lives in a private temporary
// directory (0700, file 0600) outside the working tree, and is removed when the session ends.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { readKubeconfig, resolveContext } from "./kubeconfig.js";

export interface ChildKubeconfigOptions {
  /** The --context chosen for the run; without one, children use the user's kubeconfig unchanged. */
  context?: string;
  env?: Record<string, string | undefined>;
  /** Where the private directory is made (default: the OS temporary directory). */
  tmpRoot?: string;
}

export interface ChildKubeconfig {
  /** The file to hand to children as KUBECONFIG. */
  path: string;
  /** Remove the file and its directory; safe to call more than once. */
  remove(): void;
}

/** Every directory still to remove, so a process that exits without unwinding still leaves nothing behind. */
const live = new Set<string>();
let exitHook = false;

function removeDir(dir: string): void {
  live.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort: the directory is private to this user and under the OS temporary directory.
  }
}

/** The child kubeconfig, or undefined when no context was chosen (nothing to change). */
export function childKubeconfig(options: ChildKubeconfigOptions): ChildKubeconfig | undefined {
  if (!options.context) return undefined;
  const view = readKubeconfig(options.env ?? process.env);
  const ctx = resolveContext(view, options.context);
  const chosen = view.contexts.find((c) => c.name === ctx.name);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: view.raw.clusters.filter((c) => c.name === chosen?.cluster),
    contexts: view.raw.contexts.filter((c) => c.name === ctx.name),
    users: view.raw.users.filter((u) => u.name === chosen?.user),
    "current-context": ctx.name,
    preferences: {},
  };
  // mkdtemp creates the directory 0700; the file is created 0600 and never existed before.
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), "deploycheck-kube-"));
  live.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const d of [...live]) removeDir(d);
    });
  }
  const path = join(dir, "kubeconfig");
  try {
    writeFileSync(path, stringify(config), { mode: 0o600, flag: "wx" });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  return { path, remove: () => removeDir(dir) };
}
