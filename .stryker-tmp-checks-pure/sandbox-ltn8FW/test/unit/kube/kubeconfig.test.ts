// @ts-nocheck
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
  it("writes nothing without --context", () => {
    expect(childKubeconfig({ tmpRoot: temp.dir, env: { KUBECONFIG: staging } })).toBeUndefined();
  });

  it("writes only the chosen context, its cluster and its user, in a private temporary directory", () => {
    const root = path.join(temp.dir, "tmp-root");
    mkdirSync(root);
    const out = childKubeconfig({
      tmpRoot: root,
      context: "prod-eu",
      env: { KUBECONFIG: [staging, prod].join(path.delimiter) },
    });
    expect(out).toBeDefined();
    const file = out!.path;
    expect(path.dirname(path.dirname(file))).toBe(root);
    const doc = parse(readFileSync(file, "utf8"));
    expect(doc["current-context"]).toBe("prod-eu");
    expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual(["prod-eu"]);
    expect(doc.clusters).toEqual([{ name: "prod", cluster: { server: "https://prod.example:6443" } }]);
    expect(doc.users).toEqual([{ name: "ops", user: { token: "abc" } }]);
    // Nothing of the other contexts' credentials.
    expect(readFileSync(file, "utf8")).not.toMatch(/staging|dev\.key|dev\.crt/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    out!.remove();
    expect(existsSync(path.dirname(file))).toBe(false);
    out!.remove(); // twice is fine
    expect(readdirSync(root)).toEqual([]);
    expect(() => childKubeconfig({ tmpRoot: root, context: "nope", env: { KUBECONFIG: staging } })).toThrow(
      /not found/,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it("is removed when the process exits without unwinding", async () => {
    const root = path.join(temp.dir, "tmp-exit");
    mkdirSync(root);
    const script = `
      import { childKubeconfig } from ${JSON.stringify(path.resolve("src/kube/child-config.ts"))};
      const c = childKubeconfig({ tmpRoot: ${JSON.stringify(root)}, context: "prod-eu",
        env: { KUBECONFIG: ${JSON.stringify(prod)} } });
      console.log(c.path);
      process.exit(3);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ]).catch((e: { stdout: string; code: number }) => {
      expect(e.code).toBe(3);
      return e;
    });
    expect(stdout.trim()).toMatch(/deploycheck-kube-.*kubeconfig$/);
    expect(readdirSync(root)).toEqual([]);
  });

  it("kubectl in a child process uses the chosen context", async () => {
    const sandbox = await startKubeSandbox();
    try {
      const source = await sandbox.writeKubeconfig(path.join(temp.dir, "sb/kubeconfig"), {
        extraContexts: ["staging-two"],
      });
      const out = childKubeconfig({ context: "staging-two", env: { KUBECONFIG: source } });
      const { stdout } = await promisify(execFile)("kubectl", ["config", "current-context"], {
        env: { PATH: process.env["PATH"], HOME: temp.dir, KUBECONFIG: out!.path },
      });
      expect(stdout).toBe("staging-two\n");
    } finally {
      await sandbox.close();
    }
  });
});
