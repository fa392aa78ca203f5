// @ts-nocheck
// The sandbox as a whole: starts its parts (the simulated Kubernetes cluster seeded like staging, the
// sample service with its Prometheus API, the webhook sink), writes the kubeconfig, and says which
// --var flags and environment point a checklist at it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterFaults } from "./kube-cluster.js";
import { type KubeSandbox, startKubeSandbox } from "./kube-server.js";
import { type PrometheusApi, startPrometheusApi } from "./prometheus-api.js";
import { type RequestLogEntry, TRAFFIC_HEADER } from "./request-log.js";
import { type SampleService, type ServiceFaults, startSampleService } from "./service.js";
import { startWebhookSink, type WebhookSink } from "./webhook-sink.js";

export const SANDBOX_CONTEXT = "staging-sandbox";
export const SANDBOX_NAMESPACE = "staging";
export const SANDBOX_DEPLOYMENT = "buywhere-api";
export const SANDBOX_IMAGE_REPO = "registry.example.com/buywhere-api";
export const SANDBOX_PREVIOUS_IMAGE = `${SANDBOX_IMAGE_REPO}:1.8.0`;
export const SANDBOX_CURRENT_IMAGE = `${SANDBOX_IMAGE_REPO}:1.9.0`;

export interface SandboxOptions {
  /** Directory for the kubeconfig (and whatever other parts write); a new temp dir when absent. */
  dir?: string;
  rolloutStepMs?: number;
  faults?: ClusterFaults;
  serviceFaults?: Partial<ServiceFaults>;
  /** Ports to try first (a resumed demo keeps its URLs); a busy port falls back to any free one. */
  ports?: { service?: number; prometheus?: number; sink?: number };
  /** Each request a part answers (not the background traffic), with the webhook message's text. */
  onRequest?: (part: SandboxPart, entry: RequestLogEntry & { text?: string }) => void;
  /** Background requests to the service (a staging service is never idle; windowed rates need them). */
  traffic?: boolean;
}

export type SandboxPart = "kube" | "service" | "prometheus" | "webhook";

export interface Sandbox {
  dir: string;
  kube: KubeSandbox;
  kubeconfigPath: string;
  /** The sample HTTP service (the deployment's API), its Prometheus API and the webhook sink. */
  service: SampleService;
  prometheus: PrometheusApi;
  sink: WebhookSink;
  /** Checklist variables that point the staging checklist at this sandbox. */
  vars: Record<string, string>;
  /** Environment a child process needs to reach the sandbox (KUBECONFIG, API_URL, PROMETHEUS_URL, SLACK_WEBHOOK_URL). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Seed the simulated cluster as the staging checklist expects it: buywhere-api at revision 2, 3 pods ready. */
export function seedStaging(kube: KubeSandbox): void {
  kube.createNamespace(SANDBOX_NAMESPACE);
  kube.createDeployment({
    namespace: SANDBOX_NAMESPACE,
    name: SANDBOX_DEPLOYMENT,
    image: SANDBOX_PREVIOUS_IMAGE,
    replicas: 3,
    labels: { app: SANDBOX_DEPLOYMENT },
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    changeCause: "deploy 1.8.0 (BUY-2401)",
  });
  kube.setImage(SANDBOX_NAMESPACE, SANDBOX_DEPLOYMENT, SANDBOX_CURRENT_IMAGE, "deploy 1.9.0 (BUY-2474)");
  kube.cluster.settle(SANDBOX_NAMESPACE, SANDBOX_DEPLOYMENT);
}

/** Start on the preferred port, or on any free port when that one is taken. */
async function preferPort<T>(
  port: number | undefined,
  start: (port: number | undefined) => Promise<T>,
): Promise<T> {
  if (port === undefined) return start(undefined);
  try {
    return await start(port);
  } catch (err) {
    if ((err as { code?: string }).code !== "EADDRINUSE") throw err;
    return start(undefined);
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "deploycheck-sandbox-")));
  const stops: (() => Promise<void>)[] = [];
  const log = options.onRequest;
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const kube = await startKubeSandbox({
      ...(options.rolloutStepMs !== undefined ? { rolloutStepMs: options.rolloutStepMs } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(log ? { onRequest: (e: RequestLogEntry) => log("kube", e) } : {}),
    });
    stops.push(() => kube.close());
    seedStaging(kube);
    const kubeconfigPath = await kube.writeKubeconfig(join(dir, "kubeconfig"), {
      context: SANDBOX_CONTEXT,
      namespace: SANDBOX_NAMESPACE,
    });
    const service = await preferPort(options.ports?.service, (port) =>
      startSampleService({
        ...(port ? { port } : {}),
        ...(options.serviceFaults ? { faults: options.serviceFaults } : {}),
        ...(log ? { onRequest: (e: RequestLogEntry) => log("service", e) } : {}),
      }),
    );
    stops.push(() => service.close());
    const prometheus = await preferPort(options.ports?.prometheus, (port) =>
      startPrometheusApi(service, {
        job: SANDBOX_DEPLOYMENT,
        namespace: SANDBOX_NAMESPACE,
        ...(port ? { port } : {}),
        ...(log ? { onRequest: (e: RequestLogEntry) => log("prometheus", e) } : {}),
      }),
    );
    stops.push(() => prometheus.close());
    let sinkRef: WebhookSink | undefined;
    const sink = await preferPort(options.ports?.sink, (port) =>
      startWebhookSink({
        ...(port ? { port } : {}),
        ...(log
          ? {
              onRequest: (e: RequestLogEntry) => {
                const last = e.method === "POST" ? sinkRef?.received.at(-1) : undefined;
                const json = last?.json as { text?: unknown } | undefined;
                const text = typeof json?.text === "string" ? json.text : last?.body;
                log("webhook", {
                  ...e,
                  path: e.path.replace(/^\/services\/.*/, "/services/…"),
                  ...(text ? { text } : {}),
                });
              },
            }
          : {}),
      }),
    );
    sinkRef = sink;
    stops.push(() => sink.close());
    if (options.traffic) {
      const traffic = setInterval(() => {
        fetch(`${service.url}/products`, { headers: { [TRAFFIC_HEADER]: "1" } }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
      }, 500);
      traffic.unref();
      stops.push(async () => clearInterval(traffic));
    }
    return {
      dir,
      kube,
      kubeconfigPath,
      service,
      prometheus,
      sink,
      vars: {
        namespace: SANDBOX_NAMESPACE,
        deployment: SANDBOX_DEPLOYMENT,
        apiUrl: service.url,
        prometheusUrl: prometheus.url,
        expectedImage: SANDBOX_CURRENT_IMAGE,
      },
      env: {
        KUBECONFIG: kubeconfigPath,
        API_URL: service.url,
        PROMETHEUS_URL: prometheus.url,
        SLACK_WEBHOOK_URL: sink.slackUrl,
      },
      async close() {
        await stopAll();
        if (ownDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
