// @ts-nocheck
import { describe, expect, it } from "vitest";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
  patchTypeOf,
} from "../../../src/sandbox/kube-patch.js";
import { matchesLabels, parseLabelSelector } from "../../../src/sandbox/kube-selectors.js";

describe("JSON patch", () => {
  const doc = { a: { b: [1, 2, 3], c: "x" }, "k/e~y": 1 };

  it("applies add, replace, remove, move, copy and test without touching the input", () => {
    const out = applyJsonPatch(doc, [
      { op: "add", path: "/a/b/1", value: 9 },
      { op: "add", path: "/a/b/-", value: 4 },
      { op: "replace", path: "/a/c", value: "y" },
      { op: "remove", path: "/k~1e~0y" },
      { op: "copy", from: "/a/c", path: "/d" },
      { op: "move", from: "/d", path: "/e" },
      { op: "test", path: "/e", value: "y" },
    ]);
    expect(out).toEqual({ a: { b: [1, 9, 2, 3, 4], c: "y" }, e: "y" });
    expect(doc).toEqual({ a: { b: [1, 2, 3], c: "x" }, "k/e~y": 1 });
  });

  it("fails on missing paths, failed tests and unknown operations", () => {
    expect(() => applyJsonPatch(doc, [{ op: "replace", path: "/zz", value: 1 }])).toThrow(PatchError);
    expect(() => applyJsonPatch(doc, [{ op: "test", path: "/a/c", value: "no" }])).toThrow(/testing value/);
    expect(() => applyJsonPatch(doc, [{ op: "frob", path: "/a" }])).toThrow(/unexpected kind/);
    expect(() => applyJsonPatch(doc, { op: "add" })).toThrow(/array/);
  });
});

describe("merge patch and patch types", () => {
  it("merges objects, replaces arrays and deletes keys set to null", () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] })).toEqual({
      a: { b: 1, d: 3 },
      l: [3],
    });
  });

  it("strategic merge merges named lists by name, honours $patch and drops directives", () => {
    const doc = {
      containers: [
        { name: "api", image: "a:1", ports: [{ containerPort: 80 }] },
        { name: "side", image: "s:1" },
      ],
    };
    expect(
      applyStrategicMergePatch(doc, {
        "$setElementOrder/containers": [{ name: "api" }, { name: "side" }],
        containers: [
          { name: "api", image: "a:2" },
          { name: "side", $patch: "delete" },
          { name: "new", image: "n:1" },
        ],
      }),
    ).toEqual({
      containers: [
        { name: "api", image: "a:2", ports: [{ containerPort: 80 }] },
        { name: "new", image: "n:1" },
      ],
    });
    expect(applyStrategicMergePatch({ a: { b: 1, c: 2 } }, { a: { $patch: "replace", d: 3 } })).toEqual({
      a: { d: 3 },
    });
  });

  it("knows the patch content types", () => {
    expect(patchTypeOf("application/json-patch+json")).toBe("json");
    expect(patchTypeOf("application/merge-patch+json; charset=utf-8")).toBe("merge");
    expect(patchTypeOf("application/strategic-merge-patch+json")).toBe("strategic");
    expect(patchTypeOf("application/json")).toBeUndefined();
  });
});

describe("label selectors", () => {
  it("match equality, inequality, set and existence requirements", () => {
    const labels = { app: "api", tier: "web" };
    expect(matchesLabels(parseLabelSelector("app=api,tier==web"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("app!=api"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("tier in (web, db),!canary"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("tier notin (web)"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("canary"), labels)).toBe(false);
    expect(() => parseLabelSelector("app=a=b c")).toThrow(/unable to parse/);
  });
});
