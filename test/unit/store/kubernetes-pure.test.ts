// The pure parts of team state: object names and label values the API server accepts (and that never
// collide), API paths, the retry and conflict back-off policies, lease times. Hashes are computed here
// independently of the code.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { missingPermissions } from "../../../src/store/kubernetes/access.js";
import {
  configMapPath,
  createConflictDelay,
  type Exchange,
  labelValue,
  leasePath,
  messageOf,
  objectName,
  retrying,
  TeamStateError,
} from "../../../src/store/kubernetes/api.js";
import { ConfigMapJournal } from "../../../src/store/kubernetes/configmap-journal.js";
import {
  expiresInMs,
  holderIdentity,
  LeaseLock,
  type LeaseState,
  leaseName,
  microTime,
} from "../../../src/store/kubernetes/lease-lock.js";
import { RunFiles } from "../../../src/store/kubernetes/run-files.js";

const sha8 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);
const RFC1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

describe("object names", () => {
  const cases: [string, string, number | undefined, string][] = [
    ["deploycheck-", "staging", undefined, "deploycheck-staging"],
    [
      "dc-",
      "staging-20261130T070000Z-ab12",
      52,
      `dc-staging-20261130t070000z-ab12-${sha8("staging-20261130T070000Z-ab12")}`,
    ],
    ["", "a__b..c", undefined, `a-b-c-${sha8("a__b..c")}`],
    ["", "--ab--", undefined, `ab-${sha8("--ab--")}`],
    ["", "a".repeat(63), undefined, "a".repeat(63)],
    ["", "a".repeat(64), undefined, `${"a".repeat(54)}-${sha8("a".repeat(64))}`],
    ["p-", "a".repeat(100), undefined, `p-${"a".repeat(52)}-${sha8("a".repeat(100))}`],
    // The cut falls right after a "-": no "--" before the hash.
    [
      "p-",
      `${"a".repeat(51)}-${"b".repeat(20)}`,
      undefined,
      `p-${"a".repeat(51)}-${sha8(`${"a".repeat(51)}-${"b".repeat(20)}`)}`,
    ],
    ["x-", "ab", 4, "x-ab"],
  ];
  it.each(cases)("objectName(%j, %j, %j) = %j", (prefix, text, max, expected) => {
    const name = max === undefined ? objectName(prefix, text) : objectName(prefix, text, max);
    expect(name).toBe(expected);
  });

  it("every name is valid, within its limit, and two texts never share one", () => {
    const texts = [
      "Staging",
      "staging",
      "STAGING",
      "stag ing",
      "stag_ing",
      "a".repeat(200),
      "a".repeat(201),
      "é",
      "e",
    ];
    const names = texts.map((t) => objectName("dc-", t, 52));
    for (const n of names) {
      expect(n).toMatch(RFC1123);
      expect(n.length).toBeLessThanOrEqual(52);
    }
    expect(new Set(names).size).toBe(texts.length);
  });

  it("lease names: deploycheck- and the checklist, hashed when it had to change", () => {
    expect(leaseName("staging")).toBe("deploycheck-staging");
    expect(leaseName("Staging_EU")).toBe(`deploycheck-staging-eu-${sha8("Staging_EU")}`);
  });
});

describe("label values", () => {
  const cases: [string, string][] = [
    ["staging", "staging"],
    ["staging-20261130T070000Z-ab12", "staging-20261130T070000Z-ab12"],
    ["a.b_c-D", "a.b_c-D"],
    ["a".repeat(63), "a".repeat(63)],
    ["a".repeat(64), `${"a".repeat(54)}-${sha8("a".repeat(64))}`],
    ["a b", `a-b-${sha8("a b")}`],
    ["a  /  b", `a-b-${sha8("a  /  b")}`],
    [".a.", `a-${sha8(".a.")}`],
    ["_a_", `a-${sha8("_a_")}`],
    // Nothing usable is left: the hash alone, no leading "-".
    ["...", sha8("...")],
    ["", ""],
    // The cut falls on "._": cut back to an alphanumeric before the hash.
    [
      `${"a".repeat(53)}._${"b".repeat(20)}`,
      `${"a".repeat(53)}-${sha8(`${"a".repeat(53)}._${"b".repeat(20)}`)}`,
    ],
  ];
  it.each(cases)("labelValue(%j) = %j", (text, expected) => {
    expect(labelValue(text)).toBe(expected);
    expect(labelValue(text)).toMatch(LABEL);
    expect(labelValue(text).length).toBeLessThanOrEqual(63);
  });
});

describe("API paths and messages", () => {
  it("paths with and without a name, each segment encoded", () => {
    expect(leasePath("deploycheck")).toBe("/apis/coordination.k8s.io/v1/namespaces/deploycheck/leases");
    expect(leasePath("ns a", "n/b")).toBe("/apis/coordination.k8s.io/v1/namespaces/ns%20a/leases/n%2Fb");
    expect(leasePath("ns", "")).toBe("/apis/coordination.k8s.io/v1/namespaces/ns/leases/");
    expect(configMapPath("deploycheck")).toBe("/api/v1/namespaces/deploycheck/configmaps");
    expect(configMapPath("ns?x", "c#1")).toBe("/api/v1/namespaces/ns%3Fx/configmaps/c%231");
  });

  it("messageOf: the Status message, else a text body cut to 200 characters, else nothing", () => {
    expect(messageOf({ message: "leases is forbidden" })).toBe("leases is forbidden");
    expect(messageOf({ message: 7 })).toBe("");
    expect(messageOf("x".repeat(300))).toBe("x".repeat(200));
    expect(messageOf("short")).toBe("short");
    expect(messageOf(undefined)).toBe("");
    expect(messageOf(null)).toBe("");
    expect(messageOf(42)).toBe("");
  });

  it("TeamStateError carries the status and the hint", () => {
    const err = new TeamStateError("m", 409, { hint: "h" });
    expect([err.message, err.status, err.hint, err.exitCode]).toEqual(["m", 409, "h", 2]);
  });
});

describe("back-off policies", () => {
  it("a create Conflict with nothing there: 100 ms doubling to 2 s, ten tries", () => {
    expect(Array.from({ length: 12 }, (_, i) => createConflictDelay(i))).toEqual([
      100,
      200,
      400,
      800,
      1600,
      2000,
      2000,
      2000,
      2000,
      2000,
      undefined,
      undefined,
    ]);
  });

  /** An exchange answering from a script: a status (with a Status message or none) or a thrown error. */
  const scripted = (answers: (number | [number, string] | Error)[]) => {
    const calls: unknown[][] = [];
    const exchange: Exchange = async (...args) => {
      calls.push(args);
      const a = answers.shift();
      if (a === undefined) throw new Error("script ran out");
      if (a instanceof Error) throw a;
      return Array.isArray(a) ? { status: a[0], body: { message: a[1] } } : { status: a, body: {} };
    };
    return { exchange, calls };
  };
  const fakeTime = () => {
    let t = 1_000_000;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      t += ms;
    };
    return { now: () => t, sleep, waits };
  };

  it("answers 2xx and 4xx (but 429) at once, passing every argument through", async () => {
    for (const status of [200, 201, 404, 409, 403, 422, 499]) {
      const { exchange, calls } = scripted([status]);
      const time = fakeTime();
      const signal = new AbortController().signal;
      const r = await retrying(exchange, time)("the lease", "PUT", "/p", { b: 1 }, signal);
      expect(r.status).toBe(status);
      expect(calls).toEqual([["the lease", "PUT", "/p", { b: 1 }, signal]]);
      expect(time.waits).toEqual([]);
    }
  });

  it("retries 5xx, 429 and no answer, doubling from 250 ms to 8 s, telling each retry", async () => {
    const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const { exchange, calls } = scripted([
      [500, "etcdserver: leader changed"],
      502,
      429,
      down,
      [503, "unavailable"],
      500,
      500,
      500,
      200,
    ]);
    const time = fakeTime();
    const told: [string, string, number][] = [];
    const r = await retrying(exchange, { ...time, onRetry: (...a) => told.push(a) })(
      "the journal",
      "GET",
      "/p",
    );
    expect(r.status).toBe(200);
    expect(calls).toHaveLength(9);
    expect(time.waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(told).toEqual([
      ["the journal", "HTTP 500: etcdserver: leader changed", 250],
      ["the journal", "HTTP 502", 500],
      ["the journal", "HTTP 429", 1000],
      ["the journal", "connect ECONNREFUSED", 2000],
      ["the journal", "HTTP 503: unavailable", 4000],
      ["the journal", "HTTP 500", 8000],
      ["the journal", "HTTP 500", 8000],
      ["the journal", "HTTP 500", 8000],
    ]);
  });

  it("gives up after 60 s by default, the last wait cut to the time left, naming what kept failing", async () => {
    const { exchange } = scripted(Array.from({ length: 20 }, () => [503, "unavailable"] as [number, string]));
    const time = fakeTime();
    const err = (await retrying(exchange, time)('lease "x"', "GET", "/p").catch(
      (e: unknown) => e,
    )) as TeamStateError;
    expect(err).toBeInstanceOf(TeamStateError);
    expect(err.message).toBe('the Kubernetes API kept failing for lease "x": HTTP 503: unavailable');
    expect(err.status).toBe(503);
    expect(time.waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, 4250]);
    expect(time.waits.reduce((a, b) => a + b)).toBe(60_000);
  });

  it("gives up after maxWaitMs on no answer with the network error itself", async () => {
    const down = new Error("socket hang up");
    const { exchange, calls } = scripted([down, down, down, down, down]);
    const time = fakeTime();
    const err = await retrying(exchange, { ...time, maxWaitMs: 1000 })("w", "GET", "/p").catch(
      (e: unknown) => e,
    );
    expect(err).toBe(down);
    expect(time.waits).toEqual([250, 500, 250]);
    expect(calls).toHaveLength(4);
  });

  it("never retries a refusal already decided, nor a request its caller aborted", async () => {
    const decided = new TeamStateError("decided", 409);
    const a = scripted([decided]);
    const time = fakeTime();
    await expect(retrying(a.exchange, time)("w", "GET", "/p")).rejects.toBe(decided);
    const controller = new AbortController();
    controller.abort();
    const aborted = new Error("aborted");
    const b = scripted([aborted]);
    await expect(retrying(b.exchange, time)("w", "GET", "/p", undefined, controller.signal)).rejects.toBe(
      aborted,
    );
    expect(time.waits).toEqual([]);
  });
});

describe("lease times", () => {
  const state = (s: Partial<LeaseState>): LeaseState => ({
    holder: undefined,
    holderIdentity: "alice@laptop pid 1",
    acquiredAt: undefined,
    renewedAt: undefined,
    durationSeconds: 30,
    transitions: 0,
    ...s,
  });
  const at = Date.parse("2026-11-30T08:00:00Z");

  it("expires duration after the last renewal, else after the acquisition; no holder or no time: expired", () => {
    expect(
      expiresInMs(
        state({ renewedAt: "2026-11-30T08:00:00.000000Z", acquiredAt: "2026-11-30T07:00:00Z" }),
        at + 10_000,
      ),
    ).toBe(20_000);
    expect(expiresInMs(state({ acquiredAt: "2026-11-30T08:00:00.000000Z" }), at + 10_000)).toBe(20_000);
    expect(expiresInMs(state({ renewedAt: "2026-11-30T08:00:00Z" }), at + 35_000)).toBe(-5_000);
    expect(expiresInMs(state({ renewedAt: "2026-11-30T08:00:00Z", holderIdentity: "" }), at)).toBe(0);
    expect(expiresInMs(state({}), at)).toBe(0);
    expect(expiresInMs(state({ renewedAt: "yesterday" }), at)).toBe(0);
    expect(expiresInMs(state({ renewedAt: "2026-11-30T08:00:00Z", durationSeconds: 0 }), at)).toBe(0);
  });

  it("microTime has microseconds; the holder identity names engineer, host and pid", () => {
    expect(microTime(Date.parse("2026-11-30T08:00:00.123Z"))).toBe("2026-11-30T08:00:00.123000Z");
    expect(microTime(0)).toBe("1970-01-01T00:00:00.000000Z");
    expect(holderIdentity({ engineer: "alice", host: "laptop", pid: 4242, runId: "r" })).toBe(
      "alice@laptop pid 4242",
    );
  });
});

describe("a create answered 200 (some API servers and proxies) counts as 201", () => {
  const answering = (
    answer: (method: string, p: string, body: unknown) => { status: number; body: unknown },
  ) => {
    const calls: [string, string, unknown][] = [];
    const exchange: Exchange = async (_what, method, p, body) => {
      calls.push([method, p, body]);
      return answer(method, p, body);
    };
    return { exchange, calls };
  };

  it("access review, journal chunk, run file and lease", async () => {
    const allowed = answering(() => ({ status: 200, body: { status: { allowed: true } } }));
    expect(await missingPermissions(allowed.exchange, "ns")).toEqual([]);
    const truthy = answering(() => ({ status: 200, body: { status: { allowed: "true" } } }));
    expect((await missingPermissions(truthy.exchange, "ns")).map((m) => m.verb)).toEqual([
      "get",
      "create",
      "update",
      "get",
      "list",
      "create",
    ]);

    const chunks = answering((method) => ({ status: 200, body: method === "GET" ? { items: [] } : {} }));
    const j = new ConfigMapJournal({
      exchange: chunks.exchange,
      namespace: "ns",
      checklist: "c",
      runId: "r",
    });
    await j.append("a");
    await j.append("b");
    const posted = chunks.calls
      .filter(([m]) => m === "POST")
      .map(([, , b]) => (b as { metadata: { name: string } }).metadata.name);
    expect(posted).toEqual([j.chunkName(0), j.chunkName(1)]);

    const files = answering(() => ({ status: 200, body: {} }));
    await new RunFiles({ exchange: files.exchange, namespace: "ns", checklist: "c", runId: "r" }).put(
      "record",
      "{}",
    );
    expect(files.calls.map(([m]) => m)).toEqual(["POST"]);

    const leases = answering((method, _p, body) =>
      method === "GET" ? { status: 404, body: {} } : { status: 200, body },
    );
    const got = await new LeaseLock({
      exchange: leases.exchange,
      namespace: "ns",
      checklist: "c",
      holder: { engineer: "a", host: "h", pid: 1, runId: "r" },
      now: () => 0,
    }).acquire();
    expect(got).toMatchObject({
      acquired: true,
      lease: { holderIdentity: "a@h pid 1", acquiredAt: "1970-01-01T00:00:00.000000Z" },
    });
  });
});
