// @ts-nocheck
// `deploycheck demo` end to end, non-interactive: the whole staging checklist against the sandbox with
// an answers file, to a signed record that `verify` accepts and `export --format md` renders.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { bundledDir } from "../../../src/checklist/find.js";
import { loadChecklist } from "../../../src/checklist/load.js";
import { demoAnswers } from "../../../src/sandbox/demo-workspace.js";
import { runAsPrinted, suggestedCommands } from "../helpers/suggested.js";
import { cli, ensureBuilt } from "../record-fixture.js";

let root: string;
const env = () => ({ XDG_CONFIG_HOME: join(root, "config"), HOME: root });
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-demo-e2e-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface RecordJson {
  sections: {
    items: { id: string; status: string; steps: { kind: string; details?: Record<string, unknown> }[] }[];
  }[];
  signoff: unknown;
  summary: unknown;
}

async function recordOf(workspace: string): Promise<{ path: string; json: RecordJson }> {
  const runs = join(workspace, ".deploycheck", "runs");
  const [id] = await readdir(runs);
  const path = join(runs, id!, "record.json");
  return { path, json: JSON.parse(await readFile(path, "utf8")) };
}

describe("deploycheck demo (non-interactive)", () => {
  it("runs all 23 items against the sandbox to a signed record that verifies and exports", async () => {
    const workspace = join(root, "ws");
    const { checklist } = await loadChecklist(join(bundledDir(), "staging.yaml"));
    const answers = join(root, "answers.yaml");
    await writeFile(answers, stringify(demoAnswers(checklist, "Erin E2E")));
    const r = await cli(
      [
        "demo",
        "--workspace",
        workspace,
        "--watch",
        "1s",
        "--var",
        "gateInterval=100ms",
        "--answers",
        answers,
      ],
      { cwd: root, env: env() },
    );
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("deploycheck demo: the staging checklist against a built-in sandbox");
    expect(r.stdout).toMatch(
      /Extended Monitoring\n.*rounds passed, [\d.]+m?s from first to last round \(window 1s, every 1s\)/,
    );
    expect(r.stdout).toMatch(/Signed record: .*record\.json/);

    const { path, json } = await recordOf(workspace);
    const items = json.sections.flatMap((s) => s.items);
    expect(items).toHaveLength(23);
    for (const item of items) expect(["passed", "not-applicable"], item.id).toContain(item.status);
    expect(json.signoff).toMatchObject({ engineer: "Erin E2E", ready: true });
    // --watch 1s watched a whole second: its first and last rounds are at least 1 s apart.
    const watchStep = items.flatMap((i) => i.steps).find((s) => s.kind === "watch");
    const window = watchStep?.details?.["window"] as { observedMs: number } | undefined;
    expect(window?.observedMs).toBeGreaterThanOrEqual(1000);
    // The Slack webhook is a secret: never in the record.
    expect(await readFile(path, "utf8")).not.toContain("sandboxWebhookSecret");

    const verified = await cli(["verify", path], { cwd: root, env: env() });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("signature valid");
    const md = await cli(["export", path, "--format", "md"], { cwd: root, env: env() });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("Staging Deployment Hardening and Rollback Checklist");
    expect(md.stdout).toContain("Extended Monitoring");
    expect(md.stdout).toContain("Erin E2E");

    // Every command the demo printed works, pasted as printed, from where the demo was run.
    const printed = suggestedCommands(r.stdout);
    expect(printed).toEqual([
      `deploycheck demo --workspace ${workspace} --watch 1s --var gateInterval=100ms --answers ${answers} --resume`,
      expect.stringMatching(/^deploycheck export ws\/\.deploycheck\/runs\/staging-[^/]+\/record\.json$/),
      expect.stringMatching(/^deploycheck verify ws\/\.deploycheck\/runs\/staging-[^/]+\/record\.json$/),
    ]);
    for (const command of printed.slice(1)) {
      const ran = await runAsPrinted(command, { cwd: root, shimDir: root, env: env() });
      expect(ran.code, `${command}\n${ran.stderr}`).toBe(0);
    }
  }, 120_000);

  it("--fail-at makes that step fail once; the run stops, and resuming through the demo finishes it", async () => {
    const workspace = join(root, "ws-fail");
    const args = ["demo", "--workspace", workspace, "--watch", "1s", "--var", "gateInterval=100ms"];
    const failed = await cli([...args, "--fail-at", "post-deploy-health/smoke-tests"], {
      cwd: root,
      env: env(),
    });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(
      "post-deploy-health/smoke-tests will fail once: the script it runs fails",
    );
    expect(failed.stdout).toMatch(/✖ Run smoke tests against staging.*exit 1/);
    expect(failed.stdout).toContain("simulated failure injected by deploycheck demo --fail-at");
    // The one command it prints (in its header and again at the stop) resumes the run, pasted as printed.
    const printed = suggestedCommands(failed.stdout);
    expect(printed).toHaveLength(2);
    expect(new Set(printed).size).toBe(1);
    const again = printed[0];
    expect(again).toBe(
      `deploycheck demo --workspace ${workspace} --watch 1s --var gateInterval=100ms --resume`,
    );
    const resumed = await runAsPrinted(again!, { cwd: root, shimDir: root, env: { ...env(), CI: "1" } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming run staging-/);
    expect(resumed.stdout).toMatch(/✔ Run smoke tests against staging/);
    const { json } = await recordOf(workspace);
    expect(json.summary).toMatchObject({ total: 23, failed: 0 });
  }, 120_000);

  it("refuses an unknown --fail-at step and a manual one, before starting anything", async () => {
    const unknown = await cli(["demo", "--workspace", join(root, "ws-bad"), "--fail-at", "nope"], {
      cwd: root,
      env: env(),
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--fail-at nope: the staging checklist has no such step");
    const manual = await cli(
      ["demo", "--workspace", join(root, "ws-bad"), "--fail-at", "notify-configured"],
      {
        cwd: root,
        env: env(),
      },
    );
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain("confirm steps are answered by a person");
    expect(existsSync(join(root, "ws-bad"))).toBe(false);
  }, 60_000);
});
