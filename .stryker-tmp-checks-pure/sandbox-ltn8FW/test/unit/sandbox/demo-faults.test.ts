// @ts-nocheck
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledDir } from "../../../src/checklist/find.js";
import { loadChecklist } from "../../../src/checklist/load.js";
import { watchIntervalFor } from "../../../src/cli/commands/demo.js";
import type { UsageError } from "../../../src/errors.js";
import { findStep } from "../../../src/sandbox/demo-faults.js";
import { demoAnswers } from "../../../src/sandbox/demo-workspace.js";

const staging = async () => (await loadChecklist(join(bundledDir(), "staging.yaml"))).checklist;

describe("demo --fail-at targets", () => {
  it("finds a step by item-id/step-id or by a unique step id", async () => {
    const checklist = await staging();
    expect(findStep(checklist, "extended-monitoring/watch").key).toBe("extended-monitoring/watch");
    expect(findStep(checklist, "rollout-progress").key).toBe("deployment-execution/rollout-progress");
  });

  it("says which steps an ambiguous id or an item id could mean", async () => {
    const checklist = await staging();
    expect(() => findStep(checklist, "smoke-tests")).toThrow(
      /several steps have that id: health-baseline\/smoke-tests, post-deploy-health\/smoke-tests/,
    );
    const err = (() => {
      try {
        findStep(checklist, "backup");
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err?.message).toBe("--fail-at backup: the staging checklist has no such step");
    expect(err?.hint).toMatch(/^Name one of its steps: backup\/run-backup, /);
  });
});

describe("demo answers and watch", () => {
  it("answers every manual step, the rollback confirmations and the sign-off", async () => {
    const answers = demoAnswers(await staging(), "Ada");
    expect(answers["backup/run-backup"]).toBeUndefined();
    expect(answers["notification-prep/notify-configured"]).toBe("yes");
    expect(answers["rollback-test/rollback"]).toBe("yes");
    expect(answers["rollback-test/document-results"]).toMatchObject({
      value: "yes",
      note: expect.any(String),
    });
    expect(answers).toMatchObject({ "signoff/engineer": "Ada", "signoff/ready": "yes" });
  });

  it("gives a short watch a few rounds, at least a second apart", () => {
    expect(watchIntervalFor(30_000)).toBe("10000ms");
    expect(watchIntervalFor(6000)).toBe("2000ms");
    expect(watchIntervalFor(1000)).toBe("1000ms");
    expect(watchIntervalFor(30 * 60_000)).toBe("10000ms");
  });
});
