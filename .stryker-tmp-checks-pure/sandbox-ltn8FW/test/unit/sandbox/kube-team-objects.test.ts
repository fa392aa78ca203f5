// @ts-nocheck
// Leases and ConfigMaps in the simulated API server (the primitives of team state): create, replace with
// resourceVersion preconditions, delete, label selectors, the 1 MiB object limit, RBAC refusals and the
// faults; and the real kubectl reading them (get leases / get configmaps -l / auth can-i).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { tempDir } from "../checks/context.js";

const run = promisify(execFile);
const temp = tempDir("dc-team-objects-");
const NS = "deploycheck";
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
const CONFIGMAPS = `/api/v1/namespaces/${NS}/configmaps`;

let sandbox: KubeSandbox;
let kubeconfig: string;

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"));
});
afterAll(async () => sandbox.close());
beforeEach(() => {
  for (const key of Object.keys(sandbox.faults)) delete sandbox.faults[key as keyof typeof sandbox.faults];
  for (const resource of ["leases", "configmaps"] as const)
    for (const o of sandbox.cluster.list(resource))
      sandbox.cluster.deleteObject(resource, NS, o.metadata.name);
  sandbox.createNamespace(NS);
});

async function api(method: string, urlPath: string, body?: unknown) {
  const res = await fetch(sandbox.url + urlPath, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field in the assertions
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const lease = (name: string, holder: string, resourceVersion?: string) => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, ...(resourceVersion ? { resourceVersion } : {}) },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: "2026-11-30T08:00:00.000000Z" },
});

describe("leases and configmaps", () => {
  it("creates once (409 AlreadyExists after), replaces only with the resourceVersion just read", async () => {
    const created = await api("POST", LEASES, lease("deploycheck-staging", "alice"));
    expect(created.status).toBe(201);
    expect(created.body["kind"]).toBe("Lease");
    const rv = created.body["metadata"].resourceVersion as string;
    expect(rv).toMatch(/^\d+$/);

    const again = await api("POST", LEASES, lease("deploycheck-staging", "bob"));
    expect(again.status).toBe(409);
    expect(again.body["reason"]).toBe("AlreadyExists");
    expect(again.body["message"]).toBe('leases.coordination.k8s.io "deploycheck-staging" already exists');

    const renewed = await api(
      "PUT",
      `${LEASES}/deploycheck-staging`,
      lease("deploycheck-staging", "alice", rv),
    );
    expect(renewed.status).toBe(200);
    const rv2 = renewed.body["metadata"].resourceVersion as string;
    expect(Number(rv2)).toBeGreaterThan(Number(rv));
    expect(renewed.body["metadata"].uid).toBe(created.body["metadata"].uid);

    // A second writer that read the old version loses: exactly the optimistic-concurrency rule.
    const stale = await api("PUT", `${LEASES}/deploycheck-staging`, lease("deploycheck-staging", "bob", rv));
    expect(stale.status).toBe(409);
    expect(stale.body["reason"]).toBe("Conflict");
    expect(stale.body["message"]).toMatch(/the object has been modified; please apply your changes/);
    const now = await api("GET", `${LEASES}/deploycheck-staging`);
    expect(now.body["spec"].holderIdentity).toBe("alice");
    expect(now.body["metadata"].resourceVersion).toBe(rv2);
  });

  it("of many concurrent writers with the same resourceVersion, exactly one wins", async () => {
    const created = await api("POST", LEASES, lease("race", "nobody"));
    const rv = created.body["metadata"].resourceVersion as string;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api("PUT", `${LEASES}/race`, lease("race", `writer-${i}`, rv))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(11);
  });

  it("lists configmaps by label selector, deletes with a precondition, and 404s what is gone", async () => {
    for (const [name, run] of [
      ["dc-a-000001", "a"],
      ["dc-a-000002", "a"],
      ["dc-b-000001", "b"],
    ] as const) {
      const r = await api("POST", CONFIGMAPS, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, labels: { "deploycheck.io/run": run } },
        data: { events: "{}" },
      });
      expect(r.status).toBe(201);
    }
    const listed = await api(
      "GET",
      `${CONFIGMAPS}?labelSelector=${encodeURIComponent("deploycheck.io/run=a")}`,
    );
    expect(listed.body["kind"]).toBe("ConfigMapList");
    expect(listed.body["items"].map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      "dc-a-000001",
      "dc-a-000002",
    ]);
    const wrongRv = await api("DELETE", `${CONFIGMAPS}/dc-b-000001`, {
      preconditions: { resourceVersion: "1" },
    });
    expect(wrongRv.status).toBe(409);
    expect((await api("DELETE", `${CONFIGMAPS}/dc-b-000001`)).status).toBe(200);
    expect((await api("GET", `${CONFIGMAPS}/dc-b-000001`)).status).toBe(404);
  });

  it("refuses objects over 1 MiB, invalid names, and writes into a namespace that does not exist", async () => {
    const big = await api("POST", CONFIGMAPS, {
      metadata: { name: "too-big" },
      data: { events: "x".repeat(1024 * 1024 + 1) },
    });
    expect(big.status).toBe(422);
    expect(big.body["message"]).toMatch(/Too long: must have at most 1048576 bytes/);
    for (const name of ["", ".", "..", "Upper", "a_b"]) {
      const bad = await api("POST", CONFIGMAPS, { metadata: { name }, data: {} });
      expect(bad.status, name).toBe(422);
    }
    const missing = await api(
      "POST",
      "/apis/coordination.k8s.io/v1/namespaces/nowhere/leases",
      lease("x", "alice"),
    );
    expect(missing.status).toBe(404);
    expect(missing.body["message"]).toBe('namespaces "nowhere" not found');
  });

  it("faults: a 409 storm of N writes, 403 for a forbidden verb, and a server that drops connections", async () => {
    sandbox.faults.conflictStorm = 2;
    expect((await api("POST", LEASES, lease("storm", "a"))).status).toBe(409);
    expect((await api("POST", LEASES, lease("storm", "a"))).status).toBe(409);
    expect((await api("POST", LEASES, lease("storm", "a"))).status).toBe(201);

    sandbox.faults.forbidden = ["create configmaps"];
    const denied = await api("POST", CONFIGMAPS, { metadata: { name: "x" }, data: {} });
    expect(denied.status).toBe(403);
    expect(denied.body["message"]).toBe(
      'configmaps is forbidden: User "sandbox-user" cannot create resource "configmaps" in API group "" in the namespace "deploycheck"',
    );

    sandbox.faults.unreachableUntil = Date.now() + 60_000;
    await expect(fetch(`${sandbox.url}${LEASES}`)).rejects.toThrow();
    sandbox.faults.unreachableUntil = Date.now() - 1;
    expect((await fetch(`${sandbox.url}${LEASES}`)).status).toBe(200);
  });
});

async function kubectl(...args: string[]) {
  const env = {
    PATH: process.env["PATH"],
    HOME: temp.dir,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(temp.dir, "cache"),
  };
  try {
    const { stdout, stderr } = await run("kubectl", args, { env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT")
      throw new Error("kubectl is not installed (CI installs Debian's kubernetes-client)");
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("the real kubectl against leases and configmaps", () => {
  it("get leases shows the holder; get configmaps -l filters by label; -o json round-trips", async () => {
    await api("POST", LEASES, lease("deploycheck-staging", "alice@laptop pid 42 run 20261130-x"));
    await api("POST", CONFIGMAPS, {
      metadata: { name: "dc-run-1", labels: { "deploycheck.io/run": "r1" } },
      data: { a: "1", b: "2" },
    });
    await api("POST", CONFIGMAPS, {
      metadata: { name: "dc-run-2", labels: { "deploycheck.io/run": "r2" } },
      data: {},
    });

    const leases = await kubectl("get", "leases", "-n", NS);
    expect(leases.stderr).toBe("");
    expect(leases.code).toBe(0);
    expect(leases.stdout.split("\n")[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(leases.stdout).toMatch(/deploycheck-staging\s+alice@laptop pid 42 run 20261130-x\s+\d+s/);

    const cms = await kubectl("get", "configmaps", "-n", NS, "-l", "deploycheck.io/run=r1");
    expect(cms.code).toBe(0);
    expect(cms.stdout).toMatch(/^NAME\s+DATA\s+AGE\n/);
    expect(cms.stdout).toMatch(/dc-run-1\s+2\s+/);
    expect(cms.stdout).not.toContain("dc-run-2");

    const json = await kubectl("get", "lease", "deploycheck-staging", "-n", NS, "-o", "json");
    expect(JSON.parse(json.stdout).spec.holderIdentity).toBe("alice@laptop pid 42 run 20261130-x");

    const both = await kubectl("get", "leases,configmaps", "-n", NS);
    expect(both.code).toBe(0);
    expect(both.stdout).toContain("lease.coordination.k8s.io/deploycheck-staging");
    expect(both.stdout).toContain("configmap/dc-run-1");
  });

  it("auth can-i answers yes, and no (exit 1) for a forbidden verb", async () => {
    const yes = await kubectl("auth", "can-i", "create", "leases", "-n", NS);
    expect(yes).toMatchObject({ code: 0, stdout: "yes\n" });
    sandbox.faults.forbidden = ["update leases.coordination.k8s.io"];
    const no = await kubectl("auth", "can-i", "update", "leases.coordination.k8s.io", "-n", NS);
    expect(no.code).toBe(1);
    expect(no.stdout).toBe("no\n");
  });
});
