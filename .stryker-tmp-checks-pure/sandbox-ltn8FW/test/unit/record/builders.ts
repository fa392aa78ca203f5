// @ts-nocheck
// Builders for record and report tests: a small checklist in the shape of the staging one, and the
// journal events a runner would write for it.
import { type Checklist, ChecklistSchema } from "../../../src/checklist/schema.js";
import { EVENT_VERSION, type RunEvent, type StepOutcome } from "../../../src/engine/events.js";

type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "v"> : never) : never;
const event = (e: EventInput): RunEvent => ({ v: EVENT_VERSION, ...e }) as RunEvent;

export const RUN_ID = "staging-20261126T063000Z-7f3a";

export function sampleChecklist(): Checklist {
  return ChecklistSchema.parse({
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: {
      name: "staging",
      title: "Staging Deployment Hardening and Rollback Checklist",
      ref: "BUY-2474",
      environment: "Staging (Kubernetes)",
    },
    vars: {
      namespace: { default: "staging" },
      apiUrl: { default: "https://api-staging.example.com" },
      apiToken: { env: "API_TOKEN", secret: true },
    },
    guards: [{ kube: { context: { matches: "staging" } } }],
    sections: [
      {
        id: "pre-deployment",
        title: "Pre-Deployment Requirements",
        items: [
          {
            id: "backup",
            title: "Pre-Deployment Backup",
            steps: [
              { id: "run-backup", run: "./scripts/pre-deploy-backup.sh backup", mutating: true },
              { id: "backup-exists", file: { path: "./backups", newest: { maxAge: "1h" } } },
              { id: "verify-backup", run: "./scripts/pre-deploy-backup.sh verify", optional: true },
            ],
          },
          {
            id: "rollback-state",
            title: "Rollback State Capture",
            steps: [{ id: "state-keys", file: { path: ".rollback_state", keys: ["DEPLOYMENT_ID"] } }],
          },
          {
            id: "health-baseline",
            title: "Health Check Baseline",
            steps: [
              {
                id: "health",
                http: { url: "${apiUrl}/health", headers: { Authorization: "Bearer ${apiToken}" } },
              },
              { id: "document", confirm: { prompt: "Current health status documented?", requireNote: true } },
            ],
          },
        ],
      },
      {
        id: "deployment",
        title: "Deployment Process",
        items: [
          {
            id: "staging-verification",
            title: "Staging-Specific Verification",
            steps: [
              { id: "resources", kube: { resources: { deployment: "buywhere-api" } } },
              { id: "rollout", kube: { rolloutStatus: { deployment: "buywhere-api" } } },
            ],
          },
          {
            id: "ecs-fallback",
            title: "ECS Fallback",
            optional: true,
            steps: [{ id: "ecs", run: "aws ecs describe-services", when: "${namespace}" }],
          },
          {
            id: "notify",
            title: "Deployment Completion Notification",
            steps: [{ id: "send", notify: { webhook: "https://hooks.example.com/x", message: "done" } }],
          },
        ],
      },
    ],
    signoff: { requireAllRequiredPassed: true },
  });
}

/** A clock for events: each call is one second after the previous one. */
export function ticking(start = Date.parse("2026-11-26T06:30:00Z")): () => string {
  let t = start;
  return () => {
    const at = new Date(t).toISOString();
    t += 1000;
    return at;
  };
}

export interface SampleOptions {
  /** Stop before these steps (the run is unfinished). */
  unfinished?: boolean;
  /**
   * Secret text planted where a runner would put captured data: `token` is the value of the secret
   * variable apiToken (redacted by value), `password` only ever appears as a credential pattern.
   */
  secrets?: { token: string; password: string };
  signoff?: boolean;
}

export function sampleEvents(options: SampleOptions = {}): RunEvent[] {
  const at = ticking();
  const events: RunEvent[] = [];
  const secret = options.secrets;
  events.push(
    event({
      type: "run-started",
      at: at(),
      runId: RUN_ID,
      checklist: {
        name: "staging",
        title: "Staging Deployment Hardening and Rollback Checklist",
        ref: "BUY-2474",
        path: "checklists/staging.yaml",
        sha256: "3f1c0a9e5b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
      },
      vars: { namespace: "staging", apiUrl: "https://api-staging.example.com", apiToken: "[REDACTED]" },
      secretVars: ["apiToken"],
      environment: {
        host: "deploy-box",
        user: "ana",
        toolVersion: "0.1.0",
        node: "v20.12.0",
        platform: "linux",
        cwd: "/srv/buywhere",
        gitSha: "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
        kubeContext: "staging-eu",
      },
      options: { dryRun: false, interactive: true, keepGoing: false },
      stepHashes: {},
    }),
  );
  const run = (key: string, outcome: StepOutcome, attempts = 1, durationMs = 1200) => {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      events.push(event({ type: "step-started", at: at(), key, attempt }));
      const last = attempt === attempts;
      events.push(
        event({
          type: "step-finished",
          at: at(),
          key,
          attempt,
          durationMs,
          outcome: last ? outcome : { status: "failed", summary: "exit 1", error: "transient" },
        }),
      );
    }
  };
  run("guard/1", { status: "passed", summary: "context staging-eu matches /staging/" }, 1, 30);
  run("backup/run-backup", {
    status: "passed",
    summary: "exit 0",
    output: secret
      ? `backup written to ./backups/db.sql.gz\nconnecting with password=${secret.password}\nAuthorization: Bearer ${secret.token}\n`
      : "backup written to ./backups/db-20261126.sql.gz\n",
  });
  run("backup/backup-exists", {
    status: "passed",
    summary: "newest entry db-20261126.sql.gz is 2m old",
    details: { newest: "db-20261126.sql.gz", ageMs: 120000 },
  });
  run("backup/verify-backup", { status: "failed", summary: "exit 3", error: "checksum tool missing" });
  run("rollback-state/state-keys", {
    status: "failed",
    summary: "missing key DEPLOYMENT_ID",
    error: "missing key DEPLOYMENT_ID",
  });
  events.push(
    event({
      type: "step-overridden",
      at: at(),
      key: "rollback-state/state-keys",
      by: "ana",
      reason: "ID written by the new pipeline, checked by hand",
    }),
  );
  run(
    "health-baseline/health",
    {
      status: "passed",
      summary: "200 OK in 41ms",
      details: secret
        ? { status: 200, body: `{"ok":true,"session":"${secret.token}","password":"${secret.password}"}` }
        : { status: 200, latencyMs: 41 },
    },
    2,
    41,
  );
  run("health-baseline/document", {
    status: "passed",
    summary: "yes",
    answer: "yes",
    note: "all green <b>ok</b>",
  });
  if (options.unfinished) return events;
  run("staging-verification/resources", { status: "failed", summary: "container api has no limits" });
  events.push(
    event({
      type: "step-skipped",
      at: at(),
      key: "staging-verification/resources",
      by: "ana",
      reason: "limits land in the next release",
    }),
  );
  run("staging-verification/rollout", {
    status: "passed",
    summary: 'deployment "buywhere-api" successfully rolled out',
    saved: { revisionBefore: "7" },
  });
  run("ecs-fallback/ecs", { status: "not-applicable", summary: "when ${namespace} is false" }, 1, 0);
  run("notify/send", { status: "passed", summary: "delivered (200)" });
  if (options.signoff !== false) {
    events.push(
      event({
        type: "signoff",
        at: at(),
        engineer: "Ana Lima",
        ready: true,
        notes: secret ? `token was ${secret.token}` : "Smooth deploy & rollback test <ok>",
        blockers: "",
      }),
    );
  }
  return events;
}
