// @ts-nocheck
// Dry run is safe by default: in the bundled checklists a step runs under --dry-run only when its kind
// cannot change anything or the checklist declares it `mutating: false`; those declarations are listed
// here, so that a new one is a reviewed change.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledDir } from "../../../src/checklist/find.js";
import { isMutating, stepKind } from "../../../src/checklist/kinds.js";
import { loadChecklist } from "../../../src/checklist/load.js";
import { walkSteps } from "../../../src/checklist/walk.js";

const DECLARED_READ_ONLY: Record<string, string[]> = {
  "staging.yaml": [
    "backup/verify-backup",
    "health-baseline/enhanced-health-check",
    "health-baseline/smoke-tests",
    "post-deploy-health/enhanced-health-check",
    "post-deploy-health/smoke-tests",
    "monitoring-validation/monitor-active",
    "monitoring-validation/circuit-breaker-closed",
    "emergency-access/kubectl-access",
    "emergency-access/aws-access",
  ],
};

describe("bundled checklists under --dry-run", () => {
  const files = readdirSync(bundledDir()).filter((f) => f.endsWith(".yaml"));

  it.each(files)(
    "%s: only read-only steps run; run steps are read-only only where declared",
    async (file) => {
      const { checklist } = await loadChecklist(join(bundledDir(), file));
      const runsInDryRun = walkSteps(checklist).filter((r) => !isMutating(r.step));
      const declared = runsInDryRun.filter((r) => r.step.mutating === false).map((r) => r.key);
      expect(declared.sort()).toEqual([...(DECLARED_READ_ONLY[file] ?? [])].sort());
      for (const r of runsInDryRun) {
        const kind = stepKind(r.step);
        if (kind === "run") expect(r.step.mutating, r.key).toBe(false);
        expect(kind, r.key).not.toBe("notify");
        if (kind === "http") expect(["GET", "HEAD", undefined], r.key).toContain(r.step.http?.method);
        if (kind === "kube") expect(r.step.kube?.rolloutUndo, r.key).toBeUndefined();
      }
    },
  );
});
