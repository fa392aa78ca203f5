// HTTP requests to the API server: the client library's KubeConfig supplies TLS material and credentials
// (tokens, client certificates, exec and auth-provider plugins, proxies); the requests themselves are plain
// node:http(s) on one keep-alive agent, JSON in and out, as kubectl sends them.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node/dist/config.js";

/** A non-2xx answer: `statusCode` and the raw body (a Status object, usually) for toKubeError. */
export class ApiStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string | undefined,
  ) {
    super(`HTTP ${statusCode}${body ? `: ${body.slice(0, 200)}` : ""}`);
    this.name = "ApiStatusError";
  }
}

export interface RequestOptions {
  method?: "GET" | "PATCH" | "POST" | "PUT" | "DELETE";
  query?: Record<string, string | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
}

/** The https.RequestOptions the KubeConfig fills in (headers as a plain object). */
type Applied = Omit<https.RequestOptions, "headers"> & { headers?: http.OutgoingHttpHeaders };

export class Transport {
  private agent: http.Agent | undefined;
  private readonly server: string;

  constructor(private readonly config: KubeConfig) {
    // kubectl tolerates a trailing slash on the server URL; a path prefix (Rancher, proxies) is kept.
    this.server = (config.getCurrentCluster()?.server ?? "").replace(/\/+$/, "");
  }

  /** One JSON request; resolves with the parsed body of a 2xx answer, else rejects (ApiStatusError). */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(path, options);
    const text = await readBody(res);
    if (!isOk(res)) throw statusError(res, text);
    return JSON.parse(text) as T;
  }

  /** One request whose answer is returned whatever its status (team state tells 404 and 409 apart itself). */
  async exchange(path: string, options: RequestOptions = {}): Promise<{ status: number; body: string }> {
    const res = await this.send(path, options);
    return { status: res.statusCode ?? 0, body: await readBody(res) };
  }

  /**
   * A watch: the stream of JSON lines of `?watch=true`. Resolves once the answer's headers arrived with the
   * controller that ends it; `onDone` is called once, when the stream ends, fails or is aborted.
   */
  async watch(
    path: string,
    query: Record<string, string | boolean | undefined>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    // The request's own signal: aborted only while its response is still arriving. A response read to its
    // end (the server closed the watch, or answered one ERROR event) has handed its socket back to the
    // keep-alive pool; aborting the request then destroys that pooled socket with an error nobody listens
    // to, which is an uncaught exception.
    const inflight = new AbortController();
    let response: http.IncomingMessage | undefined;
    controller.signal.addEventListener(
      "abort",
      () => {
        if (!response?.complete) inflight.abort();
      },
      { once: true },
    );
    let done = false;
    const finish = (err: unknown) => {
      if (done) return;
      done = true;
      controller.abort();
      onDone(err);
    };
    try {
      const res = await this.send(path, { query: { ...query, watch: true }, signal: inflight.signal });
      response = res;
      if (!isOk(res)) {
        finish(statusError(res, await readBody(res)));
        return controller;
      }
      // One JSON event per line; a line may arrive in pieces, the last one without its newline.
      const deliver = (line: string) => {
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line);
        } catch {
          return; // A garbled line says nothing; the library skipped them too.
        }
        if (typeof event.type === "string" && !done) onEvent(event.type, event.object);
      };
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const lines = (pending + chunk).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) deliver(line);
      });
      res.on("end", () => {
        if (pending.trim() !== "") deliver(pending);
      });
      res.on("error", (err) => finish(controller.signal.aborted ? null : err));
      res.on("close", () => finish(null));
    } catch (err) {
      finish(inflight.signal.aborted ? null : err);
    }
    return controller;
  }

  private async send(path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    // Asked per request: exec and auth-provider plugins refresh expired tokens here.
    const applied: Applied = {};
    await this.config.applyToHTTPSOptions(applied);
    this.agent ??= this.makeAgent(applied);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: http.OutgoingHttpHeaders = {
      Accept: "application/json",
      "User-Agent": "deploycheck",
      ...applied.headers,
    };
    if (body !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    const request = url.protocol === "http:" ? http.request : https.request;
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: options.method ?? "GET",
        headers,
        agent: this.agent,
        ...tlsOptions(applied),
        ...(applied.auth ? { auth: applied.auth } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      req.once("response", resolve);
      // Kept for the life of the request: a socket closing mid-answer reports on it again later.
      req.on("error", reject);
      req.end(body);
    });
  }

  /**
   * One agent per connection, kept alive between the steps of a run (the library made a new agent, so a new
   * TCP and TLS handshake, for every request). Behind a proxy the library's own proxy agent is kept instead.
   */
  private makeAgent(applied: Applied): http.Agent {
    const cluster = this.config.getCurrentCluster();
    if (cluster?.proxyUrl && applied.agent instanceof http.Agent) return applied.agent;
    if (this.server.startsWith("http:")) return new http.Agent({ keepAlive: true });
    return new https.Agent({ keepAlive: true, ...tlsOptions(applied) });
  }

  /** Close idle keep-alive sockets (they are unref'd, so this is only tidiness). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}

function tlsOptions(applied: Applied): https.AgentOptions {
  const out: https.AgentOptions = {};
  if (applied.ca) out.ca = applied.ca;
  if (applied.cert) out.cert = applied.cert;
  if (applied.key) out.key = applied.key;
  if (applied.pfx) out.pfx = applied.pfx;
  if (applied.passphrase) out.passphrase = applied.passphrase;
  if (applied.servername) out.servername = applied.servername;
  // Only when the kubeconfig says so (insecure-skip-tls-verify); else Node's default, which honours
  // NODE_TLS_REJECT_UNAUTHORIZED, as the library did.
  if (applied.rejectUnauthorized !== undefined) out.rejectUnauthorized = applied.rejectUnauthorized;
  return out;
}

function isOk(res: http.IncomingMessage): boolean {
  return res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}

function statusError(res: http.IncomingMessage, body: string): ApiStatusError {
  // The generated client dropped a 401's body (it is only ever "Unauthorized"); keep its wording.
  return new ApiStatusError(res.statusCode ?? 0, res.statusCode === 401 ? undefined : body);
}
