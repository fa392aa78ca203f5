// @ts-nocheck
import { describe, expect, it } from "vitest";
import { formatSummary } from "../../../src/import/summary.js";
import { doc, importText } from "../../helpers/import-builders.js";

describe("formatSummary", () => {
  it("counts, names the automated kinds, lists lines not placed and compacts decoration", () => {
    const { report } = importText(
      doc(
        "Deploy",
        "======",
        "Environment: staging",
        "- [ ] Pods: `kubectl get pods -n web -l app=web`",
        "- [ ] Check latency p99 < 300ms",
        "---",
        "Sign-Off",
        "Engineer: ____",
        "Witness: ____",
      ),
    );
    const text = formatSummary(report, "in.md", "out.yaml");
    expect(text).toContain("Imported in.md -> out.yaml");
    expect(text).toContain("1 section, 2 items, 2 steps");
    expect(text).toContain("automated: 1 kube (pods 1)");
    expect(text).toContain("left as confirmations: 1");
    expect(text).toContain('line 5: "latency p99 < 300ms" at check-latency-p99-300ms/confirm');
    expect(text).toContain("dropped (1):\n    line 9: Witness: ____  (a sign-off field");
    expect(text).toContain("source lines: 6 placed, 3 dropped, 0 not placed");
    expect(text).toContain("decoration left out (rules, underlines): lines 2, 6");
    expect(text).toContain("marked mutating: none");
    expect(text).toContain("variables created (1):\n    namespace: namespace web");
  });
});
