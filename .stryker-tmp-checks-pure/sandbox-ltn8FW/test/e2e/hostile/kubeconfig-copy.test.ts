// @ts-nocheck
// --context hands run steps a kubeconfig of the chosen context alone, in a private temporary directory that is
// gone when the session ends: after a normal run, after SIGTERM, and never in the run directory.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  cli,
  ensureBuilt,
  onlyRunId,
  spawnCli,
  type Workspace,
  waitUntil,
  workspace,
} from "../engine/harness.js";

beforeAll(() => ensureBuilt());

let ws: Workspace;
afterEach(() => ws?.cleanup());

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: staging
clusters:
- name: staging
  cluster: { server: "https://staging.example:6443" }
- name: prod
  cluster: { server: "https://prod.example:6443" }
users:
- name: staging-admin
  user: { token: STAGING-SECRET-TOKEN }
- name: prod-reader
  user: { token: prod-token }
contexts:
- name: staging
  context: { cluster: staging, user: staging-admin }
- name: prod
  context: { cluster: prod, user: prod-reader }
`;

function setup(step: string): void {
  ws = workspace("dc-kcopy-");
  mkdirSync(join(ws.dir, "tmp"));
  ws.env["TMPDIR"] = join(ws.dir, "tmp");
  ws.env["KUBECONFIG"] = ws.file("kubeconfig", KUBECONFIG);
  ws.file(
    "c.yaml",
    `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: kc, title: Kubeconfig copy }
sections:
  - id: s
    title: S
    items:
      - id: a
        title: A
        steps:
          - id: look
            run: ${JSON.stringify(step)}
`,
  );
  ws.file("answers.yaml", "signoff/ready: yes\nsignoff/engineer: Ann\n");
}

describe("the child kubeconfig of --context", () => {
  it("holds only the chosen context, lives in a private temp dir, and is gone after the run", async () => {
    setup(
      'echo "$KUBECONFIG" > path.txt; cat "$KUBECONFIG" > seen.txt; stat -c %a "$(dirname "$KUBECONFIG")" > mode.txt',
    );
    const r = await cli(ws, ["run", "c.yaml", "--context", "prod", "--answers", "answers.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const path = ws.read("path.txt").trim();
    expect(path.startsWith(join(ws.dir, "tmp", "deploycheck-kube-"))).toBe(true);
    expect(ws.read("mode.txt").trim()).toBe("700");
    const seen = ws.read("seen.txt");
    expect(seen).toContain("current-context: prod");
    expect(seen).toContain("prod-token");
    expect(seen).not.toContain("STAGING-SECRET-TOKEN");
    expect(seen).not.toContain("staging.example");
    expect(existsSync(path)).toBe(false);
    // Node 24 keeps its compile cache in TMPDIR; nothing of ours may be left there.
    expect(readdirSync(join(ws.dir, "tmp")).filter((f) => f !== "node-compile-cache")).toEqual([]);
    const runDir = join(ws.stateDir, "runs", onlyRunId(ws.stateDir));
    expect(readdirSync(runDir)).not.toContain("kubeconfig");
  });

  it("is removed when the run is stopped with SIGTERM", async () => {
    setup('echo "$KUBECONFIG" > path.txt; sleep 30');
    const child = spawnCli(ws, ["run", "c.yaml", "--context", "prod", "--answers", "answers.yaml"]);
    await waitUntil(
      "the step to start",
      () => existsSync(join(ws.dir, "path.txt")) && ws.read("path.txt").length > 0,
    );
    const path = ws.read("path.txt").trim();
    expect(readFileSync(path, "utf8")).toContain("prod-token");
    process.kill(child.pid!, "SIGTERM");
    const code = await child.exited;
    expect(code).toBe(130);
    expect(existsSync(path)).toBe(false);
    // Node 24 keeps its compile cache in TMPDIR; nothing of ours may be left there.
    expect(readdirSync(join(ws.dir, "tmp")).filter((f) => f !== "node-compile-cache")).toEqual([]);
  });
});
