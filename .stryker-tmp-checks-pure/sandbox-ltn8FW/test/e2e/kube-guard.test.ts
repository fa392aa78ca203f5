// @ts-nocheck
// The staging checklist's context guard through the built CLI: against a kubeconfig whose current context is
// prod-eu it refuses the run with exit 3 before any step, naming both contexts. (The demo e2e tests cover
// the passing side, with context staging-sandbox.)
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadChecklist } from "../../src/checklist/load.js";
import { writeDemoAnswers } from "../../src/sandbox/demo-workspace.js";
import { type KubeSandbox, startKubeSandbox } from "../../src/sandbox/kube-server.js";
import { tempDir } from "../unit/checks/context.js";
import { ensureBuilt } from "./helpers/built.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin/deploycheck.js");
const execFileAsync = promisify(execFile);

let sandbox: KubeSandbox;
let answers: string;
const home = tempDir("dc-guard-e2e-");

beforeAll(async () => {
  ensureBuilt();
  sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  sandbox.createNamespace("staging");
  // Every manual step answered, so that only the guard can stop the run.
  const { checklist } = await loadChecklist(path.join(ROOT, "checklists/staging.yaml"));
  answers = await writeDemoAnswers(home.dir, checklist, "guard-test");
});
afterAll(async () => {
  await sandbox.close();
  home.cleanup();
});

async function runStaging(kubeconfig: string, stateDir: string) {
  try {
    const r = await execFileAsync(
      process.execPath,
      [BIN, "staging", "--non-interactive", "--dry-run", "--answers", answers, "--state-dir", stateDir],
      { cwd: home.dir, env: { ...process.env, KUBECONFIG: kubeconfig, NO_COLOR: "1", CI: "1" } },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The keys of the steps the run started, guards excluded. */
function stepsStarted(stateDir: string): string[] {
  const runs = path.join(stateDir, "runs");
  if (!existsSync(runs)) return [];
  return readdirSync(runs).flatMap((id) =>
    readFileSync(path.join(runs, id, "journal.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; key?: string })
      .filter((e) => e.type === "step-started" && !e.key?.startsWith("guard/"))
      .map((e) => e.key ?? ""),
  );
}

describe("the staging context guard", () => {
  it("refuses prod-eu with exit 3 before any step, naming both contexts", async () => {
    const kubeconfig = await sandbox.writeKubeconfig(path.join(home.dir, "prod.yaml"), {
      context: "prod-eu",
    });
    const stateDir = path.join(home.dir, "state-prod");
    const r = await runStaging(kubeconfig, stateDir);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('"prod-eu"');
    expect(r.stderr).toMatch(/does not match "staging"/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(stepsStarted(stateDir)).toEqual([]);
  });
});
