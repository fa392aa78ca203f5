// The sandbox as a whole: starts its parts (the simulated Kubernetes cluster seeded like staging; more parts
// can be added next to it), writes the kubeconfig, and says which --var flags point a checklist at it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterFaults } from "./kube-cluster.js";
import { type KubeSandbox, startKubeSandbox } from "./kube-server.js";

export const SANDBOX_CONTEXT = "staging-sandbox";
export const SANDBOX_NAMESPACE = "staging";
export const SANDBOX_DEPLOYMENT = "buywhere-api";
export const SANDBOX_IMAGE_REPO = "registry.example.com/buywhere-api";
export const SANDBOX_PREVIOUS_IMAGE = `${SANDBOX_IMAGE_REPO}:1.8.0`;
export const SANDBOX_CURRENT_IMAGE = `${SANDBOX_IMAGE_REPO}:1.9.0`;

export interface SandboxOptions {
  /** Directory for the kubeconfig (and whatever other parts write); a new temp dir when absent. */
  dir?: string;
  rolloutStepMs?: number;
  faults?: ClusterFaults;
}

export interface Sandbox {
  dir: string;
  kube: KubeSandbox;
  kubeconfigPath: string;
  /** Checklist variables that point the staging checklist at this sandbox. */
  vars: Record<string, string>;
  /** Environment a child process needs to reach the sandbox (KUBECONFIG). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Seed the simulated cluster as the staging checklist expects it: buywhere-api at revision 2, 3 pods ready. */
export function seedStaging(kube: KubeSandbox): void {
  kube.createNamespace(SANDBOX_NAMESPACE);
  kube.createDeployment({
    namespace: SANDBOX_NAMESPACE,
    name: SANDBOX_DEPLOYMENT,
    image: SANDBOX_PREVIOUS_IMAGE,
    replicas: 3,
    labels: { app: SANDBOX_DEPLOYMENT },
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    changeCause: "deploy 1.8.0 (BUY-2401)",
  });
  kube.setImage(SANDBOX_NAMESPACE, SANDBOX_DEPLOYMENT, SANDBOX_CURRENT_IMAGE, "deploy 1.9.0 (BUY-2474)");
  kube.cluster.settle(SANDBOX_NAMESPACE, SANDBOX_DEPLOYMENT);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "deploycheck-sandbox-")));
  const kube = await startKubeSandbox({
    ...(options.rolloutStepMs !== undefined ? { rolloutStepMs: options.rolloutStepMs } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  try {
    seedStaging(kube);
    const kubeconfigPath = await kube.writeKubeconfig(join(dir, "kubeconfig"), {
      context: SANDBOX_CONTEXT,
      namespace: SANDBOX_NAMESPACE,
    });
    return {
      dir,
      kube,
      kubeconfigPath,
      vars: { namespace: SANDBOX_NAMESPACE, deployment: SANDBOX_DEPLOYMENT },
      env: { KUBECONFIG: kubeconfigPath },
      async close() {
        await kube.close();
        if (ownDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await kube.close();
    throw err;
  }
}
