// @ts-nocheck
// Requests and limits of a deployment's containers: every container sets cpu and memory requests and limits,
// optionally within bounds (limits at most `max`, requests at least `min`), pure.
import { parseQuantity } from "./quantity.js";
import type { ContainerLike } from "./types.js";

type Bound = { cpu?: string | undefined; memory?: string | undefined };
export interface ResourceBounds {
  max?: Bound;
  min?: Bound;
}

const RESOURCES = ["cpu", "memory"] as const;

/** One readable line per problem, e.g. `container api: no memory limit`. */
export function resourceProblems(containers: ContainerLike[], bounds: ResourceBounds = {}): string[] {
  if (containers.length === 0) return ["the pod template has no containers"];
  const problems: string[] = [];
  for (const c of containers) {
    const where = `container ${c.name}`;
    for (const r of RESOURCES) {
      const request = c.resources?.requests?.[r];
      const limit = c.resources?.limits?.[r];
      if (request === undefined) problems.push(`${where}: no ${r} request`);
      if (limit === undefined) problems.push(`${where}: no ${r} limit`);
      const req = parseQuantity(request);
      const lim = parseQuantity(limit);
      if (request !== undefined && req === undefined)
        problems.push(`${where}: ${r} request "${request}" is not a quantity`);
      if (limit !== undefined && lim === undefined)
        problems.push(`${where}: ${r} limit "${limit}" is not a quantity`);
      if (req !== undefined && lim !== undefined && req > lim) {
        problems.push(`${where}: ${r} request ${request} is above its limit ${limit}`);
      }
      const max = bounds.max?.[r];
      if (max !== undefined && lim !== undefined && lim > (parseQuantity(max) ?? Number.POSITIVE_INFINITY)) {
        problems.push(`${where}: ${r} limit ${limit} is above the maximum ${max}`);
      }
      const min = bounds.min?.[r];
      if (min !== undefined && req !== undefined && req < (parseQuantity(min) ?? 0)) {
        problems.push(`${where}: ${r} request ${request} is below the minimum ${min}`);
      }
    }
  }
  return problems;
}

/** `buywhere-api: requests cpu 250m, memory 256Mi; limits cpu 500m, memory 512Mi` for each container. */
export function formatResources(containers: ContainerLike[]): string {
  const part = (m: Record<string, string> | undefined) =>
    RESOURCES.map((r) => `${r} ${m?.[r] ?? "-"}`).join(", ");
  return containers
    .map((c) => `${c.name}: requests ${part(c.resources?.requests)}; limits ${part(c.resources?.limits)}`)
    .join(" | ");
}
