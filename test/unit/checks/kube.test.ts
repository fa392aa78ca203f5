import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { describe as describeKube, execute } from "../../../src/checks/kube.js";
import { resetConnections } from "../../../src/kube/client.js";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { SANDBOX_CURRENT_IMAGE, SANDBOX_PREVIOUS_IMAGE } from "../../../src/sandbox/start.js";
import { fakePrompter, makeContext, tempDir } from "./context.js";

const NS = "staging";
const NAME = "buywhere-api";
const target = { deployment: "${deployment}", namespace: "${namespace}" };
const vars = { deployment: NAME, namespace: NS };

let sandbox: KubeSandbox;
let kubeconfig: string;
const temp = tempDir("dc-kube-");

function ctx(overrides: Parameters<typeof makeContext>[0] = {}) {
  return makeContext({ vars, env: { KUBECONFIG: kubeconfig, HOME: temp.dir }, ...overrides });
}
/** Wait until the condition holds (the controller runs on timers; a loaded machine is slower). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
const kube = (spec: Step["kube"], extra: Partial<Step> = {}): Step => ({ kube: spec, ...extra }) as Step;

beforeAll(async () => {
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  kubeconfig = await sandbox.writeKubeconfig(path.join(temp.dir, "kubeconfig"), {
    namespace: NS,
    extraContexts: ["prod-eu"],
  });
});
afterAll(async () => {
  await sandbox.close();
  temp.cleanup();
});
beforeEach(() => {
  for (const k of Object.keys(sandbox.faults)) delete sandbox.faults[k as keyof typeof sandbox.faults];
});

describe("kube checks against the simulated cluster", () => {
  let n = 0;
  let name = NAME;
  beforeEach(() => {
    // Each test gets its own deployment so that rollouts of one test cannot leak into the next.
    name = `${NAME}-${++n}`;
    sandbox.createNamespace(NS);
    sandbox.createDeployment({
      namespace: NS,
      name,
      image: SANDBOX_PREVIOUS_IMAGE,
      labels: { app: name },
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      changeCause: "deploy 1.8.0",
    });
    sandbox.setImage(NS, name, SANDBOX_CURRENT_IMAGE, "deploy 1.9.0");
    sandbox.cluster.settle(NS, name);
  });
  const c = (overrides: Parameters<typeof makeContext>[0] = {}) =>
    ctx({ vars: { ...vars, deployment: name }, ...overrides });

  it("context: passes on a match, fails naming both contexts, honours --context", async () => {
    const ok = await execute(kube({ context: { matches: "staging" } }), c());
    expect(ok).toMatchObject({ status: "passed", summary: 'context "staging-sandbox" matches "staging"' });
    const refused = await execute(
      kube({ context: { matches: "staging" } }),
      c({ kube: { context: "prod-eu" } }),
    );
    expect(refused).toMatchObject({
      status: "failed",
      summary: 'current context "prod-eu" does not match "staging"',
    });
    const unknown = await execute(
      kube({ context: { matches: "staging" } }),
      c({ kube: { context: "nope" } }),
    );
    expect(unknown.status).toBe("failed");
    expect(unknown.summary).toContain('context "nope" not found in kubeconfig');
  });

  it("namespace: exists, or fails naming it", async () => {
    expect(await execute(kube({ namespace: "${namespace}" }), c())).toMatchObject({
      status: "passed",
      summary: 'namespace "staging" exists (Active)',
    });
    expect(await execute(kube({ namespace: "production" }), c())).toMatchObject({
      status: "failed",
      summary: 'namespace "production" not found',
    });
  });

  it("rolloutStatus: passes when rolled out; waits through a rollout showing kubectl's messages", async () => {
    const step = kube({ rolloutStatus: target });
    expect(await execute(step, c())).toMatchObject({
      status: "passed",
      summary: `deployment "${name}" successfully rolled out`,
    });
    sandbox.setImage(NS, name, "registry.example.com/buywhere-api:2.0.0");
    const context = c();
    const during = await execute(step, context);
    expect(during.status).toBe("passed");
    expect(
      context.messages.some((m) =>
        /Waiting for deployment ".*" rollout to finish: \d out of 3 new replicas have been updated.../.test(
          m,
        ),
      ),
    ).toBe(true);
    expect(context.messages.at(-1)).toBe(`deployment "${name}" successfully rolled out`);
    expect(during.details).toMatchObject({ revision: "3" });
  });

  it("rolloutStatus: deadline exceeded fails with kubectl's message; a stuck rollout times out", async () => {
    sandbox.faults.progressDeadlineExceeded = true;
    sandbox.setImage(NS, name, "registry.example.com/buywhere-api:2.0.0");
    const failed = await execute(kube({ rolloutStatus: target }), c({ timeoutMs: 5000 }));
    expect(failed).toMatchObject({
      status: "failed",
      summary: `deployment "${name}" exceeded its progress deadline`,
    });
    delete sandbox.faults.progressDeadlineExceeded;
    sandbox.faults.neverReady = true;
    sandbox.setImage(NS, name, "registry.example.com/buywhere-api:2.0.1");
    // Until the controller observes the new generation kubectl says "spec update to be observed"; the
    // stuck rollout is the state after that (under load the observation can take longer than 300 ms).
    for (;;) {
      const d = sandbox.getDeployment(NS, name);
      if ((d?.status?.observedGeneration ?? 0) >= (d?.metadata.generation ?? 1)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const stuck = await execute(kube({ rolloutStatus: target }), c({ timeoutMs: 300 }));
    expect(stuck.status).toBe("failed");
    expect(stuck.summary).toMatch(
      /^timed out waiting for the condition \(Waiting for deployment ".*" rollout to finish: /,
    );
  });

  it("pods: all ready with a count; not-ready pods are named", async () => {
    const step = kube({ pods: { selector: "app=${deployment}", namespace: "${namespace}" } });
    const ok = await execute(step, c());
    expect(ok).toMatchObject({ status: "passed", summary: "3/3 pods ready" });
    expect(await execute(kube({ pods: { selector: "app=${deployment}", min: 4 } }), c())).toMatchObject({
      status: "failed",
    });
    expect((await execute(kube({ pods: { selector: "app=nothing" } }), c())).summary).toBe(
      'no pods match "app=nothing" in namespace "staging" (expected at least 1)',
    );
    sandbox.faults.neverReady = true;
    sandbox.setImage(NS, name, "registry.example.com/buywhere-api:2.0.0");
    await until(() =>
      sandbox
        .pods(NS, `app=${name}`)
        .some((p) => p.status.phase === "Running" && p.spec.containers[0].image.endsWith(":2.0.0")),
    );
    const bad = await execute(step, c());
    expect(bad.status).toBe("failed");
    expect(bad.summary).toMatch(/^3\/4 pods ready: not ready: .* \(Running, 0\/1 ready\)$/);
  });

  it("image: reports, compares (full reference or tag) and saves", async () => {
    const ok = await execute(
      kube({ image: { ...target, equals: SANDBOX_CURRENT_IMAGE, saveAs: "img" } }),
      c(),
    );
    expect(ok).toMatchObject({
      status: "passed",
      summary: `image ${SANDBOX_CURRENT_IMAGE}`,
      saved: { img: SANDBOX_CURRENT_IMAGE },
    });
    expect((await execute(kube({ image: { ...target, equals: "1.9.0" } }), c())).status).toBe("passed");
    expect(await execute(kube({ image: { ...target, equals: SANDBOX_PREVIOUS_IMAGE } }), c())).toMatchObject({
      status: "failed",
      summary: `image ${SANDBOX_CURRENT_IMAGE}, expected ${SANDBOX_PREVIOUS_IMAGE}`,
    });
    expect(
      (await execute(kube({ image: { ...target, notEquals: SANDBOX_CURRENT_IMAGE } }), c())).status,
    ).toBe("failed");
    expect((await execute(kube({ image: { ...target, container: "sidecar" } }), c())).summary).toContain(
      'no container "sidecar"',
    );
  });

  it("history: revisions with change causes in details, current revision saved", async () => {
    const out = await execute(kube({ history: { ...target, saveAs: "rev" } }), c());
    expect(out).toMatchObject({
      status: "passed",
      summary: "2 revisions, current 2 (deploy 1.9.0)",
      saved: { rev: "2" },
    });
    expect(out.details?.["revisions"]).toMatchObject([
      { revision: 1, changeCause: "deploy 1.8.0", images: [SANDBOX_PREVIOUS_IMAGE] },
      { revision: 2, changeCause: "deploy 1.9.0", images: [SANDBOX_CURRENT_IMAGE] },
    ]);
    expect(out.output).toBe(
      `deployment.apps/${name} \nREVISION  CHANGE-CAUSE\n1         deploy 1.8.0\n2         deploy 1.9.0`,
    );
  });

  it("resources: requests and limits present and within bounds", async () => {
    const ok = await execute(
      kube({ resources: { ...target, max: { cpu: "1", memory: "1Gi" }, min: { cpu: "100m" } } }),
      c(),
    );
    expect(ok.status).toBe("passed");
    expect(ok.summary).toBe(`${name}: requests cpu 250m, memory 256Mi; limits cpu 500m, memory 512Mi`);
    const tight = await execute(
      kube({ resources: { ...target, max: { memory: "256Mi" }, min: { cpu: "0.5" } } }),
      c(),
    );
    expect(tight).toMatchObject({
      status: "failed",
      summary: `container ${name}: cpu request 250m is below the minimum 0.5; container ${name}: memory limit 512Mi is above the maximum 256Mi`,
    });
  });

  it("rolloutUndo: asks first (interactive), rolls back like kubectl, waits, saves the revision rolled back from", async () => {
    const { prompter, asked } = fakePrompter({ confirm: [true] });
    const context = c({ interactive: true, prompter });
    const out = await execute(kube({ rolloutUndo: { ...target, saveAs: "from" } }), context);
    // Says what the undo switches to (the same words fit a roll-forward): revision and image.
    expect(asked).toEqual([
      expect.stringMatching(
        new RegExp(
          `^confirm: Undo the last rollout of deployment/${name} in staging, switching it to revision 1 \\(\\S+:\\S+\\)\\?$`,
        ),
      ),
    ]);
    expect(out).toMatchObject({
      status: "passed",
      saved: { from: "2" },
      details: {
        revisionBefore: 2,
        targetRevision: 1,
        revisionAfter: 3,
        imageBefore: SANDBOX_CURRENT_IMAGE,
        imageAfter: SANDBOX_PREVIOUS_IMAGE,
      },
    });
    expect(context.messages).toContain(`deployment "${name}" successfully rolled out`);
    expect(
      sandbox
        .replicaSets(NS, name)
        .map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"]),
    ).toEqual(["2", "3"]);
  });

  it("rolloutUndo: declined changes nothing; non-interactive proceeds without asking", async () => {
    const declined = await execute(
      kube({ rolloutUndo: target }),
      c({ interactive: true, prompter: fakePrompter({ confirm: [false] }).prompter }),
    );
    expect(declined).toMatchObject({
      status: "failed",
      summary: "rollback not confirmed: nothing was changed",
    });
    expect(sandbox.getDeployment(NS, name)!.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe(
      "2",
    );
    const out = await execute(kube({ rolloutUndo: { ...target, wait: false } }), c({ interactive: false }));
    expect(out.status).toBe("passed");
    expect(out.summary).toContain("not waiting");
    await sandbox.waitForRollout(NS, name, 5000);
  });

  it("rolloutUndo: refusals and skip as kubectl words them; dry run changes nothing", async () => {
    expect((await execute(kube({ rolloutUndo: { ...target, toRevision: 7 } }), c())).summary).toBe(
      "unable to find specified revision 7 in history",
    );
    expect(await execute(kube({ rolloutUndo: { ...target, toRevision: 2 } }), c())).toMatchObject({
      status: "passed",
      summary: "skipped rollback (current template already matches revision 2)",
    });
    const dry = await execute(kube({ rolloutUndo: target }), c({ dryRun: true }));
    expect(dry).toMatchObject({ status: "described", dryRun: true });
    expect(dry.summary).toContain(`roll back deployment/${name} in staging to revision 1`);
    sandbox.setPaused(NS, name, true);
    expect((await execute(kube({ rolloutUndo: target }), c())).summary).toBe(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );
    sandbox.setPaused(NS, name, false);
  });

  it("rolloutUndo with a single revision: no rollout history", async () => {
    sandbox.createDeployment({
      namespace: NS,
      name: `${name}-solo`,
      image: SANDBOX_PREVIOUS_IMAGE,
      labels: { app: `${name}-solo` },
    });
    expect((await execute(kube({ rolloutUndo: { deployment: `${name}-solo` } }), c())).summary).toBe(
      `no rollout history found for deployment "${name}-solo"`,
    );
  });

  it("describes each check like kubectl", () => {
    expect(describeKube(kube({ rolloutStatus: target }, { timeout: "300s" }), vars)).toBe(
      "kube: rollout status deployment/buywhere-api -n staging (timeout 300s)",
    );
    expect(describeKube(kube({ rolloutUndo: target }), vars)).toContain(
      "rollout undo deployment/buywhere-api -n staging",
    );
  });
});

describe("kube errors", () => {
  afterEach(() => resetConnections());

  it("no kubeconfig: says so instead of talking to localhost:8080", async () => {
    const home = tempDir("dc-home-");
    const out = await execute(kube({ namespace: "staging" }), makeContext({ env: { HOME: home.dir } }));
    expect(out.status).toBe("failed");
    expect(out.summary).toBe(
      `no kubeconfig: no kubeconfig found (looked for ${path.join(home.dir, ".kube", "config")})`,
    );
    const missing = await execute(
      kube({ namespace: "staging" }),
      makeContext({ env: { KUBECONFIG: "/nonexistent/kc" } }),
    );
    expect(missing.summary).toBe("no kubeconfig: KUBECONFIG=/nonexistent/kc names no existing file");
    home.cleanup();
  });

  it("unreachable cluster: names the server URL", async () => {
    const dead = await startKubeSandbox();
    const file = await dead.writeKubeconfig(path.join(temp.dir, "dead-kubeconfig"));
    await dead.close();
    const out = await execute(kube({ namespace: "staging" }), makeContext({ env: { KUBECONFIG: file } }));
    expect(out.summary).toBe(`cannot reach the Kubernetes API server at ${dead.url} (connection refused)`);
  });

  it("401 and 403 carry the API's message; 404 names the object", async () => {
    sandbox.faults.apiError = {
      status: 403,
      message: 'namespaces "staging" is forbidden: User "dev" cannot get resource "namespaces"',
    };
    const forbidden = await execute(kube({ namespace: "staging" }), ctx());
    expect(forbidden.summary).toBe(
      'forbidden (403): namespaces "staging" is forbidden: User "dev" cannot get resource "namespaces"',
    );
    sandbox.faults.apiError = { status: 401, message: "Unauthorized" };
    const unauthorized = await execute(kube({ namespace: "staging" }), ctx());
    expect(unauthorized.summary).toBe(`unauthorized (401) at ${sandbox.url}`);
    expect(unauthorized.error).toContain('credentials of context "staging-sandbox"');
    delete sandbox.faults.apiError;
    const notFound = await execute(kube({ image: { deployment: "nope" } }), ctx());
    expect(notFound.summary).toBe('deployment "nope" in namespace "staging" not found');
  });

  it("a kubeconfig merged from several files: first file wins, the context's namespace is the default", async () => {
    const second = path.join(temp.dir, "second");
    writeFileSync(
      second,
      `apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\ncontexts:\n- name: prod-eu\n  context: { cluster: other, user: other }\nclusters:\n- name: other\n  cluster: { server: "http://127.0.0.1:1" }\nusers:\n- name: other\n  user: {}\n`,
    );
    const env = { KUBECONFIG: `${kubeconfig}${path.delimiter}${second}`, HOME: temp.dir };
    expect(
      (await execute(kube({ context: { matches: "^staging-sandbox$" } }), makeContext({ env }))).status,
    ).toBe("passed");
    const out = await execute(kube({ pods: { selector: "app=buywhere-api-1" } }), makeContext({ env }));
    expect(out.details).toMatchObject({ namespace: "staging" });
  });
});

describe("kube names after interpolation", () => {
  it.each([".", "..", ""])("refuses namespace %j from a variable before any request", async (ns) => {
    sandbox.requests.length = 0;
    const out = await execute(kube({ namespace: "${namespace}" }), ctx({ vars: { ...vars, namespace: ns } }));
    expect(out.status).toBe("failed");
    expect(out.summary).toContain(`namespace name ${JSON.stringify(ns)} is not a valid Kubernetes name`);
    expect(sandbox.requests.filter((r) => r.includes("/namespaces") || r.includes("/pods"))).toEqual([]);
    const pods = await execute(
      kube({ pods: { selector: "app=x", namespace: "${namespace}" } }),
      ctx({ vars: { ...vars, namespace: ns } }),
    );
    expect(pods.summary).toContain("is not a valid Kubernetes name");
    expect(sandbox.requests.filter((r) => r.includes("/pods"))).toEqual([]);
  });

  it("refuses a deployment name of dots from a variable", async () => {
    sandbox.requests.length = 0;
    const out = await execute(
      kube({ rolloutStatus: { deployment: "${deployment}", namespace: NS } }),
      ctx({ vars: { ...vars, deployment: ".." } }),
    );
    expect(out.summary).toContain('deployment name ".." is not a valid Kubernetes name');
    expect(sandbox.requests.filter((r) => r.includes("/deployments"))).toEqual([]);
  });
});
