// @ts-nocheck
// Redirects and body bounds of the http kind against two real servers on 127.0.0.1 (two origins):
// another origin is not followed by default; when allowed, the step's headers and body do not go there;
// a body is kept only up to maxBodyBytes, and the step says so.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpStep, Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/http.js";
import { makeContext } from "./context.js";

const step = (http: HttpStep): Step => ({ id: "h", http }) as Step;
const TOKEN = "tk-0f1e2d3c4b5a69788796a5b4c3d2e1f0";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
let a: Server;
let b: Server;
let originA: string;
let originB: string;
const seenA: Seen[] = [];
const seenB: Seen[] = [];

function listen(
  seen: Seen[],
  route: (req: IncomingMessage, body: string) => [number, Record<string, string>, string | Buffer],
) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const [status, headers, out] = route(req, body);
      res.writeHead(status, headers);
      res.end(out);
    });
  });
  return server;
}

beforeAll(async () => {
  b = listen(seenB, () => [200, { "content-type": "application/json" }, JSON.stringify({ at: "b" })]);
  await new Promise<void>((r) => b.listen(0, "127.0.0.1", r));
  originB = `http://127.0.0.1:${(b.address() as AddressInfo).port}`;
  a = listen(seenA, (req) => {
    const url = new URL(req.url ?? "/", "http://x");
    const status = Number(url.searchParams.get("status") ?? 302);
    switch (url.pathname) {
      case "/to-b":
        return [status, { location: `${originB}/landing?t=${url.searchParams.get("t") ?? ""}` }, "moving"];
      case "/to-self":
        return [status, { location: "/here" }, ""];
      case "/here":
        return [
          200,
          { "content-type": "application/json" },
          JSON.stringify({ key: req.headers["x-api-key"] ?? null }),
        ];
      case "/big": {
        const size = Number(url.searchParams.get("bytes"));
        const at = Number(url.searchParams.get("at") ?? -1);
        const body = Buffer.alloc(size, "a");
        if (at >= 0) body.write(TOKEN, at);
        return [200, { "content-type": "text/plain" }, body];
      }
      default:
        return [404, {}, ""];
    }
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
  seenA.length = 0;
  seenB.length = 0;
});

const secretCtx = () => makeContext({ vars: { token: TOKEN }, secrets: [TOKEN] });

describe("http redirects", () => {
  it("does not follow a redirect to another origin by default, and says where it led (URL redacted)", async () => {
    const out = await execute(
      step({ url: `${originA}/to-b?t=\${token}`, headers: { "X-Api-Key": "${token}" } }),
      secretCtx(),
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toContain(`302 Found in`);
    expect(out.summary).toContain(
      `redirect to ${originB}/landing?t=[REDACTED] not followed: it leads to another origin (followRedirects: sameOrigin); followRedirects: any follows it, without the step's headers and body`,
    );
    expect(seenB).toHaveLength(0);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out.details?.["redirects"]).toEqual([
      {
        status: 302,
        to: `${originB}/landing?t=[REDACTED]`,
        crossOrigin: true,
        followed: false,
        refused: "it leads to another origin (followRedirects: sameOrigin)",
      },
    ]);
  });

  it("with followRedirects: any, follows it without the step's headers, and says so", async () => {
    const out = await execute(
      step({
        url: `${originA}/to-b`,
        headers: { "X-Api-Key": "${token}", Authorization: "Bearer ${token}", Accept: "application/json" },
        followRedirects: "any",
      }),
      secretCtx(),
    );
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(
      new RegExp(
        `^200 OK in \\d+ms, redirected to ${originB}/landing\\?t= \\(another origin: headers x-api-key, authorization not sent there\\)$`,
      ),
    );
    expect(seenA[0]!.headers["x-api-key"]).toBe(TOKEN);
    expect(seenB).toHaveLength(1);
    expect(seenB[0]!.headers["x-api-key"]).toBeUndefined();
    expect(seenB[0]!.headers["authorization"]).toBeUndefined();
    expect(seenB[0]!.headers["accept"]).toBe("application/json");
    expect(JSON.stringify(seenB)).not.toContain(TOKEN);
  });

  it("never re-sends a body to another origin: a 307/308 is not followed, a 302 turns into a GET without it", async () => {
    const body = { password: "${token}" };
    for (const status of [307, 308]) {
      const out = await execute(
        step({
          url: `${originA}/to-b?status=${status}`,
          method: "POST",
          body,
          followRedirects: "any",
          expect: { status },
        }),
        secretCtx(),
      );
      expect(out.status).toBe("passed");
      expect(out.summary).toContain(
        `not followed: a ${status} would send the request body to another origin`,
      );
    }
    expect(seenB).toHaveLength(0);
    const out = await execute(
      step({ url: `${originA}/to-b?status=302`, method: "POST", body, followRedirects: "any" }),
      secretCtx(),
    );
    expect(out.summary).toContain("(another origin: the body not sent there)");
    expect(seenB).toHaveLength(1);
    expect(seenB[0]!.method).toBe("GET");
    expect(seenB[0]!.body).toBe("");
    expect(JSON.stringify(seenB)).not.toContain(TOKEN);
  });

  it("follows a redirect on the same origin with the step's headers", async () => {
    const out = await execute(
      step({
        url: `${originA}/to-self?status=307`,
        headers: { "X-Api-Key": "k-123" },
        expect: { json: { key: "k-123" } },
      }),
      makeContext(),
    );
    expect(out.status).toBe("passed");
    expect(out.summary).toContain(`redirected to ${originA}/here`);
  });
});

describe("http body bounds", () => {
  it("keeps only maxBodyBytes of a body, says it was cut, and judges bodyContains on the kept part", async () => {
    const out = await execute(
      step({ url: `${originA}/big?bytes=300000`, maxBodyBytes: 4096, expect: { bodyContains: "b" } }),
      makeContext(),
    );
    expect(out.status).toBe("failed");
    expect(out.summary).toContain('body does not contain "b" in its first 4 KiB (of 293 KiB: maxBodyBytes)');
    expect(out.summary).toContain("body 293 KiB, first 4 KiB kept");
    expect(out.details).toMatchObject({ bodyBytes: 300000, bodyTruncated: true, bodyBytesKept: 4096 });
    // Memory bounded by construction: the excerpt is from the 4 KiB kept.
    expect(out.output!.length).toBeLessThan(2200);
    expect(out.output).toContain("(body cut: 293 KiB received, the first 4 KiB kept; maxBodyBytes)");
  });

  it("keeps 1 MiB by default", async () => {
    const out = await execute(step({ url: `${originA}/big?bytes=${3 * 1024 * 1024}` }), makeContext());
    expect(out.status).toBe("passed");
    expect(out.details).toMatchObject({
      bodyBytes: 3 * 1024 * 1024,
      bodyTruncated: true,
      bodyBytesKept: 1024 * 1024,
    });
  });

  it("says how many sampled bodies were cut", async () => {
    const out = await execute(
      step({ url: `${originA}/big?bytes=10000`, maxBodyBytes: 1000, samples: 6 }),
      makeContext(),
    );
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(/, 6 bodies over 1000 B cut$/);
    expect(out.details).toMatchObject({ bodiesTruncated: 6, maxBodyBytes: 1000 });
  });

  it("leaves no piece of a secret cut by the excerpt or by maxBodyBytes", async () => {
    // Across the 2000-character excerpt cut.
    const excerpt = await execute(step({ url: `${originA}/big?bytes=5000&at=1980` }), secretCtx());
    expect(excerpt.output).not.toContain(TOKEN.slice(0, 16));
    expect(excerpt.output).toContain("[REDACTED]");
    // Across the maxBodyBytes cut: only the first 20 characters of the token were kept.
    const kept = await execute(
      step({ url: `${originA}/big?bytes=5000&at=2020`, maxBodyBytes: 2040 }),
      secretCtx(),
    );
    expect(kept.output).not.toContain(TOKEN.slice(0, 16));
    expect(kept.output).not.toContain(TOKEN.slice(0, 3));
    const small = await execute(
      step({ url: `${originA}/big?bytes=1000&at=960`, maxBodyBytes: 980 }),
      secretCtx(),
    );
    expect(small.output).toMatch(/a\[REDACTED\]\n\(body cut/);
  });
});
