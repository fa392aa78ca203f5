// @ts-nocheck
// The real kubectl binary against the simulated API server: its output for the commands of the staging
// checklist, and the same verdicts from deploycheck's native kube checks on the same cluster states.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { execute } from "../../../src/checks/kube.js";
import type { KubeObject } from "../../../src/sandbox/kube-objects.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { SANDBOX_CURRENT_IMAGE, SANDBOX_PREVIOUS_IMAGE, seedStaging } from "../../../src/sandbox/start.js";
import { fakePrompter, makeContext, tempDir } from "../checks/context.js";

const run = promisify(execFile);
const NS = "staging";
const NAME = "buywhere-api";
const temp = tempDir("dc-kubectl-");

let sandbox: KubeSandbox;
let kubeconfig: string;

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl, async (the server runs in this process), with its own kubeconfig, discovery cache and home. */
async function kubectl(...args: string[]): Promise<KubectlResult> {
  return kubectlWith({}, ...args);
}

async function kubectlWith(extraEnv: Record<string, string>, ...args: string[]): Promise<KubectlResult> {
  const env = {
    PATH: process.env["PATH"],
    HOME: temp.dir,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(temp.dir, "cache"),
    KUBE_FEATURE_WatchListClient: "false",
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await run("kubectl", args, { env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT")
      throw new Error("kubectl is not installed (CI installs Debian's kubernetes-client)");
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
const kube = (spec: Step["kube"]): Step => ({ kube: spec }) as Step;
const ctx = (overrides: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ env: { KUBECONFIG: kubeconfig, HOME: temp.dir }, ...overrides });
const target = (deployment = NAME) => ({ deployment, namespace: NS });

/** The cluster state that matters after a rollback drill: deployment revision and image, each RS. */
function state(sb: KubeSandbox) {
  const d = sb.getDeployment(NS, NAME)!;
  const summary = (o: KubeObject) => ({
    revision: o.metadata.annotations?.["deployment.kubernetes.io/revision"],
    image: o.spec.template.spec.containers[0].image,
    replicas: o.spec.replicas,
    changeCause: o.metadata.annotations?.["kubernetes.io/change-cause"],
  });
  return {
    deployment: { ...summary(d), generation: d.metadata.generation },
    replicaSets: sb
      .replicaSets(NS, NAME)
      .map((rs) => ({ ...summary(rs), hash: rs.metadata.labels?.["pod-template-hash"] })),
  };
}

beforeAll(async () => {
  // Warm kubectl's discovery cache once so that each command below is quick.
  const warm = await startKubeSandbox();
  kubeconfig = await warm.writeKubeconfig(path.join(temp.dir, "kubeconfig"), { namespace: NS });
  await kubectl("get", "namespaces");
  await warm.close();
});
beforeEach(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  seedStaging(sandbox);
  kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"), { namespace: NS });
});
afterEach(async () => {
  await sandbox.close();
});
afterAll(() => temp.cleanup());

describe("real kubectl against the simulated API server", () => {
  it("get namespace, get pods -l, rollout history, describe | grep Image read as on a real cluster", async () => {
    const ns = await kubectl("get", "namespace", "staging");
    expect(ns.code).toBe(0);
    expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE\nstaging\s+Active\s+\d+s\n$/);

    const pods = await kubectl("get", "pods", "-n", NS, "-l", `app=${NAME}`);
    const lines = pods.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1)).toHaveLength(3);
    for (const line of lines.slice(1))
      expect(line).toMatch(/^buywhere-api-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\d+s$/);

    const history = await kubectl("rollout", "history", `deployment/${NAME}`, "-n", NS);
    expect(history.stdout).toBe(
      "deployment.apps/buywhere-api \nREVISION  CHANGE-CAUSE\n1         deploy 1.8.0 (BUY-2401)\n2         deploy 1.9.0 (BUY-2474)\n\n",
    );
    const native = await execute(kube({ history: target() }), ctx());
    expect(`${native.output}\n\n`).toBe(history.stdout);

    const describeOut = await kubectl("describe", "deployment", NAME, "-n", NS);
    expect(describeOut.code).toBe(0);
    const imageLines = describeOut.stdout.split("\n").filter((l) => l.includes("Image"));
    expect(imageLines).toHaveLength(1);
    expect(imageLines[0]).toMatch(
      new RegExp(`^\\s+Image:\\s+${SANDBOX_CURRENT_IMAGE.replace(/\./g, "\\.")}$`),
    );
    expect(describeOut.stdout).toMatch(/NewReplicaSet:\s+buywhere-api-[a-z0-9]+ \(3\/3 replicas created\)/);
  });

  it("rollout status: done at once, and during a rollout the same messages as the native check", async () => {
    const done = await kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=300s");
    expect(done).toMatchObject({ code: 0, stdout: 'deployment "buywhere-api" successfully rolled out\n' });
    expect(await execute(kube({ rolloutStatus: target() }), ctx())).toMatchObject({
      status: "passed",
      summary: 'deployment "buywhere-api" successfully rolled out',
    });

    // Hold the controller until kubectl is watching, so that it sees the rollout progress.
    sandbox.faults.pause = true;
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    const watches = () => sandbox.requests.filter((r) => r.includes("watch=true")).length;
    const before = watches();
    const watching = kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=300s");
    await until(() => watches() > before);
    delete sandbox.faults.pause;
    const during = await watching;
    expect(during.code).toBe(0);
    const lines = during.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe('deployment "buywhere-api" successfully rolled out');
    expect(
      lines
        .slice(0, -1)
        .every((l) => l.startsWith('Waiting for deployment "buywhere-api" rollout to finish: ')),
    ).toBe(true);
    expect(lines.length).toBeGreaterThan(2);

    // kubectl's watch-list (one WATCH with sendInitialEvents, ended by a BOOKMARK) where it has it (1.30+).
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.1");
    const watchList = await kubectlWith(
      { KUBE_FEATURE_WatchListClient: "true" },
      "rollout",
      "status",
      `deployment/${NAME}`,
      "-n",
      NS,
      "--timeout=60s",
    );
    expect(watchList.code).toBe(0);
    expect(watchList.stdout.trim().split("\n").at(-1)).toBe(
      'deployment "buywhere-api" successfully rolled out',
    );
    const version = JSON.parse((await kubectl("version", "--client", "-o", "json")).stdout).clientVersion;
    if (Number(version.major) === 1 && Number.parseInt(version.minor, 10) >= 30) {
      expect(sandbox.requests.some((r) => r.includes("sendInitialEvents=true"))).toBe(true);
    }

    // kubectl set image sends a strategic merge patch of the containers list (merged by name).
    const setImage = await kubectl(
      "set",
      "image",
      `deployment/${NAME}`,
      `${NAME}=registry.example.com/buywhere-api:2.0.2`,
      "-n",
      NS,
    );
    expect(setImage.stdout).toBe("deployment.apps/buywhere-api image updated\n");
    expect(sandbox.getDeployment(NS, NAME)!.spec.template.spec.containers[0]).toMatchObject({
      image: "registry.example.com/buywhere-api:2.0.2",
      resources: { limits: { cpu: "500m", memory: "512Mi" } },
    });
    const context = ctx();
    const native = await execute(kube({ rolloutStatus: target() }), context);
    expect(native.status).toBe("passed");
    const allowed = new Set([
      ...lines,
      "Waiting for deployment spec update to be observed...",
      'Waiting for deployment "buywhere-api" rollout to finish: 0 out of 3 new replicas have been updated...',
    ]);
    for (const m of context.messages)
      expect(allowed.has(m) || /^Waiting for deployment "buywhere-api" rollout to finish: /.test(m)).toBe(
        true,
      );
  });

  it("the rollback drill through kubectl and through the native checks leaves the same cluster", async () => {
    // kubectl, as the seed's rollback test runs it.
    expect((await kubectl("rollout", "undo", `deployment/${NAME}`, "-n", NS)).stdout).toBe(
      "deployment.apps/buywhere-api rolled back\n",
    );
    expect((await kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=300s")).code).toBe(
      0,
    );
    const previous = await kubectl("describe", "deployment", NAME, "-n", NS);
    expect(previous.stdout).toMatch(
      new RegExp(`Image:\\s+${SANDBOX_PREVIOUS_IMAGE.replace(/\./g, "\\.")}\\n`),
    );
    expect((await kubectl("rollout", "undo", `deployment/${NAME}`, "-n", NS)).stdout).toBe(
      "deployment.apps/buywhere-api rolled back\n",
    );
    expect((await kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=300s")).code).toBe(
      0,
    );
    expect((await kubectl("rollout", "history", `deployment/${NAME}`, "-n", NS)).stdout).toBe(
      "deployment.apps/buywhere-api \nREVISION  CHANGE-CAUSE\n3         deploy 1.8.0 (BUY-2401)\n4         deploy 1.9.0 (BUY-2474)\n\n",
    );
    const viaKubectl = state(sandbox);

    // The same drill natively, on a fresh cluster seeded the same way.
    const other = await startKubeSandbox({ rolloutStepMs: 20 });
    try {
      seedStaging(other);
      const file = await other.writeKubeconfig(path.join(temp.dir, "other-kubeconfig"), { namespace: NS });
      const c = () =>
        makeContext({
          env: { KUBECONFIG: file, HOME: temp.dir },
          interactive: true,
          prompter: fakePrompter({ confirm: [true] }).prompter,
        });
      const noted = await execute(kube({ history: { ...target(), saveAs: "rev" } }), c());
      expect(noted.saved).toEqual({ rev: "2" });
      const first = await execute(kube({ rolloutUndo: target() }), c());
      expect(first).toMatchObject({
        status: "passed",
        details: { revisionBefore: 2, targetRevision: 1, revisionAfter: 3 },
      });
      expect(
        (await execute(kube({ image: { ...target(), equals: SANDBOX_PREVIOUS_IMAGE } }), c())).status,
      ).toBe("passed");
      const second = await execute(kube({ rolloutUndo: target() }), c());
      expect(second).toMatchObject({
        status: "passed",
        details: { revisionBefore: 3, targetRevision: 2, revisionAfter: 4 },
      });
      expect(
        (await execute(kube({ image: { ...target(), equals: SANDBOX_CURRENT_IMAGE } }), c())).status,
      ).toBe("passed");
      const native = state(other);
      const withoutHash = (s: ReturnType<typeof state>) => ({
        ...s,
        replicaSets: s.replicaSets.map(({ hash, ...rest }) => ({ ...rest, hashed: hash !== undefined })),
      });
      expect(withoutHash(native)).toEqual(withoutHash(viaKubectl));
      expect(native.replicaSets.map((r) => r.revision)).toEqual(["3", "4"]);
    } finally {
      await other.close();
    }
  });

  it("same verdicts as kubectl: progressing (timeout), deadline exceeded, pods not ready, one revision, paused", async () => {
    // A rollout that cannot progress: kubectl times out, so does the native check.
    sandbox.faults.pause = true;
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.0");
    const stuck = await kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=1s");
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toContain("error: timed out waiting for the condition");
    const nativeStuck = await execute(kube({ rolloutStatus: target() }), ctx({ timeoutMs: 500 }));
    expect(nativeStuck.status).toBe("failed");
    expect(nativeStuck.summary).toMatch(/^timed out waiting for the condition/);

    delete sandbox.faults.pause;
    sandbox.faults.progressDeadlineExceeded = true;
    await new Promise((r) => setTimeout(r, 100));
    const deadline = await kubectl("rollout", "status", `deployment/${NAME}`, "-n", NS, "--timeout=5s");
    expect(deadline).toMatchObject({
      code: 1,
      stderr: 'error: deployment "buywhere-api" exceeded its progress deadline\n',
    });
    const nativeDeadline = await execute(kube({ rolloutStatus: target() }), ctx());
    expect(nativeDeadline).toMatchObject({
      status: "failed",
      summary: 'deployment "buywhere-api" exceeded its progress deadline',
    });

    // Pods not ready: kubectl's READY/STATUS columns and the native rows agree, and the check fails.
    delete sandbox.faults.progressDeadlineExceeded;
    sandbox.faults.neverReady = true;
    sandbox.setImage(NS, NAME, "registry.example.com/buywhere-api:2.0.1");
    await until(() =>
      sandbox
        .pods(NS, `app=${NAME}`)
        .some((p) => p.status.phase === "Running" && p.spec.containers[0].image.endsWith(":2.0.1")),
    );
    const pods = await kubectl("get", "pods", "-n", NS, "-l", `app=${NAME}`);
    const nativePods = await execute(kube({ pods: { selector: `app=${NAME}`, namespace: NS } }), ctx());
    expect(nativePods.status).toBe("failed");
    const rows = pods.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 4).join(" "))
      .sort();
    const nativeRows = (
      nativePods.details!["pods"] as Array<{ name: string; ready: string; status: string; restarts: number }>
    )
      .map((p) => `${p.name} ${p.ready} ${p.status} ${p.restarts}`)
      .sort();
    expect(nativeRows).toEqual(rows);
    expect(rows.some((r) => / 0\/1 Running 0$/.test(r))).toBe(true);

    // Undo with a single revision: both refuse with the same words.
    sandbox.createDeployment({ namespace: NS, name: "solo", image: SANDBOX_PREVIOUS_IMAGE });
    const solo = await kubectl("rollout", "undo", "deployment/solo", "-n", NS);
    expect(solo).toMatchObject({
      code: 1,
      stderr: 'error: no rollout history found for deployment "solo"\n',
    });
    const nativeSolo = await execute(kube({ rolloutUndo: target("solo") }), ctx());
    expect(`error: ${nativeSolo.summary}\n`).toBe(solo.stderr);

    // A paused deployment: both refuse with the same words.
    sandbox.setPaused(NS, "solo", true);
    sandbox.setImage(NS, "solo", "registry.example.com/buywhere-api:2.0.0");
    const paused = await kubectl("rollout", "undo", "deployment/solo", "-n", NS);
    expect(paused.code).toBe(1);
    const nativePaused = await execute(kube({ rolloutUndo: target("solo") }), ctx());
    expect(nativePaused.status).toBe("failed");
    // kubectl before 1.2x named the deployment in the resume hint; deploycheck words it as 1.32 does.
    expect(`error: ${nativePaused.summary}\n`).toBe(
      paused.stderr.replace("'kubectl rollout resume deployment/solo'", "'kubectl rollout resume'"),
    );
  });
});
