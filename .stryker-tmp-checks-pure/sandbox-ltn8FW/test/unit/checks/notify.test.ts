// @ts-nocheck
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import {
  describe as describeStep,
  execute,
  notificationPayload,
  postNotification,
  redactWebhook,
} from "../../../src/checks/notify.js";
import { startWebhookSink, type WebhookSink } from "../../../src/sandbox/webhook-sink.js";
import { execContext } from "./monitor-context.js";

let sink: WebhookSink;
beforeEach(async () => {
  sink = await startWebhookSink();
});
afterEach(async () => sink.close());

const fields = {
  checklist: "staging",
  environment: "staging",
  engineer: "Ada",
  progress: "23/23 items done",
  summary: "all passed <!channel> & done",
};
const step = (p: Record<string, unknown> = {}): Step =>
  ({ id: "n", notify: { webhook: "${slackWebhook}", message: "Deployed ${deployment}", ...p } }) as Step;

describe("postNotification", () => {
  it("posts a Slack message: text plus header and field blocks, with mrkdwn escaped", async () => {
    const r = await postNotification({
      webhook: sink.slackUrl,
      format: "slack",
      text: "Staging run finished",
      fields,
    });
    expect(r).toEqual({ ok: true, status: 200, attempts: 1 });
    const body = sink.received[0]!.json as {
      text: string;
      blocks: { text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(sink.received[0]!.contentType).toMatch(/^application\/json/);
    expect(body.text).toBe("Staging run finished");
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Staging run finished", emoji: true },
    });
    expect(body.blocks[1]!.fields!.map((f) => f.text)).toEqual([
      "*Checklist*\nstaging",
      "*Environment*\nstaging",
      "*Engineer*\nAda",
      "*Progress*\n23/23 items done",
    ]);
    expect(body.blocks[2]!.text!.text).toBe("all passed &lt;!channel&gt; &amp; done");
  });

  it("posts a flat JSON object in the json format", async () => {
    await postNotification({ webhook: `${sink.url}/hook`, format: "json", text: "hi", fields });
    expect(sink.received[0]!.json).toEqual({ text: "hi", ...fields });
    expect(notificationPayload("json", "x", { ...fields, engineer: undefined } as never)).not.toHaveProperty(
      "engineer",
    );
  });

  it("retries with exponential backoff while the sink fails, then delivers", async () => {
    sink.failNext(2);
    const t0 = performance.now();
    const r = await postNotification({ webhook: sink.url, format: "json", text: "x", fields, backoffMs: 60 });
    const took = performance.now() - t0;
    expect(r).toEqual({ ok: true, status: 200, attempts: 3 });
    expect(sink.received.map((x) => x.status)).toEqual([500, 500, 200]);
    expect(took).toBeGreaterThanOrEqual(60 + 120 - 5);
  });

  it("reports a failed delivery with status and body excerpt, without the URL", async () => {
    sink.failNext(5);
    const r = await postNotification({
      webhook: sink.slackUrl,
      format: "slack",
      text: "x",
      fields,
      backoffMs: 5,
    });
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(3);
    expect(r.status).toBe(500);
    expect(r.error).toBe("HTTP 500 Internal Server Error: internal_error (injected by the sandbox)");
    sink.failNext(1, 404);
    const permanent = await postNotification({
      webhook: sink.url,
      format: "json",
      text: "x",
      fields,
      backoffMs: 5,
    });
    expect(permanent).toMatchObject({ ok: false, status: 404, attempts: 1 });
  });

  it("gives up on a slow webhook after the timeout, and on a refused connection", async () => {
    sink.delayMs = 500;
    const slow = await postNotification({
      webhook: sink.url,
      format: "json",
      text: "x",
      fields,
      timeoutMs: 50,
      retries: 2,
      backoffMs: 5,
    });
    expect(slow).toEqual({ ok: false, attempts: 2, error: "no answer within 50ms" });
    // A port nothing listens on (a sink never connected to, so no pooled connection lingers).
    const unused = await startWebhookSink();
    const url = unused.url;
    await unused.close();
    const refused = await postNotification({ webhook: url, format: "json", text: "x", fields, retries: 1 });
    expect(refused.error).toBe("connection refused (ECONNREFUSED)");
  });
});

describe("notify step", () => {
  it("posts the interpolated message and never shows the webhook URL", async () => {
    const ctx = execContext({
      vars: { slackWebhook: sink.slackUrl, deployment: "buywhere-api" },
      secrets: [sink.slackUrl],
      run: { checklist: "staging", environment: "staging", progress: "17/23 items done" },
    });
    const out = await execute(step(), ctx);
    expect(out.status).toBe("passed");
    expect(out.summary).toBe(`posted to ${redactWebhook(sink.slackUrl)} (HTTP 200)`);
    expect(JSON.stringify(out)).not.toContain("sandboxWebhookSecret");
    const body = sink.received[0]!.json as { text: string; blocks: { fields?: { text: string }[] }[] };
    expect(body.text).toBe("Deployed buywhere-api");
    expect(body.blocks[1]!.fields![3]!.text).toBe("*Progress*\n17/23 items done");
  });

  it("fails the step when every delivery fails, naming status and body, URL redacted", async () => {
    sink.failNext(3);
    const ctx = execContext({ vars: { slackWebhook: sink.slackUrl, deployment: "api" }, timeoutMs: 2000 });
    const out = await execute(step({ format: "json" }), ctx);
    expect(out.status).toBe("failed");
    expect(out.summary).toMatch(
      /^delivery to http:\/\/127\.0\.0\.1:\d+\/\[REDACTED\] failed after 3 attempts: HTTP 500/,
    );
    expect(JSON.stringify(out)).not.toContain("sandboxWebhookSecret");
    expect(sink.received).toHaveLength(3);
  }, 10_000);

  it("fails clearly without a webhook, and only describes itself in a dry run", async () => {
    const none = await execute(step(), execContext({ vars: { slackWebhook: "", deployment: "api" } }));
    expect(none.status).toBe("failed");
    expect(none.summary).toMatch(/no webhook URL: \$\{slackWebhook\} is empty/);
    const dry = await execute(
      step(),
      execContext({ vars: { slackWebhook: sink.slackUrl, deployment: "api" }, dryRun: true }),
    );
    expect(dry).toMatchObject({ status: "described", dryRun: true });
    expect(dry.summary).toMatch(
      /^would post a slack message to http:\/\/127\.0\.0\.1:\d+\/\[REDACTED\]: Deployed api$/,
    );
    expect(sink.received).toHaveLength(0);
    expect(describeStep(step(), { slackWebhook: sink.slackUrl, deployment: "api" })).toMatch(
      /^post a slack message to http:\/\/127\.0\.0\.1:\d+\/\[REDACTED\]: Deployed api \(timeout 10s, 3 attempts\)$/,
    );
  });
});
