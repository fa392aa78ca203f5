// Team state through scripted API answers (no server): every request as sent (what it names, method, path,
// body), what each unusual answer becomes, and the branches the simulated API server does not reach (an
// answer without items or status, a read-back that is not allowed, a short read of the journal file).
// syncRun and the team journal run on real files in a temp dir, with the cluster kept in memory.
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateError } from "../../../src/errors.js";
import { assertTeamAccess, missingPermissions } from "../../../src/store/kubernetes/access.js";
import {
  type ConfigMapObject,
  configMapPath,
  type Exchange,
  labelValue,
  leasePath,
  objectName,
  retrying,
  TeamStateError,
} from "../../../src/store/kubernetes/api.js";
import { CHUNK_BYTES, ConfigMapJournal } from "../../../src/store/kubernetes/configmap-journal.js";
import { type LeaseHolder, LeaseLock, microTime } from "../../../src/store/kubernetes/lease-lock.js";
import { listTeamRunIds, RunFiles } from "../../../src/store/kubernetes/run-files.js";
import { syncRun } from "../../../src/store/kubernetes/sync.js";
import { fileSize, reconcile, TeamJournal } from "../../../src/store/kubernetes/team-journal.js";
import { tempDir } from "../checks/context.js";

/** A temp dir made before each test and removed after it. */
function useTemp() {
  const t = { dir: "", cleanup: () => {} };
  beforeEach(() => Object.assign(t, tempDir("dc-team-s4-")));
  afterEach(() => t.cleanup());
  return t;
}

const NS = "ns";
const RUN = "staging-20261130T070000Z-AB12";
const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const sha8 = (t: string) => sha(t).slice(0, 8);

afterEach(() => {
  vi.useRealTimers();
});

interface Call {
  what: string;
  method: string;
  path: string;
  body?: unknown;
}
type Answer = { status: number; body?: unknown };

/**
 * An exchange answering from a script, in order (an answer may be made from the request); a request past
 * its end fails the test.
 */
function scripted(answers: (Answer | ((call: Call) => Answer))[]) {
  const calls: Call[] = [];
  const exchange: Exchange = async (what, method, p, body) => {
    const call = { what, method, path: p, ...(body === undefined ? {} : { body: structuredClone(body) }) };
    calls.push(call);
    const a = answers.shift();
    if (a === undefined) throw new Error(`script ran out at ${method} ${p}`);
    const answer = typeof a === "function" ? a(call) : a;
    return { status: answer.status, body: answer.body };
  };
  return { exchange, calls, answers };
}

const refusal = async (p: Promise<unknown>): Promise<TeamStateError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TeamStateError);
  return err as TeamStateError;
};

describe("the permission check as asked", () => {
  it("one SelfSubjectAccessReview per verb, each named; a review without a status is not an allowance", async () => {
    const { exchange, calls } = scripted(Array.from({ length: 6 }, () => ({ status: 201, body: {} })));
    const missing = await missingPermissions(exchange, NS);
    expect(missing.map((m) => `${m.verb} ${m.resource}`)).toEqual([
      "get leases",
      "create leases",
      "update leases",
      "get configmaps",
      "list configmaps",
      "create configmaps",
    ]);
    expect(calls[0]).toEqual({
      what: "permission to get leases",
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: {
          resourceAttributes: {
            namespace: NS,
            verb: "get",
            group: "coordination.k8s.io",
            resource: "leases",
          },
        },
      },
    });
    expect(calls.map((c) => c.what)).toEqual([
      "permission to get leases",
      "permission to create leases",
      "permission to update leases",
      "permission to get configmaps",
      "permission to list configmaps",
      "permission to create configmaps",
    ]);
    expect(calls[4]?.body).toMatchObject({
      spec: { resourceAttributes: { group: "", resource: "configmaps" } },
    });
  });

  it("an API server that cannot say, without a message: the status alone", async () => {
    const { exchange } = scripted(Array.from({ length: 6 }, () => ({ status: 500, body: {} })));
    const err = await refusal(assertTeamAccess(exchange, NS));
    expect(err.message).toBe("cannot ask the API server what this user may do (HTTP 500)");
    expect(err.status).toBe(500);
  });
});

describe("names and labels at their cut", () => {
  it.each([
    // Two dashes right before the cut: both go, no "--" before the hash.
    [
      "p-",
      `${"a".repeat(50)}--${"b".repeat(20)}`,
      `p-${"a".repeat(50)}-${sha8(`${"a".repeat(50)}--${"b".repeat(20)}`)}`,
    ],
  ])("objectName(%j, %j) = %j", (prefix, text, expected) => {
    expect(objectName(prefix, text)).toBe(expected);
  });

  it.each([
    // Every leading character that is not alphanumeric goes.
    ["._a", `a-${sha8("._a")}`],
    ["-_.a.b", `a.b-${sha8("-_.a.b")}`],
    // Two characters that are not alphanumeric right before the cut: both go.
    [
      `${"a".repeat(52)}._${"b".repeat(20)}`,
      `${"a".repeat(52)}-${sha8(`${"a".repeat(52)}._${"b".repeat(20)}`)}`,
    ],
  ])("labelValue(%j) = %j", (text, expected) => {
    expect(labelValue(text)).toBe(expected);
  });
});

describe("retrying with the real timer", () => {
  it("waits 250 ms on a timer before asking again", async () => {
    vi.useFakeTimers();
    const { exchange, calls } = scripted([
      { status: 503, body: {} },
      { status: 200, body: {} },
    ]);
    const answer = retrying(exchange, { now: () => 0 })("w", "GET", "/p");
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect((await answer).status).toBe(200);
  });
});

describe("the ConfigMap journal as asked", () => {
  const journal = (exchange: Exchange) =>
    new ConfigMapJournal({
      exchange,
      namespace: NS,
      checklist: "staging",
      runId: RUN,
      sleep: async () => {},
    });
  const chunk = (name: string, data: Record<string, string>, annotations?: Record<string, string>) => ({
    metadata: { name, ...(annotations ? { annotations } : {}) },
    data,
  });
  const ours = { "deploycheck.io/run-id": RUN };

  it("lists the run's chunks by label and stores one chunk per call; an empty append asks nothing", async () => {
    const { exchange, calls } = scripted([
      { status: 200, body: {} },
      { status: 201, body: {} },
    ]);
    const j = journal(exchange);
    await j.append("a", "b");
    await j.append();
    expect(calls).toEqual([
      {
        what: `the journal of run ${RUN}`,
        method: "GET",
        path: `/api/v1/namespaces/ns/configmaps?labelSelector=${encodeURIComponent(`deploycheck.io/run=${RUN}`)}`,
      },
      {
        what: `the journal of run ${RUN}`,
        method: "POST",
        path: "/api/v1/namespaces/ns/configmaps",
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: j.chunkName(0),
            labels: {
              "app.kubernetes.io/managed-by": "deploycheck",
              "deploycheck.io/checklist": "staging",
              "deploycheck.io/run": RUN,
              "deploycheck.io/first-line": "0",
            },
            annotations: { "deploycheck.io/run-id": RUN, "deploycheck.io/checklist": "staging" },
          },
          data: { e000000: "a", e000001: "b" },
        },
      },
    ]);
  });

  it("reads only keys e<number> of chunks annotated with its run id", async () => {
    const { exchange } = scripted([
      {
        status: 200,
        body: {
          items: [
            chunk("other", { e000000: "theirs" }),
            chunk("mine", { e000000: "a", xe000001: "x", e000001x: "y", e000001: "b", note: "z" }, ours),
          ],
        },
      },
    ]);
    expect(await journal(exchange).readAll()).toEqual(["a", "b"]);
  });

  it("takes a line of exactly the chunk limit", async () => {
    const full = "f".repeat(CHUNK_BYTES - 2);
    const { exchange, calls } = scripted([
      { status: 200, body: { items: [] } },
      { status: 201, body: {} },
    ]);
    await journal(exchange).append(full);
    expect(calls[1]?.body).toMatchObject({ data: { e000000: full } });
  });

  it("a list refused without a message: what, where and the status", async () => {
    const { exchange } = scripted([{ status: 500, body: {} }]);
    const err = await refusal(journal(exchange).readAll());
    expect(err.message).toBe('cannot list configmaps in namespace "ns" (HTTP 500)');
    expect([err.status, err.hint]).toEqual([500, undefined]);
  });

  const someoneElse = (name: string) => ({
    message: `line 0 of run ${RUN} was already written by someone else (${name})`,
    status: 409,
    hint: "Two deploycheck processes are writing one run; only the lease holder may. Stop the other one.",
  });
  it.each<[string, string[], Answer]>([
    ["no body", ["a"], { status: 200 }],
    ["no data", ["a"], { status: 200, body: { metadata: {} } }],
    ["a line more than ours", ["a"], { status: 200, body: { data: { e000000: "a", e000001: "b" } } }],
    ["one line of two differs", ["a", "b"], { status: 200, body: { data: { e000000: "a", e000001: "x" } } }],
  ])("a create that meets a chunk with other content (%s) is another writer's", async (_, lines, got) => {
    const { exchange, calls } = scripted([
      { status: 200, body: { items: [] } },
      { status: 409, body: {} },
      got,
    ]);
    const j = journal(exchange);
    const err = await refusal(j.append(...lines));
    expect({ message: err.message, status: err.status, hint: err.hint }).toEqual(someoneElse(j.chunkName(0)));
    expect(calls[2]).toEqual({
      what: `the journal of run ${RUN}`,
      method: "GET",
      path: `/api/v1/namespaces/ns/configmaps/${j.chunkName(0)}`,
    });
  });

  it("the same lines already there (our own write, its answer lost) are done", async () => {
    const { exchange } = scripted([
      { status: 200, body: { items: [] } },
      { status: 409, body: {} },
      { status: 200, body: { data: { e000000: "a", e000001: "b" } } },
      { status: 201, body: {} },
    ]);
    const j = journal(exchange);
    await j.append("a", "b");
    await j.append("c");
  });

  it("a chunk it may not read back is refused as such, not blamed on another writer", async () => {
    const { exchange } = scripted([
      { status: 200, body: { items: [] } },
      { status: 409, body: {} },
      { status: 403, body: { message: "configmaps is forbidden", data: { e000000: "a" } } },
    ]);
    const j = journal(exchange);
    const err = await refusal(j.append("a"));
    expect(err.message).toBe(
      `cannot read configmap "${j.chunkName(0)}" in namespace "ns" (HTTP 403): configmaps is forbidden`,
    );
    expect(err.status).toBe(403);
    expect(err.hint).toBe(
      'Grant the team-state Role (configmaps: get, list, create, update) in namespace "ns"; see "Team state" in the README.',
    );
  });
});

describe("the Lease as asked", () => {
  const T0 = Date.parse("2026-11-30T08:00:00.250Z");
  const NAME = "deploycheck-staging";
  const holder = (engineer: string, pid = 100): LeaseHolder => ({
    engineer,
    host: `${engineer}-laptop`,
    pid,
    runId: RUN,
  });
  const ALICE = "alice@alice-laptop pid 100";
  const lock = (exchange: Exchange, now = () => T0) =>
    new LeaseLock({ exchange, namespace: NS, checklist: "staging", holder: holder("alice"), now });
  /** A lease of bob's, renewed at T0 - 60 s for 30 s: expired. */
  const bobs = (rv = "5") => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: NAME,
      resourceVersion: rv,
      annotations: { "deploycheck.io/holder": JSON.stringify(holder("bob", 7)) },
    },
    spec: {
      holderIdentity: "bob@bob-laptop pid 7",
      leaseDurationSeconds: 30,
      acquireTime: microTime(T0 - 3_600_000),
      renewTime: microTime(T0 - 60_000),
      leaseTransitions: 3,
    },
  });
  /** The API server's answer to a write: the lease as sent, with a new resourceVersion. */
  const stored =
    (status: number, rv: string) =>
    (call: Call): Answer => {
      const body = structuredClone(call.body) as { metadata: Record<string, unknown> };
      body.metadata.resourceVersion = rv;
      return { status, body };
    };
  const what = `lease "${NAME}"`;
  const bodyOf = (c: Call | undefined) =>
    c?.body as { metadata: Record<string, unknown>; spec: Record<string, unknown> };

  it("creates (no resourceVersion), renews with the one it got, and releases; each request names the lease", async () => {
    const { exchange, calls } = scripted([
      { status: 404, body: {} },
      stored(201, "7"),
      stored(200, "8"),
      { status: 404, body: {} },
    ]);
    const l = lock(exchange);
    expect(await l.acquire()).toMatchObject({ acquired: true, lease: { holderIdentity: ALICE } });
    expect(await l.renew()).toBe(true);
    await l.release();
    expect(calls.map((c) => [c.what, c.method, c.path])).toEqual([
      [what, "GET", leasePath(NS, NAME)],
      [what, "POST", leasePath(NS)],
      [what, "PUT", leasePath(NS, NAME)],
      [what, "PUT", leasePath(NS, NAME)],
    ]);
    expect(calls[1]?.body).toEqual({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: NAME,
        labels: { "app.kubernetes.io/managed-by": "deploycheck" },
        annotations: { "deploycheck.io/holder": JSON.stringify(holder("alice")) },
      },
      spec: {
        holderIdentity: ALICE,
        leaseDurationSeconds: 30,
        acquireTime: "2026-11-30T08:00:00.250000Z",
        renewTime: "2026-11-30T08:00:00.250000Z",
        leaseTransitions: 0,
      },
    });
    expect(bodyOf(calls[2]).metadata.resourceVersion).toBe("7");
    expect(bodyOf(calls[3]).metadata.resourceVersion).toBe("8");
    expect(bodyOf(calls[3]).spec.holderIdentity).toBe("");
    expect(l.held).toBe(false);
  });

  it("takes over an expired lease: its resourceVersion, a new acquireTime, one transition more", async () => {
    const { exchange, calls } = scripted([{ status: 200, body: bobs() }, stored(200, "6")]);
    const got = await lock(exchange).acquire();
    expect(calls.map((c) => [c.what, c.method, c.path])).toEqual([
      [what, "GET", leasePath(NS, NAME)],
      [what, "PUT", leasePath(NS, NAME)],
    ]);
    expect(bodyOf(calls[1]).metadata.resourceVersion).toBe("5");
    expect(bodyOf(calls[1]).spec).toEqual({
      holderIdentity: ALICE,
      leaseDurationSeconds: 30,
      acquireTime: microTime(T0),
      renewTime: microTime(T0),
      leaseTransitions: 4,
    });
    expect(got).toEqual({
      acquired: true,
      takenOver: {
        holder: holder("bob", 7),
        holderIdentity: "bob@bob-laptop pid 7",
        acquiredAt: microTime(T0 - 3_600_000),
        renewedAt: microTime(T0 - 60_000),
        durationSeconds: 30,
        transitions: 3,
      },
      lease: {
        holder: holder("alice"),
        holderIdentity: ALICE,
        acquiredAt: microTime(T0),
        renewedAt: microTime(T0),
        durationSeconds: 30,
        transitions: 4,
      },
    });
  });

  it("a takeover that conflicts reads the lease again and writes with the new resourceVersion", async () => {
    const { exchange, calls } = scripted([
      { status: 200, body: bobs("5") },
      { status: 409, body: {} },
      { status: 200, body: bobs("6") },
      stored(200, "7"),
    ]);
    expect(await lock(exchange).acquire()).toMatchObject({ acquired: true });
    expect(calls.map((c) => c.method)).toEqual(["GET", "PUT", "GET", "PUT"]);
    expect(bodyOf(calls[3]).metadata.resourceVersion).toBe("6");
  });

  it.each<[string, Answer[]]>([
    [
      "conflicted, and it is bob's now",
      [
        { status: 409, body: {} },
        { status: 200, body: bobs() },
      ],
    ],
    [
      "gone, and still gone",
      [
        { status: 404, body: {} },
        { status: 404, body: {} },
      ],
    ],
  ])("a renewal that finds the lease %s: lost, nothing more written", async (_, after) => {
    const { exchange, calls, answers } = scripted([{ status: 404, body: {} }, stored(201, "7")]);
    const l = lock(exchange);
    await l.acquire();
    answers.push(...after, stored(200, "9"));
    expect(await l.renew()).toBe(false);
    expect(l.held).toBe(false);
    expect(calls.map((c) => c.method)).toEqual(["GET", "POST", "PUT", "GET"]);
    expect(await l.renew()).toBe(false);
    expect(await l.stillHeld()).toBe(false);
    expect(calls).toHaveLength(4);
  });

  it("fencing: never held asks nothing; held, it expires exactly duration after the last renewal", async () => {
    let t = T0;
    const { exchange, calls, answers } = scripted([]);
    const l = lock(exchange, () => t);
    expect(await l.stillHeld()).toBe(false);
    expect(calls).toEqual([]);
    answers.push({ status: 404, body: {} }, stored(201, "7"));
    await l.acquire();
    const asStored = () => ({
      status: 200,
      body: { ...bodyOf(calls[1]), metadata: { ...bodyOf(calls[1]).metadata, resourceVersion: "7" } },
    });
    t = T0 + 29_999;
    answers.push(asStored());
    expect(await l.stillHeld()).toBe(true);
    t = T0 + 30_000;
    answers.push(asStored());
    expect(await l.stillHeld()).toBe(false);
  });

  it.each([409, 404])(
    "a release answered %i is quiet (the lease is no longer ours to release)",
    async (status) => {
      const { exchange, calls } = scripted([
        { status: 404, body: {} },
        stored(201, "7"),
        { status, body: {} },
      ]);
      const l = lock(exchange);
      await l.acquire();
      await l.release();
      expect(calls.map((c) => c.method)).toEqual(["GET", "POST", "PUT"]);
    },
  );

  it("a read refused without a message: the lease, the namespace and the status", async () => {
    const { exchange } = scripted([{ status: 500, body: {} }]);
    const err = await refusal(lock(exchange).inspect());
    expect(err.message).toBe('cannot read lease "deploycheck-staging" in namespace "ns" (HTTP 500)');
    expect([err.status, err.hint]).toEqual([500, undefined]);
  });

  it("a lease with nothing in its spec: no holder, no times, expired", async () => {
    const { exchange } = scripted([{ status: 200, body: { metadata: { name: NAME }, spec: {} } }]);
    expect(await lock(exchange).inspect()).toEqual({
      holder: undefined,
      holderIdentity: "",
      acquiredAt: undefined,
      renewedAt: undefined,
      durationSeconds: 0,
      transitions: 0,
    });
  });

  const full = { engineer: "bob", host: "h", pid: 7, runId: "r" };
  it.each<[string, string | undefined, LeaseHolder | undefined]>([
    ["ours", JSON.stringify({ ...full, extra: 1 }), full],
    ["none", undefined, undefined],
    ["null", "null", undefined],
    ["a string", '"bob"', undefined],
    ["a list", "[]", undefined],
    ["damaged", "{", undefined],
    ["engineer not a string", JSON.stringify({ ...full, engineer: 1 }), undefined],
    ["no host", JSON.stringify({ ...full, host: undefined }), undefined],
    ["pid not a number", JSON.stringify({ ...full, pid: "7" }), undefined],
    ["no run id", JSON.stringify({ ...full, runId: undefined }), undefined],
  ])("the holder annotation (%s) names the holder only when whole", async (_, annotation, expected) => {
    const lease = bobs();
    if (annotation === undefined) delete (lease.metadata as { annotations?: unknown }).annotations;
    else lease.metadata.annotations["deploycheck.io/holder"] = annotation;
    const { exchange } = scripted([{ status: 200, body: lease }]);
    const state = await lock(exchange).inspect();
    expect(state?.holder).toEqual(expected);
    expect(state?.holderIdentity).toBe("bob@bob-laptop pid 7");
  });
});

describe("run files as asked", () => {
  const files = (exchange: Exchange) =>
    new RunFiles({ exchange, namespace: NS, checklist: "staging", runId: RUN });
  const recordName = `${objectName("dc-", RUN, 52)}-record`;
  const content = '{"signed":1}';

  it("stores the record as a ConfigMap; meeting the same record there (an answer lost) is done", async () => {
    const { exchange, calls } = scripted([
      { status: 409, body: {} },
      { status: 200, body: { data: { "record.json": content } } },
    ]);
    await files(exchange).put("record", content);
    expect(calls).toEqual([
      {
        what: `the record of run ${RUN}`,
        method: "POST",
        path: "/api/v1/namespaces/ns/configmaps",
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: recordName,
            labels: {
              "app.kubernetes.io/managed-by": "deploycheck",
              "deploycheck.io/checklist": "staging",
              "deploycheck.io/run": RUN,
              "deploycheck.io/file": "record",
            },
            annotations: { "deploycheck.io/run-id": RUN, "deploycheck.io/sha256": sha(content) },
          },
          data: { "record.json": content },
        },
      },
      {
        what: `the record of run ${RUN}`,
        method: "GET",
        path: `/api/v1/namespaces/ns/configmaps/${recordName}`,
      },
    ]);
  });

  it("a create Conflict with nothing there: created again after 100 ms doubling to 2 s, ten times, then refused", async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const posts: number[] = [];
    const script = scripted(
      Array.from({ length: 22 }, (_, i) =>
        i % 2 === 0 ? { status: 409, body: {} } : { status: 404, body: {} },
      ),
    );
    const exchange: Exchange = (what, method, p, body) => {
      if (method === "POST") posts.push(Date.now() - start);
      return script.exchange(what, method, p, body);
    };
    const outcome = files(exchange)
      .put("record", content)
      .then(
        () => "stored",
        (e: unknown) => e,
      );
    await vi.advanceTimersByTimeAsync(13_100);
    expect(posts).toEqual([0, 100, 300, 700, 1500, 3100, 5100, 7100, 9100, 11_100, 13_100]);
    const err = (await outcome) as TeamStateError;
    expect(err).toBeInstanceOf(TeamStateError);
    expect(err.message).toBe(`cannot store the record of run ${RUN} in namespace "ns" (HTTP 409)`);
    expect(err.status).toBe(409);
    expect(new Set(script.calls.map((c) => c.what))).toEqual(new Set([`the record of run ${RUN}`]));
    expect(script.calls.map((c) => c.method)).toEqual(
      Array.from({ length: 11 }, () => ["POST", "GET"]).flat(),
    );
  });

  it.each<[string, Answer]>([
    ["no body", { status: 200 }],
    ["other content", { status: 200, body: { data: { "record.json": '{"signed":2}' } } }],
  ])("a record already there with %s differs: refused, saying a record is signed once", async (_, got) => {
    const { exchange } = scripted([{ status: 409, body: {} }, got]);
    const err = await refusal(files(exchange).put("record", content));
    expect(err.message).toBe(`the record of run ${RUN} in the cluster differs from this one (${recordName})`);
    expect(err.status).toBe(409);
    expect(err.hint).toBe(
      "A record is signed once: another engineer already signed this run. See deploycheck runs --team.",
    );
  });

  it.each<[Answer, string]>([
    [
      { status: 403, body: { message: "configmaps is forbidden", data: { "record.json": content } } },
      ": configmaps is forbidden",
    ],
    [{ status: 401, body: {} }, ""],
  ])("a record it may not read back is refused as such (%j)", async (got, said) => {
    const { exchange } = scripted([{ status: 409, body: {} }, got]);
    const err = await refusal(files(exchange).put("record", content));
    expect(err.message).toBe(
      `cannot read the record of run ${RUN} in namespace "ns" (HTTP ${got.status})${said}`,
    );
    expect(err.status).toBe(got.status);
  });

  it("a create refused without a message: what, where and the status", async () => {
    const { exchange } = scripted([{ status: 500, body: {} }]);
    const err = await refusal(files(exchange).put("checklist", "v1"));
    expect(err.message).toBe(`cannot store the checklist of run ${RUN} in namespace "ns" (HTTP 500)`);
  });

  it("reads a file by the run's labels, keeping only its own run's, whole and of the sha256 asked", async () => {
    const ours = { "deploycheck.io/run-id": RUN };
    const { exchange, calls } = scripted([
      {
        status: 200,
        body: {
          items: [
            { metadata: { name: "a" }, data: { "checklist.yaml": "v1" } },
            { metadata: { name: "b", annotations: ours }, data: {} },
            { metadata: { name: "c", annotations: ours } },
            { metadata: { name: "d", annotations: ours }, data: { "checklist.yaml": "v0" } },
            { metadata: { name: "e", annotations: ours }, data: { "checklist.yaml": "v1" } },
          ],
        },
      },
      { status: 200, body: {} },
    ]);
    const f = files(exchange);
    expect(await f.get("checklist", sha("v1"))).toBe("v1");
    expect(await f.get("record")).toBeUndefined();
    expect(calls).toEqual([
      {
        what: `the checklist of run ${RUN}`,
        method: "GET",
        path: `/api/v1/namespaces/ns/configmaps?labelSelector=${encodeURIComponent(`deploycheck.io/run=${RUN},deploycheck.io/file=checklist`)}`,
      },
      {
        what: `the record of run ${RUN}`,
        method: "GET",
        path: `/api/v1/namespaces/ns/configmaps?labelSelector=${encodeURIComponent(`deploycheck.io/run=${RUN},deploycheck.io/file=record`)}`,
      },
    ]);
  });

  it("the team's runs: asked by label, newest id first, one id's chunks in the order listed", async () => {
    const item = (runId?: string, checklist?: string) => ({
      metadata: {
        name: `x${Math.random()}`,
        ...(runId === undefined
          ? {}
          : {
              annotations: {
                "deploycheck.io/run-id": runId,
                ...(checklist === undefined ? {} : { "deploycheck.io/checklist": checklist }),
              },
            }),
      },
    });
    const { exchange, calls } = scripted([
      {
        status: 200,
        body: {
          items: [item(), item("b", "c1"), item("a"), item("b", "c2"), item("c", "c3"), item("b", "c4")],
        },
      },
      { status: 200, body: {} },
      { status: 500, body: {} },
    ]);
    expect(await listTeamRunIds(exchange, NS)).toEqual([
      { runId: "c", checklist: "c3" },
      { runId: "b", checklist: "c1" },
      { runId: "b", checklist: "c2" },
      { runId: "b", checklist: "c4" },
      { runId: "a", checklist: "" },
    ]);
    expect(calls[0]).toEqual({
      what: "the team's runs",
      method: "GET",
      path: `/api/v1/namespaces/ns/configmaps?labelSelector=${encodeURIComponent("app.kubernetes.io/managed-by=deploycheck,deploycheck.io/first-line=0")}`,
    });
    expect(await listTeamRunIds(exchange, NS)).toEqual([]);
    const err = await refusal(listTeamRunIds(exchange, NS));
    expect(err.message).toBe('cannot list the team\'s runs in namespace "ns" (HTTP 500)');
  });
});

/** ConfigMaps kept in memory, answering as the API server does the calls the journal and run files make. */
function memoryCluster(runId: string) {
  const objects = new Map<string, ConfigMapObject>();
  const base = configMapPath(NS);
  const exchange: Exchange = async (_what, method, p, body) => {
    const [pathname = "", query = ""] = p.split("?");
    if (method === "POST" && pathname === base) {
      const o = structuredClone(body) as ConfigMapObject;
      if (objects.has(o.metadata.name)) return { status: 409, body: {} };
      objects.set(o.metadata.name, o);
      return { status: 201, body: o };
    }
    if (method === "GET" && pathname === base) {
      const selector = new URLSearchParams(query).get("labelSelector") ?? "";
      const want = selector.split(",").map((s) => s.split("="));
      const items = [...objects.values()].filter((o) =>
        want.every(([k = "", v]) => o.metadata.labels?.[k] === v),
      );
      return { status: 200, body: { items } };
    }
    if (method === "GET" && pathname.startsWith(`${base}/`)) {
      const o = objects.get(decodeURIComponent(pathname.slice(base.length + 1)));
      return o ? { status: 200, body: o } : { status: 404, body: {} };
    }
    return { status: 405, body: {} };
  };
  const options = { exchange, namespace: NS, checklist: "staging", runId };
  return { cluster: new ConfigMapJournal(options), files: new RunFiles(options), options };
}

describe("syncRun, with the cluster in memory", () => {
  const temp = useTemp();
  const SRUN = "staging-20261130T070000Z-ab12";
  const line = (o: Record<string, unknown>) => JSON.stringify(o);
  const started = (source: string) => line({ type: "run-started", checklist: { sha256: sha(source) } });
  const resumed = (source?: string) =>
    line({ type: "run-resumed", ...(source === undefined ? {} : { checklistSha256: sha(source) }) });
  const finished = (key: string, n = 1) => line({ type: "step-finished", key, n });

  /** A state dir with the run's directory holding `local` (a journal's text, or none), the cluster holding `remote`. */
  async function setup(
    local: string | undefined,
    remote: string[],
    stored: { checklists?: string[]; record?: string } = {},
  ) {
    const stateDir = path.join(temp.dir, `state-${Math.random().toString(16).slice(2)}`);
    const dir = path.join(stateDir, "runs", SRUN);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "journal.jsonl");
    if (local !== undefined) writeFileSync(file, local);
    const m = memoryCluster(SRUN);
    if (remote.length > 0) await new ConfigMapJournal(m.options).append(...remote);
    for (const c of stored.checklists ?? []) await m.files.put("checklist", c);
    if (stored.record !== undefined) await m.files.put("record", stored.record);
    return { stateDir, dir, file, ...m, sync: () => syncRun(stateDir, SRUN, m.cluster, m.files) };
  }
  const stateError = async (p: Promise<unknown>): Promise<StateError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StateError);
    return err as StateError;
  };
  const disagree = (file: string, at: number) => ({
    message: `${file}:${at}: the local journal and the team's copy in the cluster disagree from this line on`,
    hint: "Two engineers wrote this run apart from each other; keep both copies and start a new run.",
  });

  it("a run directory without a journal, the cluster without lines: the same, nothing stored", async () => {
    const s = await setup(undefined, []);
    expect(await s.sync()).toBe("same");
    expect(await s.cluster.readAll()).toEqual([]);
  });

  it("the same journal with a resume in it is the same, not superseded", async () => {
    const lines = [started("v1"), resumed("v1"), finished("i/a")];
    const s = await setup(`${lines.join("\n")}\n`, lines, { checklists: ["v1"] });
    expect(await s.sync()).toBe("same");
    expect(readdirSync(s.dir)).toEqual(["journal.jsonl"]);
  });

  it.each<[string, string, string[], number]>([
    ["an empty first line", "\n", [started("v1")], 1],
    [
      "a line that is no JSON where they part",
      `${[started("v1"), finished("i/a")].join("\n")}\n`,
      [started("v1"), "not json"],
      2,
    ],
    [
      "a resume before where they part (not after)",
      `${[started("v1"), resumed("v1"), finished("i/a", 1)].join("\n")}\n`,
      [started("v1"), resumed("v1"), finished("i/a", 2)],
      3,
    ],
  ])(
    "copies that disagree (%s) are refused, naming the line; nothing changed",
    async (_, local, remote, at) => {
      const s = await setup(local, remote, { checklists: ["v1"] });
      const err = await stateError(s.sync());
      expect({ message: err.message, hint: err.hint }).toEqual(disagree(s.file, at));
      expect(readFileSync(s.file, "utf8")).toBe(local);
      expect(readdirSync(s.dir)).toEqual(["journal.jsonl"]);
    },
  );

  it.each<[string, string[], string]>([
    ["the run-started's", [started("v1"), finished("i/a")], sha("v1")],
    [
      "the run-started's, not another event's checklistSha256",
      [started("v1"), line({ type: "step-finished", checklistSha256: sha("v2") })],
      sha("v1"),
    ],
    ["the last resume's", [started("v1"), resumed("v2")], sha("v2")],
    ["the run-started's, after a resume naming none", [started("v1"), resumed()], sha("v1")],
    [
      "none, when the last run-started names none",
      [started("v1"), line({ type: "run-started" })],
      "not named in its journal",
    ],
    ["none, when no line is JSON", ["{"], "not named in its journal"],
  ])("a run to create whose checklist (%s) is not in the cluster is refused", async (_, remote, named) => {
    const stateDir = path.join(temp.dir, `state-${Math.random().toString(16).slice(2)}`);
    const m = memoryCluster(SRUN);
    await new ConfigMapJournal(m.options).append(...remote);
    const err = await stateError(syncRun(stateDir, SRUN, m.cluster, m.files));
    expect(err.message).toBe(
      `run ${SRUN} is in the cluster, but the checklist it ran (sha256 ${named}) is not`,
    );
    expect(err.hint).toBe("Its ConfigMaps were partly deleted; it cannot be resumed here.");
    expect(existsSync(path.join(stateDir, "runs", SRUN))).toBe(false);
  });

  const diverging = () => ({
    local: [started("v1"), finished("i/a")],
    remote: [started("v1"), resumed("v1"), finished("i/b")],
  });

  it("a killed session's lines give way to a resumed copy; the local one is kept aside, named by the time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse("2026-11-30T08:00:00.123Z"));
    const { local, remote } = diverging();
    const s = await setup(`${local.join("\n")}\n`, remote, { checklists: ["v1"] });
    expect(await s.sync()).toBe("superseded");
    const aside = "journal.jsonl.superseded-2026-11-30T080000123Z";
    expect(readdirSync(s.dir).sort()).toEqual(["checklist.yaml", "journal.jsonl", aside]);
    expect(readFileSync(path.join(s.dir, aside), "utf8")).toBe(`${local.join("\n")}\n`);
    expect(readFileSync(s.file, "utf8")).toBe(`${remote.join("\n")}\n`);
  });

  it("a link where the superseded copy goes is refused, naming it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse("2026-11-30T08:00:00.123Z"));
    const { local, remote } = diverging();
    const s = await setup(`${local.join("\n")}\n`, remote, { checklists: ["v1"] });
    const aside = path.join(s.dir, "journal.jsonl.superseded-2026-11-30T080000123Z");
    symlinkSync(path.join(temp.dir, "elsewhere"), aside);
    const err = await stateError(s.sync());
    expect(err.message).toBe(
      `${aside} is a symbolic link; deploycheck does not follow links in its state directory`,
    );
    expect(err.hint).toBe(
      "The superseded journal was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.",
    );
    expect(readFileSync(s.file, "utf8")).toBe(`${local.join("\n")}\n`);
  });

  it.each([
    ["checklist.yaml", "checklist copy"],
    ["journal.jsonl", "journal"],
    ["record.json", "record"],
  ])("pulling over a link (%s) is refused, naming the %s", async (name, what) => {
    const local = [started("v1")];
    const s = await setup(`${local.join("\n")}\n`, [...local, finished("i/a")], {
      checklists: ["v1"],
      record: '{"signed":1}',
    });
    const target = path.join(temp.dir, `target-${name}`);
    if (name === "journal.jsonl") {
      // The local journal read through the link: behind the cluster, so pulled.
      writeFileSync(target, readFileSync(s.file));
      writeFileSync(s.file, "");
      const { rmSync } = await import("node:fs");
      rmSync(s.file);
    }
    symlinkSync(target, path.join(s.dir, name));
    const err = await stateError(s.sync());
    expect(err.message).toBe(
      `${path.join(s.dir, name)} is a symbolic link; deploycheck does not follow links in its state directory`,
    );
    expect(err.hint).toBe(
      `The ${what} was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.`,
    );
    expect(readlinkSync(path.join(s.dir, name))).toBe(target);
  });
});

describe("the team journal, local file first", () => {
  const temp = useTemp();
  /** A local journal appending JSON lines to a real file (group commit when asked), the cluster a recorder. */
  function setup(local: { write?: boolean; sync?: boolean } = {}) {
    const file = path.join(temp.dir, "journal.jsonl");
    writeFileSync(file, "");
    const stored: string[][] = [];
    const mutating: string[] = [];
    const journal = new TeamJournal({
      local: {
        file,
        append: async (e: unknown) => appendFileSync(file, e === "\n" ? "\n" : `${JSON.stringify(e)}\n`),
        readAll: async () => [],
        ...(local.write ? { write: (e: unknown) => appendFileSync(file, `${JSON.stringify(e)}\n`) } : {}),
        ...(local.sync ? { sync: async () => {} } : {}),
      } as never,
      cluster: { append: async (...lines: string[]) => void stored.push(lines) } as never,
      fence: { check: async () => {} },
      isMutating: (key) => {
        mutating.push(key);
        return false;
      },
    });
    return { file, journal, stored, mutating };
  }

  it('a step start without a key is fenced as the step ""', async () => {
    const { journal, mutating, stored } = setup();
    await journal.append({ type: "step-started" } as never);
    expect(mutating).toEqual([""]);
    expect(stored).toEqual([['{"type":"step-started"}']]);
  });

  it.each([
    [{ write: true }, false],
    [{ sync: true }, false],
    [{ write: true, sync: true }, true],
  ])("group commit only when the local journal has both write and sync (%j)", (local, both) => {
    const { journal } = setup(local);
    expect([typeof journal.write, typeof journal.sync]).toEqual(
      both ? ["function", "function"] : ["undefined", "undefined"],
    );
  });

  it("an empty line the file gains is a line: stored before append returns", async () => {
    const { journal, stored } = setup();
    await journal.append("\n" as never);
    expect(stored).toEqual([[""]]);
    await journal.append({ type: "a" } as never);
    expect(stored).toEqual([[""], ['{"type":"a"}']]);
  });

  it("leaves no descriptor of the journal open", async () => {
    const { file, journal } = setup();
    const open = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      });
    await journal.append({ type: "a" } as never);
    expect(fileSize(file)).toBe(13);
    expect(open()).toEqual([]);
  });

  it.each<[string[], string[], ReturnType<typeof reconcile>]>([
    [[], [], { kind: "same" }],
    [["a"], ["a"], { kind: "same" }],
    [["a", "b"], ["a"], { kind: "push", lines: ["b"] }],
    [["a"], ["a", "b"], { kind: "pull", lines: ["a", "b"] }],
  ])("reconcile(%j, %j) = %j", (local, cluster, plan) => {
    expect(reconcile(local, cluster)).toEqual(plan);
  });
});
