// @ts-nocheck
// The seed checklist (the staging hardening and rollback document, with its odd wrapping) imported end to end.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stepKind } from "../../../src/checklist/schema.js";
import { importText, items, steps } from "../../helpers/import-builders.js";

const seed = readFileSync(new URL("../../fixtures/import/seed.txt", import.meta.url), "utf8");
const seedLines = seed.split("\n");
const { checklist, report, yaml, loaded } = importText(seed, "staging");

describe("importing the seed", () => {
  it("loads with the project's loader and keeps the header as metadata", () => {
    expect(loaded).toEqual(checklist);
    expect(checklist.metadata).toMatchObject({
      name: "staging",
      title: "Staging Deployment Hardening and Rollback Checklist",
      ref: "BUY-2474",
      environment: "staging",
    });
    expect(checklist.metadata.description).toContain("Purpose: Ensure staging deployments are hardened");
  });

  it("has the seed's 23 items, with their titles and numbers, in order", () => {
    const expected = seedLines.flatMap((l) => {
      const m = /^\[ \] (\d+)\. (.+)$/.exec(l);
      return m ? [{ number: Number(m[1]), title: m[2]!.trim() }] : [];
    });
    expect(expected).toHaveLength(23);
    expect(items(checklist).map((i) => ({ number: i.number, title: i.title }))).toEqual(expected);
  });

  it("makes the section lines sections", () => {
    expect(checklist.sections.map((s) => s.title)).toEqual([
      "Pre-Deployment Requirements",
      "Deployment Process",
      "Post-Deployment Validation (0-30 minutes)",
      "Rollback Procedures Verification",
      "Post-Deployment (30+ minutes)",
      "Emergency Procedures",
    ]);
    expect(checklist.sections.map((s) => s.items.length)).toEqual([5, 3, 4, 4, 4, 3]);
  });

  it("automates every kubectl command of the seed as a kube step", () => {
    const commands = seedLines.flatMap((l) => {
      // In the seed a command starts its line; a bullet run together with it follows " - ".
      const m = /^(kubectl .*?)(?:\s+-\s+[A-Z].*|\(.*)?$/.exec(l);
      return m ? [m[1]!.trim()] : [];
    });
    expect(commands).toHaveLength(9);
    for (const command of commands) {
      const step = steps(checklist).find((s) => s.help?.split("\n").some((h) => h.startsWith(command)));
      expect(step, command).toBeDefined();
      expect(step!.kube, command).toBeDefined();
    }
    expect(report.kubeChecks).toMatchObject({
      context: 1,
      namespace: 1,
      pods: 1,
      image: 1,
      rolloutUndo: 2,
    });
  });

  it("turns namespace, deployment and the API URL into variables the steps reference", () => {
    expect(checklist.vars).toMatchObject({
      namespace: { default: "staging" },
      deployment: { default: "buywhere-api" },
      apiUrl: { default: "https://api-staging.buywhere.io", env: "API_URL" },
    });
    const byTitle = (t: string) => steps(checklist).find((s) => s.title === t)!;
    // The document checks the context: so does a guard, before anything runs.
    expect(checklist.vars?.["kubeContextPattern"]?.default).toBe("staging");
    expect(byTitle("Confirm kubectl context is set to staging").kube).toEqual({
      context: { matches: "${kubeContextPattern}" },
    });
    expect(checklist.guards).toEqual([
      { id: "kube-context", kube: { context: { matches: "${kubeContextPattern}" } } },
    ]);
    expect(byTitle("Monitor deployment progress")).toMatchObject({
      kube: { rolloutStatus: { deployment: "${deployment}", namespace: "${namespace}" } },
      timeout: "300s",
    });
    expect(byTitle("Verify all pods are running").kube?.pods?.selector).toBe("app=${deployment}");
    expect(byTitle("Run enhanced health check against staging endpoint").run).toBe(
      "API_URL=${apiUrl} ./scripts/enhanced-health-check.sh",
    );
    expect(byTitle("Run smoke tests against staging").run).toBe(
      "./scripts/pre-deploy-smoke-test.sh --base-url ${apiUrl}",
    );
  });

  it("splits bullets run together on one line and keeps each bullet's text as help", () => {
    const backup = items(checklist)[0]!;
    expect(backup.steps.map((s) => [stepKind(s), s.title ?? s.confirm])).toEqual([
      ["run", "Run pre-deployment backup script"],
      ["confirm", "Verify backup was created successfully"],
      ["file", "Confirm backup file exists in ./backups/directory"],
      ["run", "Verify backup integrity"],
    ]);
    expect(backup.steps[0]).toMatchObject({
      run: "./scripts/pre-deploy-backup.sh backup",
      mutating: true,
      help: "Run pre-deployment backup script:\n./scripts/pre-deploy-backup.sh backup",
    });
    expect(backup.steps[3]).toMatchObject({ run: "./scripts/pre-deploy-backup.sh verify", optional: true });
  });

  it("makes (if applicable) a condition on a variable that is off by default, and (Optional ...) optional", () => {
    const awsCluster = steps(checklist).find((s) => s.confirm?.toString().includes("AWS_CLUSTER"))!;
    expect(awsCluster.when).toBe("${awsCluster}");
    expect(checklist.vars?.["awsCluster"]?.default).toBe(false);
    expect(items(checklist).find((i) => i.number === 14)?.optional).toBe(true);
  });

  it("flags the thresholds as metric-gate candidates in the report and the YAML", () => {
    expect(report.metricGates.map((g) => [g.line, g.threshold])).toEqual([
      [93, "error rate > 10%"],
      [94, "Latency P99 > 2000ms"],
    ]);
    expect(yaml).toContain('# metric-gate candidate: "error rate > 10%"');
    const gate = steps(checklist).find((s) => s.id === report.metricGates[0]!.key.split("/")[1]);
    expect(gate?.confirm).toContain("error rate > 10%");
  });

  it("makes the sign-off block the signoff section and places every line", () => {
    expect(checklist.signoff).toEqual({ requireAllRequiredPassed: true, title: "Sign-Off" });
    expect(report.unplaced).toEqual([]);
  });

  it("writes readable YAML: a header comment, block style, the seed's order", () => {
    expect(yaml.startsWith("# Imported by `deploycheck import` from test.md.")).toBe(true);
    expect(yaml).not.toMatch(/: \{\s*[^}\s]/);
    expect(yaml.indexOf("id: pre-deployment-backup")).toBeLessThan(yaml.indexOf("id: communication-plan"));
  });
});
