// @ts-nocheck
// A scale-up in progress (2 updated, 2 total, 2 available of 3 desired) is not "successfully rolled
// out": through the pure verdict, and on the simulated cluster through both the native kube check and the
// real kubectl, which must agree word for word.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/kube.js";
import { rolloutVerdict } from "../../../src/kube/rollout.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { makeContext, tempDir } from "../checks/context.js";

const run = promisify(execFile);
const temp = tempDir("dc-scale-up-");
let sandbox: KubeSandbox;
let kubeconfig: string;

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"));
  sandbox.createDeployment({ namespace: "staging", name: "api", image: "api:1", replicas: 2 });
  sandbox.cluster.settle("staging", "api");
  // Scale to 3 with the controller frozen: 2/2/2 of 3.
  sandbox.faults.pause = true;
  sandbox.cluster.updateDeployment("staging", "api", (d) => {
    d.spec.replicas = 3;
  });
  // The controller observes the new generation a moment later (and, frozen, creates no pod).
  for (let i = 0; i < 500; i++) {
    const d = sandbox.getDeployment("staging", "api")!;
    if (d.status.observedGeneration === d.metadata.generation) break;
    await new Promise((r) => setTimeout(r, 10));
  }
});
afterAll(async () => sandbox.close());

const MESSAGE =
  'Waiting for deployment "api" rollout to finish: 2 out of 3 new replicas have been updated...';

describe("a scale-up in progress", () => {
  it("the pure verdict waits", () => {
    const verdict = rolloutVerdict(
      {
        metadata: { name: "api", generation: 3 },
        spec: { replicas: 3 },
        status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      },
      "api",
    );
    expect(verdict).toEqual({ done: false, failed: false, message: MESSAGE });
  });

  it("kubectl and the native check say the same, and neither calls it rolled out", async () => {
    const d = sandbox.getDeployment("staging", "api")!;
    expect([
      d.spec.replicas,
      d.status.replicas,
      d.status.updatedReplicas,
      d.status.availableReplicas,
    ]).toEqual([3, 2, 2, 2]);
    const kubectl = await run(
      "kubectl",
      ["rollout", "status", "deployment/api", "-n", "staging", "--watch=false"],
      {
        env: {
          PATH: process.env["PATH"],
          HOME: temp.dir,
          KUBECONFIG: kubeconfig,
          KUBECACHEDIR: path.join(temp.dir, "cache"),
        },
      },
    );
    expect(kubectl.stdout.trim()).toBe(MESSAGE);
    expect(rolloutVerdict(d, "api")).toEqual({ done: false, failed: false, message: MESSAGE });
    const step = {
      id: "r",
      kube: { rolloutStatus: { deployment: "api", namespace: "staging" } },
    } as Step;
    const out = await execute(
      step,
      makeContext({ env: { KUBECONFIG: kubeconfig, HOME: temp.dir }, timeoutMs: 1_000 }),
    );
    expect(out.status).toBe("failed");
    expect(`${out.summary}`).not.toMatch(/successfully rolled out/);
  });
});
