import { describe, expect, it } from "vitest";
import { changedSteps, stepHashes } from "../../../src/engine/step-hash.js";
import { checklist, item, runStep, section, simpleChecklist } from "../../helpers/builders.js";

describe("step hashes", () => {
  it("are stable, keyed by step, and change only with the step's definition (or its item's when)", () => {
    const a = simpleChecklist(
      { x: [runStep("one", "echo 1"), runStep("two", "echo 2")] },
      { guards: [runStep("g")] },
    );
    const same = simpleChecklist(
      { x: [runStep("one", "echo 1"), runStep("two", "echo 2")] },
      { guards: [runStep("g")] },
    );
    expect(stepHashes(a)).toEqual(stepHashes(same));
    expect(Object.keys(stepHashes(a))).toEqual(["guard/1", "x/one", "x/two"]);
    const edited = simpleChecklist({
      x: [runStep("one", "echo 1"), runStep("two", "echo TWO"), runStep("three")],
    });
    expect(changedSteps(stepHashes(a), stepHashes(edited))).toEqual(["x/two", "x/three"]);
    const gated = simpleChecklist({ x: [runStep("one", "echo 1"), runStep("two", "echo 2")] });
    gated.sections[0]!.items[0]!.when = "${aws}";
    expect(changedSteps(stepHashes(a), stepHashes(gated))).toEqual(["x/one", "x/two"]);
  });

  it("change with the section's when and the item's optional (they decide whether and how a step counts)", () => {
    const base = () =>
      checklist([
        section("first", [item("x", [runStep("one", "echo 1")])]),
        section("second", [item("y", [runStep("two", "echo 2")])]),
      ]);
    const a = base();
    const sectionGated = base();
    sectionGated.sections[0]!.when = "${aws}";
    // Every step of the section changes, whatever item it is in; nothing outside it does.
    const keysOfSection = Object.keys(stepHashes(a)).filter((k) => k !== "y/two");
    expect(changedSteps(stepHashes(a), stepHashes(sectionGated))).toEqual(keysOfSection);
    const other = base();
    other.sections[0]!.when = "${gcp}";
    expect(changedSteps(stepHashes(sectionGated), stepHashes(other))).toEqual(keysOfSection);
    const optional = base();
    optional.sections[0]!.items[0]!.optional = true;
    expect(changedSteps(stepHashes(a), stepHashes(optional))).toEqual(["x/one"]);
  });

  it("are 16 hex digits; a changed item condition or guard definition is seen, guards are not listed", () => {
    const make = (when: string, guard: string) => {
      const c = simpleChecklist({ x: [runStep("one", "echo 1")] }, { guards: [runStep("g", guard)] });
      c.sections[0]!.items[0]!.when = when;
      return stepHashes(c);
    };
    const a = make("${a}", "true");
    for (const h of Object.values(a)) expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(changedSteps(a, make("${b}", "true"))).toEqual(["x/one"]);
    const guardChanged = make("${a}", "kubectl config current-context");
    expect(guardChanged["guard/1"]).not.toBe(a["guard/1"]);
    expect(changedSteps(a, guardChanged)).toEqual([]);
  });

  it("ignores key order in the definition", () => {
    const a = simpleChecklist({ x: [{ id: "s", run: "true", timeout: "5s" } as never] });
    const b = simpleChecklist({ x: [{ timeout: "5s", run: "true", id: "s" } as never] });
    expect(stepHashes(a)).toEqual(stepHashes(b));
  });
});
