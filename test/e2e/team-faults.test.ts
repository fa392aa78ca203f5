// API faults in the middle of a team run (issue 17), CLI-level against one simulated API server: 500s on
// the team objects, a storm of 409 Conflicts on every write, and the server dropping every connection for a
// while. The run waits and retries with backoff (the attempts against the dead server come 250, 500, 1000
// ... ms apart), finishes, loses no event (the cluster's journal is the local one, line for line, and
// verifies), and never starts a step before the previous result is stored: every step command starts
// after the API server stored the previous step's result and this step's start (checked against the times
// the server stored each journal chunk).
//
// The outage is 3 s here rather than the 10 s: the same backoff path (4 dropped attempts of one
// write) at a third of the wait; the unit tests take the backoff to its 8 s cap with a fake clock.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchEvent } from "../../src/sandbox/kube-cluster.js";
import type { KubeSandbox } from "../../src/sandbox/kube-server.js";
import { cli, engineer, startTeamSandbox, stopTeamSandbox, until } from "./helpers/team.js";

const NS = "deploycheck";
const OUTAGE_MS = 3_000;
const STEPS = 8;
let root: string;
let sandbox: KubeSandbox;
let kubeconfig: string;

const stepId = (i: number) => `f${String(i).padStart(2, "0")}`;
const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: faulty, title: Faults mid-run }
team:
  kubernetes: { namespace: ${NS}, leaseDurationSeconds: 30 }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
${Array.from(
  { length: STEPS },
  (_, i) => `          - id: ${stepId(i)}
            run: 'echo "start ${stepId(i)} $EPOCHREALTIME" >> "$MARKS"; sleep 0.3'
            mutating: true`,
).join("\n")}
`;

beforeAll(async () => {
  ({ root, sandbox, kubeconfig } = await startTeamSandbox("dc-team-faults-", NS));
});
afterAll(() => stopTeamSandbox({ root, sandbox }));

describe("API faults mid-run", () => {
  it("500s, a 409 storm and an outage: waits with backoff, loses no event, never starts a step before the previous result is stored", async () => {
    const marks = join(root, "marks.log");
    writeFileSync(marks, "");
    const alice = engineer(root, "alice", kubeconfig, { "faulty.yaml": CHECKLIST }, { MARKS: marks });

    // When the API server stored each journal line (from its own store's events), and when each
    // request arrived (dropped ones included), to see the backoff.
    const storedAt = new Map<number, number>();
    const unsubscribe = sandbox.cluster.subscribe((e: WatchEvent) => {
      const o = e.object as { kind?: string; data?: Record<string, string> };
      if (o.kind !== "ConfigMap" || e.type !== "ADDED") return;
      for (const k of Object.keys(o.data ?? {}))
        if (/^e\d+$/.test(k) && !storedAt.has(Number(k.slice(1))))
          storedAt.set(Number(k.slice(1)), Date.now());
    });
    const arrivals: { at: number; request: string }[] = [];
    const push = sandbox.requests.push.bind(sandbox.requests);
    sandbox.requests.push = (...items: string[]) => {
      for (const request of items) arrivals.push({ at: Date.now(), request });
      return push(...items);
    };
    const started = (step: string) => readFileSync(marks, "utf8").includes(`start ${step} `);

    try {
      const run = cli(alice, ["run", "faulty", "--answers", "answers.yaml"]);
      // 500s on every team object for 1.5 s, from inside step f01.
      await until("f01", () => started(stepId(1)) || run.exitCode !== null);
      sandbox.faults.apiError = {
        status: 500,
        message: "etcdserver: request timed out",
        pathRegex: "/(configmaps|leases)",
      };
      await new Promise((r) => setTimeout(r, 1_500));
      delete sandbox.faults.apiError;
      // The next 12 writes (lease renewals, journal chunks) answer 409 Conflict, from inside f03.
      await until("f03", () => started(stepId(3)) || run.exitCode !== null);
      sandbox.faults.conflictStorm = 12;
      // Every connection dropped for OUTAGE_MS, from inside f05.
      await until("f05", () => started(stepId(5)) || run.exitCode !== null);
      const outageFrom = Date.now();
      sandbox.faults.unreachableUntil = outageFrom + OUTAGE_MS;
      const done = await run.result;
      expect(done.code, done.out).toBe(0);
      expect(done.out).toMatch(
        /team state: .*: HTTP 500: etcdserver: request timed out; retrying with backoff/,
      );

      // Backoff: one request's attempts against the dead server came at growing intervals (at least 250,
      // 500, 1000 ms: the waits between them).
      // (Whichever request was in flight when the server went away: the fence's lease read before a
      // mutating step, or a journal write.)
      const inOutage = arrivals.filter((a) => a.at >= outageFrom && a.at < outageFrom + OUTAGE_MS);
      const byRequest = new Map<string, typeof inOutage>();
      for (const a of inOutage) byRequest.set(a.request, [...(byRequest.get(a.request) ?? []), a]);
      const dropped = [...byRequest.values()].sort((a, b) => b.length - a.length)[0] ?? [];
      expect(dropped.length, JSON.stringify(arrivals.slice(-30))).toBeGreaterThanOrEqual(3);
      const gaps = dropped.slice(1).map((a, i) => a.at - dropped[i]!.at);
      for (const [i, gap] of gaps.entries())
        expect(gap, `gap ${i}: ${gaps}`).toBeGreaterThanOrEqual(250 * 2 ** i * 0.9);

      // No event lost: the cluster's copy is the local journal line for line; the record verifies.
      const runId = /faulty-\d{8}T\d{6}Z-[0-9a-f]{4}/.exec(done.out)?.[0];
      expect(runId, done.out).toBeDefined();
      const dir = join(alice.cwd, ".deploycheck", "runs", runId!);
      const local = readFileSync(join(dir, "journal.jsonl"), "utf8").trim().split("\n");
      const stored = new Map<number, string>();
      for (const cm of sandbox.cluster.list("configmaps", NS)) {
        if (cm.metadata.annotations?.["deploycheck.io/run-id"] !== runId) continue;
        for (const [k, v] of Object.entries((cm as { data?: Record<string, string> }).data ?? {}))
          if (/^e\d+$/.test(k)) stored.set(Number(k.slice(1)), v);
      }
      expect(Array.from({ length: stored.size }, (_, i) => stored.get(i))).toEqual(local);
      const events = local.map((l) => JSON.parse(l) as { type: string; key?: string });
      expect(events.filter((e) => e.type === "step-finished").map((e) => e.key?.split("/").at(-1))).toEqual(
        Array.from({ length: STEPS }, (_, i) => stepId(i)),
      );
      expect(events.filter((e) => e.type === "step-started")).toHaveLength(STEPS);
      const verified = await cli(alice, ["verify", join(dir, "record.json")]).result;
      expect(verified.code, verified.out).toBe(0);

      // Never a step before the previous result is stored: each command started after the server stored
      // the previous step's step-finished line and this step's step-started and step-process lines.
      const startedAt = new Map(
        readFileSync(marks, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" "))
          .map(([, step, at]) => [step!, Number(at) * 1000] as const),
      );
      const lineOf = (type: string, step: string) =>
        events.findIndex((e) => e.type === type && e.key?.endsWith(`/${step}`));
      for (let i = 0; i < STEPS; i++) {
        const step = stepId(i);
        const needed = [lineOf("step-started", step), lineOf("step-process", step)];
        if (i > 0) needed.push(lineOf("step-finished", stepId(i - 1)));
        for (const seq of needed) {
          expect(seq).toBeGreaterThanOrEqual(0);
          // 1 ms of slack: EPOCHREALTIME is microseconds, Date.now() milliseconds (floored).
          expect(storedAt.get(seq)! - 1, `${step} needs line ${seq} stored first`).toBeLessThanOrEqual(
            startedAt.get(step)!,
          );
        }
      }
    } finally {
      unsubscribe();
      sandbox.requests.push = push;
      for (const key of Object.keys(sandbox.faults))
        delete sandbox.faults[key as keyof typeof sandbox.faults];
    }
  }, 120_000);
});
