// @ts-nocheck
// `deploycheck sandbox` from the built binary: it prints its kubeconfig and --var flags, kubectl and the built
// native kube checks (with the bundled client) work against it, and SIGTERM stops it cleanly.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../unit/checks/context.js";
import { ensureBuilt } from "./helpers/built.js";
import { runAsPrinted, suggestedCommands } from "./helpers/suggested.js";

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

describe("deploycheck sandbox: the real path, as printed", () => {
  it("prints commands that, pasted from a new empty directory, run the whole staging checklist to a signed record; its console logs requests and webhooks", async () => {
    const home = tempDir("dc-sandbox-path-");
    const started = path.join(home.dir, "started-here");
    const elsewhere = path.join(home.dir, "new-empty-dir");
    mkdirSync(started);
    mkdirSync(elsewhere);
    const env: Record<string, string | undefined> = {
      ...process.env,
      HOME: home.dir,
      XDG_CONFIG_HOME: path.join(home.dir, "config"),
      NO_COLOR: "1",
    };
    delete env["CI"];
    delete env["GITHUB_ACTIONS"];
    delete env["KUBECONFIG"];
    const child = spawn(process.execPath, [BIN, "sandbox"], {
      cwd: started,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let console = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      console += chunk;
    });
    try {
      await waitFor(() => console.includes("Requests and webhooks as they arrive:"), 30_000);
      const [cd, exports] = suggestedCommands(console, ["cd", "export"]);
      const runs = suggestedCommands(console);
      expect(cd).toMatch(/^cd /);
      expect(exports).toMatch(/^export KUBECONFIG=/);
      expect(runs).toHaveLength(2);
      const [interactive, unattended] = runs as [string, string];
      // Short gates and watch, as --var flags the user sees and can change.
      for (const flag of ["--var gateInterval=2s", "--var watchDuration=30s", "--var watchInterval=10s"])
        expect(interactive).toContain(flag);
      expect(unattended).toBe(`${interactive} --non-interactive --answers sandbox-answers.yaml`);

      const result = await runAsPrinted([cd, exports, unattended].join("\n"), {
        cwd: elsewhere,
        shimDir: home.dir,
        env,
      });
      expect(result.stderr).toBe("");
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).not.toMatch(/✖/);
      expect(result.stdout).toContain("Deployment signed off as ready.");
      // Titles show where the checks go, not the checklist's default URL.
      expect(result.stdout).not.toContain("api-staging.buywhere.io");
      expect(result.stdout).toMatch(
        /API_URL=http:\/\/127\.0\.0\.1:\d+ \.\/scripts\/enhanced-health-check\.sh/,
      );
      expect(result.stdout).toMatch(/✔ Check circuit breaker is closed/);

      // The commands that run prints next work too, from where the user is (the workspace).
      const followUps = suggestedCommands(result.stdout);
      expect(followUps.some((c) => c.startsWith("deploycheck export "))).toBe(true);
      for (const command of followUps) {
        const r = await runAsPrinted([cd, exports, command].join("\n"), {
          cwd: elsewhere,
          shimDir: home.dir,
          env,
        });
        expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      }

      expect(console).toMatch(/\d\d:\d\d:\d\d {2}service {5}GET \/health 200/);
      expect(console).toMatch(/kube API {4}GET \/api/);
      expect(console).toMatch(/prometheus {2}GET \/api\/v1\/query\?/);
      expect(console).toMatch(/webhook {5}POST \/services\/… 200 \(\d+ms\) {2}"Deployment succeeded/);
      // The webhook's secret path is in the export line the user needs, never in the request log.
      expect(console.split("Requests and webhooks as they arrive:")[1]).not.toContain("sandboxWebhookSecret");

      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(console).toMatch(/sandbox stopped \(SIGINT\); the workspace stays: /);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      home.cleanup();
    }
  }, 180_000);
});

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}
