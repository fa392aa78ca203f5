// @ts-nocheck
// `deploycheck demo --fail-at STEP`: make one step of the staging checklist fail, once, with a fault
// that fits what the step checks (a failing script, a 500ing or unreachable service, a stalled
// rollout, a webhook that refuses...), so that the failure menu and resume can be tried.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stepKind } from "../checklist/kinds.js";
import type { Checklist, Step } from "../checklist/schema.js";
import { suggest } from "../checklist/validate.js";
import { type StepRef, walkSteps } from "../checklist/walk.js";
import type { CheckDecorator } from "../checks/registry.js";
import type { ExecContext } from "../checks/types.js";
import { UsageError } from "../errors.js";
import { FAIL_MARKER } from "./demo-workspace.js";
import { SANDBOX_DEPLOYMENT, SANDBOX_NAMESPACE, type Sandbox } from "./start.js";

export interface FaultPlan {
  key: string;
  /** What will go wrong, for the demo's banner. */
  description: string;
  decorator: CheckDecorator;
}

/** Find the step: `item-id/step-id`, or a step id that is unique in the checklist. */
export function findStep(checklist: Checklist, target: string): StepRef {
  const refs = walkSteps(checklist);
  const exact = refs.find((r) => r.key === target);
  if (exact) return exact;
  const byId = refs.filter((r) => r.key.split("/")[1] === target);
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) {
    throw new UsageError(
      `--fail-at ${target}: several steps have that id: ${byId.map((r) => r.key).join(", ")}`,
      {
        hint: "Name it as item-id/step-id.",
      },
    );
  }
  const ids = refs.filter((r) => r.item.id === target);
  const near = ids.length
    ? undefined
    : suggest(
        target,
        refs.map((r) => r.key),
      );
  throw new UsageError(
    `--fail-at ${target}: the staging checklist has no such step${near ? `; did you mean ${near}?` : ""}`,
    {
      hint: ids.length
        ? `Name one of its steps: ${ids.map((r) => r.key).join(", ")}`
        : "Name a step as item-id/step-id; `deploycheck show staging` lists them.",
    },
  );
}

/** Check a --fail-at target before anything starts: it names an automated step of the checklist. */
export function checkFailAt(checklist: Checklist, target: string): StepRef {
  const ref = findStep(checklist, target);
  const kind = stepKind(ref.step);
  if (kind === "confirm" || kind === "input" || kind === "note") {
    throw new UsageError(`--fail-at: ${kind} steps are answered by a person; pick an automated step`, {
      hint: "For example --fail-at health-baseline/smoke-tests, or --fail-at extended-monitoring/watch.",
    });
  }
  return ref;
}

/** A burst of requests, so that windowed metrics see the injected fault at once. */
async function traffic(url: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      fetch(`${url}${i % 2 ? "/products" : "/search?q=kettle"}`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      ),
    ),
  );
}

interface Fault {
  description: string;
  inject(ctx: ExecContext): Promise<void>;
  clear(): Promise<void>;
}

function faultFor(step: Step, sandbox: Sandbox, workspace: string): Fault {
  const { service, prometheus, sink, kube } = sandbox;
  const kind = stepKind(step);
  const none = async () => {};
  const serviceErrors: Fault = {
    description: "the service answers 500 to every request",
    inject: async () => service.setFaults({ errorRate: 1 }),
    clear: async () => service.setFaults({ errorRate: 0 }),
  };
  const serviceDown: Fault = {
    description: "the service is down (connection refused)",
    inject: () => service.down(),
    clear: () => service.up(),
  };
  switch (kind) {
    case "run":
      return {
        description: "the script it runs fails",
        inject: () =>
          writeFile(
            join(workspace, FAIL_MARKER),
            "error: simulated failure injected by deploycheck demo --fail-at (run the step again and it passes)\n",
          ),
        clear: none,
      };
    case "http":
      return serviceErrors;
    case "prometheus": {
      const query = step.prometheus!.query;
      if (query.includes("histogram_quantile")) {
        return {
          description: "the service slows down to 3 s per request (p99 above 2 s)",
          inject: async () => {
            service.setFaults({ latencyMs: 3000 });
            await traffic(service.url, 20);
          },
          clear: async () => service.setFaults({ latencyMs: 0 }),
        };
      }
      if (/5\.\.|status/.test(query)) {
        return {
          description: "the service answers 500 to every request (error rate up)",
          inject: async () => {
            service.setFaults({ errorRate: 1 });
            await traffic(service.url, 200);
          },
          clear: async () => service.setFaults({ errorRate: 0 }),
        };
      }
      return {
        description: "Prometheus has no data for the query (inconclusive)",
        inject: async () => {
          prometheus.fault = "empty";
        },
        clear: async () => {
          prometheus.fault = "none";
        },
      };
    }
    case "notify":
      return {
        description: "the webhook answers 500 to every delivery",
        inject: async () => sink.failNext(1000),
        clear: async () => sink.failNext(0),
      };
    case "file":
      return {
        description: "the script's output is missing (a stand-in script failed to write it)",
        inject: async () => {
          const { rm } = await import("node:fs/promises");
          const path = step.file!.path;
          if (path.includes("rollback_state")) await rm(join(workspace, ".rollback_state"), { force: true });
          else await rm(join(workspace, "backups"), { recursive: true, force: true });
        },
        clear: none,
      };
    case "kube": {
      const k = step.kube!;
      if (k.rolloutStatus || k.rolloutUndo) {
        return {
          description: "the new pods never become ready and the rollout exceeds its progress deadline",
          inject: async () => {
            kube.faults.progressDeadlineExceeded = true;
            kube.setImage(
              SANDBOX_NAMESPACE,
              SANDBOX_DEPLOYMENT,
              "registry.example.com/buywhere-api:1.9.1-broken",
            );
          },
          clear: async () => {
            delete kube.faults.progressDeadlineExceeded;
          },
        };
      }
      return {
        description: "the Kubernetes API answers 503 (etcd unavailable)",
        inject: async () => {
          kube.faults.apiError = {
            status: 503,
            message: "etcdserver: request timed out (injected by the demo)",
          };
        },
        clear: async () => {
          delete kube.faults.apiError;
        },
      };
    }
    case "watch":
      return { ...serviceDown, description: "the service goes down during the second round of the watch" };
    default:
      throw new UsageError(`--fail-at: ${kind} steps are answered by a person; pick an automated step`, {
        hint: "For example --fail-at health-baseline/smoke-tests, or --fail-at extended-monitoring/watch.",
      });
  }
}

/**
 * The decorator that injects the fault when the target step first runs and clears it when that attempt
 * ends: a Retry from the failure menu (or a resume) then passes. A watch fails in its second round.
 */
export function planFault(
  checklist: Checklist,
  target: string,
  sandbox: Sandbox,
  workspace: string,
): FaultPlan {
  const ref = checkFailAt(checklist, target);
  const fault = faultFor(ref.step, sandbox, workspace);
  let used = false;
  const decorator: CheckDecorator = (_kind, mod) => ({
    ...mod,
    execute: async (step, ctx) => {
      if (used || ctx.key !== ref.key) return mod.execute(step, ctx);
      used = true;
      if (ref.step.watch) {
        let rounds = 0;
        const steps = ref.step.watch.steps.length;
        const runNested: ExecContext["runNested"] = async (nested, index) => {
          if (index === 0 && ++rounds === 2) await fault.inject(ctx);
          return ctx.runNested(nested, index);
        };
        try {
          return await mod.execute(step, { ...ctx, runNested });
        } finally {
          if (rounds >= 2 || steps === 0) await fault.clear();
        }
      }
      await fault.inject(ctx);
      try {
        return await mod.execute(step, ctx);
      } finally {
        await fault.clear();
      }
    },
  });
  return { key: ref.key, description: fault.description, decorator };
}
