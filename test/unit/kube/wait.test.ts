// Waiting for a rollout as `kubectl rollout status` does, against the simulated API server: every
// distinct message once, a watch that ends or expires is listed again, a deployment deleted while waiting
// is an error naming it, the caller's abort wins, and no watch stream is left open afterwards.
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeError } from "../../../src/errors.js";
import { KubeClient, resetConnections } from "../../../src/kube/client.js";
import { waitForRollout } from "../../../src/kube/wait.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { tempDir } from "../checks/context.js";

const NS = "waits";
let sandbox: KubeSandbox;
let client: KubeClient;
const temp = tempDir("dc-wait-");

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"), { namespace: NS });
  resetConnections();
  client = await KubeClient.connect({ env: { KUBECONFIG: kubeconfig, HOME: temp.dir } });
  sandbox.createNamespace(NS);
});
afterAll(async () => {
  await sandbox.close();
  temp.cleanup();
});
beforeEach(() => {
  for (const k of Object.keys(sandbox.faults)) delete sandbox.faults[k as keyof typeof sandbox.faults];
});

let n = 0;
/** A deployment of 3 replicas, settled at v1, then (unless `settled`) a rollout to v2 started. */
function deployment(settled = false): string {
  const name = `api-${++n}`;
  sandbox.createDeployment({ namespace: NS, name, image: "registry.local/api:1", labels: { app: name } });
  sandbox.cluster.settle(NS, name);
  if (!settled) sandbox.setImage(NS, name, "registry.local/api:2");
  return name;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const count = (pattern: RegExp) => sandbox.requests.filter((r) => pattern.test(r)).length;
const lists = (name: string) =>
  count(
    new RegExp(
      `^GET /apis/apps/v1/namespaces/${NS}/deployments\\?(?!.*watch=).*metadata\\.name%3D${name}\\b`,
    ),
  );
const watches = (name: string) =>
  count(
    new RegExp(
      `^GET /apis/apps/v1/namespaces/${NS}/deployments\\?.*watch=.*metadata\\.name%3D${name}\\b|^GET /apis/apps/v1/namespaces/${NS}/deployments\\?.*metadata\\.name%3D${name}.*watch=`,
    ),
  );

function wait(name: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  const seen: string[] = [];
  const result = waitForRollout(client, NS, name, {
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 20_000,
    onMessage: (m) => seen.push(m),
  });
  return { result, seen };
}

describe("waitForRollout", () => {
  it("a finished rollout: one GET, one message, no list and no watch", async () => {
    const name = deployment(true);
    const { result, seen } = wait(name);
    const r = await result;
    expect(r).toMatchObject({ timedOut: false, verdict: { done: true, failed: false } });
    expect(r.messages).toEqual([`deployment "${name}" successfully rolled out`]);
    expect(seen).toEqual(r.messages);
    expect(r.deployment.metadata?.name).toBe(name);
    expect(lists(name) + watches(name)).toBe(0);
  });

  it("follows a rollout through the watch: each distinct message once, in order, ending rolled out", async () => {
    // The controller waits until the watch is open, so the rollout's progress arrives through the watch.
    sandbox.faults.pause = true;
    const name = deployment();
    const { result, seen } = wait(name);
    await until(() => watches(name) === 1 && sandbox.openWatches() === 1, "watching");
    delete sandbox.faults.pause;
    const r = await result;
    // Finished through the watch: one list, never listed again.
    expect(lists(name)).toBe(1);
    expect(r.verdict).toMatchObject({ done: true, failed: false });
    expect(r.timedOut).toBe(false);
    expect(r.messages.at(-1)).toBe(`deployment "${name}" successfully rolled out`);
    expect(r.messages[0]).toMatch(/^Waiting for deployment/);
    expect(r.messages.length).toBeGreaterThan(1);
    for (let i = 1; i < r.messages.length; i++) expect(r.messages[i]).not.toBe(r.messages[i - 1]);
    expect(seen).toEqual(r.messages);
    expect(r.deployment.status?.updatedReplicas).toBe(3);
    expect(watches(name)).toBe(1);
    await until(() => sandbox.openWatches() === 0, "the watch closed");
  });

  it("a failed rollout (progress deadline exceeded) is a verdict, not a timeout", async () => {
    sandbox.faults.progressDeadlineExceeded = true;
    const name = deployment();
    const r = await wait(name).result;
    expect(r.verdict).toMatchObject({ done: false, failed: true });
    expect(r.verdict.message).toBe(`deployment "${name}" exceeded its progress deadline`);
    expect(r.timedOut).toBe(false);
  });

  it("the deadline: timed out with the last verdict, and the watch closed", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const r = await wait(name, { timeoutMs: 150 }).result;
    expect(r.timedOut).toBe(true);
    expect(r.verdict.done || r.verdict.failed).toBe(false);
    expect(r.messages.at(-1)).toBe(r.verdict.message);
    await until(() => sandbox.openWatches() === 0, "the watch closed");
  });

  it("a deadline that passes during a request is a timeout, not an error", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    // The GET comes back before the deadline starts; the list is still on its way when it passes.
    sandbox.faults.latencyMs = 300;
    const r = await wait(name, { timeoutMs: 100 }).result;
    expect(r.timedOut).toBe(true);
    expect(r.verdict.done || r.verdict.failed).toBe(false);
  });

  it("a watch the server ends is listed and watched again, and the rollout still finishes", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const { result } = wait(name);
    await until(() => watches(name) === 1 && sandbox.openWatches() === 1, "first watch open");
    sandbox.endWatches();
    await until(() => watches(name) === 2 && sandbox.openWatches() === 1, "second watch open");
    expect(lists(name)).toBe(2);
    delete sandbox.faults.pause;
    const r = await result;
    expect(r.verdict.done).toBe(true);
    expect(r.timedOut).toBe(false);
  });

  it("a watch answered 410 Expired is listed again until a watch works", async () => {
    sandbox.faults.pause = true;
    sandbox.faults.watchExpired = true;
    const name = deployment();
    const { result } = wait(name);
    await until(() => watches(name) >= 2, "two expired watches");
    delete sandbox.faults.watchExpired;
    delete sandbox.faults.pause;
    const r = await result;
    expect(r.verdict.done).toBe(true);
    expect(lists(name)).toBeGreaterThanOrEqual(3);
  });

  it("a deployment deleted while watched: an error naming it", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const { result } = wait(name);
    await until(() => watches(name) === 1, "watching");
    sandbox.deleteDeployment(NS, name);
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(
      `deployment "${name}" in namespace "${NS}" was deleted while waiting`,
    );
    await until(() => sandbox.openWatches() === 0, "the watch closed");
  });

  it("a deployment gone when listed: an error naming it", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const err = await waitForRollout(client, NS, name, {
      signal: new AbortController().signal,
      timeoutMs: 20_000,
      // The first message comes from the GET, before the list: delete it now.
      onMessage: () => sandbox.deleteDeployment(NS, name),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(
      `deployment "${name}" in namespace "${NS}" not found (deleted while waiting)`,
    );
  });

  it("the caller's abort wins: the wait rejects with its reason and closes the watch", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const controller = new AbortController();
    const { result } = wait(name, { signal: controller.signal });
    await until(() => sandbox.openWatches() === 1, "watching");
    const reason = new Error("interrupted by the engineer");
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    await until(() => sandbox.openWatches() === 0, "the watch closed");
  });

  it("an abort while the watch is still connecting closes it once it opens", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    const controller = new AbortController();
    const { result } = wait(name, { signal: controller.signal });
    await until(() => lists(name) === 1, "listed");
    sandbox.faults.latencyMs = 200;
    controller.abort(new Error("stop"));
    await expect(result).rejects.toThrow("stop");
    await new Promise((r) => setTimeout(r, 400));
    await until(() => sandbox.openWatches() === 0, "no watch left open");
  });

  it("a watch the API refuses (RBAC allows get and list, not watch) is an error, not a hang", async () => {
    sandbox.faults.pause = true;
    const name = deployment();
    sandbox.faults.forbidden = ["watch deployments.apps"];
    const err = await wait(name).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toContain('cannot watch resource "deployments" in API group "apps"');
    expect(watches(name)).toBe(1);
  });
});
