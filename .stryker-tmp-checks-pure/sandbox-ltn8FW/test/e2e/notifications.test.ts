// @ts-nocheck
// Top-level `notifications:` end to end: the runner posts start/finish through postNotification to a
// webhook (the sandbox sink), Slack blocks with the run's facts; a refused delivery is reported.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWebhookSink, type WebhookSink } from "../../src/sandbox/webhook-sink.js";
import { cli, ensureBuilt } from "./record-fixture.js";

let root: string;
let sink: WebhookSink;
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-notify-e2e-"));
  await writeFile(
    join(root, "nt.yaml"),
    `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: nt, title: Notification test, environment: staging }
vars:
  hook: { env: TEST_HOOK, secret: true }
notifications: { webhook: "\${hook}", on: [start, finish, failure] }
sections:
  - id: main
    title: Main
    items:
      - id: one
        title: One
        steps:
          - id: ok
            run: "true"
`,
  );
  await writeFile(join(root, "answers.yaml"), "signoff/engineer: Nia Notify\nsignoff/ready: yes\n");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await sink?.close();
  sink = await startWebhookSink();
});

async function run(state: string) {
  const r = await cli(
    ["run", join(root, "nt.yaml"), "--state-dir", join(root, state), "--answers", join(root, "answers.yaml")],
    { cwd: root, env: { TEST_HOOK: sink.slackUrl, XDG_CONFIG_HOME: join(root, "config") } },
  );
  const [id] = await readdir(join(root, state, "runs"));
  const journal = await readFile(join(root, state, "runs", id!, "journal.jsonl"), "utf8");
  return { ...r, journal };
}

type Slack = { text: string; blocks: { fields?: { text: string }[] }[] };

describe("top-level notifications", () => {
  it("posts start and finish as Slack messages with checklist, environment, engineer and progress", async () => {
    sink.failNext(1); // the first attempt fails: retried with backoff, then delivered
    const r = await run("state-ok");
    expect(r.code).toBe(0);
    expect(sink.received.map((m) => m.status)).toEqual([500, 200, 200]);
    const [, start, finish] = sink.received.map((m) => m.json as Slack);
    expect(start!.text).toMatch(/^Notification test: run nt-\S+ started$/);
    expect(finish!.text).toMatch(/signed off ready by Nia Notify$/);
    expect(finish!.blocks[1]!.fields!.map((f) => f.text)).toEqual([
      "*Checklist*\nnt",
      "*Environment*\nstaging",
      "*Engineer*\nNia Notify",
      expect.stringMatching(/^\*Progress\*\n1\/1 items done, run nt-/),
    ]);
    expect(r.journal).toMatch(/"type":"notification".*"on":"start","ok":true/);
    for (const text of [r.stdout, r.stderr, r.journal]) expect(text).not.toContain("sandboxWebhookSecret");
  });

  it("reports a refused delivery in the output and the journal, and the run goes on", async () => {
    sink.failNext(10, 404);
    const r = await run("state-refused");
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/start notification not delivered: HTTP 404/);
    expect(r.journal).toMatch(/"type":"notification".*"on":"start","ok":false,"status":404/);
    for (const text of [r.stdout, r.stderr, r.journal]) expect(text).not.toContain("sandboxWebhookSecret");
  });
});
