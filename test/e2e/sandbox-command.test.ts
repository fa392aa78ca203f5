// `deploycheck sandbox` from the built binary: it prints its kubeconfig and --var flags, kubectl and the built
// native kube checks (with the bundled client) work against it, and SIGTERM stops it cleanly.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../unit/checks/context.js";
import { ensureBuilt } from "./helpers/built.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin/deploycheck.js");
const run = promisify(execFile);

beforeAll(() => ensureBuilt(), 120_000);

describe("deploycheck sandbox", () => {
  it("serves the staging cluster to kubectl and the native checks, then stops on SIGTERM", async () => {
    const home = tempDir("dc-sandbox-e2e-");
    const child = spawn(process.execPath, [BIN, "sandbox", "--json"], {
      cwd: home.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      child.stdout.setEncoding("utf8");
      const info = await new Promise<{
        kubeconfig: string;
        vars: Record<string, string>;
        env: Record<string, string>;
      }>((resolve, reject) => {
        child.stdout.on("data", (chunk: string) => {
          out += chunk;
          const nl = out.indexOf("\n");
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
        });
        child.once("exit", (code) => reject(new Error(`sandbox exited ${code} before printing`)));
      });
      expect(info.vars).toMatchObject({ namespace: "staging", deployment: "buywhere-api" });
      expect(info.env["KUBECONFIG"]).toBe(info.kubeconfig);

      const env = {
        PATH: process.env["PATH"],
        HOME: home.dir,
        KUBECONFIG: info.kubeconfig,
        KUBECACHEDIR: path.join(home.dir, "cache"),
        KUBE_FEATURE_WatchListClient: "false",
      };
      const context = await run("kubectl", ["config", "current-context"], { env });
      expect(context.stdout).toBe("staging-sandbox\n");
      const status = await run(
        "kubectl",
        ["rollout", "status", "deployment/buywhere-api", "-n", "staging", "--timeout=60s"],
        { env },
      );
      expect(status.stdout).toBe('deployment "buywhere-api" successfully rolled out\n');

      // The built check module with the bundled client, in a fresh process.
      const script = `
        const { execute } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/checks/kube.js")).href)});
        const { clientSource } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/kube/client.js")).href)});
        const ctx = { vars: {}, env: process.env, signal: new AbortController().signal, now: Date.now, kube: {},
          progress: { message() {} }, interactive: false, dryRun: false };
        const out = await execute({ kube: { history: { deployment: "buywhere-api", namespace: "staging" } } }, ctx);
        console.log(JSON.stringify({ summary: out.summary, source: clientSource() }));`;
      const native = await run(process.execPath, ["--input-type=module", "-e", script], { env });
      expect(JSON.parse(native.stdout)).toEqual({
        summary: "2 revisions, current 2 (deploy 1.9.0 (BUY-2474))",
        source: "bundle",
      });

      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(existsSync(info.kubeconfig)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      home.cleanup();
    }
  }, 60_000);
});
