// @ts-nocheck
// Top-level `notifications:` end to end: real HTTP posts to a webhook on 127.0.0.1, journaled; a
// failed delivery is printed and journaled, never silent.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, journalEvents, onlyRunId, type Workspace, workspace } from "./harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
let server: Server | undefined;
afterEach(async () => {
  ws?.cleanup();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

function checklist(webhook: string, gate: string): string {
  return `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: notes, title: Notified checklist, environment: staging }
vars:
  hook: { default: "${webhook}" }
notifications: { webhook: "\${hook}", on: [start, finish, failure], format: json }
sections:
  - id: s
    title: S
    items:
      - id: a
        title: Gate
        steps:
          - id: gate
            run: ${gate}
`;
}

async function sink(status: number): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(status).end(status === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, bodies };
}

describe("run notifications", () => {
  it("posts start, failure and finish, and journals each delivery", async () => {
    ws = workspace();
    const hook = await sink(200);
    ws.file("c.yaml", checklist(hook.url, '"exit 4"'));
    ws.file("answers.yaml", "signoff/ready: no\nsignoff/engineer: Ann\n");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml", "--keep-going"]);
    expect(r.code, r.stderr).toBe(1);
    const id = onlyRunId(ws.stateDir);
    expect(hook.bodies.map((b) => b["text"])).toEqual([
      `Notified checklist: run ${id} started`,
      `Notified checklist: Gate failed: exit 4 (expected 0) (run ${id})`,
      `Notified checklist: run ${id} signed off NOT ready by Ann`,
    ]);
    expect(hook.bodies[0]).toMatchObject({
      checklist: "notes",
      environment: "staging",
      progress: `0/1 items done, run ${id}`,
    });
    const events = journalEvents(ws.stateDir, onlyRunId(ws.stateDir)).filter(
      (e) => e.type === "notification",
    );
    expect(events.map((e) => [e.on, e.ok])).toEqual([
      ["start", true],
      ["failure", true],
      ["finish", true],
    ]);
  });

  it("says so when a delivery fails, and records it", async () => {
    ws = workspace();
    const hook = await sink(403); // a permanent refusal: not retried
    ws.file("c.yaml", checklist(hook.url, '"true"').replace("[start, finish, failure]", "[finish]"));
    ws.file("answers.yaml", "signoff/ready: yes\n");
    const r = await cli(ws, ["run", "c.yaml", "--answers", "answers.yaml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(hook.bodies).toHaveLength(1);
    expect(r.stdout).toMatch(/finish notification not delivered: .*403/);
    const events = journalEvents(ws.stateDir, onlyRunId(ws.stateDir)).filter(
      (e) => e.type === "notification",
    );
    expect(events).toMatchObject([{ on: "finish", ok: false, status: 403 }]);
  });
});
