import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KubeError } from "../../../src/errors.js";
import { childKubeconfig } from "../../../src/kube/child-config.js";
import { readKubeconfig, resolveContext } from "../../../src/kube/kubeconfig.js";
import { startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { tempDir } from "../checks/context.js";

const temp = tempDir("dc-kubeconfig-");
afterAll(() => temp.cleanup());

function file(name: string, text: string): string {
  const p = path.join(temp.dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const staging = file(
  "a/config",
  `apiVersion: v1
kind: Config
current-context: staging
clusters:
- name: staging
  cluster: { server: "https://staging.example:6443", certificate-authority: ca.crt }
users:
- name: dev
  user: { client-certificate: certs/dev.crt, client-key: /abs/dev.key }
contexts:
- name: staging
  context: { cluster: staging, user: dev, namespace: shop }
`,
);
const prod = file(
  "b/config",
  `current-context: prod-eu
clusters:
- name: prod
  cluster: { server: "https://prod.example:6443" }
- name: staging
  cluster: { server: "https://shadowed.example" }
users:
- name: ops
  user: { token: abc }
contexts:
- name: prod-eu
  context: { cluster: prod, user: ops }
`,
);

describe("kubeconfig like kubectl", () => {
  it("merges KUBECONFIG files first-wins and resolves relative paths against their file", () => {
    const view = readKubeconfig({ KUBECONFIG: [staging, "/missing/file", prod].join(path.delimiter) });
    expect(view.files).toEqual([staging, prod]);
    expect(view.currentContext).toBe("staging");
    expect(view.clusters).toEqual([
      { name: "staging", server: "https://staging.example:6443" },
      { name: "prod", server: "https://prod.example:6443" },
    ]);
    expect((view.raw.clusters[0]!["cluster"] as Record<string, string>)["certificate-authority"]).toBe(
      path.join(temp.dir, "a/ca.crt"),
    );
    expect(view.raw.users[0]!["user"]).toEqual({
      "client-certificate": path.join(temp.dir, "a/certs/dev.crt"),
      "client-key": "/abs/dev.key",
    });
    expect(resolveContext(view, undefined)).toMatchObject({
      name: "staging",
      namespace: "shop",
      server: "https://staging.example:6443",
    });
    expect(resolveContext(view, "prod-eu")).toMatchObject({
      name: "prod-eu",
      namespace: "default",
      defaultNamespace: true,
    });
  });

  it("falls back to ~/.kube/config, and says clearly when there is none or no current context", () => {
    const home = path.join(temp.dir, "home");
    file("home/.kube/config", "clusters: []\ncontexts:\n- name: x\n  context: { cluster: c }\n");
    const view = readKubeconfig({ HOME: home });
    expect(view.files).toEqual([path.join(home, ".kube/config")]);
    expect(() => resolveContext(view, undefined)).toThrow(/has no current context/);
    expect(() => resolveContext(view, "nope")).toThrow(/context "nope" not found in kubeconfig/);
    expect(() => readKubeconfig({ HOME: path.join(temp.dir, "empty-home") })).toThrow(KubeError);
    expect(() => readKubeconfig({ KUBECONFIG: file("bad", "clusters: [oops") })).toThrow(
      /cannot read kubeconfig/,
    );
  });
});

describe("childKubeconfig", () => {
  it("writes nothing without --context", async () => {
    expect(await childKubeconfig({ runDir: temp.dir, env: { KUBECONFIG: staging } })).toBeUndefined();
  });

  it("writes the merged kubeconfig with the chosen context current, mode 0600", async () => {
    const runDir = path.join(temp.dir, "run");
    const out = await childKubeconfig({
      runDir,
      context: "prod-eu",
      env: { KUBECONFIG: [staging, prod].join(path.delimiter) },
    });
    expect(out).toBe(path.join(runDir, "kubeconfig"));
    const doc = parse(readFileSync(out!, "utf8"));
    expect(doc["current-context"]).toBe("prod-eu");
    expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual(["staging", "prod-eu"]);
    expect(doc.clusters.find((c: { name: string }) => c.name === "staging").cluster.server).toBe(
      "https://staging.example:6443",
    );
    expect(statSync(out!).mode & 0o777).toBe(0o600);
    await expect(childKubeconfig({ runDir, context: "nope", env: { KUBECONFIG: staging } })).rejects.toThrow(
      /not found/,
    );
  });

  it("kubectl in a child process uses the chosen context", async () => {
    const sandbox = await startKubeSandbox();
    try {
      const source = await sandbox.writeKubeconfig(path.join(temp.dir, "sb/kubeconfig"), {
        extraContexts: ["staging-two"],
      });
      const out = await childKubeconfig({
        runDir: path.join(temp.dir, "sb-run"),
        context: "staging-two",
        env: { KUBECONFIG: source },
      });
      const { stdout } = await promisify(execFile)("kubectl", ["config", "current-context"], {
        env: { PATH: process.env["PATH"], HOME: temp.dir, KUBECONFIG: out! },
      });
      expect(stdout).toBe("staging-two\n");
    } finally {
      await sandbox.close();
    }
  });
});
