// A hash of each step's definition (its canonical JSON), journaled at the start of a run: when the
// checklist file changes, resume re-runs exactly the steps whose hash changed.
import { createHash } from "node:crypto";
import type { Checklist } from "../checklist/schema.js";
import { guardKey, walkSteps } from "../checklist/walk.js";
import { canonicalJson } from "../record/canonical.js";
import type { StepKey } from "./events.js";

function hash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

/**
 * Keyed by StepKey. A step's hash covers its own definition plus the `when` and `optional` of its
 * item and section, since those change whether and how it counts.
 */
export function stepHashes(checklist: Checklist): Record<StepKey, string> {
  const out: Record<StepKey, string> = {};
  (checklist.guards ?? []).forEach((g, i) => {
    out[guardKey(i)] = hash(g);
  });
  for (const ref of walkSteps(checklist)) {
    out[ref.key] = hash({
      step: ref.step,
      item: {
        when: ref.item.when ?? null,
        // Stryker disable next-line LogicalOperator: `optional && null` still maps absent, false and true to three distinct values
        optional: ref.item.optional ?? null,
      },
      section: { when: ref.section.when ?? null },
    });
  }
  return out;
}

/** Steps whose definition differs (or that are new) between two hash maps. */
export function changedSteps(before: Record<StepKey, string>, after: Record<StepKey, string>): StepKey[] {
  return Object.keys(after).filter((k) => !k.startsWith("guard/") && before[k] !== after[k]);
}
