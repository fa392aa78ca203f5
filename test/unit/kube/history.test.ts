// Revision history and the rollback plan as kubectl computes them, on the shapes a hostile or partial API
// answer can take: missing metadata, annotations, specs and templates never crash, and give kubectl's
// defaults; the target of an undo is the second-highest revision whatever the listing order.
import { describe, expect, it } from "vitest";
import {
  controlledReplicaSets,
  equalIgnoreHash,
  formatHistory,
  imagesOf,
  planUndo,
  revisionHistory,
  revisionOf,
  selectorOf,
} from "../../../src/kube/history.js";
import type { DeploymentLike, PodTemplateLike, ReplicaSetLike } from "../../../src/kube/types.js";

const UID = "uid-api";
const template = (image: string, extra: Record<string, unknown> = {}): PodTemplateLike =>
  ({
    metadata: { labels: { app: "api", "pod-template-hash": `h-${image}` } },
    spec: { containers: [{ name: "api", image }] },
    ...extra,
  }) as PodTemplateLike;

function rs(revision: number | undefined, image: string, meta: Record<string, unknown> = {}): ReplicaSetLike {
  return {
    metadata: {
      name: `api-${revision ?? "x"}-${image.replace(/\W/g, "")}`,
      ownerReferences: [{ controller: true, uid: UID }],
      annotations: revision === undefined ? {} : { "deployment.kubernetes.io/revision": String(revision) },
      ...meta,
    },
    spec: { replicas: 1, template: template(image) },
  } as ReplicaSetLike;
}

function deployment(image: string, extra: Partial<DeploymentLike> = {}): DeploymentLike {
  return {
    metadata: { name: "api", uid: UID, annotations: { "deployment.kubernetes.io/revision": "3" } },
    spec: { replicas: 1, selector: { matchLabels: { app: "api" } }, template: template(image) },
    ...extra,
  } as DeploymentLike;
}

describe("revisions, selectors and images from partial objects", () => {
  it("revisionOf: the annotation as an integer; missing or unparsable is 0", () => {
    expect(revisionOf({ metadata: { annotations: { "deployment.kubernetes.io/revision": "12" } } })).toBe(12);
    expect(revisionOf({ metadata: { annotations: { "deployment.kubernetes.io/revision": "x" } } })).toBe(0);
    expect(revisionOf({ metadata: { annotations: {} } })).toBe(0);
    expect(revisionOf({ metadata: {} })).toBe(0);
    expect(revisionOf({})).toBe(0);
  });

  it("selectorOf: matchLabels as a query string, empty without a selector", () => {
    expect(
      selectorOf(deployment("a", { spec: { selector: { matchLabels: { app: "api", tier: "web" } } } })),
    ).toBe("app=api,tier=web");
    expect(selectorOf({ spec: { selector: {} } } as DeploymentLike)).toBe("");
    expect(selectorOf({ spec: {} } as DeploymentLike)).toBe("");
    expect(selectorOf({} as DeploymentLike)).toBe("");
  });

  it("controlledReplicaSets: only a controller reference with the deployment's uid counts", () => {
    const mine = rs(1, "a");
    const notController = rs(2, "b", { ownerReferences: [{ controller: false, uid: UID }] });
    const otherOwner = rs(3, "c", { ownerReferences: [{ controller: true, uid: "someone-else" }] });
    const orphan = rs(4, "d", { ownerReferences: undefined });
    expect(controlledReplicaSets(deployment("a"), [mine, notController, otherOwner, orphan])).toEqual([mine]);
    // Partial objects from a hostile or broken API answer: nothing matches, nothing crashes.
    expect(controlledReplicaSets(deployment("a"), [{} as ReplicaSetLike, mine])).toEqual([mine]);
    expect(controlledReplicaSets({} as DeploymentLike, [mine])).toEqual([]);
  });

  it("imagesOf: each container's image, empty for a missing template or image", () => {
    expect(imagesOf(template("a:1"))).toEqual(["a:1"]);
    expect(imagesOf({ spec: { containers: [{ name: "x" }] } } as PodTemplateLike)).toEqual([""]);
    expect(imagesOf({ spec: {} } as PodTemplateLike)).toEqual([]);
    expect(imagesOf({} as PodTemplateLike)).toEqual([]);
    expect(imagesOf(undefined)).toEqual([]);
  });

  it("revisionHistory: sorted by revision, with kubectl's defaults for what is missing", () => {
    const bare = {
      metadata: { ownerReferences: [{ controller: true, uid: UID }] },
    } as ReplicaSetLike;
    const caused = rs(5, "e:5", {
      annotations: { "deployment.kubernetes.io/revision": "5", "kubernetes.io/change-cause": "deploy 5" },
    });
    expect(revisionHistory(deployment("a"), [caused, rs(2, "b:2"), bare])).toEqual([
      { revision: 0, changeCause: "<none>", replicaSet: "", images: [], replicas: 0 },
      { revision: 2, changeCause: "<none>", replicaSet: "api-2-b2", images: ["b:2"], replicas: 1 },
      { revision: 5, changeCause: "deploy 5", replicaSet: "api-5-e5", images: ["e:5"], replicas: 1 },
    ]);
  });

  it("formatHistory: kubectl's table, and its line for no history", () => {
    expect(formatHistory("deployment.apps/api", [])).toBe("No rollout history found.");
    expect(
      formatHistory("deployment.apps/api", [
        { revision: 1, changeCause: "<none>", replicaSet: "r1", images: [], replicas: 0 },
        { revision: 1234567890, changeCause: "deploy", replicaSet: "r2", images: [], replicas: 1 },
      ]),
    ).toBe(
      ["deployment.apps/api ", "REVISION    CHANGE-CAUSE", "1           <none>", "1234567890  deploy"].join(
        "\n",
      ),
    );
  });
});

describe("equalIgnoreHash: apimachinery's semantic equality", () => {
  const t = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
    ({ metadata, spec }) as PodTemplateLike;

  it("ignores the pod-template-hash label, key order, and empty maps, lists and nulls", () => {
    expect(equalIgnoreHash(template("a"), { ...template("a"), metadata: { labels: { app: "api" } } })).toBe(
      true,
    );
    const keys = "abcdefghij".split("");
    const forward = Object.fromEntries(keys.map((k, i) => [k, i]));
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, forward[k]]));
    expect(equalIgnoreHash(t(forward), t(backward))).toBe(true);
    expect(equalIgnoreHash(t({ a: 1, b: [], c: {}, d: null }), t({ a: 1 }))).toBe(true);
    expect(equalIgnoreHash(t({ a: { b: { c: [] } } }), t({}))).toBe(true);
    expect(equalIgnoreHash(t({ a: 1 }), t({ a: 1 }, { labels: {} }))).toBe(true);
  });

  it("a Date and its ISO text are the same timestamp", () => {
    const when = new Date("2026-11-30T12:00:00Z");
    expect(
      equalIgnoreHash(
        t({ a: 1 }, { creationTimestamp: when }),
        t({ a: 1 }, { creationTimestamp: when.toISOString() }),
      ),
    ).toBe(true);
    expect(
      equalIgnoreHash(
        t({ a: 1 }, { creationTimestamp: when }),
        t({ a: 1 }, { creationTimestamp: new Date(0) }),
      ),
    ).toBe(false);
  });

  it("tells real differences apart: values, list order, list contents", () => {
    expect(equalIgnoreHash(template("a"), template("b"))).toBe(false);
    expect(equalIgnoreHash(t({ args: ["x", "y"] }), t({ args: ["y", "x"] }))).toBe(false);
    expect(equalIgnoreHash(t({ args: ["x"] }), t({ args: ["x", "y"] }))).toBe(false);
    expect(equalIgnoreHash(t({ a: 0 }), t({}))).toBe(false);
    expect(equalIgnoreHash(t({ a: "" }), t({}))).toBe(false);
    expect(equalIgnoreHash(t({ a: false }), t({}))).toBe(false);
    // A list is not a map with numbered keys.
    expect(equalIgnoreHash(t({ args: ["x"] }), t({ args: { "0": "x" } }))).toBe(false);
  });

  it("templates without metadata, or none at all, compare without crashing", () => {
    expect(equalIgnoreHash({ spec: { containers: [] } } as PodTemplateLike, {} as PodTemplateLike)).toBe(
      true,
    );
    expect(equalIgnoreHash(undefined, undefined)).toBe(true);
    expect(equalIgnoreHash(undefined, template("a"))).toBe(false);
  });
});

describe("planUndo: kubectl rollout undo", () => {
  it("undo without --to-revision targets the second-highest revision, whatever the listing order", () => {
    const sets = [rs(3, "c"), rs(1, "a"), rs(2, "b")];
    for (const order of [sets, [...sets].reverse(), [sets[1]!, sets[0]!, sets[2]!]]) {
      const plan = planUndo(deployment("c"), order, "api");
      expect(plan).toMatchObject({
        action: "patch",
        targetRevision: 2,
        fromRevision: 3,
        targetImages: ["b"],
      });
    }
    // A highest revision listed first, then a revision 1: the 1 is the one before it.
    expect(planUndo(deployment("c"), [rs(3, "c"), rs(1, "a")], "api")).toMatchObject({ targetRevision: 1 });
  });

  it("--to-revision picks that revision; negative or missing ones are refused in kubectl's words", () => {
    const sets = [rs(1, "a"), rs(2, "b"), rs(3, "c")];
    expect(planUndo(deployment("c"), sets, "api", 1)).toMatchObject({ action: "patch", targetRevision: 1 });
    for (const n of [-1, 7])
      expect(planUndo(deployment("c"), sets, "api", n)).toEqual({
        action: "refuse",
        message: `unable to find specified revision ${n} in history`,
      });
  });

  it("the patch: the target's template without its hash, the deployment's own bookkeeping annotations kept", () => {
    const target = rs(2, "b", {
      annotations: {
        "deployment.kubernetes.io/revision": "2",
        "deployment.kubernetes.io/revision-history": "1",
        "deprecated.deployment.rollback.to": "9",
        "deployment.kubernetes.io/desired-replicas": "5",
        "deployment.kubernetes.io/max-replicas": "6",
        "kubectl.kubernetes.io/last-applied-configuration": "{old}",
        "kubernetes.io/change-cause": "deploy b",
      },
    });
    const d = deployment("c", {
      metadata: {
        name: "api",
        uid: UID,
        annotations: {
          "deployment.kubernetes.io/revision": "3",
          "kubectl.kubernetes.io/last-applied-configuration": "{new}",
          "kubernetes.io/change-cause": "deploy c",
        },
      },
    });
    const plan = planUndo(d, [rs(3, "c"), target], "api");
    if (plan.action !== "patch") throw new Error(`expected a patch, got ${JSON.stringify(plan)}`);
    const annotations = plan.patch[1]!.value as Record<string, string>;
    expect(plan.patch[0]).toEqual({
      op: "replace",
      path: "/spec/template",
      value: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "b" }] } },
    });
    expect(plan.patch[1]!.path).toBe("/metadata/annotations");
    // Exactly these keys: none of the skipped ones from the ReplicaSet, no key without a value.
    expect(Object.entries(annotations).sort()).toEqual(
      [
        ["deployment.kubernetes.io/revision", "3"],
        ["kubectl.kubernetes.io/last-applied-configuration", "{new}"],
        ["kubernetes.io/change-cause", "deploy b"],
      ].sort(),
    );
  });

  it("partial objects: a deployment without annotations or spec, a ReplicaSet without a template", () => {
    const d = { metadata: { name: "api", uid: UID } } as DeploymentLike;
    const plan = planUndo(d, [rs(2, "b"), rs(1, "a")], "api");
    expect(plan).toMatchObject({ action: "patch", targetRevision: 1, fromRevision: 0 });
    // The revision annotation is the deployment's own bookkeeping: never taken from the ReplicaSet.
    if (plan.action === "patch") expect(Object.keys(plan.patch[1]!.value as object)).toEqual([]);
    const noTemplate = {
      metadata: { name: "rs-1", ownerReferences: [{ controller: true, uid: UID }], annotations: {} },
    } as ReplicaSetLike;
    noTemplate.metadata!.annotations!["deployment.kubernetes.io/revision"] = "1";
    expect(planUndo(deployment("c"), [rs(2, "c"), noTemplate], "api")).toMatchObject({
      action: "patch",
      targetRevision: 1,
      targetImages: [],
    });
  });

  it("no earlier revision, a paused deployment, a template already current", () => {
    expect(planUndo(deployment("c"), [rs(3, "c")], "api")).toEqual({
      action: "refuse",
      message: 'no rollout history found for deployment "api"',
    });
    expect(
      planUndo(
        deployment("c", { spec: { paused: true, template: template("c") } }),
        [rs(3, "c"), rs(2, "b")],
        "api",
      ),
    ).toEqual({
      action: "refuse",
      message:
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    });
    expect(planUndo(deployment("b"), [rs(3, "c"), rs(2, "b")], "api")).toEqual({
      action: "skip",
      targetRevision: 2,
      fromRevision: 3,
      message: "skipped rollback (current template already matches revision 0)",
    });
  });
});
