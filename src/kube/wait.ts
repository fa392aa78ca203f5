// Waiting for a rollout as `kubectl rollout status` does: GET, then list + watch the deployment
// (fieldSelector metadata.name) and judge every ADDED/MODIFIED event until done, failed, timeout or abort.
import { KubeError } from "../errors.js";
import { longTimeout } from "../timers.js";
import type { KubeClient } from "./client.js";
import { type RolloutVerdict, rolloutVerdict } from "./rollout.js";
import type { DeploymentLike } from "./types.js";

export interface WaitOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Each new kubectl-style message, as it changes. */
  onMessage(message: string): void;
}

export interface WaitResult {
  verdict: RolloutVerdict;
  /** The deadline passed before the rollout finished (kubectl: "timed out waiting for the condition"). */
  timedOut: boolean;
  /** Every distinct message in order, for the record. */
  messages: string[];
  deployment: DeploymentLike;
}

export const TIMED_OUT = "timed out waiting for the condition";

export async function waitForRollout(
  client: KubeClient,
  namespace: string,
  name: string,
  options: WaitOptions,
): Promise<WaitResult> {
  const messages: string[] = [];
  let latest: DeploymentLike = await client.readDeployment(namespace, name, options.signal);
  const judge = (d: DeploymentLike): RolloutVerdict => {
    latest = d;
    const verdict = rolloutVerdict(d, name);
    if (messages.at(-1) !== verdict.message) {
      messages.push(verdict.message);
      options.onMessage(verdict.message);
    }
    return verdict;
  };
  let verdict = judge(latest);
  if (verdict.done || verdict.failed) return { verdict, timedOut: false, messages, deployment: latest };

  const deadline = new AbortController();
  const timer = longTimeout(() => deadline.abort(), options.timeoutMs);
  const stop = AbortSignal.any([options.signal, deadline.signal]);
  try {
    while (!stop.aborted) {
      const list = await client.listDeployment(namespace, name, stop);
      const current = list.items[0];
      if (!current)
        throw new KubeError(
          `deployment "${name}" in namespace "${namespace}" not found (deleted while waiting)`,
        );
      verdict = judge(current);
      if (verdict.done || verdict.failed) break;
      const outcome = await watchUntil(client, namespace, name, list.resourceVersion, stop, (d) => {
        verdict = judge(d);
        return verdict.done || verdict.failed;
      });
      if (outcome === "finished") break;
      // "ended": the server closed the watch (or said its resourceVersion expired): list again and go on,
      // after a pause so that a server that closes every watch at once is not hammered.
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    if (!stop.aborted) throw err;
  } finally {
    timer.cancel();
  }
  if (options.signal.aborted && !(verdict.done || verdict.failed))
    // Stryker disable next-line StringLiteral: AbortController.abort() always sets a reason (an AbortError when none is given).
    throw options.signal.reason ?? new Error("aborted");
  // Stryker disable next-line LogicalOperator,ConditionalExpression: the loop ends with a done/failed verdict before the deadline or at the deadline without one (later verdicts are ignored), where && and || and either inner test agree.
  const timedOut = deadline.signal.aborted && !(verdict.done || verdict.failed);
  return { verdict, timedOut, messages, deployment: latest };
}

function watchUntil(
  client: KubeClient,
  namespace: string,
  name: string,
  resourceVersion: string | undefined,
  stop: AbortSignal,
  onObject: (d: DeploymentLike) => boolean,
): Promise<"finished" | "ended"> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let controller: AbortController | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      // Stryker disable next-line StringLiteral: a listener left behind calls settle() again, which does nothing.
      stop.removeEventListener("abort", onAbort);
      controller?.abort();
      fn();
    };
    const onAbort = () => settle(() => resolve("ended"));
    // Stryker disable next-line ObjectLiteral: settle() removes the listener, so `once` changes nothing.
    stop.addEventListener("abort", onAbort, { once: true });
    client
      .watchDeployment(
        namespace,
        name,
        resourceVersion,
        (type, object) => {
          if (settled) return;
          if (type === "ADDED" || type === "MODIFIED") {
            if (onObject(object)) settle(() => resolve("finished"));
          } else if (type === "DELETED") {
            settle(() =>
              reject(
                new KubeError(`deployment "${name}" in namespace "${namespace}" was deleted while waiting`),
              ),
            );
          } else if (type === "ERROR") {
            // Stryker disable next-line StringLiteral: the caller tells only "finished" from anything else.
            settle(() => resolve("ended"));
          }
        },
        // Stryker disable next-line StringLiteral: the caller tells only "finished" from anything else.
        (err) => settle(() => (err && !stop.aborted ? reject(err) : resolve("ended"))),
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      // Stryker disable next-line ArrowFunction: watchDeployment reports failures through onDone; it rejects only for a bad name, which readDeployment refused first.
      .catch((err: unknown) => settle(() => reject(err)));
  });
}
