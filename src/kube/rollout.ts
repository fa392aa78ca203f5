// The verdict of `kubectl rollout status` for a deployment (kubectl's DeploymentStatusViewer), pure.
import type { DeploymentLike } from "./types.js";

export interface RolloutVerdict {
  /** The rollout is complete. */
  done: boolean;
  /** The rollout can no longer complete (progress deadline exceeded): stop waiting. */
  failed: boolean;
  /** kubectl's message, without the trailing newline. */
  message: string;
}

/** Same checks, order and wording as kubectl; missing numbers count as 0. */
export function rolloutVerdict(deployment: DeploymentLike, name: string): RolloutVerdict {
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation <= (status.observedGeneration ?? 0)) {
    // Stryker disable next-line ArrayDeclaration: a string has no `type`, so find finds nothing either way
    const progressing = (status.conditions ?? []).find((c) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") {
      return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
    }
    const desired = deployment.spec?.replicas;
    const replicas = status.replicas ?? 0;
    const updated = status.updatedReplicas ?? 0;
    const available = status.availableReplicas ?? 0;
    const waiting = `Waiting for deployment "${name}" rollout to finish:`;
    // Stryker disable next-line ConditionalExpression: `updated < undefined` is false, as the guard makes it
    if (desired !== undefined && updated < desired) {
      return {
        done: false,
        failed: false,
        message: `${waiting} ${updated} out of ${desired} new replicas have been updated...`,
      };
    }
    if (replicas > updated) {
      return {
        done: false,
        failed: false,
        message: `${waiting} ${replicas - updated} old replicas are pending termination...`,
      };
    }
    if (available < updated) {
      return {
        done: false,
        failed: false,
        message: `${waiting} ${available} of ${updated} updated replicas are available...`,
      };
    }
    return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
  }
  return { done: false, failed: false, message: "Waiting for deployment spec update to be observed..." };
}
