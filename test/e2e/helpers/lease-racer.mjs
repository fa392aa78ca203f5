// One engineer's side of the lease races in team-race.test.ts: a separate process (its own HOME and env)
// that takes the team lease with the built code deploycheck runs (dist/cli/team.js: the access check,
// then the Lease acquisition with resourceVersion preconditions), on command from stdin:
//   race <n> <delayMs>   wait delayMs, try to take the lease; print {"race":n,"acquired":...}
//   release <n>          let go of the lease taken in race n
// A process per engineer keeps 50 races fast; every race is still two processes over HTTP.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [dist, checklist, namespace, engineer] = process.argv.slice(2);
const team = await import(pathToFileURL(`${dist}/cli/team.js`).href);
const conn = await team.connectTeam({ namespace, leaseSeconds: 30 }, {});
const held = new Map();
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: true, pid: process.pid });
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, n, delay] = line.trim().split(" ");
  if (cmd === "race") {
    await new Promise((r) => setTimeout(r, Number(delay)));
    try {
      const lease = await team.TeamLease.acquire(
        conn,
        checklist,
        team.holderFor(engineer, `${checklist}-race-${n}`),
      );
      held.set(n, lease);
      say({ race: Number(n), acquired: true });
    } catch (err) {
      say({ race: Number(n), acquired: false, message: err.message, hint: err.hint });
    }
  } else if (cmd === "release") {
    await held.get(n)?.release();
    held.delete(n);
    say({ released: Number(n) });
  }
}
