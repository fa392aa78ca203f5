// @ts-nocheck
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeError } from "../../../src/errors.js";
import { KubeClient, resetConnections } from "../../../src/kube/client.js";

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "../../fixtures/kube-tls");
const pem = (name: string) => readFileSync(path.join(FIXTURES, name));

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  clientCN: string | undefined;
}

/** A tiny API server: records every request, answers from `answer`, counts TCP connections. */
function apiServer(server: http.Server) {
  const seen: Seen[] = [];
  let connections = 0;
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({ kind: "Namespace", metadata: { name: "staging" }, status: { phase: "Active" } }),
    );
  };
  server.on(server instanceof https.Server ? "secureConnection" : "connection", () => connections++);
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const socket = req.socket as TLSSocket;
      const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        clientCN: peer?.subject?.CN as string | undefined,
      });
      answer(req, res);
    });
  });
  return {
    server,
    seen,
    connections: () => connections,
    answer(fn: typeof answer) {
      answer = fn;
    },
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const { port } = server.address() as AddressInfo;
      return `${server instanceof https.Server ? "https" : "http"}://127.0.0.1:${port}`;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let dir: string;
const env = (file: string) => ({ KUBECONFIG: file, HOME: dir });
function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = path.join(dir, name);
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "test",
    contexts: [{ name: "test", context: { cluster: "c", user: "u", namespace: "staging" } }],
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user }],
  };
  // JSON is YAML: no YAML writer needed.
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-transport-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => resetConnections());

describe("requests to a TLS API server", () => {
  const tls = apiServer(
    https.createServer({
      key: pem("server.key"),
      cert: pem("server.crt"),
      ca: pem("ca.crt"),
      requestCert: true,
      rejectUnauthorized: false,
    }),
  );
  let url: string;
  beforeAll(async () => {
    url = await tls.listen();
  });
  afterAll(() => tls.close());

  it("verifies the server with the kubeconfig's CA file (relative path), sends the client certificate, one connection for all", async () => {
    for (const f of ["ca.crt", "client.crt", "client.key"]) writeFileSync(path.join(dir, f), pem(f));
    const file = kubeconfig(
      "kc-files",
      { server: url, "certificate-authority": "ca.crt" },
      { "client-certificate": "client.crt", "client-key": "client.key" },
    );
    const client = await KubeClient.connect({ env: env(file) });
    const before = tls.connections();
    const ns = await client.readNamespace("staging");
    expect(ns.status?.phase).toBe("Active");
    await client.readNamespace("staging");
    await client.readNamespace("staging");
    expect(tls.connections() - before).toBe(1);
    const last = tls.seen.at(-1)!;
    expect(last).toMatchObject({
      method: "GET",
      url: "/api/v1/namespaces/staging",
      clientCN: "deploycheck-user",
    });
    expect(last.headers.accept).toBe("application/json");
    expect(last.headers.authorization).toBeUndefined();
  });

  it("inline CA data and a bearer token; without the CA the server is refused", async () => {
    const file = kubeconfig(
      "kc-token",
      { server: url, "certificate-authority-data": pem("ca.crt").toString("base64") },
      { token: "s3cr3t-token" },
    );
    const client = await KubeClient.connect({ env: env(file) });
    await client.listPods("staging", "app=web");
    const last = tls.seen.at(-1)!;
    expect(last.url).toBe("/api/v1/namespaces/staging/pods?labelSelector=app%3Dweb");
    expect(last.headers.authorization).toBe("Bearer s3cr3t-token");

    const untrusted = kubeconfig("kc-untrusted", { server: url }, { token: "t" });
    const refused = await (await KubeClient.connect({ env: env(untrusted) })).readNamespace("staging").then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(KubeError);
    expect((refused as KubeError).message).toContain('namespace "staging"');
  });

  it("insecure-skip-tls-verify and basic auth", async () => {
    const file = kubeconfig(
      "kc-basic",
      { server: url, "insecure-skip-tls-verify": true },
      { username: "ana", password: "pw" },
    );
    const client = await KubeClient.connect({ env: env(file) });
    await client.readNamespace("staging");
    expect(tls.seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from("ana:pw").toString("base64")}`);
  });
});

describe("requests over plain http", () => {
  const api = apiServer(http.createServer());
  let file: string;
  beforeAll(async () => {
    // A trailing slash on the server URL is tolerated, as kubectl does.
    file = kubeconfig("kc-http", { server: `${await api.listen()}/` }, { token: "t" });
  });
  afterAll(() => api.close());

  it("PATCH sends a JSON patch with kubectl's content type and the field manager", async () => {
    api.answer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ metadata: { name: "web" } }));
    });
    const client = await KubeClient.connect({ env: env(file) });
    const patch = [{ op: "replace", path: "/spec/template", value: { metadata: {} } }];
    const out = await client.patchDeployment("staging", "web", patch);
    expect(out.metadata?.name).toBe("web");
    const last = api.seen.at(-1)!;
    expect(last).toMatchObject({
      method: "PATCH",
      url: "/apis/apps/v1/namespaces/staging/deployments/web?fieldManager=deploycheck",
    });
    expect(last.headers["content-type"]).toBe("application/json-patch+json");
    expect(JSON.parse(last.body)).toEqual(patch);
  });

  it("a Status answer becomes one KubeError with the API's message", async () => {
    api.answer((_req, res) => {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", message: "etcdserver: request timed out" }));
    });
    const client = await KubeClient.connect({ env: env(file) });
    await expect(client.readDeployment("staging", "web")).rejects.toThrow(
      'Kubernetes API error 500 for deployment "web" in namespace "staging": etcdserver: request timed out',
    );
  });

  it("a watch delivers each event line, skips garbled ones, and reports the end once", async () => {
    api.answer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const event = (type: string, generation: number) =>
        `${JSON.stringify({ type, object: { metadata: { name: "web", generation } } })}\n`;
      res.write(event("ADDED", 1));
      res.write("{not json\n");
      // The last event arrives in two pieces and without its newline.
      const last = event("MODIFIED", 2).trimEnd();
      setTimeout(() => res.write(last.slice(0, 10)), 10);
      setTimeout(() => res.end(last.slice(10)), 20);
      expect(req.url).toBe(
        "/apis/apps/v1/namespaces/staging/deployments?fieldSelector=metadata.name%3Dweb&resourceVersion=7&allowWatchBookmarks=true&watch=true",
      );
    });
    const client = await KubeClient.connect({ env: env(file) });
    const events: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      void client.watchDeployment(
        "staging",
        "web",
        "7",
        (type, object) => events.push(`${type} ${object.metadata?.generation}`),
        resolve,
      );
    });
    expect(await done).toBeNull();
    expect(events).toEqual(["ADDED 1", "MODIFIED 2"]);
  });

  it("a refused watch reports a KubeError; aborting a watch ends it quietly", async () => {
    api.answer((_req, res) => {
      res.writeHead(403, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", message: "deployments is forbidden" }));
    });
    const client = await KubeClient.connect({ env: env(file) });
    const refused = await new Promise<unknown>((resolve) => {
      void client.watchDeployment("staging", "web", undefined, () => undefined, resolve);
    });
    expect((refused as KubeError).message).toBe("forbidden (403): deployments is forbidden");

    api.answer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "web" } } })}\n`);
    });
    let ended: unknown = "not yet";
    const controller = await client.watchDeployment(
      "staging",
      "web",
      undefined,
      () => undefined,
      (err) => {
        ended = err;
      },
    );
    controller.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(ended).toBeNull();
  });
});
