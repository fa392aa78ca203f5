// @ts-nocheck
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/sandbox/kube-objects.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { seedStaging } from "../../../src/sandbox/start.js";

const NS = "staging";
const NAME = "buywhere-api";
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`;

// biome-ignore lint/suspicious/noExplicitAny: API responses are read as loose JSON in these tests
type Loose = any;

let sandbox: KubeSandbox;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Loose }> {
  const res = await fetch(`${sandbox.url}${path}`, init);
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, body: await res.json() };
}

function patch(path: string, type: string, body: unknown) {
  return api(path, { method: "PATCH", headers: { "Content-Type": type }, body: JSON.stringify(body) });
}

const revisions = () =>
  sandbox.replicaSets(NS, NAME).map((rs) => ({
    revision: Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"]),
    image: rs.spec.template.spec.containers[0].image as string,
    replicas: rs.spec.replicas as number,
  }));

/** What `kubectl rollout undo` sends: the target RS template without its hash label, and its annotations. */
function undoPatch(target: KubeObject, deployment: KubeObject) {
  const template = structuredClone(target.spec.template);
  delete template.metadata.labels["pod-template-hash"];
  const annotations = { ...target.metadata.annotations };
  for (const k of [
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
  ]) {
    delete annotations[k];
    const own = deployment.metadata.annotations?.[k];
    if (own !== undefined) annotations[k] = own;
  }
  return [
    {
      op: "replace",
      path: "/spec/template",
      value: { ...template, metadata: { ...template.metadata, creationTimestamp: null } },
    },
    { op: "replace", path: "/metadata/annotations", value: annotations },
  ];
}

beforeEach(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  seedStaging(sandbox);
});
afterEach(async () => {
  await sandbox.close();
});

describe("simulated API server: discovery and reads", () => {
  it("serves /version, discovery (plain JSON even for aggregated-discovery Accept) and Status 404s", async () => {
    expect((await api("/version")).body).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.4" });
    const apis = await api("/apis", {
      headers: {
        Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
      },
    });
    expect(apis.body.kind).toBe("APIGroupList");
    expect(apis.body.groups[0].preferredVersion.groupVersion).toBe("apps/v1");
    const core = await api("/api/v1");
    expect(core.body.resources.map((r: { name: string }) => r.name)).toEqual([
      "namespaces",
      "pods",
      "events",
      "configmaps",
    ]);
    expect(apis.body.groups.map((g: { name: string }) => g.name)).toEqual([
      "apps",
      "coordination.k8s.io",
      "authorization.k8s.io",
    ]);
    const coordination = await api("/apis/coordination.k8s.io/v1");
    expect(coordination.body.resources.map((r: { name: string }) => r.name)).toEqual(["leases"]);
    const apps = await api("/apis/apps/v1");
    expect(apps.body.resources.map((r: { name: string }) => r.name)).toEqual(["deployments", "replicasets"]);
    const missing = await api("/api/v1/namespaces/production");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: 'namespaces "production" not found',
    });
    const missingDeploy = await api(`/apis/apps/v1/namespaces/${NS}/deployments/nope`);
    expect(missingDeploy.body.message).toBe('deployments.apps "nope" not found');
    expect((await api("/apis/batch/v1/jobs")).status).toBe(404);
  });

  it("lists pods by label selector, with resourceVersion, and as a Table for kubectl", async () => {
    const list = await api(
      `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent("app=buywhere-api")}`,
    );
    expect(list.body.kind).toBe("PodList");
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(list.body.items).toHaveLength(3);
    for (const pod of list.body.items) {
      expect(pod.status.phase).toBe("Running");
      expect(pod.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe("True");
    }
    expect((await api(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dother`)).body.items).toHaveLength(0);
    expect(
      (await api(`/api/v1/namespaces/${NS}/pods?labelSelector=app%20in%20(x,buywhere-api)`)).body.items,
    ).toHaveLength(3);
    const table = await api(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbuywhere-api`, {
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    expect(table.body.kind).toBe("Table");
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      "Name",
      "Ready",
      "Status",
      "Restarts",
      "Age",
    ]);
    expect(table.body.rows[0].cells.slice(1, 4)).toEqual(["1/1", "Running", 0]);
    expect((await api(`/api/v1/namespaces/${NS}/events`)).body).toMatchObject({
      kind: "EventList",
      items: [],
    });
  });

  it("seeds staging: buywhere-api at revision 2 with its ReplicaSets owned by the deployment", async () => {
    const { body: d } = await api(DEPLOY);
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.status).toMatchObject({
      observedGeneration: d.metadata.generation,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status.conditions.find((c: { type: string }) => c.type === "Progressing").reason).toBe(
      "NewReplicaSetAvailable",
    );
    expect(revisions()).toEqual([
      { revision: 1, image: "registry.example.com/buywhere-api:1.8.0", replicas: 0 },
      { revision: 2, image: "registry.example.com/buywhere-api:1.9.0", replicas: 3 },
    ]);
    const rs = await api(`/apis/apps/v1/namespaces/${NS}/replicasets?labelSelector=app%3Dbuywhere-api`);
    for (const item of rs.body.items) {
      expect(item.metadata.ownerReferences[0]).toMatchObject({
        kind: "Deployment",
        controller: true,
        uid: d.metadata.uid,
      });
      expect(item.metadata.name).toBe(`${NAME}-${item.metadata.labels["pod-template-hash"]}`);
    }
    expect(
      rs.body.items.map((i: KubeObject) => i.metadata.annotations?.["kubernetes.io/change-cause"]).sort(),
    ).toEqual(["deploy 1.8.0 (BUY-2401)", "deploy 1.9.0 (BUY-2474)"]);
  });
});

describe("simulated API server: the deployment controller", () => {
  it("rolls a template change out over time: generation, new revision, old pods replaced", async () => {
    const before = sandbox.getDeployment(NS, NAME)!;
    const res = await patch(DEPLOY, "application/strategic-merge-patch+json", {
      spec: {
        template: {
          spec: { containers: [{ name: NAME, image: "registry.example.com/buywhere-api:2.0.0" }] },
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.metadata.generation).toBe(before.metadata.generation! + 1);
    await new Promise((r) => setTimeout(r, 30));
    const mid = sandbox.getDeployment(NS, NAME)!;
    expect(mid.status.conditions.find((c: { type: string }) => c.type === "Available").status).toBe("True");
    await sandbox.waitForRollout(NS, NAME, 5000);
    expect(revisions().map((r) => [r.revision, r.replicas])).toEqual([
      [1, 0],
      [2, 0],
      [3, 3],
    ]);
    expect(sandbox.pods(NS, "app=buywhere-api").map((p) => p.spec.containers[0].image)).toEqual(
      Array(3).fill("registry.example.com/buywhere-api:2.0.0"),
    );
  });

  it("undo (kubectl's JSON patch) reactivates the old ReplicaSet as revision 3, and again as revision 4", async () => {
    const rs1 = sandbox.replicaSets(NS, NAME)[0]!;
    const res = await patch(
      DEPLOY,
      "application/json-patch+json",
      undoPatch(rs1, sandbox.getDeployment(NS, NAME)!),
    );
    expect(res.status).toBe(200);
    await sandbox.waitForRollout(NS, NAME, 5000);
    expect(revisions()).toEqual([
      { revision: 2, image: "registry.example.com/buywhere-api:1.9.0", replicas: 0 },
      { revision: 3, image: "registry.example.com/buywhere-api:1.8.0", replicas: 3 },
    ]);
    const reactivated = sandbox.replicaSets(NS, NAME)[1]!;
    expect(reactivated.metadata.name).toBe(rs1.metadata.name);
    expect(reactivated.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect(sandbox.getDeployment(NS, NAME)!.metadata.annotations?.["kubernetes.io/change-cause"]).toBe(
      "deploy 1.8.0 (BUY-2401)",
    );

    const rs2 = sandbox.replicaSets(NS, NAME)[0]!;
    await patch(DEPLOY, "application/json-patch+json", undoPatch(rs2, sandbox.getDeployment(NS, NAME)!));
    await sandbox.waitForRollout(NS, NAME, 5000);
    expect(revisions().map((r) => [r.revision, r.image.split(":")[1]])).toEqual([
      [3, "1.8.0"],
      [4, "1.9.0"],
    ]);
    expect(sandbox.getDeployment(NS, NAME)!.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe(
      "4",
    );
  });

  it("merge patch pauses a deployment; a paused deployment does not roll out until resumed", async () => {
    await patch(DEPLOY, "application/merge-patch+json", { spec: { paused: true } });
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    await new Promise((r) => setTimeout(r, 150));
    expect(revisions()).toHaveLength(2);
    expect(sandbox.pods(NS).every((p) => p.spec.containers[0].image.endsWith(":1.9.0"))).toBe(true);
    await patch(DEPLOY, "application/merge-patch+json", { spec: { paused: null } });
    await sandbox.waitForRollout(NS, NAME, 5000);
    expect(revisions().at(-1)).toMatchObject({
      revision: 3,
      image: "registry.example.com/buywhere-api:2.0.0",
      replicas: 3,
    });
  });

  it("refuses unknown patch types and bad JSON patches with Status objects", async () => {
    const wrongType = await api(DEPLOY, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.kind).toBe("Status");
    const bad = await patch(DEPLOY, "application/json-patch+json", [
      { op: "replace", path: "/spec/nothing/here", value: 1 },
    ]);
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain("/spec/nothing/here");
    const dry = await api(`${DEPLOY}?dryRun=All`, {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: 9 } }),
    });
    expect(dry.body.spec.replicas).toBe(9);
    expect(sandbox.getDeployment(NS, NAME)!.spec.replicas).toBe(3);
  });
});

describe("simulated API server: watch", () => {
  async function readEvents(path: string, until: (e: Loose) => boolean): Promise<Loose[]> {
    const controller = new AbortController();
    const res = await fetch(`${sandbox.url}${path}`, { signal: controller.signal });
    const events: Loose[] = [];
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          const event = JSON.parse(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          events.push(event);
          if (until(event)) return events;
          nl = buffer.indexOf("\n");
        }
      }
    } finally {
      controller.abort();
    }
    return events;
  }

  it("streams ADDED then MODIFIED deployment events, filtered by fieldSelector, as the rollout progresses", async () => {
    const list = await api(
      `/apis/apps/v1/namespaces/${NS}/deployments?fieldSelector=metadata.name%3D${NAME}`,
    );
    expect(list.body.items).toHaveLength(1);
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    const events = await readEvents(
      `/apis/apps/v1/namespaces/${NS}/deployments?fieldSelector=metadata.name%3D${NAME}&watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
      (e) =>
        e.object.spec.template.spec.containers[0].image.endsWith(":2.0.0") &&
        e.object.status.observedGeneration === e.object.metadata.generation &&
        e.object.status?.conditions?.some((c: Loose) => c.reason === "NewReplicaSetAvailable") &&
        e.object.status.replicas === 3,
    );
    expect(
      events.every(
        (e) => e.type === "MODIFIED" && e.object.kind === "Deployment" && e.object.apiVersion === "apps/v1",
      ),
    ).toBe(true);
    const updated = events.map((e) => e.object.status.updatedReplicas ?? 0);
    expect(updated).toContain(1);
    expect(updated.at(-1)).toBe(3);
  });

  it("answers a watch-list request with ADDED events and the initial-events-end BOOKMARK", async () => {
    const events = await readEvents(
      `/apis/apps/v1/namespaces/${NS}/deployments?fieldSelector=metadata.name%3D${NAME}&watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      (e) => e.type === "BOOKMARK",
    );
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
    expect(events[1].object.metadata.annotations["k8s.io/initial-events-end"]).toBe("true");
  });
});

describe("simulated API server: faults", () => {
  it("neverReady: new pods run but never become ready, the rollout stalls", async () => {
    sandbox.faults.neverReady = true;
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    await new Promise((r) => setTimeout(r, 250));
    const d = sandbox.getDeployment(NS, NAME)!;
    expect(d.status).toMatchObject({
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    const fresh = sandbox.pods(NS).filter((p) => p.spec.containers[0].image.endsWith(":2.0.0"));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.status.phase).toBe("Running");
    expect(fresh[0]!.status.conditions.find((c: Loose) => c.type === "Ready").status).toBe("False");
    delete sandbox.faults.neverReady;
  });

  it("progressDeadlineExceeded: the Progressing condition says so", async () => {
    sandbox.faults.progressDeadlineExceeded = true;
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    await new Promise((r) => setTimeout(r, 100));
    const progressing = sandbox
      .getDeployment(NS, NAME)!
      .status.conditions.find((c: Loose) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
  });

  it("apiError answers matching paths with a Status; latencyMs delays answers", async () => {
    sandbox.faults.apiError = {
      status: 403,
      message: 'deployments.apps is forbidden: User "dev" cannot get resource',
      pathRegex: "/deployments",
    };
    const res = await api(DEPLOY);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect((await api(`/api/v1/namespaces/${NS}`)).status).toBe(200);
    delete sandbox.faults.apiError;
    sandbox.faults.latencyMs = 60;
    const start = Date.now();
    await api("/api/v1/namespaces");
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });
});
