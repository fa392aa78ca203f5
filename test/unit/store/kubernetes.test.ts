// Team state against the simulated API server over real HTTP: the Lease lock (one holder, refusal naming
// the holder, expiry and takeover, lost renewals, races) and the ConfigMap journal (order, chunks,
// idempotent retries, a second writer refused, faults ridden out with backoff).
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/kube/client.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { assertTeamAccess, missingPermissions } from "../../../src/store/kubernetes/access.js";
import { type Exchange, retrying, TeamStateError } from "../../../src/store/kubernetes/api.js";
import { CHUNK_BYTES, ConfigMapJournal } from "../../../src/store/kubernetes/configmap-journal.js";
import { type LeaseHolder, LeaseLock } from "../../../src/store/kubernetes/lease-lock.js";
import { listTeamRunIds, RunFiles } from "../../../src/store/kubernetes/run-files.js";
import { reconcile, TeamJournal } from "../../../src/store/kubernetes/team-journal.js";
import { tempDir } from "../checks/context.js";

const temp = tempDir("dc-team-state-");
const NS = "deploycheck";
const SEED = Number(process.env["SEED"] ?? Date.now() % 1_000_000);

let sandbox: KubeSandbox;
let exchange: Exchange;

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"));
  const client = await KubeClient.connect({ env: { KUBECONFIG: kubeconfig } });
  exchange = client.exchange.bind(client);
});
afterAll(async () => sandbox.close());
beforeEach(() => {
  for (const key of Object.keys(sandbox.faults)) delete sandbox.faults[key as keyof typeof sandbox.faults];
  for (const resource of ["leases", "configmaps"] as const)
    for (const o of sandbox.cluster.list(resource))
      sandbox.cluster.deleteObject(resource, NS, o.metadata.name);
  sandbox.createNamespace(NS);
});

const holder = (engineer: string, pid = 100): LeaseHolder => ({
  engineer,
  host: `${engineer}-laptop`,
  pid,
  runId: `staging-20261130T070000Z-${engineer.slice(0, 4)}`,
});

function clock(start = Date.parse("2026-11-30T08:00:00Z")) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("the Lease lock", () => {
  it("one holder; the other is refused with the holder named; takeover only after expiry, then the first has lost it", async () => {
    const c = clock();
    const a = new LeaseLock({
      exchange,
      namespace: NS,
      checklist: "staging",
      holder: holder("alice"),
      durationSeconds: 30,
      now: c.now,
    });
    const b = new LeaseLock({
      exchange,
      namespace: NS,
      checklist: "staging",
      holder: holder("bob", 200),
      durationSeconds: 30,
      now: c.now,
    });

    const first = await a.acquire();
    expect(first.acquired).toBe(true);
    expect(a.name).toBe("deploycheck-staging");

    const refused = await b.acquire();
    expect(refused.acquired).toBe(false);
    if (refused.acquired) throw new Error("unreachable");
    expect(refused.heldBy.holder).toEqual(holder("alice"));
    expect(refused.heldBy.holderIdentity).toBe("alice@alice-laptop pid 100");
    expect(refused.heldBy.acquiredAt).toBe("2026-11-30T08:00:00.000000Z");
    expect(refused.expiresInMs).toBe(30_000);

    // A renews at 20 s: B is still refused at 45 s (15 s left), can take over at 50.001 s.
    c.advance(20_000);
    expect(await a.renew()).toBe(true);
    c.advance(25_000);
    const still = await b.acquire();
    expect(still).toMatchObject({ acquired: false, expiresInMs: 5_000 });
    c.advance(5_001);
    const taken = await b.acquire();
    expect(taken.acquired).toBe(true);
    if (!taken.acquired) throw new Error("unreachable");
    expect(taken.takenOver?.holder).toEqual(holder("alice"));
    expect(taken.lease.transitions).toBe(1);

    // A (say, back from a network partition) cannot renew, and its fencing check says so.
    expect(await a.stillHeld()).toBe(false);
    expect(await a.renew()).toBe(false);
    expect(await b.stillHeld()).toBe(true);
    expect(sandbox.cluster.get("leases", NS, "deploycheck-staging")?.spec.holderIdentity).toMatch(/^bob@/);
  });

  it("a holder that stops renewing fails its own fencing check once the lease has expired", async () => {
    const c = clock();
    const a = new LeaseLock({
      exchange,
      namespace: NS,
      checklist: "staging",
      holder: holder("alice"),
      durationSeconds: 10,
      now: c.now,
    });
    await a.acquire();
    c.advance(9_999);
    expect(await a.stillHeld()).toBe(true);
    c.advance(2);
    expect(await a.stillHeld()).toBe(false);
  });

  it("release lets the next engineer in at once, without a takeover", async () => {
    const a = new LeaseLock({ exchange, namespace: NS, checklist: "staging", holder: holder("alice") });
    const b = new LeaseLock({ exchange, namespace: NS, checklist: "staging", holder: holder("bob", 2) });
    await a.acquire();
    await a.release();
    const got = await b.acquire();
    expect(got).toMatchObject({ acquired: true });
    if (got.acquired) expect(got.takenOver).toBeUndefined();
  });

  it(`exactly one of many concurrent engineers gets the lease, over 50 randomized races (SEED=${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 8, maxLength: 8 }),
        async (n, existingExpired, delays) => {
          for (const o of sandbox.cluster.list("leases"))
            sandbox.cluster.deleteObject("leases", NS, o.metadata.name);
          const c = clock();
          if (existingExpired) {
            const old = new LeaseLock({
              exchange,
              namespace: NS,
              checklist: "race",
              holder: holder("olga", 9),
              durationSeconds: 5,
              now: c.now,
            });
            await old.acquire();
            c.advance(6_000);
          }
          const locks = Array.from(
            { length: n },
            (_, i) =>
              new LeaseLock({
                exchange,
                namespace: NS,
                checklist: "race",
                holder: holder(`eng${i}`, i + 1),
                now: c.now,
              }),
          );
          const results = await Promise.all(
            locks.map(async (l, i) => {
              await new Promise((r) => setTimeout(r, delays[i] ?? 0));
              return l.acquire();
            }),
          );
          const winners = results.filter((r) => r.acquired);
          expect(winners).toHaveLength(1);
          const stored = sandbox.cluster.get("leases", NS, "deploycheck-race")?.spec.holderIdentity;
          const winner = locks[results.findIndex((r) => r.acquired)]!;
          expect(await winner.stillHeld()).toBe(true);
          for (const [i, r] of results.entries())
            if (!r.acquired) expect(r.heldBy.holderIdentity, `loser ${i}`).toBe(stored);
        },
      ),
      { numRuns: 50, seed: SEED },
    );
  });

  it("a 403 says which permission is missing", async () => {
    sandbox.faults.forbidden = ["create leases.coordination.k8s.io"];
    const a = new LeaseLock({ exchange, namespace: NS, checklist: "staging", holder: holder("alice") });
    const err = await a.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TeamStateError);
    expect((err as TeamStateError).message).toMatch(
      /cannot create lease "deploycheck-staging" in namespace "deploycheck" \(HTTP 403\).*cannot create resource "leases"/,
    );
    expect((err as TeamStateError).hint).toMatch(/leases: get, create, update/);
  });
});

describe("the ConfigMap journal", () => {
  const journal = (runId = "staging-20261130T070000Z-ab12", ex: Exchange = exchange) =>
    new ConfigMapJournal({ exchange: ex, namespace: NS, checklist: "staging", runId });

  it("stores lines in order in create-only chunks named after the run and line number, readable by another reader", async () => {
    const j = journal();
    await j.append('{"type":"run-started"}');
    await j.append('{"type":"step-finished","n":1}', '{"type":"step-started","n":2}');
    const again = await journal().readAll();
    expect(again).toEqual([
      '{"type":"run-started"}',
      '{"type":"step-finished","n":1}',
      '{"type":"step-started","n":2}',
    ]);
    const names = sandbox.cluster.list("configmaps", NS).map((c) => c.metadata.name);
    expect(names).toEqual([
      expect.stringMatching(/^dc-staging-20261130t070000z-ab12-[0-9a-f]{8}-000000$/),
      expect.stringMatching(/^dc-staging-20261130t070000z-ab12-[0-9a-f]{8}-000001$/),
    ]);
    // Another run's chunks are not mixed in.
    await journal("staging-other").append("x");
    expect(await journal().readAll()).toHaveLength(3);
  });

  it("splits lines that would pass the object limit into several chunks", async () => {
    const j = journal();
    const big = "y".repeat(300 * 1024);
    await j.append(big, big, big, "small");
    expect(await journal().readAll()).toEqual([big, big, big, "small"]);
    expect(sandbox.cluster.list("configmaps", NS).length).toBeGreaterThanOrEqual(2);
    await expect(j.append("z".repeat(CHUNK_BYTES + 1))).rejects.toThrow(/over the .*-byte chunk limit/);
  });

  it("a write whose answer was lost is retried and stored once (idempotent)", async () => {
    let drop = 1;
    const lossy: Exchange = async (what, method, p, body, signal) => {
      const r = await exchange(what, method, p, body, signal);
      if (method === "POST" && drop-- > 0)
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      return r;
    };
    const j = journal(undefined, retrying(lossy, { sleep: async () => {} }));
    await j.append("one");
    await j.append("two");
    expect(await journal().readAll()).toEqual(["one", "two"]);
    expect(sandbox.cluster.list("configmaps", NS)).toHaveLength(2);
  });

  it("a second writer of the same run is refused, never merged", async () => {
    const a = journal();
    const b = journal();
    await a.readAll();
    await b.readAll();
    await a.append("alice's line");
    await expect(b.append("bob's line")).rejects.toThrow(
      /line 0 of run .* was already written by someone else/,
    );
    expect(await journal().readAll()).toEqual(["alice's line"]);
  });

  it("rides out 500s, a dropped connection and 429 with backoff, losing nothing", async () => {
    const waits: number[] = [];
    const ex = retrying(exchange, {
      sleep: async (ms) => {
        waits.push(ms);
        // The faults clear after a few waits, as an API server coming back would.
        if (waits.length === 3) delete sandbox.faults.apiError;
        if (waits.length === 5) delete sandbox.faults.unreachableUntil;
      },
    });
    const j = journal(undefined, ex);
    await j.append("before");
    sandbox.faults.apiError = { status: 500, message: "etcdserver: leader changed", pathRegex: "configmaps" };
    await j.append("during 500s");
    sandbox.faults.unreachableUntil = Date.now() + 3_600_000;
    await j.append("during an outage");
    expect(waits).toEqual([250, 500, 1000, 250, 500]);
    expect(await journal().readAll()).toEqual(["before", "during 500s", "during an outage"]);
  });

  it("a 409 storm on creates (Conflict with nothing there) is waited out with backoff, not taken for another writer", async () => {
    const waits: number[] = [];
    const j = new ConfigMapJournal({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: "staging-20261130T070000Z-c409",
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await j.append("before");
    sandbox.faults.conflictStorm = 4;
    await j.append("during a storm");
    expect(waits).toEqual([100, 200, 400, 800]);
    expect(await journal("staging-20261130T070000Z-c409").readAll()).toEqual(["before", "during a storm"]);
    // The run's files too (real pauses here: 100 + 200 ms).
    sandbox.faults.conflictStorm = 2;
    const files = new RunFiles({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: "staging-20261130T070000Z-c409",
    });
    await files.put("record", '{"signed":true}');
    expect(await files.get("record")).toBe('{"signed":true}');
    // A storm that outlasts the tries is an error naming the conflict, not "someone else wrote it".
    sandbox.faults.conflictStorm = 100;
    await expect(j.append("after")).rejects.toThrow(
      /cannot create configmap "dc-staging-.*-000002" .*\(HTTP 409\)/,
    );
    expect(waits).toHaveLength(4 + 10);
  });

  it("gives up after maxWaitMs with the last reason", async () => {
    let t = 0;
    const ex = retrying(exchange, {
      maxWaitMs: 2_000,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    sandbox.faults.apiError = { status: 503, message: "unavailable", pathRegex: "configmaps" };
    await expect(journal(undefined, ex).append("x")).rejects.toThrow(/kept failing .*HTTP 503: unavailable/);
  });

  it("a missing line in the stored journal is damage, named", async () => {
    const j = journal();
    await j.append("a");
    await j.append("b");
    await j.append("c");
    const second = sandbox.cluster.list("configmaps", NS).find((c) => c.metadata.name.endsWith("-000001"))!;
    sandbox.cluster.deleteObject("configmaps", NS, second.metadata.name);
    await expect(journal().readAll()).rejects.toThrow(/is damaged: line 1 is missing/);
  });
});

describe("run files and the team's runs", () => {
  it("stores the checklist copy per version and the record once; lists runs from their first chunk", async () => {
    const files = new RunFiles({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: "staging-20261130T070000Z-ab12",
    });
    await files.put("checklist", "v1");
    await files.put("checklist", "v1");
    await files.put("checklist", "v2");
    expect(await files.get("checklist")).toMatch(/^v[12]$/);
    const { createHash } = await import("node:crypto");
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    expect(await files.get("checklist", sha("v2"))).toBe("v2");
    expect(await files.get("record")).toBeUndefined();
    await files.put("record", '{"signed":1}');
    await files.put("record", '{"signed":1}');
    await expect(files.put("record", '{"signed":2}')).rejects.toThrow(/differs from this one/);
    expect(await files.get("record")).toBe('{"signed":1}');

    await new ConfigMapJournal({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: "staging-20261130T070000Z-ab12",
    }).append("a", "b");
    await new ConfigMapJournal({
      exchange,
      namespace: NS,
      checklist: "prod",
      runId: "prod-20261130T080000Z-cd34",
    }).append("c");
    expect(await listTeamRunIds(exchange, NS)).toEqual([
      { runId: "staging-20261130T070000Z-ab12", checklist: "staging" },
      { runId: "prod-20261130T080000Z-cd34", checklist: "prod" },
    ]);
  });
});

describe("the start-up permission check", () => {
  it("passes with every permission, and names exactly the missing ones", async () => {
    expect(await missingPermissions(exchange, NS)).toEqual([]);
    await assertTeamAccess(exchange, NS);
    sandbox.faults.forbidden = ["update leases.coordination.k8s.io", "list configmaps"];
    expect(await missingPermissions(exchange, NS)).toEqual([
      { verb: "update", resource: "leases", apiGroup: "coordination.k8s.io" },
      { verb: "list", resource: "configmaps", apiGroup: "" },
    ]);
    const err = (await assertTeamAccess(exchange, NS).catch((e: unknown) => e)) as TeamStateError;
    expect(err.message).toBe(
      'team state in namespace "deploycheck" needs permissions this user lacks: update leases.coordination.k8s.io, list configmaps',
    );
    expect(err.hint).toMatch(/kubectl auth can-i update leases.coordination.k8s.io -n deploycheck/);
  });
});

describe("the team journal (local first, then the cluster, fenced)", () => {
  async function setup(fenceOk: () => boolean, strictChecks: boolean[] = []) {
    const { appendFileSync, writeFileSync: write } = await import("node:fs");
    const file = path.join(temp.dir, `journal-${Math.random().toString(16).slice(2)}.jsonl`);
    write(file, "");
    const local = {
      file,
      append: async (e: unknown) => appendFileSync(file, `${JSON.stringify(e)}\n`),
      readAll: async () => [],
      write: (e: unknown) => appendFileSync(file, `${JSON.stringify(e)}\n`),
      sync: async () => {},
    };
    const cluster = new ConfigMapJournal({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: "staging-20261130T090000Z-tj01",
    });
    const journal = new TeamJournal({
      local: local as never,
      cluster,
      fence: {
        check: async (strict) => {
          strictChecks.push(strict);
          if (!fenceOk()) throw new TeamStateError("the lease was lost", 409);
        },
      },
      isMutating: (key) => key === "i/deploy",
    });
    return {
      file,
      journal,
      read: () =>
        new ConfigMapJournal({
          exchange,
          namespace: NS,
          checklist: "staging",
          runId: "staging-20261130T090000Z-tj01",
        }).readAll(),
    };
  }

  it("every line reaches the cluster byte for byte before append/sync returns (group commits too)", async () => {
    const { file, journal, read } = await setup(() => true);
    await journal.append({ type: "run-started", note: "é ✓" } as never);
    expect(await read()).toEqual([JSON.stringify({ type: "run-started", note: "é ✓" })]);
    journal.write?.({ type: "step-finished", key: "i/a" } as never);
    expect(await read()).toHaveLength(1);
    await journal.append({ type: "step-started", key: "i/b" } as never);
    const { readFileSync: readText } = await import("node:fs");
    expect((await read()).map((l) => `${l}\n`).join("")).toBe(readText(file, "utf8"));
  });

  it("fences every step start, strictly for a mutating one, and writes nothing once the lease is lost", async () => {
    let ok = true;
    const strict: boolean[] = [];
    const { file, journal, read } = await setup(() => ok, strict);
    await journal.append({ type: "step-started", key: "i/read" } as never);
    await journal.append({ type: "step-started", key: "i/deploy" } as never);
    expect(strict).toEqual([false, true]);
    ok = false;
    await expect(journal.append({ type: "step-started", key: "i/deploy" } as never)).rejects.toThrow(
      /lease was lost/,
    );
    const { readFileSync: readText } = await import("node:fs");
    expect(readText(file, "utf8").trim().split("\n")).toHaveLength(2);
    expect(await read()).toHaveLength(2);
  });

  it("reconciles: same, push what the cluster lacks, pull when local is behind, refuse a divergence", () => {
    expect(reconcile(["a", "b"], ["a", "b"])).toEqual({ kind: "same" });
    expect(reconcile(["a", "b", "c"], ["a"])).toEqual({ kind: "push", lines: ["b", "c"] });
    expect(reconcile(["a"], ["a", "b"])).toEqual({ kind: "pull", lines: ["a", "b"] });
    expect(reconcile([], ["a"])).toEqual({ kind: "pull", lines: ["a"] });
    expect(reconcile(["a", "x"], ["a", "y", "z"])).toEqual({ kind: "diverged", at: 1 });
  });
});

describe("bringing a team run's local copy in line with the cluster (syncRun)", () => {
  const runId = "staging-20261130T100000Z-5e01";
  const line = (o: Record<string, unknown>) => JSON.stringify(o);
  const started = line({ type: "run-started", checklist: { sha256: "0".repeat(64) } });

  async function setup(localLines: string[], clusterLines: string[]) {
    const { mkdirSync, writeFileSync: write } = await import("node:fs");
    const stateDir = path.join(temp.dir, `state-${Math.random().toString(16).slice(2)}`);
    const dir = path.join(stateDir, "runs", runId);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "journal.jsonl");
    write(file, `${localLines.join("\n")}\n`);
    const options = { exchange, namespace: NS, checklist: "staging", runId };
    await new ConfigMapJournal(options).append(...clusterLines);
    return { stateDir, dir, file, cluster: new ConfigMapJournal(options), files: new RunFiles(options) };
  }

  it("a killed session's lines the cluster never got give way to the copy another holder resumed from, kept aside and told", async () => {
    const { readFileSync: readText, readdirSync } = await import("node:fs");
    const { syncRun } = await import("../../../src/store/kubernetes/sync.js");
    const local = [
      started,
      line({ type: "step-finished", key: "i/a" }),
      line({ type: "step-started", key: "i/b" }),
    ];
    const cluster = [
      started,
      line({ type: "run-resumed", by: { engineer: "bob" } }),
      line({ type: "step-finished", key: "i/a" }),
    ];
    const { stateDir, dir, file, cluster: c, files } = await setup(local, cluster);
    const told: string[] = [];
    expect(await syncRun(stateDir, runId, c, files, (t) => told.push(t))).toBe("superseded");
    expect(readText(file, "utf8")).toBe(`${cluster.join("\n")}\n`);
    const aside = readdirSync(dir).filter((f) => f.startsWith("journal.jsonl.superseded-"));
    expect(aside).toHaveLength(1);
    expect(readText(path.join(dir, aside[0]!), "utf8")).toBe(`${local.join("\n")}\n`);
    expect(told).toEqual([
      expect.stringMatching(
        /2 line\(s\) from line 2 on never reached the cluster .* another engineer has resumed the run since; continuing from the team's copy \(the local journal is kept as .*journal\.jsonl\.superseded-/,
      ),
    ]);
  });

  it("a divergence no later session explains (the same session's lines differ) is still refused, nothing changed", async () => {
    const { readFileSync: readText } = await import("node:fs");
    const { syncRun } = await import("../../../src/store/kubernetes/sync.js");
    const local = [started, line({ type: "step-finished", key: "i/a", n: 1 })];
    const cluster = [started, line({ type: "step-finished", key: "i/a", n: 2 })];
    const { stateDir, file, cluster: c, files } = await setup(local, cluster);
    await expect(syncRun(stateDir, runId, c, files)).rejects.toThrow(
      /journal\.jsonl:2: the local journal and the team's copy in the cluster disagree from this line on/,
    );
    expect(readText(file, "utf8")).toBe(`${local.join("\n")}\n`);
  });
});
