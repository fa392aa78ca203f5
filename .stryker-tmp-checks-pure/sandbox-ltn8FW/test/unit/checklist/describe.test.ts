// @ts-nocheck
import { expect, it, describe as suite } from "vitest";
import { describe, fill } from "../../../src/checklist/describe.js";
import type { Step } from "../../../src/checklist/schema.js";

const values = { apiUrl: "https://api.example.com", ns: "staging", token: "s3cr3t", evil: "x; rm -rf /" };
const secrets = new Set(["token"]);

suite("describe", () => {
  it("shows run commands as written, with the values beside them and secrets masked", () => {
    const step: Step = { run: "deploy --ns ${ns} --token ${token} --name ${evil} --home ${env.HOME}" };
    expect(describe(step, values, { secrets })).toBe(
      '$ deploy --ns ${ns} --token ${token} --name ${evil} --home ${env.HOME} (with ns="staging", token=****, evil="x; rm -rf /")',
    );
  });

  it("shows run env, expectations and saveAs", () => {
    const step: Step = {
      run: { command: "./check.sh", env: { API_URL: "${apiUrl}" }, expect: { stdout: "ok" }, saveAs: "out" },
    };
    expect(describe(step, values)).toBe(
      "$ API_URL=https://api.example.com ./check.sh; expect stdout matching /ok/; stdout saved as ${out}",
    );
  });

  it("describes each kind with the exact request", () => {
    const cases: [Step, string][] = [
      [
        { http: { url: "${apiUrl}/health", expect: { status: 200 } } },
        "GET https://api.example.com/health; expect status 200",
      ],
      [
        { http: { url: "${apiUrl}/p", samples: 10, thresholds: { p99: "2s", errorRate: 0.01 } } },
        "10 × GET https://api.example.com/p; expect status 2xx, p99 ≤ 2s, error rate ≤ 1%",
      ],
      [
        { file: { path: ".rollback_state", values: { ENVIRONMENT: "${ns}" } } },
        "file .rollback_state: has ENVIRONMENT=staging",
      ],
      [
        { kube: { pods: { selector: "app=api", namespace: "${ns}" } } },
        "kube: pods -n staging -l app=api all Running and Ready",
      ],
      [
        { kube: { rolloutUndo: { deployment: "api", namespace: "${ns}" } } },
        "kube: rollout undo deployment/api -n staging (to the previous revision)",
      ],
      [
        { prometheus: { url: "http://p:9090/", query: "up", expect: { gt: 0 } } },
        "GET http://p:9090/api/v1/query?query=up; expect > 0",
      ],
      [{ notify: { webhook: "${token}", message: "hi ${ns}" } }, 'POST slack message to ****: "hi staging"'],
      [{ confirm: { prompt: "Done?", requireNote: true } }, "ask: Done? [yes/no] (a note is required)"],
      [
        {
          watch: { duration: "30m", interval: "1m", steps: [{ id: "h", http: { url: "x" } }, { note: "n" }] },
        },
        "every 1m for 30m: h, note-2 (fails as soon as one fails)",
      ],
    ];
    for (const [step, text] of cases)
      expect(describe(step, values, { secrets }).startsWith(text), text).toBe(true);
  });

  it("leaves unknown references as written", () => {
    expect(fill("${later} ${ns}", values)).toBe("${later} staging");
  });
});
