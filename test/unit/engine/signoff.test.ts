// The sign-off refusal: "ready" is never signed while a required step failed or was skipped without an
// override (unless requireAllRequiredPassed: false), nor in a dry run; property-tested over random states.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walkSteps } from "../../../src/checklist/walk.js";
import type { Answers } from "../../../src/engine/answers.js";
import { EVENT_VERSION, type RunEvent } from "../../../src/engine/events.js";
import { collectSignoff, readyRefusal } from "../../../src/engine/signoff.js";
import { fold } from "../../../src/engine/state.js";
import { checklist, item, runStep, section } from "../../helpers/builders.js";
import { FakePrompter, RecordingOutput, type Scripted } from "../../helpers/fakes.js";

const FINAL = ["passed", "failed", "skipped", "overridden", "not-applicable"] as const;
type Final = (typeof FINAL)[number];

interface StepSpec {
  optional: boolean;
  status: Final;
}
interface ItemSpec {
  optional: boolean;
  steps: StepSpec[];
}

const stepSpec = fc.record({ optional: fc.boolean(), status: fc.constantFrom(...FINAL) });
const itemSpec = fc.record({
  optional: fc.boolean(),
  steps: fc.array(stepSpec, { minLength: 1, maxLength: 3 }),
});
const scenario = fc.record({
  items: fc.array(itemSpec, { minLength: 1, maxLength: 5 }),
  requireAll: fc.constantFrom(true, false, undefined),
  dryRun: fc.boolean(),
  interactive: fc.boolean(),
  /** Interactive: how many times the person says "yes" before "no" (or before the question stops). */
  yeses: fc.nat(3),
  answerReady: fc.boolean(),
});

function build(items: ItemSpec[], requireAll: boolean | undefined) {
  const c = checklist(
    [
      section(
        "main",
        items.map((it, i) =>
          item(
            `i${i}`,
            it.steps.map((s, j) => runStep(`s${j}`, "true", s.optional ? { optional: true } : {})),
            it.optional ? { optional: true } : {},
          ),
        ),
      ),
    ],
    requireAll === undefined ? {} : { signoff: { requireAllRequiredPassed: requireAll } },
  );
  const at = "2026-11-30T08:00:00.000Z";
  const events: RunEvent[] = [
    {
      v: EVENT_VERSION,
      type: "run-started",
      at,
      runId: "r",
      checklist: { name: "demo", title: "Demo", path: "/c.yaml", sha256: "s" },
      vars: {},
      secretVars: [],
      environment: { host: "h", user: "u", toolVersion: "0", node: "20", platform: "linux", cwd: "/" },
      options: { dryRun: false, interactive: false, keepGoing: true },
      stepHashes: {},
    },
  ];
  items.forEach((it, i) => {
    it.steps.forEach((s, j) => {
      const key = `i${i}/s${j}`;
      const finished = (status: "passed" | "failed" | "not-applicable"): RunEvent => ({
        v: EVENT_VERSION,
        type: "step-finished",
        at,
        key,
        attempt: 1,
        durationMs: 1,
        outcome: { status, summary: status },
      });
      if (s.status === "skipped" || s.status === "overridden") {
        events.push(finished("failed"));
        events.push({
          v: EVENT_VERSION,
          type: s.status === "skipped" ? "step-skipped" : "step-overridden",
          at,
          key,
          by: "ann",
          reason: "because",
        });
      } else events.push(finished(s.status));
    });
  });
  return { c, state: fold(events) };
}

function seedOption(): { seed?: number } {
  const seed = process.env["SEED"];
  return seed ? { seed: Number(seed) } : {};
}

describe("sign-off refusal", () => {
  it("never signs 'ready' while a required step failed or was skipped, nor in a dry run (property)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const { c, state } = build(sc.items, sc.requireAll);
        const blocking = sc.items.flatMap((it, i) =>
          it.steps
            .map((s, j) => ({ key: `i${i}/s${j}`, s }))
            .filter(
              ({ s }) => !it.optional && !s.optional && (s.status === "failed" || s.status === "skipped"),
            )
            .map(({ key, s }) => `${key} (${s.status})`),
        );
        const expectBlocked = sc.requireAll === false ? [] : blocking;
        const refused = sc.dryRun || expectBlocked.length > 0;
        const script: Scripted[] = [{ q: "Engineer", a: "bob" }];
        for (let k = 0; k < sc.yeses; k++) script.push({ q: "ready", a: true });
        script.push({ q: "ready", a: false }, { q: "Notes", a: "" }, { q: "Blockers", a: "" });
        const prompter = new FakePrompter(script);
        const answers: Answers = { "signoff/ready": { value: sc.answerReady ? "yes" : "no" } };
        const result = await collectSignoff({
          checklist: c,
          state,
          refs: walkSteps(c),
          interactive: sc.interactive,
          dryRun: sc.dryRun,
          answers,
          engineer: "ann",
          runId: "r",
          prompter,
          output: new RecordingOutput(),
        });
        const refusal = readyRefusal(c, state, walkSteps(c), sc.dryRun);
        expect(refusal === undefined).toBe(!refused);
        expect(refusal?.blockers.map((b) => `${b.key} (${b.status})`) ?? []).toEqual(expectBlocked);
        if (refused) {
          expect(result.type === "signed" && result.ready).toBe(false);
          for (const b of expectBlocked) expect(refusal!.message).toContain(b);
        }
        const wantsReady = sc.interactive ? sc.yeses > 0 : sc.answerReady;
        if (!refused) expect(result).toMatchObject({ type: "signed", ready: wantsReady });
        if (sc.interactive && !sc.dryRun) {
          // A refused "yes" is answered with the question again: every scripted "yes" is asked.
          const asked = prompter.asked.filter((q) => q.includes("ready")).length;
          expect(asked).toBe(refused ? sc.yeses + 1 : 1);
        }
        if (!sc.interactive && !sc.dryRun && refused && sc.answerReady) expect(result.type).toBe("refused");
        if (sc.dryRun) expect(result).toMatchObject({ type: "signed", ready: false });
      }),
      { numRuns: 300, ...seedOption() },
    );
  });
});

describe("requireAllRequiredPassed", () => {
  const items: ItemSpec[] = [
    { optional: false, steps: [{ optional: false, status: "passed" }] },
    { optional: false, steps: [{ optional: false, status: "failed" }] },
  ];
  const sign = (requireAll: boolean | undefined) => {
    const { c, state } = build(items, requireAll);
    return collectSignoff({
      checklist: c,
      state,
      refs: walkSteps(c),
      interactive: false,
      dryRun: false,
      answers: { "signoff/ready": { value: "yes" } },
      engineer: "ann",
      runId: "r",
      prompter: new FakePrompter([]),
      output: new RecordingOutput(),
    });
  };

  it("false: a failed required item does not keep the run from being signed ready", async () => {
    const { c, state } = build(items, false);
    expect(readyRefusal(c, state, walkSteps(c), false)).toBeUndefined();
    expect(await sign(false)).toMatchObject({ type: "signed", ready: true });
  });

  it("true or absent: the same failed item refuses ready, naming it", async () => {
    for (const requireAll of [true, undefined]) {
      const { c, state } = build(items, requireAll);
      expect(readyRefusal(c, state, walkSteps(c), false)?.blockers).toEqual([
        { key: "i1/s0", status: "failed" },
      ]);
      expect((await sign(requireAll)).type).toBe("refused");
    }
  });
});
