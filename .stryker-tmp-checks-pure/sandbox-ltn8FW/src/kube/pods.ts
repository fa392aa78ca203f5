// @ts-nocheck
// How a pod reads in `kubectl get pods` (READY, STATUS, RESTARTS; kubernetes printers.go) and whether
// deploycheck counts it healthy (phase Running and condition Ready True), pure.
import type { PodLike } from "./types.js";

export interface PodRow {
  name: string;
  ready: string;
  status: string;
  restarts: number;
}

export function isHealthy(pod: PodLike): boolean {
  return (
    pod.status?.phase === "Running" &&
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

export function podRow(pod: PodLike): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const ready = statuses.filter(
    (s) => s.ready && s.state?.running !== undefined && s.state.running !== null,
  ).length;
  let status = pod.status?.phase ?? "Unknown";
  for (const s of statuses) {
    const reason = s.state?.waiting?.reason ?? s.state?.terminated?.reason;
    if (reason) status = reason;
  }
  if (pod.metadata?.deletionTimestamp) status = "Terminating";
  return {
    name: pod.metadata?.name ?? "",
    ready: `${ready}/${total}`,
    status,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
  };
}
