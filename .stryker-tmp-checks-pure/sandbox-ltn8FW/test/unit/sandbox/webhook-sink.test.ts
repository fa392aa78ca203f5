// @ts-nocheck
import { afterEach, describe, expect, it } from "vitest";
import { startWebhookSink, type WebhookSink } from "../../../src/sandbox/webhook-sink.js";

let sink: WebhookSink;
afterEach(async () => sink?.close());

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("webhook sink", () => {
  it("records every POST body and lists them at /received", async () => {
    sink = await startWebhookSink();
    const res = await post(sink.slackUrl, { text: "hello" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({
      path: expect.stringMatching(/^\/services\//),
      json: { text: "hello" },
    });
    const listed = (await (await fetch(`${sink.url}/received`)).json()) as unknown[];
    expect(listed).toHaveLength(1);
  });

  it("fails the next N deliveries, then accepts again", async () => {
    sink = await startWebhookSink();
    sink.failNext(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(sink.url, { n: i })).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(sink.received.map((r) => r.status)).toEqual([500, 500, 200]);
  });
});
