// @ts-nocheck
import { describe, expect, it } from "vitest";
import { fold } from "../../../src/engine/state.js";
import { buildRecord } from "../../../src/record/build.js";
import { RecordSchema } from "../../../src/record/schema.js";
import { createRedactor } from "../../../src/redact.js";
import { sampleChecklist, sampleEvents } from "./builders.js";

const NOW = new Date("2026-11-26T07:00:00Z");

describe("buildRecord", () => {
  it("turns a known journal into the expected record", async () => {
    const record = buildRecord(fold(sampleEvents()), sampleChecklist(), { now: NOW });
    expect(RecordSchema.parse(record)).toEqual(record);
    await expect(`${JSON.stringify(record, null, 2)}\n`).toMatchFileSnapshot("./__snapshots__/record.json");
  });

  it("keeps who overrode or skipped and why, attempts and durations", () => {
    const record = buildRecord(fold(sampleEvents()), sampleChecklist(), { now: NOW });
    const steps = record.sections.flatMap((s) => s.items.flatMap((i) => i.steps));
    const byKey = Object.fromEntries(steps.map((s) => [s.key, s]));
    expect(byKey["rollback-state/state-keys"]?.override).toEqual({
      by: "ana",
      reason: "ID written by the new pipeline, checked by hand",
      at: expect.any(String),
    });
    expect(byKey["staging-verification/resources"]?.skip?.reason).toBe("limits land in the next release");
    expect(byKey["health-baseline/health"]?.attempts).toBe(2);
    expect(byKey["staging-verification/rollout"]?.kind).toBe("kube.rolloutStatus");
    expect(record.sections[0]?.items[2]?.durationMs).toBe(41 + 1200);
    expect(record.guards[0]?.status).toBe("passed");
    expect(record.finished).toBe(true);
    expect(record.signoff?.engineer).toBe("Ana Lima");
  });

  it("takes the kube context a context check saw when the run did not name one", () => {
    const events = sampleEvents();
    const started = events[0];
    const guard = events.find((e) => e.type === "step-finished" && e.key === "guard/1");
    if (started?.type !== "run-started" || guard?.type !== "step-finished")
      throw new Error("fixture changed");
    delete started.environment.kubeContext;
    guard.outcome.details = { context: "staging-sandbox", expected: "staging" };
    const record = buildRecord(fold(events), sampleChecklist(), { now: NOW });
    expect(record.environment.kubeContext).toBe("staging-sandbox");
  });

  it("marks an unfinished run and its pending steps", () => {
    const record = buildRecord(fold(sampleEvents({ unfinished: true })), sampleChecklist(), { now: NOW });
    expect(record.finished).toBe(false);
    expect(record.signoff).toBeUndefined();
    expect(record.summary.pending).toBe(3);
    expect(record.sections[1]?.items[0]?.steps[0]?.status).toBe("pending");
    expect(record.sections[1]?.items[0]?.steps[0]?.attempts).toBe(0);
  });

  it("redacts secret variables and credential patterns in every string", () => {
    const secrets = { token: "tok-9f8e7d6c5b4a3921", password: "hunter2-horse-battery" };
    const state = fold(sampleEvents({ secrets }));
    // A runner that forgot to redact the variable itself: the record still must not carry it.
    state.vars["apiToken"] = secrets.token;
    const record = buildRecord(state, sampleChecklist(), {
      now: NOW,
      redact: createRedactor([secrets.token, secrets.password]),
    });
    const text = JSON.stringify(record);
    expect(text).not.toContain(secrets.token);
    expect(text).not.toContain(secrets.password);
    expect(record.variables["apiToken"]).toBe("[REDACTED]");
    expect(text).toContain("[REDACTED]");
  });

  it("keeps only the tail of long output and never a lone surrogate", () => {
    const events = sampleEvents();
    const finished = events.find((e) => e.type === "step-finished" && e.key === "backup/run-backup");
    if (finished?.type !== "step-finished") throw new Error("fixture changed");
    finished.outcome.output = `${"x".repeat(20000)}end\uD83D`;
    const record = buildRecord(fold(events), sampleChecklist(), { now: NOW });
    const output = record.sections[0]?.items[0]?.steps[0]?.output ?? "";
    expect(output.length).toBeLessThanOrEqual(8001);
    expect(output.endsWith("end\uFFFD")).toBe(true);
  });
});
