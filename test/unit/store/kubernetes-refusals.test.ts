// Team state against the simulated API server: what each refusal of the API server becomes (the message
// the engineer reads, the hint, the status), the objects as stored (names, labels, annotations), the
// lease's bookkeeping on renewal and re-acquisition, damaged ConfigMaps, and syncRun's other outcomes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/kube/client.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { assertTeamAccess, missingPermissions } from "../../../src/store/kubernetes/access.js";
import { type Exchange, objectName, TeamStateError } from "../../../src/store/kubernetes/api.js";
import { CHUNK_BYTES, ConfigMapJournal } from "../../../src/store/kubernetes/configmap-journal.js";
import { type LeaseHolder, LeaseLock } from "../../../src/store/kubernetes/lease-lock.js";
import { listTeamRunIds, RunFiles } from "../../../src/store/kubernetes/run-files.js";
import { syncRun } from "../../../src/store/kubernetes/sync.js";
import { TeamJournal } from "../../../src/store/kubernetes/team-journal.js";
import { tempDir } from "../checks/context.js";

const temp = tempDir("dc-team-refusals-");
const NS = "deploycheck";
const RUN = "staging-20261130T070000Z-ab12";
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

let sandbox: KubeSandbox;
let exchange: Exchange;

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"));
  const client = await KubeClient.connect({ env: { KUBECONFIG: kubeconfig } });
  exchange = client.exchange.bind(client);
});
afterAll(async () => {
  await sandbox.close();
  temp.cleanup();
});
beforeEach(() => {
  for (const key of Object.keys(sandbox.faults)) delete sandbox.faults[key as keyof typeof sandbox.faults];
  for (const resource of ["leases", "configmaps"] as const)
    for (const o of sandbox.cluster.list(resource))
      sandbox.cluster.deleteObject(resource, NS, o.metadata.name);
  sandbox.createNamespace(NS);
});

const refusal = async (p: Promise<unknown>): Promise<TeamStateError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TeamStateError);
  return err as TeamStateError;
};
const holder = (engineer: string, pid = 100): LeaseHolder => ({
  engineer,
  host: `${engineer}-laptop`,
  pid,
  runId: RUN,
});
function clock(start = Date.parse("2026-11-30T08:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const lease = (engineer = "alice", c = clock(), extra: { durationSeconds?: number; pid?: number } = {}) =>
  new LeaseLock({
    exchange,
    namespace: NS,
    checklist: "staging",
    holder: holder(engineer, extra.pid),
    now: c.now,
    ...(extra.durationSeconds ? { durationSeconds: extra.durationSeconds } : {}),
  });
const stored = () =>
  sandbox.cluster.get("leases", NS, "deploycheck-staging") as unknown as {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    spec: Record<string, unknown>;
  };

describe("the Lease as written", () => {
  it("names the holder, keeps acquireTime and transitions on renewal and re-acquisition, and says the run in the annotation", async () => {
    const c = clock();
    const a = lease("alice", c);
    expect(a.held).toBe(false);
    expect(await a.inspect()).toBeUndefined();
    const got = await a.acquire();
    expect(a.held).toBe(true);
    expect(got).toEqual({
      acquired: true,
      lease: {
        holder: holder("alice"),
        holderIdentity: "alice@alice-laptop pid 100",
        acquiredAt: "2026-11-30T08:00:00.000000Z",
        renewedAt: "2026-11-30T08:00:00.000000Z",
        durationSeconds: 30,
        transitions: 0,
      },
    });
    expect(stored().metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "deploycheck" });
    expect(JSON.parse(stored().metadata.annotations["deploycheck.io/holder"]!)).toEqual(holder("alice"));
    c.advance(10_000);
    a.setRunId("staging-20261130T090000Z-cd34");
    expect(await a.renew()).toBe(true);
    expect(stored().spec).toMatchObject({
      holderIdentity: "alice@alice-laptop pid 100",
      acquireTime: "2026-11-30T08:00:00.000000Z",
      renewTime: "2026-11-30T08:00:10.000000Z",
      leaseDurationSeconds: 30,
      leaseTransitions: 0,
    });
    expect(JSON.parse(stored().metadata.annotations["deploycheck.io/holder"]!).runId).toBe(
      "staging-20261130T090000Z-cd34",
    );
    // The same holder again (a second session of the same process identity): no takeover, same acquireTime.
    c.advance(10_000);
    const again = await lease("alice", c).acquire();
    expect(again).toMatchObject({
      acquired: true,
      lease: { acquiredAt: "2026-11-30T08:00:00.000000Z", transitions: 0 },
    });
    expect("takenOver" in again).toBe(false);
    expect(stored().spec["renewTime"]).toBe("2026-11-30T08:00:20.000000Z");
    expect(await lease("bob", c).inspect()).toMatchObject({
      holderIdentity: "alice@alice-laptop pid 100",
      holder: holder("alice"),
    });
  });

  it("a released lease is taken without a takeover; release when not held asks nothing", async () => {
    const c = clock();
    const a = lease("alice", c, { durationSeconds: 10 });
    await a.release();
    expect(stored()).toBeUndefined();
    await a.acquire();
    await a.release();
    expect(a.held).toBe(false);
    expect(stored().spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    expect(stored().metadata.annotations).toEqual({});
    expect(await a.renew()).toBe(false);
    expect(await a.stillHeld()).toBe(false);
    const b = await lease("bob", c).acquire();
    expect(b).toMatchObject({
      acquired: true,
      lease: { transitions: 0, acquiredAt: "2026-11-30T08:00:00.000000Z" },
    });
    expect("takenOver" in b).toBe(false);
    // A takeover of an expired lease counts a transition and reports the previous holder.
    c.advance(31_000);
    const taken = await lease("carol", c).acquire();
    expect(taken).toMatchObject({
      acquired: true,
      takenOver: { holderIdentity: "bob@bob-laptop pid 100" },
      lease: { transitions: 1 },
    });
  });

  it("a lease someone else wrote (no annotation of ours, or a damaged one) is still named by its identity", async () => {
    for (const annotations of [
      {},
      { "deploycheck.io/holder": "{damaged" },
      { "deploycheck.io/holder": '{"engineer":"x","host":"h","pid":"1","runId":"r"}' },
    ]) {
      for (const o of sandbox.cluster.list("leases"))
        sandbox.cluster.deleteObject("leases", NS, o.metadata.name);
      sandbox.cluster.createObject("leases", NS, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "deploycheck-staging", namespace: NS, annotations },
        spec: {
          holderIdentity: "controller-7",
          leaseDurationSeconds: 15,
          renewTime: "2026-11-30T08:00:00.000000Z",
        },
      } as never);
      const r = await lease("alice", clock(Date.parse("2026-11-30T08:00:05Z"))).acquire();
      expect(r).toEqual({
        acquired: false,
        heldBy: {
          holder: undefined,
          holderIdentity: "controller-7",
          acquiredAt: undefined,
          renewedAt: "2026-11-30T08:00:00.000000Z",
          durationSeconds: 15,
          transitions: 0,
        },
        expiresInMs: 10_000,
      });
    }
  });

  it("renewal after the lease was deleted says lost; a holder whose renewal conflicted but still holds it renews again", async () => {
    const a = lease("alice");
    await a.acquire();
    sandbox.cluster.deleteObject("leases", NS, "deploycheck-staging");
    expect(await a.renew()).toBe(false);
    expect(a.held).toBe(false);
    const b = lease("bob");
    await b.acquire();
    sandbox.faults.conflictStorm = 1;
    expect(await b.renew()).toBe(true);
    expect(b.held).toBe(true);
    expect(await b.stillHeld()).toBe(true);
    sandbox.cluster.deleteObject("leases", NS, "deploycheck-staging");
    expect(await b.stillHeld()).toBe(false);
  });
});

describe("what the API server's refusals become", () => {
  it("lease: read, create and update refusals name the lease, the namespace, the status and the message", async () => {
    sandbox.faults.forbidden = ["get leases.coordination.k8s.io"];
    const read = await refusal(lease().acquire());
    expect(read.message).toBe(
      'cannot read lease "deploycheck-staging" in namespace "deploycheck" (HTTP 403): leases.coordination.k8s.io "deploycheck-staging" is forbidden: User "sandbox-user" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "deploycheck"',
    );
    expect(read.status).toBe(403);
    expect(read.hint).toBe(
      'Grant the team-state Role (leases: get, create, update) in namespace "deploycheck"; see "Team state" in the README.',
    );
    sandbox.faults.forbidden = [];
    sandbox.faults.apiError = { status: 500, message: "etcd down", pathRegex: "leases" };
    const broken = await refusal(lease().acquire());
    expect(broken.message).toBe(
      'cannot read lease "deploycheck-staging" in namespace "deploycheck" (HTTP 500): etcd down',
    );
    expect(broken.status).toBe(500);
    expect(broken.hint).toBeUndefined();
    delete sandbox.faults.apiError;

    const a = lease("alice");
    await a.acquire();
    sandbox.faults.forbidden = ["update leases.coordination.k8s.io"];
    const renew = await refusal(a.renew());
    expect(renew.message).toMatch(
      /^cannot update lease "deploycheck-staging" in namespace "deploycheck" \(HTTP 403\): /,
    );
    const release = await refusal(a.release());
    expect(release.message).toMatch(
      /^cannot update lease "deploycheck-staging" in namespace "deploycheck" \(HTTP 403\): /,
    );
    sandbox.faults.forbidden = [];
    sandbox.cluster.deleteObject("leases", NS, "deploycheck-staging");
    await lease("bob").acquire();
    sandbox.faults.forbidden = ["update leases.coordination.k8s.io"];
    const c = clock(Date.parse("2026-11-30T09:00:00Z"));
    const takeover = await refusal(lease("carol", c).acquire());
    expect(takeover.message).toMatch(/^cannot update lease "deploycheck-staging" .*\(HTTP 403\)/);
  });

  it("lease: a create or an update that keeps conflicting gives up after five tries, saying so", async () => {
    sandbox.faults.conflictStorm = 100;
    const err = await refusal(lease().acquire());
    expect(err.message).toBe(
      'lease "deploycheck-staging" in namespace "deploycheck" keeps changing under us',
    );
    expect(err.status).toBe(409);
    expect(err.hint).toBe(
      "Another deploycheck is taking this lease at the same moment; try again in a few seconds.",
    );
    expect(sandbox.faults.conflictStorm).toBe(95);
    sandbox.faults.conflictStorm = 2;
    expect(await lease().acquire()).toMatchObject({ acquired: true });
    // A release that conflicts (it changed since our write) is not ours to release: no error.
    const a = lease("alice");
    await a.acquire();
    sandbox.faults.conflictStorm = 1;
    await a.release();
    expect(a.held).toBe(false);
  });

  it("journal: list and create refusals name what, where and the status; 403 says which Role", async () => {
    const j = new ConfigMapJournal({ exchange, namespace: NS, checklist: "staging", runId: RUN });
    sandbox.faults.forbidden = ["list configmaps"];
    const list = await refusal(j.append("x"));
    expect(list.message).toBe(
      'cannot list configmaps in namespace "deploycheck" (HTTP 403): configmaps is forbidden: User "sandbox-user" cannot list resource "configmaps" in API group "" in the namespace "deploycheck"',
    );
    expect(list.hint).toBe(
      'Grant the team-state Role (configmaps: get, list, create, update) in namespace "deploycheck"; see "Team state" in the README.',
    );
    sandbox.faults.forbidden = ["create configmaps"];
    const create = await refusal(j.append("x"));
    expect(create.message).toMatch(
      new RegExp(`^cannot create configmap "${j.chunkName(0)}" in namespace "deploycheck" \\(HTTP 403\\): `),
    );
    sandbox.faults.forbidden = [];
    sandbox.faults.apiError = { status: 500, message: "etcd down", pathRegex: "configmaps" };
    const broken = await refusal(j.append("x"));
    expect(broken.message).toBe(
      `cannot create configmap "${j.chunkName(0)}" in namespace "deploycheck" (HTTP 500): etcd down`,
    );
    expect(broken.hint).toBeUndefined();
    expect(broken.status).toBe(500);
  });

  it("run files and the team's runs: refusals with status and message", async () => {
    const files = new RunFiles({ exchange, namespace: NS, checklist: "staging", runId: RUN });
    sandbox.faults.apiError = { status: 500, message: "etcd down", pathRegex: "configmaps" };
    const put = await refusal(files.put("record", "{}"));
    expect(put.message).toBe(
      `cannot store the record of run ${RUN} in namespace "deploycheck" (HTTP 500): etcd down`,
    );
    expect(put.status).toBe(500);
    const get = await refusal(files.get("record"));
    expect(get.message).toBe(`cannot list the files of run ${RUN} (HTTP 500): etcd down`);
    const runs = await refusal(listTeamRunIds(exchange, NS));
    expect(runs.message).toBe(`cannot list the team's runs in namespace "deploycheck" (HTTP 500): etcd down`);
    expect(runs.status).toBe(500);
  });

  it("the permission check: an API server that cannot say, and the hint for a core resource", async () => {
    sandbox.faults.apiError = { status: 500, message: "webhook down", pathRegex: "selfsubjectaccessreviews" };
    const err = await refusal(missingPermissions(exchange, NS));
    expect(err.message).toBe("cannot ask the API server what this user may do (HTTP 500): webhook down");
    expect(err.status).toBe(500);
    delete sandbox.faults.apiError;
    sandbox.faults.forbidden = ["list configmaps", "create configmaps"];
    const missing = await refusal(assertTeamAccess(exchange, NS));
    expect(missing.message).toBe(
      'team state in namespace "deploycheck" needs permissions this user lacks: list configmaps, create configmaps',
    );
    expect(missing.status).toBe(403);
    expect(missing.hint).toBe(
      'Apply the Role in README "Team state" to namespace "deploycheck" and bind it to you; check with: kubectl auth can-i list configmaps -n deploycheck',
    );
    sandbox.faults.forbidden = ["get leases.coordination.k8s.io"];
    expect((await refusal(assertTeamAccess(exchange, NS))).hint).toBe(
      'Apply the Role in README "Team state" to namespace "deploycheck" and bind it to you; check with: kubectl auth can-i get leases.coordination.k8s.io -n deploycheck',
    );
  });
});

describe("the ConfigMap journal as stored", () => {
  const journal = (runId = RUN) =>
    new ConfigMapJournal({ exchange, namespace: NS, checklist: "staging", runId });

  it("chunks carry the run's labels, its exact id and checklist, and the first line's number", async () => {
    const j = journal();
    expect(j.chunkName(3)).toBe(`${objectName("dc-", RUN, 52)}-000003`);
    expect(ConfigMapJournal.labels("staging", RUN)).toEqual({
      "app.kubernetes.io/managed-by": "deploycheck",
      "deploycheck.io/checklist": "staging",
      "deploycheck.io/run": RUN,
    });
    await j.append("a", "b");
    await j.append("c");
    const chunks = sandbox.cluster.list("configmaps", NS) as unknown as {
      metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
      data: Record<string, string>;
    }[];
    expect(chunks.map((c) => [c.metadata.name, c.metadata.labels, c.metadata.annotations, c.data])).toEqual([
      [
        j.chunkName(0),
        { ...ConfigMapJournal.labels("staging", RUN), "deploycheck.io/first-line": "0" },
        { "deploycheck.io/run-id": RUN, "deploycheck.io/checklist": "staging" },
        { e000000: "a", e000001: "b" },
      ],
      [
        j.chunkName(2),
        { ...ConfigMapJournal.labels("staging", RUN), "deploycheck.io/first-line": "2" },
        { "deploycheck.io/run-id": RUN, "deploycheck.io/checklist": "staging" },
        { e000002: "c" },
      ],
    ]);
  });

  it("reads only its own lines: other keys, and a chunk whose label matches but whose run id does not, are left out", async () => {
    await journal().append("a");
    sandbox.cluster.createObject("configmaps", NS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "planted",
        namespace: NS,
        labels: { "deploycheck.io/run": RUN },
        annotations: { "deploycheck.io/run-id": "someone-else" },
      },
      data: { e000001: "not ours" },
    } as never);
    sandbox.cluster.createObject("configmaps", NS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "extra",
        namespace: NS,
        labels: { "deploycheck.io/run": RUN },
        annotations: { "deploycheck.io/run-id": RUN },
      },
      data: { note: "not a line", e: "no number", x000001: "no" },
    } as never);
    expect(await journal().readAll()).toEqual(["a"]);
  });

  it("a line stored twice: the same content is harmless, different content is damage, named", async () => {
    await journal().append("a", "b");
    const extra = (content: string) =>
      sandbox.cluster.createObject("configmaps", NS, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `dup-${content}`,
          namespace: NS,
          labels: { "deploycheck.io/run": RUN },
          annotations: { "deploycheck.io/run-id": RUN },
        },
        data: { e000001: content },
      } as never);
    extra("b");
    expect(await journal().readAll()).toEqual(["a", "b"]);
    extra("c");
    const err = await refusal(journal().readAll());
    expect(err.message).toBe(
      `the journal of run ${RUN} in namespace "deploycheck" is damaged: line 1 is stored twice with different content (dup-c)`,
    );
    expect(err.status).toBe(500);
    expect(err.hint).toBe(
      "Its ConfigMaps were edited or partly deleted; export what is there and start a new run.",
    );
  });

  it("takes a line up to the chunk limit and refuses one byte more; fills a chunk exactly to the limit", async () => {
    // JSON.stringify adds two quotes: a line of CHUNK_BYTES - 2 characters takes exactly CHUNK_BYTES.
    const full = "f".repeat(CHUNK_BYTES - 2);
    const over = `${full}g`;
    const err = await refusal(journal().append(over));
    expect(err.message).toBe(
      `a journal line of ${CHUNK_BYTES + 1} bytes is over the ${CHUNK_BYTES}-byte chunk limit`,
    );
    expect(err.status).toBe(413);
    expect(sandbox.cluster.list("configmaps", NS)).toHaveLength(0);
    // Two lines that fill a chunk exactly go together; one byte more and the second starts a new chunk.
    const half = "h".repeat(CHUNK_BYTES / 2 - 2);
    await journal().append(half, half);
    expect(sandbox.cluster.list("configmaps", NS)).toHaveLength(1);
    await journal().append(half, `${half}i`);
    expect(sandbox.cluster.list("configmaps", NS)).toHaveLength(3);
    expect(await journal().readAll()).toEqual([half, half, half, `${half}i`]);
  });
});

describe("run files as stored", () => {
  it("names, labels and annotations of the checklist copy and the record; a file of another run is not ours", async () => {
    const files = new RunFiles({ exchange, namespace: NS, checklist: "staging", runId: RUN });
    await files.put("checklist", "v1");
    await files.put("record", "{}");
    const base = objectName("dc-", RUN, 52);
    const objects = sandbox.cluster.list("configmaps", NS) as unknown as {
      metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
      data: Record<string, string>;
    }[];
    expect(
      objects.map((o) => [
        o.metadata.name,
        o.metadata.labels["deploycheck.io/file"],
        o.metadata.annotations,
        o.data,
      ]),
    ).toEqual([
      [
        `${base}-checklist-${sha("v1").slice(0, 12)}`,
        "checklist",
        { "deploycheck.io/run-id": RUN, "deploycheck.io/sha256": sha("v1") },
        { "checklist.yaml": "v1" },
      ],
      [
        `${base}-record`,
        "record",
        { "deploycheck.io/run-id": RUN, "deploycheck.io/sha256": sha("{}") },
        { "record.json": "{}" },
      ],
    ]);
    expect(await files.get("checklist", sha("v2"))).toBeUndefined();
    // A record under our labels but another run's id, and one without data, are skipped.
    for (const [name, runId, data] of [
      ["other", "someone-else", { "record.json": "theirs" }],
      ["empty", RUN, {}],
    ] as const)
      sandbox.cluster.createObject("configmaps", NS, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: `a-${name}`,
          namespace: NS,
          labels: { "deploycheck.io/run": RUN, "deploycheck.io/file": "record" },
          annotations: { "deploycheck.io/run-id": runId },
        },
        data,
      } as never);
    expect(await files.get("record")).toBe("{}");
  });

  it("the team's runs leave out chunks without a run id, newest id first, checklist or empty", async () => {
    for (const [name, annotations] of [
      ["a", { "deploycheck.io/run-id": "b-20261130T070000Z-0001", "deploycheck.io/checklist": "b" }],
      ["b", {}],
      ["c", { "deploycheck.io/run-id": "c-20261130T070000Z-0001" }],
      ["d", { "deploycheck.io/run-id": "a-20261130T070000Z-0001", "deploycheck.io/checklist": "a" }],
    ] as const)
      sandbox.cluster.createObject("configmaps", NS, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name,
          namespace: NS,
          labels: { "app.kubernetes.io/managed-by": "deploycheck", "deploycheck.io/first-line": "0" },
          annotations,
        },
        data: {},
      } as never);
    expect(await listTeamRunIds(exchange, NS)).toEqual([
      { runId: "c-20261130T070000Z-0001", checklist: "" },
      { runId: "b-20261130T070000Z-0001", checklist: "b" },
      { runId: "a-20261130T070000Z-0001", checklist: "a" },
    ]);
  });
});

describe("syncRun's other outcomes", () => {
  const runId = "staging-20261130T100000Z-5e02";
  const started = (checklistSha: string) =>
    JSON.stringify({ type: "run-started", checklist: { sha256: checklistSha } });
  const parts = () => {
    const o = { exchange, namespace: NS, checklist: "staging", runId };
    return { cluster: new ConfigMapJournal(o), files: new RunFiles(o) };
  };
  const stateDir = () => path.join(temp.dir, `state-${Math.random().toString(16).slice(2)}`);

  it("none when neither has it; created from the cluster with the checklist it ran and the record", async () => {
    const { cluster, files } = parts();
    expect(await syncRun(stateDir(), runId, cluster, files)).toBe("none");
    const lines = [started(sha("v1")), JSON.stringify({ type: "run-resumed", checklistSha256: sha("v2") })];
    await files.put("checklist", "v1");
    await files.put("checklist", "v2");
    await files.put("record", '{"signed":true}');
    await parts().cluster.append(...lines);
    const state = stateDir();
    expect(await syncRun(state, runId, parts().cluster, files)).toBe("created");
    const dir = path.join(state, "runs", runId);
    expect(readFileSync(path.join(dir, "journal.jsonl"), "utf8")).toBe(`${lines.join("\n")}\n`);
    // The checklist the run uses now: the last resume's.
    expect(readFileSync(path.join(dir, "checklist.yaml"), "utf8")).toBe("v2");
    expect(readFileSync(path.join(dir, "record.json"), "utf8")).toBe('{"signed":true}');
  });

  it("refuses to create a run whose checklist is not in the cluster", async () => {
    const missing = sha("gone");
    await parts().cluster.append(started(missing));
    const err = (await syncRun(stateDir(), runId, parts().cluster, parts().files).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toBe(
      `run ${runId} is in the cluster, but the checklist it ran (sha256 ${missing}) is not`,
    );
    expect((err as TeamStateError).hint).toBe(
      "Its ConfigMaps were partly deleted; it cannot be resumed here.",
    );
  });

  it("same, pushed (a torn local line left out) and pulled (checklist copy and record brought along)", async () => {
    const state = stateDir();
    const dir = path.join(state, "runs", runId);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "journal.jsonl");
    const a = started(sha("v1"));
    const b = JSON.stringify({ type: "step-finished", key: "i/a" });
    const c = JSON.stringify({ type: "step-finished", key: "i/b" });
    writeFileSync(file, `${a}\n${b}\n{"torn`);
    expect(await syncRun(state, runId, parts().cluster, parts().files)).toBe("pushed");
    expect(await parts().cluster.readAll()).toEqual([a, b]);
    writeFileSync(file, `${a}\n${b}\n`);
    expect(await syncRun(state, runId, parts().cluster, parts().files)).toBe("same");
    await parts().files.put("checklist", "v1");
    await parts().files.put("record", "{}");
    await parts().cluster.append(c);
    expect(await syncRun(state, runId, parts().cluster, parts().files)).toBe("pulled");
    expect(readFileSync(file, "utf8")).toBe(`${a}\n${b}\n${c}\n`);
    expect(readFileSync(path.join(dir, "checklist.yaml"), "utf8")).toBe("v1");
    expect(readFileSync(path.join(dir, "record.json"), "utf8")).toBe("{}");
    // A local file without a newline yet holds no line: everything is pulled.
    writeFileSync(file, a);
    expect(await syncRun(state, runId, parts().cluster, parts().files)).toBe("pulled");
    expect(existsSync(path.join(dir, "journal.jsonl"))).toBe(true);
  });
});

describe("the team journal's group commit", () => {
  it("write alone stores nothing; sync syncs the local file first, then stores every whole line, not a torn one", async () => {
    const file = path.join(temp.dir, `journal-${Math.random().toString(16).slice(2)}.jsonl`);
    writeFileSync(file, "");
    const order: string[] = [];
    const local = {
      file,
      append: async () => {},
      readAll: async () => [{ type: "from-local" }],
      write: (e: unknown) => writeFileSync(file, `${JSON.stringify(e)}\n`, { flag: "a" }),
      sync: async () => void order.push("local sync"),
    };
    const o = { exchange, namespace: NS, checklist: "staging", runId: RUN };
    const cluster = new ConfigMapJournal(o);
    const fenced: string[] = [];
    const journal = new TeamJournal({
      local: local as never,
      cluster,
      fence: { check: async (strict) => void fenced.push(String(strict)) },
      isMutating: () => true,
    });
    journal.write?.({ type: "step-finished", key: "i/a" } as never);
    journal.write?.({ type: "step-finished", key: "i/b" } as never);
    writeFileSync(file, '{"torn', { flag: "a" });
    expect(await new ConfigMapJournal(o).readAll()).toEqual([]);
    await journal.sync?.();
    expect(order).toEqual(["local sync"]);
    expect(await new ConfigMapJournal(o).readAll()).toEqual([
      '{"type":"step-finished","key":"i/a"}',
      '{"type":"step-finished","key":"i/b"}',
    ]);
    // Nothing whole since: a second sync stores nothing more. Only step starts are fenced.
    await journal.sync?.();
    await journal.append({ type: "step-finished", key: "i/c" } as never);
    expect(fenced).toEqual([]);
    expect(await new ConfigMapJournal(o).readAll()).toHaveLength(2);
    expect(await journal.readAll()).toEqual([{ type: "from-local" }]);
    // A local journal without group commits gives the team journal none either.
    const plain = new TeamJournal({
      local: { file, append: async () => {}, readAll: async () => [] } as never,
      cluster,
      fence: { check: async () => {} },
      isMutating: () => false,
    });
    expect(plain.write).toBeUndefined();
    expect(plain.sync).toBeUndefined();
  });
});
