import { describe, expect, it } from "vitest";
import { equalIgnoreHash, planUndo, revisionHistory } from "../../../src/kube/history.js";
import { parseQuantity } from "../../../src/kube/quantity.js";
import { resourceProblems } from "../../../src/kube/resources.js";
import { rolloutVerdict } from "../../../src/kube/rollout.js";
import type { DeploymentLike, ReplicaSetLike } from "../../../src/kube/types.js";

function deployment(spec: Partial<DeploymentLike> & { generation?: number } = {}): DeploymentLike {
  return {
    metadata: {
      name: "api",
      uid: "u1",
      generation: spec.generation ?? 2,
      annotations: {
        "deployment.kubernetes.io/revision": "2",
        "kubernetes.io/change-cause": "v2",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
      },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "api" } },
      template: template("api:2"),
      ...spec.spec,
    },
    status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, ...spec.status },
  };
}
function template(image: string, hash?: string) {
  return {
    metadata: { labels: { app: "api", ...(hash ? { "pod-template-hash": hash } : {}) } },
    spec: { containers: [{ name: "api", image }] },
  };
}
function rs(revision: number, image: string, owner = "u1"): ReplicaSetLike {
  return {
    metadata: {
      name: `api-${revision}`,
      annotations: {
        "deployment.kubernetes.io/revision": String(revision),
        "kubernetes.io/change-cause": `v${revision}`,
        "deployment.kubernetes.io/desired-replicas": "3",
      },
      ownerReferences: [{ controller: true, uid: owner }],
    },
    spec: { replicas: 0, template: template(image, `h${revision}`) },
  };
}

describe("rolloutVerdict (kubectl rollout status)", () => {
  it("follows kubectl's order and wording", () => {
    expect(rolloutVerdict(deployment(), "api")).toEqual({
      done: true,
      failed: false,
      message: 'deployment "api" successfully rolled out',
    });
    const waiting = (message: string) => ({ done: false, failed: false, message });
    expect(rolloutVerdict(deployment({ generation: 3 }), "api")).toEqual(
      waiting("Waiting for deployment spec update to be observed..."),
    );
    expect(rolloutVerdict(deployment({ status: { updatedReplicas: 1 } }), "api")).toEqual(
      waiting('Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...'),
    );
    expect(rolloutVerdict(deployment({ status: { replicas: 4 } }), "api")).toEqual(
      waiting('Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...'),
    );
    expect(rolloutVerdict(deployment({ status: { availableReplicas: 2 } }), "api")).toEqual(
      waiting('Waiting for deployment "api" rollout to finish: 2 of 3 updated replicas are available...'),
    );
    const exceeded = deployment({
      status: {
        updatedReplicas: 1,
        conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
      },
    });
    expect(rolloutVerdict(exceeded, "api")).toEqual({
      done: false,
      failed: true,
      message: 'deployment "api" exceeded its progress deadline',
    });
  });

  it("reads the deadline from the Progressing condition only, wherever it is in the list", () => {
    const conditions = [
      { type: "Available", status: "False", reason: "MinimumReplicasUnavailable" },
      { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" },
    ];
    expect(rolloutVerdict(deployment({ status: { updatedReplicas: 1, conditions } }), "api").failed).toBe(
      true,
    );
    // Another condition with that reason is not the deadline.
    const other = [{ type: "ReplicaFailure", status: "True", reason: "ProgressDeadlineExceeded" }];
    expect(rolloutVerdict(deployment({ status: { conditions: other } }), "api")).toMatchObject({
      done: true,
      failed: false,
    });
  });

  it("counts what an object without metadata, spec or status leaves out as 0 (as kubectl does)", () => {
    expect(rolloutVerdict({}, "api")).toEqual({
      done: true,
      failed: false,
      message: 'deployment "api" successfully rolled out',
    });
    expect(rolloutVerdict({ status: { observedGeneration: 1 } }, "api").done).toBe(true);
  });
});

describe("planUndo (kubectl rollout undo)", () => {
  const sets = [rs(1, "api:1"), rs(2, "api:2"), rs(9, "other:9", "someone-else")];

  it("targets the second highest revision; one JSON patch without the hash label, annotations merged like kubectl", () => {
    const plan = planUndo(deployment(), sets, "api");
    expect(plan).toMatchObject({
      action: "patch",
      targetRevision: 1,
      fromRevision: 2,
      targetImages: ["api:1"],
    });
    if (plan.action !== "patch") throw new Error("expected a patch");
    expect(plan.patch).toEqual([
      { op: "replace", path: "/spec/template", value: template("api:1") },
      {
        op: "replace",
        path: "/metadata/annotations",
        value: {
          "kubectl.kubernetes.io/last-applied-configuration": "{}",
          "deployment.kubernetes.io/revision": "2",
          "kubernetes.io/change-cause": "v1",
        },
      },
    ]);
  });

  it("refuses and skips with kubectl's words", () => {
    expect(planUndo(deployment(), sets, "api", 5)).toEqual({
      action: "refuse",
      message: "unable to find specified revision 5 in history",
    });
    expect(planUndo(deployment(), [rs(2, "api:2")], "api")).toEqual({
      action: "refuse",
      message: 'no rollout history found for deployment "api"',
    });
    expect(planUndo(deployment(), sets, "api", 2)).toMatchObject({
      action: "skip",
      message: "skipped rollback (current template already matches revision 2)",
    });
    expect(planUndo(deployment({ spec: { paused: true } }), sets, "api")).toMatchObject({
      action: "refuse",
      message: expect.stringContaining("paused"),
    });
  });

  it("history keeps only ReplicaSets the deployment controls; templates compare ignoring the hash and empty values", () => {
    expect(revisionHistory(deployment(), sets).map((h) => [h.revision, h.changeCause])).toEqual([
      [1, "v1"],
      [2, "v2"],
    ]);
    expect(
      equalIgnoreHash(template("a", "h1"), {
        ...template("a"),
        spec: { containers: [{ name: "api", image: "a", env: [] } as never] },
      }),
    ).toBe(true);
    expect(equalIgnoreHash(template("a"), template("b"))).toBe(false);
  });
});

describe("quantities and resources", () => {
  it("parses cpu and memory quantities", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1Gi")).toBe(2 ** 30);
    expect(parseQuantity("512Mi")).toBe(512 * 2 ** 20);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("1.5k")).toBe(1500);
    expect(parseQuantity("lots")).toBeUndefined();
  });

  it("names every missing or out-of-bounds request and limit", () => {
    expect(
      resourceProblems(
        [{ name: "a", resources: { requests: { cpu: "1" }, limits: { cpu: "500m", memory: "2Gi" } } }],
        { max: { memory: "1Gi" } },
      ),
    ).toEqual([
      "container a: cpu request 1 is above its limit 500m",
      "container a: no memory request",
      "container a: memory limit 2Gi is above the maximum 1Gi",
    ]);
  });
});
