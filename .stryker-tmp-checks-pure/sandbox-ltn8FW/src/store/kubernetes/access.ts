// @ts-nocheck
// The start-up check of team state: ask the API server, as `kubectl auth can-i` does (a
// SelfSubjectAccessReview per verb), whether this user may do what team state needs in its namespace,
// and name exactly what is missing instead of failing half-way through a run.
import { type Exchange, messageOf, TeamStateError } from "./api.js";

/** The least privilege team state needs, as a Role's rules (README "Team state" prints it as YAML). */
export const TEAM_STATE_RULES = [
  { apiGroup: "coordination.k8s.io", resource: "leases", verbs: ["get", "create", "update"] },
  { apiGroup: "", resource: "configmaps", verbs: ["get", "list", "create"] },
] as const;

export interface MissingPermission {
  verb: string;
  resource: string;
  apiGroup: string;
}

export async function missingPermissions(
  exchange: Exchange,
  namespace: string,
): Promise<MissingPermission[]> {
  const checks = TEAM_STATE_RULES.flatMap((rule) =>
    rule.verbs.map((verb) => ({ verb, resource: rule.resource, apiGroup: rule.apiGroup })),
  );
  const answers = await Promise.all(
    checks.map(async (c) => {
      const r = await exchange(
        `permission to ${c.verb} ${c.resource}`,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { namespace, verb: c.verb, group: c.apiGroup, resource: c.resource } },
        },
      );
      if (r.status !== 201 && r.status !== 200)
        throw new TeamStateError(
          `cannot ask the API server what this user may do (HTTP ${r.status})${messageOf(r.body) ? `: ${messageOf(r.body)}` : ""}`,
          r.status,
        );
      return (r.body as { status?: { allowed?: boolean } }).status?.allowed === true;
    }),
  );
  return checks.filter((_, i) => !answers[i]);
}

/** Refuse to start, naming every missing permission and the Role that grants them. */
export async function assertTeamAccess(exchange: Exchange, namespace: string): Promise<void> {
  const missing = await missingPermissions(exchange, namespace);
  if (missing.length === 0) return;
  const list = missing
    .map((m) => `${m.verb} ${m.apiGroup ? `${m.resource}.${m.apiGroup}` : m.resource}`)
    .join(", ");
  throw new TeamStateError(
    `team state in namespace "${namespace}" needs permissions this user lacks: ${list}`,
    403,
    {
      hint: `Apply the Role in README "Team state" to namespace "${namespace}" and bind it to you; check with: kubectl auth can-i ${missing[0]!.verb} ${missing[0]!.apiGroup ? `${missing[0]!.resource}.${missing[0]!.apiGroup}` : missing[0]!.resource} -n ${namespace}`,
    },
  );
}
