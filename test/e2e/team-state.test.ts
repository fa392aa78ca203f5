// Team state end to end, two engineers (two HOMEs, two state dirs, two processes) on one simulated
// cluster: B is refused while A holds the lease, naming A; A is killed with kill -9; B cannot take over
// before the lease expires and can right after; `runs --team` lists the run; `resume <id>` on B's side
// continues at the step where A stopped and signs; the record names both engineers and verifies; kubectl
// sees the lease and the run's ConfigMaps.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSandbox } from "../../src/sandbox/kube-server.js";
import { BIN } from "./helpers/built.js";
import { startTeamSandbox, stopTeamSandbox } from "./helpers/team.js";

const run = promisify(execFile);
let root: string;
let sandbox: KubeSandbox;
let kubeconfig: string;

const CHECKLIST = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: teamrun, title: Team run }
team:
  kubernetes: { namespace: deploycheck, leaseDurationSeconds: 5 }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: one
            run: echo one
            mutating: false
          - id: deploy
            run: 'echo "start $$" >> "$MARKS"; sleep 6; echo "end $$" >> "$MARKS"'
            mutating: true
          - id: three
            run: echo three
            mutating: false
`;

interface Engineer {
  name: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function engineer(name: string): Engineer {
  const home = join(root, name);
  const cwd = join(home, "work");
  mkdirSync(join(cwd, "checklists"), { recursive: true });
  writeFileSync(join(cwd, "checklists", "teamrun.yaml"), CHECKLIST);
  writeFileSync(
    join(cwd, "answers.yaml"),
    `signoff/engineer: ${name}\nsignoff/ready: yes\nsignoff/notes: ''\nsignoff/blockers: ''\n`,
  );
  return {
    name,
    cwd,
    env: {
      PATH: process.env["PATH"],
      HOME: home,
      USER: name,
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      KUBECONFIG: kubeconfig,
      MARKS: join(root, "marks.log"),
      CI: "1",
      NO_COLOR: "1",
    },
  };
}

function cli(
  who: Engineer,
  args: string[],
): ChildProcess & { result: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: who.cwd,
    env: who.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const result = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out })),
  );
  return Object.assign(child, { result });
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  ({ root, sandbox, kubeconfig } = await startTeamSandbox("dc-team-e2e-", "deploycheck"));
});
afterAll(() => stopTeamSandbox({ root, sandbox }));

describe("team state on the cluster", () => {
  it("refuses B with A's name, hands the run over after A's kill -9 and lease expiry, and signs a record naming both", async () => {
    const alice = engineer("alice");
    const bob = engineer("bob");
    const a = cli(alice, ["run", "teamrun", "--answers", "answers.yaml"]);
    // A holds the lease and is inside the mutating step.
    await until(
      "alice in the deploy step",
      () => existsSync(alice.env["MARKS"]!) && readFileSync(alice.env["MARKS"]!, "utf8").includes("start"),
    );
    const lease = sandbox.cluster.get("leases", "deploycheck", "deploycheck-teamrun");
    expect(lease?.spec.holderIdentity).toMatch(/^alice@.* pid \d+$/);

    const refused = await cli(bob, ["run", "teamrun", "--answers", "answers.yaml"]).result;
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(
      /teamrun is being run by alice on .* \(pid \d+, run teamrun-\d{8}T\d{6}Z-[0-9a-f]{4}\) since /,
    );

    a.kill("SIGKILL");
    await a.result;
    const runId = JSON.parse(lease!.metadata.annotations!["deploycheck.io/holder"]!).runId as string;

    // Before the lease expires, B still cannot take over.
    const early = await cli(bob, ["resume", runId, "--answers", "answers.yaml"]).result;
    expect(early.code).toBe(2);
    expect(early.out).toMatch(/being run by alice/);

    await new Promise((r) => setTimeout(r, 5_500));
    const listed = await cli(bob, ["runs", "--team", "--state", "kubernetes:deploycheck"]).result;
    expect(listed.code, listed.out).toBe(0);
    expect(listed.out).toMatch(new RegExp(`${runId}\\s+in progress|${runId}\\s+\\S+`));

    const resumed = await cli(bob, ["resume", runId, "--answers", "answers.yaml"]).result;
    expect(resumed.code, resumed.out).toBe(0);

    const record = JSON.parse(
      readFileSync(join(bob.cwd, ".deploycheck", "runs", runId, "record.json"), "utf8"),
    );
    const text = JSON.stringify(record);
    expect(text).toContain('"alice"');
    expect(record.environment.engineer).toBe("alice");
    expect(record.resumes.map((r: { by?: string }) => r.by)).toContainEqual(expect.stringMatching(/^bob \(/));
    const verified = await cli(bob, ["verify", join(bob.cwd, ".deploycheck", "runs", runId, "record.json")])
      .result;
    expect(verified.code, verified.out).toBe(0);

    // At most one live copy of the mutating step at any time: every start is followed by its own end (or
    // its copy was stopped) before the next start.
    const marks = readFileSync(alice.env["MARKS"]!, "utf8").trim().split("\n");
    let open = 0;
    for (const m of marks) {
      open += m.startsWith("start") ? 1 : -1;
      expect(open).toBeLessThanOrEqual(1);
    }

    // The same lines in the cluster as in B's journal; the record stored beside them.
    const cms = sandbox.cluster.list("configmaps", "deploycheck");
    expect(cms.some((c) => c.metadata.name.endsWith("-record"))).toBe(true);
    const k = await run("kubectl", ["get", "leases,configmaps", "-n", "deploycheck"], {
      env: {
        PATH: process.env["PATH"],
        HOME: root,
        KUBECONFIG: kubeconfig,
        KUBECACHEDIR: join(root, "kcache"),
      },
    });
    expect(k.stdout).toContain("lease.coordination.k8s.io/deploycheck-teamrun");
    expect(k.stdout).toMatch(/configmap\/dc-teamrun-/);
    expect(readdirSync(join(bob.cwd, ".deploycheck", "runs"))).toEqual([runId]);
  }, 180_000);
});
