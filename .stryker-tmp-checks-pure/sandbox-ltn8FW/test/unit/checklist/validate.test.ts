// @ts-nocheck
import { describe, expect, it } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import {
  editDistance,
  formatPath,
  suggest,
  validateChecklist,
  withDefaultIds,
} from "../../../src/checklist/validate.js";

/** A valid checklist around the given steps (and optional extra sections). */
function checklist(steps: Step[], extra: Partial<Checklist> = {}): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "t", title: "T" },
    vars: { apiUrl: { default: "https://api.example.com" }, dur: { default: "5m" } },
    sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps }] }],
    ...extra,
  };
}

const errors = (c: Checklist) => validateChecklist(c).filter((p) => p.severity === "error");

describe("validateChecklist", () => {
  it("accepts references to declared vars, env and earlier saveAs, in watch steps too", () => {
    const c = checklist([
      { id: "a", input: { prompt: "rev?", saveAs: "rev" } },
      { id: "b", run: "echo ${rev} ${env.HOME} ${apiUrl}" },
      {
        id: "c",
        watch: {
          duration: "${dur}",
          interval: "1m",
          steps: [{ id: "h", http: { url: "${apiUrl}/x?r=${rev}" } }],
        },
      },
    ]);
    expect(validateChecklist(c)).toEqual([]);
  });

  it("a step cannot use its own saveAs", () => {
    const [p] = errors(checklist([{ id: "a", run: { command: "echo ${out}", saveAs: "out" } }]));
    expect(p?.message).toContain("used before it is defined");
    expect(p?.path).toEqual(["sections", 0, "items", 0, "steps", 0, "run", "command"]);
  });

  it("item ids are unique across sections; step ids only within their item", () => {
    const item = { id: "same", title: "X", steps: [{ id: "a", note: "n" }] };
    const c = checklist([], {
      sections: [
        { id: "one", title: "1", items: [item] },
        {
          id: "two",
          title: "2",
          items: [item, { id: "other", title: "Y", steps: [{ id: "a", note: "n" }] }],
        },
      ],
    });
    expect(errors(c).map((p) => formatPath(p.path))).toEqual(["sections[1].items[0].id"]);
  });

  it("warns about steps without an id and fills them", () => {
    const c = checklist([{ run: "true" }, { id: "x", note: "n" }, { note: "m" }]);
    expect(validateChecklist(c).map((p) => [p.severity, formatPath(p.path)])).toEqual([
      ["warning", "sections[0].items[0].steps[0]"],
      ["warning", "sections[0].items[0].steps[2]"],
    ]);
    expect(withDefaultIds(c).sections[0]!.items[0]!.steps.map((s) => s.id)).toEqual(["run-1", "x", "note-3"]);
  });

  it("checks URLs with defaults filled in, and a leading variable without a default as a placeholder URL", () => {
    const c = checklist([
      { id: "a", http: { url: "${apiUrl}/health" } },
      { id: "b", notify: { webhook: "${hook}", message: "m" } },
      { id: "c", http: { url: "${host}/x" } },
    ]);
    c.vars = { ...c.vars, hook: { secret: true }, host: { default: "example.com" } };
    expect(errors(c).map((p) => formatPath(p.path))).toEqual(["sections[0].items[0].steps[2].http.url"]);
  });

  it("checks regular expressions with variables replaced", () => {
    const c = checklist([
      { id: "a", kube: { context: { matches: "^${apiUrl}$" } } },
      { id: "b", run: { command: "x", expect: { stderr: "a)" } } },
    ]);
    expect(errors(c).map((p) => formatPath(p.path))).toEqual([
      "sections[0].items[0].steps[1].run.expect.stderr",
    ]);
  });
});

describe("suggest", () => {
  it("finds near misses and ignores far ones", () => {
    expect(editDistance("tmeout", "timeout")).toBe(1);
    expect(editDistance("htpp", "http")).toBe(1);
    expect(suggest("htpp", ["http", "file", "run"])).toBe("http");
    expect(suggest("Timeout", ["timeout", "title"])).toBe("timeout");
    expect(suggest("banana", ["http", "file", "run"])).toBeUndefined();
  });
});
