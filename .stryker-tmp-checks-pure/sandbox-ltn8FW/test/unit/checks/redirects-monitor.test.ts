// @ts-nocheck
// Redirects of the prometheus and notify kinds, against two real servers on 127.0.0.1: another origin
// is not followed by default; a webhook's message is never sent on to where a redirect points.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { postNotification } from "../../../src/checks/notify.js";
import { execute as prometheus } from "../../../src/checks/prometheus.js";
import { execContext } from "./monitor-context.js";

let a: Server;
let b: Server;
let originA: string;
let originB: string;
const seenB: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const PROM_ANSWER = JSON.stringify({
  status: "success",
  data: { resultType: "scalar", result: [0, "0.01"] },
});

beforeAll(async () => {
  b = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seenB.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(PROM_ANSWER);
    });
  });
  await new Promise<void>((r) => b.listen(0, "127.0.0.1", r));
  originB = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
  a = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const status = Number(url.searchParams.get("status") ?? 302);
    req.resume();
    if (url.pathname.startsWith("/same/")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(PROM_ANSWER);
      return;
    }
    if (url.pathname.startsWith("/self")) {
      res.writeHead(status, { location: `/same${url.pathname}${url.search}` });
      res.end();
      return;
    }
    res.writeHead(status, { location: `${originB}/services/T0/B0/secretpath${url.search}` });
    res.end();
  });
  await new Promise<void>((r) => a.listen(0, "127.0.0.1", r));
  originA = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  seenB.length = 0;
});

const fields = { checklist: "c", environment: "e", progress: "1/1 items done", summary: "s" };

describe("notify redirects", () => {
  it("does not follow a webhook's redirect to another origin, and never shows its path", async () => {
    for (const status of [302, 307, 308]) {
      const r = await postNotification({
        webhook: `${originA}/hook?status=${status}`,
        format: "json",
        text: "deployed",
        fields,
        retries: 1,
      });
      expect(r.ok).toBe(false);
      expect(r.error).toBe(
        `HTTP ${status}: the webhook redirected to ${originB}/[REDACTED], not followed: it leads to another origin (followRedirects: sameOrigin); use the URL it redirects to, or set followRedirects: any`,
      );
    }
    expect(seenB).toHaveLength(0);
  });

  it("with followRedirects: any, a 307/308 is still not followed (the message would go there), a 302 is not a delivery", async () => {
    const r308 = await postNotification({
      webhook: `${originA}/hook?status=308`,
      format: "json",
      text: "deployed",
      fields,
      retries: 1,
      followRedirects: "any",
    });
    expect(r308.error).toContain("not followed: a 308 would send the request body to another origin");
    const r302 = await postNotification({
      webhook: `${originA}/hook?status=302`,
      format: "json",
      text: "deployed",
      fields,
      retries: 1,
      followRedirects: "any",
    });
    expect(r302.ok).toBe(false);
    expect(r302.error).toBe(
      `the webhook redirected (HTTP 302) to ${originB}/[REDACTED] and the message was not sent on; use the URL it redirects to`,
    );
    // The GET fetch made of the 302 reached B without the message.
    expect(seenB.map((s) => [s.method, s.body])).toEqual([["GET", ""]]);
  });

  it("follows a redirect on the same origin and says so", async () => {
    const r = await postNotification({
      webhook: `${originA}/self/hook?status=307`,
      format: "json",
      text: "deployed",
      fields,
      retries: 1,
    });
    expect(r).toMatchObject({ ok: true, status: 200, redirectedTo: `${originA}/[REDACTED]` });
  });
});

describe("prometheus redirects", () => {
  const step = (extra: Record<string, unknown>): Step =>
    ({ id: "p", prometheus: { url: `${originA}/prom`, query: "up", expect: { lt: 0.1 }, ...extra } }) as Step;

  it("does not follow a redirect to another origin by default, and says where it led", async () => {
    const out = await prometheus(step({}), execContext());
    expect(out.status).toBe("failed");
    expect(out.summary).toContain(
      `redirected (HTTP 302) to ${originB}/services/T0/B0/secretpath?query=up, not followed: it leads to another origin (followRedirects: sameOrigin); write the URL it redirects to, or set followRedirects: any`,
    );
    expect(seenB).toHaveLength(0);
  });

  it("follows it with followRedirects: any, without the Authorization header from the URL", async () => {
    const url = `http://user:pa55word@${originA.slice("http://".length)}/prom`;
    const out = await prometheus(step({ url, followRedirects: "any" }), execContext());
    expect(out.status).toBe("passed");
    expect(seenB).toHaveLength(1);
    expect(seenB[0]!.headers["authorization"]).toBeUndefined();
    expect(out.details?.["redirects"]).toEqual([
      expect.objectContaining({
        status: 302,
        crossOrigin: true,
        followed: true,
        droppedHeaders: ["authorization"],
      }),
    ]);
  });
});
