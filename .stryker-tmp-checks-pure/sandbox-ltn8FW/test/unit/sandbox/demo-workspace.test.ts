// @ts-nocheck
// The demo's stand-in scripts, run for real with bash against the sandbox.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAIL_MARKER,
  onPath,
  prepareWorkspace,
  writeKubectlStandIn,
} from "../../../src/sandbox/demo-workspace.js";
import { type Sandbox, startSandbox } from "../../../src/sandbox/start.js";

let dir: string;
let sandbox: Sandbox;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deploycheck-demo-ws-"));
  await prepareWorkspace(dir);
  sandbox = await startSandbox({ dir: join(dir, ".sandbox"), rolloutStepMs: 20 });
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function sh(
  command: string,
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(
      "bash",
      ["-c", command],
      { cwd: dir, env: { ...process.env, ...sandbox.env, DEMO_NODE: process.execPath, ...env } },
      (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

describe("demo stand-in scripts", () => {
  it("backup writes a gzip dump and .rollback_state, and verify checks it", async () => {
    const backup = await sh("./scripts/pre-deploy-backup.sh backup");
    expect(backup.code).toBe(0);
    const [file] = await readdir(join(dir, "backups"));
    expect(file).toMatch(/^backup-\d{8}T\d{6}Z\.sql\.gz$/);
    const state = await readFile(join(dir, ".rollback_state"), "utf8");
    expect(state).toMatch(
      /^DEPLOYMENT_ID=deploy-.*\nDEPLOY_TIME=.*\nENVIRONMENT=staging\nPREV_SHA=[0-9a-f]{40}\nBACKUP_FILE=backups\//,
    );
    const verify = await sh("./scripts/pre-deploy-backup.sh verify");
    expect(verify.out).toMatch(/is intact/);
  });

  it("health check and smoke tests pass against the service, fail when it errs", async () => {
    expect((await sh("./scripts/enhanced-health-check.sh")).out).toMatch(/health check passed/);
    const smoke = await sh(`./scripts/pre-deploy-smoke-test.sh --base-url ${sandbox.service.url}`);
    expect(smoke.code).toBe(0);
    expect(smoke.out).toMatch(/all 5 smoke tests passed/);
    sandbox.service.setFaults({ errorRate: 1 });
    try {
      const bad = await sh("./scripts/enhanced-health-check.sh");
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/answered 500/);
      expect((await sh("./scripts/deployment-monitor.sh circuit-breaker")).out).toMatch(/OPEN/);
    } finally {
      sandbox.service.setFaults({ errorRate: 0 });
    }
    expect((await sh("./scripts/deployment-monitor.sh circuit-breaker")).out).toMatch(/CLOSED/);
  });

  it("notify posts to the webhook; the fail marker fails the next script once", async () => {
    const sent = await sh("./scripts/deployment-notify.sh success", {
      DEPLOYMENT: "buywhere-api",
      ENVIRONMENT: "staging",
    });
    expect(sent.code).toBe(0);
    expect(sandbox.sink.received.at(-1)?.json).toEqual({
      text: "Deployment succeeded: buywhere-api in staging",
    });
    await writeFile(join(dir, FAIL_MARKER), "boom\n");
    const failed = await sh("./scripts/deployment-monitor.sh status");
    expect(failed).toMatchObject({ code: 1, err: "boom\n" });
    expect((await sh("./scripts/deployment-monitor.sh status")).code).toBe(0);
  });

  it("the stand-in kubectl answers get namespace against the sandbox", async () => {
    expect(onPath("bash")).toBe(true);
    expect(onPath("surely-not-a-command-here")).toBe(false);
    const bin = await writeKubectlStandIn(dir);
    const env = { DEMO_KUBE_SERVER: sandbox.kube.url, DEMO_KUBE_CONTEXT: "staging-sandbox" };
    const ok = await sh(`${bin}/kubectl get namespace staging`, env);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^NAME\s+STATUS\s+AGE\nstaging\s+Active\s+\d+m\n$/);
    const missing = await sh(`${bin}/kubectl get namespace nope`, env);
    expect(missing).toMatchObject({
      code: 1,
      err: 'Error from server (NotFound): namespaces "nope" not found\n',
    });
    expect((await sh(`${bin}/kubectl config current-context`, env)).out).toBe("staging-sandbox\n");
  });
});
