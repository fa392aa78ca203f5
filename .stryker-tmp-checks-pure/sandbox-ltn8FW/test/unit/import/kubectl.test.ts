// @ts-nocheck
import { describe, expect, it } from "vitest";
import { isCommand, pipeline, shellWords, splitTrailingRemark } from "../../../src/import/command.js";
import { type KubeRefs, kubeCheck, kubectlMutates } from "../../../src/import/kubectl.js";

const refs: KubeRefs = {
  namespace: (v) => `ns:${v}`,
  deployment: (v) => `dep:${v}`,
  selector: (v) => `sel:${v}`,
  contextPattern: () => "staging",
};

describe("isCommand", () => {
  it.each([
    "kubectl get pods",
    "./scripts/pre-deploy-backup.sh backup",
    "API_URL=https://api-staging.example.io ./scripts/enhanced-health-check.sh",
    "$ helm upgrade api ./chart",
    "../bin/check",
    "./deploy",
  ])("recognises %s", (text) => expect(isCommand(text)).toBe(true));

  it.each([
    "./backups/directory",
    "/health,/ready,/metrics",
    "Verify backup was created successfully",
    "make sure the cache is warm",
    ".rollback_statefile is created",
    "kubectl-ish words",
  ])("leaves prose alone: %s", (text) => expect(isCommand(text)).toBe(false));
});

describe("command words", () => {
  it("splits words with quotes and pipelines at single bars", () => {
    expect(shellWords(`kubectl get pods -l 'app=a b' -o "json"`)).toEqual([
      "kubectl",
      "get",
      "pods",
      "-l",
      "app=a b",
      "-o",
      "json",
    ]);
    expect(pipeline("a | grep 'x|y' || b")).toEqual(["a", "grep 'x|y' || b"]);
  });

  it("separates a remark glued to a command", () => {
    expect(splitTrailingRemark("kubectl rollout undo deployment/x -n staging(to re-apply)")).toEqual({
      command: "kubectl rollout undo deployment/x -n staging",
      remark: "(to re-apply)",
    });
    expect(splitTrailingRemark("echo $(date)")).toEqual({ command: "echo $(date)" });
  });
});

describe("kubeCheck", () => {
  it("maps the seed's kubectl commands to kube checks", () => {
    expect(kubeCheck("kubectl config current-context", refs)).toEqual({
      kube: { context: { matches: "staging" } },
    });
    expect(kubeCheck("kubectl get namespace staging", refs)).toEqual({ kube: { namespace: "ns:staging" } });
    expect(kubeCheck("kubectl rollout status deployment/api -n staging --timeout=300s", refs)).toEqual({
      kube: { rolloutStatus: { deployment: "dep:api", namespace: "ns:staging" } },
      timeout: "300s",
    });
    expect(kubeCheck("kubectl get pods -n staging -l app=api", refs)).toEqual({
      kube: { pods: { selector: "sel:app=api", namespace: "ns:staging" } },
    });
    expect(kubeCheck("kubectl rollout history deploy/api --namespace=prod", refs)).toEqual({
      kube: { history: { deployment: "dep:api", namespace: "ns:prod" } },
    });
    expect(kubeCheck("kubectl rollout undo deployment api -n s --to-revision=3", refs)).toEqual({
      kube: { rolloutUndo: { deployment: "dep:api", namespace: "ns:s", toRevision: 3 } },
    });
    expect(kubeCheck("kubectl describe deployment api -n staging | grep Image", refs)).toEqual({
      kube: { image: { deployment: "dep:api", namespace: "ns:staging" } },
    });
  });

  it("leaves other kubectl commands to run steps", () => {
    expect(kubeCheck("kubectl apply -f deploy.yaml", refs)).toBeUndefined();
    expect(kubeCheck("kubectl get pods -n staging -o json", refs)).toBeUndefined();
    expect(kubeCheck("kubectl get pods -n staging --context prod", refs)).toBeUndefined();
    expect(kubeCheck("kubectl get pods -A", refs)).toBeUndefined();
    expect(kubeCheck("kubectl rollout status deployment/api | tee log", refs)).toBeUndefined();
    expect(
      kubeCheck("kubectl config current-context", { ...refs, contextPattern: () => undefined }),
    ).toBeUndefined();
    expect(kubeCheck("./scripts/x.sh", refs)).toBeUndefined();
  });

  it("knows which kubectl commands change the cluster", () => {
    expect(kubectlMutates("kubectl apply -f x.yaml")).toBe(true);
    expect(kubectlMutates("kubectl rollout restart deployment/api")).toBe(true);
    expect(kubectlMutates("kubectl rollout status deployment/api")).toBe(false);
    expect(kubectlMutates("kubectl get pods")).toBe(false);
  });
});
