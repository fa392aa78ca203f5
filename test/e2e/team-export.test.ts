// export and verify from the cluster's copy of a team run (issue 17): an engineer whose machine never had
// the run (another HOME, no state dir) exports its report and verifies its signed record from the
// ConfigMaps alone; a run not yet signed exports as UNFINISHED and has no record to verify; a record
// changed in the cluster fails verification; nothing is written to the reader's state dir.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeSandbox } from "../../src/sandbox/kube-server.js";
import { cli, type Engineer, engineer, startTeamSandbox, stopTeamSandbox, until } from "./helpers/team.js";

const NS = "deploycheck";
let root: string;
let sandbox: KubeSandbox;
let kubeconfig: string;
let alice: Engineer;
let bob: Engineer;

const checklist = (name: string, second: string) => `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: ${name}, title: Export ${name} }
team:
  kubernetes: { namespace: ${NS} }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - id: first
            run: echo first
            mutating: false
          - id: second
            run: '${second}'
            mutating: true
`;

const FILES = {
  "exportdone.yaml": checklist("exportdone", "echo second"),
  "exportopen.yaml": checklist("exportopen", "sleep 60"),
};

beforeAll(async () => {
  ({ root, sandbox, kubeconfig } = await startTeamSandbox("dc-team-export-", NS));
  alice = engineer(root, "alice", kubeconfig, FILES);
  bob = engineer(root, "bob", kubeconfig, FILES);
});
afterAll(() => stopTeamSandbox({ root, sandbox }));

const runIdIn = (text: string, name: string) =>
  new RegExp(`${name}-\\d{8}T\\d{6}Z-[0-9a-f]{4}`).exec(text)?.[0];

describe("export and verify from the cluster's copy", () => {
  it("a signed run: exported and verified on a machine with no local copy, byte for byte the signer's record", async () => {
    const done = await cli(alice, ["run", "exportdone", "--answers", "answers.yaml"]).result;
    expect(done.code, done.out).toBe(0);
    const runId = runIdIn(done.out, "exportdone")!;
    const signed = readFileSync(join(alice.cwd, ".deploycheck", "runs", runId, "record.json"), "utf8");

    // JSON export is the record as signed: the cluster's copy is the signer's file.
    const json = await cli(bob, ["export", runId, "--state", `kubernetes:${NS}`, "--format", "json"]).result;
    expect(json.code, json.out).toBe(0);
    expect(json.out).toContain(signed.trim());
    expect(json.out).toMatch(
      new RegExp(`kubernetes:${NS}/${runId} \\(context [^)]+\\) record\\.json: signed by`),
    );

    // Without the flag: the checklist's team: says where (as resume finds it).
    const md = await cli(bob, ["export", runId, "--format", "md"]).result;
    expect(md.code, md.out).toBe(0);
    expect(md.out).toContain(runId);
    expect(md.out).toMatch(/Export exportdone/);

    // verify <run-id>: bob does not know alice's key, so a valid signature by an unknown key is refused
    // unless he accepts any key, as for a record file.
    const untrusted = await cli(bob, ["verify", runId, "--state", `kubernetes:${NS}`]).result;
    expect(untrusted.code, untrusted.out).toBe(1);
    expect(untrusted.out).toMatch(/the signature is valid, but/);
    const verified = await cli(bob, ["verify", runId, "--state", `kubernetes:${NS}`, "--any-key"]).result;
    expect(verified.code, verified.out).toBe(0);
    expect(verified.out).toMatch(new RegExp(`${runId}: signature valid`));
    expect(verified.out).toMatch(/engineer\s+alice/);

    // Nothing was written where bob keeps state.
    expect(existsSync(join(bob.cwd, ".deploycheck"))).toBe(false);

    // A record changed in the cluster fails verification.
    const name = sandbox.cluster
      .list("configmaps", NS)
      .find(
        (c) =>
          c.metadata.annotations?.["deploycheck.io/run-id"] === runId && c.metadata.name.endsWith("-record"),
      )!;
    const data = (name as { data: Record<string, string> }).data;
    sandbox.cluster.updateObject("configmaps", NS, name.metadata.name, {
      ...name,
      data: { "record.json": data["record.json"]!.replace('"ready": true', '"ready": false') },
    } as never);
    const tampered = await cli(bob, ["verify", runId, "--state", `kubernetes:${NS}`, "--any-key"]).result;
    expect(tampered.code, tampered.out).toBe(1);
    expect(tampered.out).toMatch(/verification FAILED/);
  }, 120_000);

  it("an unfinished run exports from its journal in the cluster as UNFINISHED; verify says there is no signed record", async () => {
    const open = cli(alice, ["run", "exportopen", "--answers", "answers.yaml"]);
    await until("the second step's start stored in the cluster", () =>
      sandbox.cluster
        .list("configmaps", NS)
        .some(
          (c) =>
            c.metadata.annotations?.["deploycheck.io/checklist"] === "exportopen" &&
            JSON.stringify((c as { data?: unknown }).data ?? {}).includes("i/second"),
        ),
    );
    const lease = sandbox.cluster.get("leases", NS, "deploycheck-exportopen")!;
    const runId = JSON.parse(lease.metadata.annotations!["deploycheck.io/holder"]!).runId as string;
    open.kill("SIGKILL");
    await open.result;
    // Its step command (sleep 60) outlives it in its own process group, journaled: stop it.
    for (const c of sandbox.cluster.list("configmaps", NS)) {
      if (c.metadata.annotations?.["deploycheck.io/run-id"] !== runId) continue;
      for (const line of Object.values((c as { data?: Record<string, string> }).data ?? {}))
        if (line.includes('"step-process"') && line.includes('"i/second"')) {
          try {
            process.kill(-(JSON.parse(line) as { pgid: number }).pgid, "SIGKILL");
          } catch {
            // already gone
          }
        }
    }

    const md = await cli(bob, ["export", runId, "--state", `kubernetes:${NS}`, "--format", "md"]).result;
    expect(md.code, md.out).toBe(0);
    expect(md.out).toContain(`UNFINISHED RUN: kubernetes:${NS}/${runId}`);
    expect(md.out).toContain(runId);
    const verify = await cli(bob, ["verify", runId, "--state", `kubernetes:${NS}`]).result;
    expect(verify.code, verify.out).toBe(2);
    expect(verify.out).toContain(`run ${runId} has no signed record in kubernetes:${NS}/${runId}`);

    const missing = "exportopen-20200101T000000Z-0000";
    const none = await cli(bob, ["export", missing, "--state", `kubernetes:${NS}`, "--format", "md"]).result;
    expect(none.code, none.out).toBe(2);
    expect(none.out).toMatch(new RegExp(`run ${missing} is not in namespace "${NS}" of context`));
    expect(existsSync(join(bob.cwd, ".deploycheck"))).toBe(false);
  }, 120_000);
});
