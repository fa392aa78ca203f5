// @ts-nocheck
// Kubernetes object names (DNS-1123), checked before any request: ".", ".." and "" would otherwise
// resolve as URL path segments and turn `namespace "."` into a cluster-wide request. Pure.

const LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

export type KubeNameKind = "namespace" | "deployment" | "container";

/** Why `value` is not a valid name of that kind, or undefined when it is. */
export function kubeNameProblem(kind: KubeNameKind, value: string): string | undefined {
  if (kind === "deployment") {
    // DNS-1123 subdomain: dot-separated labels, 253 characters at most.
    if (value.length > 0 && value.length <= 253 && value.split(".").every((l) => LABEL.test(l)))
      return undefined;
    return `${kind} name ${JSON.stringify(value)} is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`;
  }
  // DNS-1123 label: 63 characters at most, no dots.
  if (value.length <= 63 && LABEL.test(value)) return undefined;
  return `${kind} name ${JSON.stringify(value)} is not a valid Kubernetes name: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`;
}
