// Two engineers race for the team lock (issue 17): separate processes with separate HOMEs against one
// simulated API server. Exactly one holds the Lease in each race; the other is refused with the holder
// named (engineer, host, since).
//
// 50 races run the built lease code (dist/cli/team.js: access check, then acquisition) in two long-lived
// engineer processes (helpers/lease-racer.mjs), each told when to race after a seeded delay: 50 pairs of
// full CLI runs would take minutes on CI's two legs. Three races more are full `deploycheck run` pairs.
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSandbox } from "../../src/sandbox/kube-server.js";
import {
  cli,
  type Engineer,
  engineer,
  racer,
  seeded,
  seedFromEnv,
  startTeamSandbox,
  stopTeamSandbox,
} from "./helpers/team.js";

const SEED = seedFromEnv();
const NS = "deploycheck";
let root: string;
let sandbox: KubeSandbox;
let kubeconfig: string;

const checklist = (name: string) => `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: ${name}, title: Race ${name} }
team:
  kubernetes: { namespace: ${NS}, leaseDurationSeconds: 30 }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: hold
            run: sleep 3
            mutating: true
`;

beforeAll(async () => {
  ({ root, sandbox, kubeconfig } = await startTeamSandbox("dc-team-race-", NS));
});
afterAll(() => stopTeamSandbox({ root, sandbox }));

const since = /since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/;

describe(`two engineers race for the team lease (SEED=${SEED})`, () => {
  it("over 50 seeded races of the built lease code in two processes, exactly one holds it; the other is told who, where, since when", async () => {
    console.log(`team-race: SEED=${SEED} (replay with SEED=${SEED})`);
    const random = seeded(SEED);
    const alice = engineer(root, "alice", kubeconfig, {});
    const bob = engineer(root, "bob", kubeconfig, {});
    const racers = { alice: racer(alice, "racelease", NS), bob: racer(bob, "racelease", NS) };
    try {
      const pids = {
        alice: (await racers.alice.next())["pid"] as number,
        bob: (await racers.bob.next())["pid"] as number,
      };
      const wins = { alice: 0, bob: 0 };
      for (let n = 0; n < 50; n++) {
        // Seeded head starts of 0-6 ms each: sometimes simultaneous, sometimes one clearly first.
        const delays = { alice: Math.floor(random() * 7), bob: Math.floor(random() * 7) };
        racers.alice.send(`race ${n} ${delays.alice}`);
        racers.bob.send(`race ${n} ${delays.bob}`);
        const results = { alice: await racers.alice.next(), bob: await racers.bob.next() };
        const winners = (["alice", "bob"] as const).filter((w) => results[w]["acquired"] === true);
        expect(winners, `race ${n} (SEED=${SEED}): ${JSON.stringify(results)}`).toHaveLength(1);
        const winner = winners[0]!;
        const loser = winner === "alice" ? "bob" : "alice";
        wins[winner]++;
        const lease = sandbox.cluster.get("leases", NS, "deploycheck-racelease");
        expect(lease?.spec.holderIdentity).toBe(`${winner}@${hostname()} pid ${pids[winner]}`);
        const message = results[loser]["message"] as string;
        expect(message).toContain(
          `racelease is being run by ${winner} on ${hostname()} (pid ${pids[winner]}, run racelease-race-${n})`,
        );
        expect(message).toMatch(since);
        expect(results[loser]["hint"]).toMatch(/deploycheck runs --team/);
        racers[winner].send(`release ${n}`);
        expect(await racers[winner].next()).toEqual({ released: n });
      }
      console.log(`team-race: wins ${JSON.stringify(wins)}`);
    } finally {
      racers.alice.child.kill();
      racers.bob.child.kill();
    }
  }, 120_000);

  it("three races of full `deploycheck run` pairs: one runs, the other exits 2 naming the holder", async () => {
    const random = seeded(SEED + 1);
    const lists = ["racecli0", "racecli1", "racecli2"];
    const files = Object.fromEntries(lists.map((l) => [`${l}.yaml`, checklist(l)]));
    const alice = engineer(root, "alice-cli", kubeconfig, files, { USER: "alice" });
    const bob = engineer(root, "bob-cli", kubeconfig, files, { USER: "bob" });
    await Promise.all(
      lists.map(async (list) => {
        const delays = [Math.floor(random() * 40), Math.floor(random() * 40)];
        const start = (who: Engineer, delay: number) =>
          new Promise<Awaited<ReturnType<typeof cli>["result"]>>((resolve) =>
            setTimeout(() => resolve(cli(who, ["run", list, "--answers", "answers.yaml"]).result), delay),
          );
        const [a, b] = await Promise.all([start(alice, delays[0]!), start(bob, delays[1]!)]);
        const codes = [a.code, b.code].sort();
        expect(codes, `${list} (SEED=${SEED}):\n${a.out}\n---\n${b.out}`).toEqual([0, 2]);
        const [won, lost, winner] = a.code === 0 ? [a, b, "alice"] : [b, a, "bob"];
        expect(won.out).not.toMatch(/being run by/);
        expect(lost.out).toMatch(
          new RegExp(`${list} is being run by ${winner} on ${hostname()} \\(pid \\d+, run ${list}-`),
        );
        expect(lost.out).toMatch(since);
        // The winner let go when it finished; nobody took it over from anyone.
        const lease = sandbox.cluster.get("leases", NS, `deploycheck-${list}`);
        expect(lease?.spec.holderIdentity).toBe("");
        expect(lease?.spec.leaseTransitions).toBe(0);
      }),
    );
  }, 120_000);
});
