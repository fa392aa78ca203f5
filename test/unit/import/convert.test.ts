// The conversion's decisions, exactly: metadata fields, steps a sentence amounts to, which commands are
// marked mutating or left to a person, conditional sections and items, variables and the report.
import { describe, expect, it } from "vitest";
import { doc, importText, items, steps } from "../../helpers/import-builders.js";

describe("metadata from header fields", () => {
  it("takes the first ref, environment and owner, and keeps the rest as description in order", () => {
    const { checklist } = importText(
      doc(
        "# Release",
        "**Ticket:** OPS-1",
        "**Jira:** OPS-2",
        "**Environment:** Staging (Kubernetes)",
        "**Target:** prod",
        "**Maintainer:** ops",
        "**Team:** other",
        "**Title:** not the title",
        "**Issue count:** 3",
        "Notes about ${X}.",
        "- [ ] One",
      ),
    );
    expect(checklist.metadata).toEqual({
      name: "imported",
      title: "Release",
      ref: "OPS-1",
      environment: "staging",
      owner: "ops",
      description:
        "Jira: OPS-2\nTarget: prod\nTeam: other\nTitle: not the title\nIssue count: 3\nNotes about $${X}.",
    });
  });

  it.each([
    ["Issue", "ref"],
    ["Ticket", "ref"],
    ["Ref", "ref"],
    ["Reference", "ref"],
    ["JIRA", "ref"],
    ["Jira issue", "ref"],
    ["Change", "ref"],
    ["Change request", "ref"],
    ["Env", "environment"],
    ["Environment", "environment"],
    ["Target", "environment"],
    ["Target environment", "environment"],
    ["Owner", "owner"],
    ["Author", "owner"],
    ["Maintainer", "owner"],
    ["Team", "owner"],
  ])("reads a %s field as the %s", (key, field) => {
    const { checklist } = importText(doc("# R", `**${key}:** value-1`, "- [ ] One"));
    expect(checklist.metadata).toEqual({ name: "imported", title: "R", [field]: "value-1" });
  });

  it.each(["Related issue", "Issue count", "My env", "Environment name", "Co-owner", "Owner team"])(
    "keeps a %s field as description",
    (key) => {
      const { checklist } = importText(doc("# R", `**${key}:** v`, "- [ ] One"));
      expect(checklist.metadata).toEqual({ name: "imported", title: "R", description: `${key}: v` });
    },
  );

  it("takes the first Title field without a heading and keeps a second one as description", () => {
    // Found by the property test (seed 767090061): the second title replaced the first, which the report
    // still counted as placed.
    const { checklist } = importText(doc("title: x - Verify it", "title: x", "- [ ] One"));
    expect(checklist.metadata).toEqual({ name: "imported", title: "x - Verify it", description: "title: x" });
  });

  it("keeps an environment that leaves no name as written, and takes a Title field without a heading", () => {
    const { checklist } = importText(
      doc("**Title:** From a field", "**Environment:** (EKS)", "**Owner:** ${ME}", "- [ ] One"),
    );
    expect(checklist.metadata).toEqual({
      name: "imported",
      title: "From a field",
      environment: "(EKS)",
      owner: "$${ME}",
    });
  });

  it("uses the name as the title when the document has none", () => {
    const { checklist } = importText(doc("- [ ] One"), "my-runbook");
    expect(checklist.metadata).toEqual({ name: "my-runbook", title: "my-runbook" });
  });
});

describe("steps a sentence amounts to", () => {
  const text = doc(
    "# R",
    "## Checks",
    "- [ ] Deploy",
    "  - Status `kubectl rollout status deployment/api -n web`",
    "  - Verify endpoints: /health, /ready",
    "  - Check resource limits",
    "  - Wait for rollout to complete",
    "  - Note current revision",
    "  - Backup exists in `./backups/` directory",
  );

  it("makes endpoint paths http checks, and kube or file checks of what the commands named", () => {
    const { checklist, report } = importText(text);
    const target = { deployment: "${deployment}", namespace: "${namespace}" };
    expect(steps(checklist)).toEqual([
      {
        id: "status-kubectl-rollout-status-deployment",
        title: "Status `kubectl rollout status deployment/api -n web`",
        kube: { rolloutStatus: target },
      },
      {
        id: "get-health",
        title: "GET /health",
        http: { url: "${apiUrl}/health", expect: { status: 200 } },
        help: "Verify endpoints: /health, /ready",
      },
      {
        id: "get-ready",
        title: "GET /ready",
        http: { url: "${apiUrl}/ready", expect: { status: 200 } },
        help: "Verify endpoints: /health, /ready",
      },
      { id: "check-resource-limits", title: "Check resource limits", kube: { resources: target } },
      {
        id: "wait-for-rollout-to-complete",
        title: "Wait for rollout to complete",
        kube: { rolloutStatus: target },
      },
      { id: "note-current-revision", title: "Note current revision", kube: { history: target } },
      {
        id: "backup-exists-in-backups-directory",
        title: "Backup exists in `./backups/` directory",
        file: { path: "./backups", newest: {} },
      },
    ]);
    expect(checklist.vars).toEqual({
      namespace: { default: "web" },
      deployment: { default: "api" },
      apiUrl: { description: "Base URL of the service the endpoint checks call" },
    });
    expect(report.notes).toEqual([
      "declared apiUrl without a default for the endpoint checks: pass --var apiUrl=...",
    ]);
    expect(report.variables).toEqual([
      { name: "namespace", why: "namespace web in the document's commands" },
      { name: "deployment", why: "deployment api in the document's commands" },
      { name: "apiUrl", why: "declared by the importer" },
    ]);
    expect(report.byKind).toEqual({ kube: 4, http: 2, file: 1 });
    expect(report.kubeChecks).toEqual({ rolloutStatus: 2, resources: 1, history: 1 });
    expect(report.confirmations).toBe(0);
    expect(report.sections).toBe(1);
    expect(report.items).toBe(1);
    expect(report.steps).toBe(7);
  });

  it("leaves the same sentences to a person when no command named a deployment", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Deploy",
        "  - Check resource limits",
        "  - Wait for rollout to complete",
        "  - Note current revision",
        "  - Backup exists in ./",
      ),
    );
    expect(steps(checklist).map((s) => s.confirm)).toEqual([
      "Check resource limits",
      "Wait for rollout to complete",
      "Note current revision",
      "Backup exists in ./",
    ]);
  });

  it("calls endpoints on the service URL a command already named", () => {
    const { checklist, report } = importText(
      doc("- [ ] Smoke", "  - `curl -fsS https://api.example.com/health`", "  - Check endpoint /ready"),
    );
    expect(steps(checklist)[1]).toMatchObject({ http: { url: "${apiUrl}/ready" } });
    expect(checklist.vars).toEqual({ apiUrl: { default: "https://api.example.com" } });
    expect(report.notes).toEqual([]);
  });
});

describe("which commands run, and which are marked as changes", () => {
  it("marks every command off the read-only list mutating, and a rollback undo as well", () => {
    const { checklist, report } = importText(
      doc(
        "- [ ] Deploy",
        "  - Run `kubectl apply -f k8s/ -n web`",
        "  - `kubectl top pods -n web`",
        "  - `kubectl rollout undo deployment/api -n web`",
        "  - `./scripts/pre-deploy-backup.sh backup --full x/y`",
        "  - `kubectl rollout status deployment/api -n web`",
      ),
    );
    expect(steps(checklist)).toEqual([
      {
        id: "run-kubectl-apply-f-k8s-n-web",
        title: "Run `kubectl apply -f k8s/ -n web`",
        run: "kubectl apply -f k8s/ -n ${namespace}",
        mutating: true,
      },
      {
        id: "kubectl-top-pods-n-web",
        title: "`kubectl top pods -n web`",
        run: "kubectl top pods -n ${namespace}",
        mutating: false,
      },
      {
        id: "kubectl-rollout-undo-deployment-api-n",
        title: "`kubectl rollout undo deployment/api -n web`",
        kube: { rolloutUndo: { deployment: "${deployment}", namespace: "${namespace}" } },
        mutating: true,
      },
      {
        id: "scripts-pre-deploy-backup-sh-backup-full",
        title: "`./scripts/pre-deploy-backup.sh backup --full x/y`",
        run: "./scripts/pre-deploy-backup.sh backup --full x/y",
        mutating: true,
      },
      {
        id: "kubectl-rollout-status-deployment-api-n",
        title: "`kubectl rollout status deployment/api -n web`",
        kube: { rolloutStatus: { deployment: "${deployment}", namespace: "${namespace}" } },
      },
    ]);
    expect(report.mutating).toEqual([
      "deploy/run-kubectl-apply-f-k8s-n-web",
      "deploy/kubectl-rollout-undo-deployment-api-n",
      "deploy/scripts-pre-deploy-backup-sh-backup-full",
    ]);
  });

  it("asks a person before a change the document wants only on a condition; a read-only one still runs", () => {
    const { checklist, report } = importText(
      doc(
        "- [ ] Deploy",
        "  - If it fails, run `./rollback.sh now`",
        "  - When in doubt, run `ls -la /var/backups`",
        "  - Otherwise `helm upgrade web ./chart`",
      ),
    );
    expect(steps(checklist)).toEqual([
      {
        id: "if-it-fails-run-rollback-sh-now",
        confirm: "If it fails, run `./rollback.sh now`",
      },
      {
        id: "when-in-doubt-run-ls-la-var-backups",
        title: "When in doubt, run `ls -la /var/backups`",
        run: "ls -la /var/backups",
        mutating: false,
      },
      { id: "otherwise-helm-upgrade-web-chart", confirm: "Otherwise `helm upgrade web ./chart`" },
    ]);
    expect(report.mutating).toEqual([]);
    expect(report.commandsAsConfirmations).toEqual([
      {
        key: "deploy/if-it-fails-run-rollback-sh-now",
        command: "./rollback.sh now",
        why: "the document wants it only on a condition the tool cannot check",
      },
      {
        key: "deploy/otherwise-helm-upgrade-web-chart",
        command: "helm upgrade web ./chart",
        why: "the document wants it only on a condition the tool cannot check",
      },
    ]);
    expect(report.confirmations).toBe(2);
  });

  it("names a step without words after its program and first arguments, or after its kube check", () => {
    const { checklist } = importText(
      doc(
        "# R",
        "## Go",
        "```bash",
        "./scripts/pre-deploy-backup.sh --full backup now later",
        "```",
        "```bash",
        "kubectl rollout status deployment/api -n web",
        "```",
        "```bash",
        "API_URL=https://x.example.com ./bin/check.py a/b c",
        "```",
      ),
    );
    expect(steps(checklist).map((s) => [s.id, s.title])).toEqual([
      ["pre-deploy-backup-backup-now", undefined],
      ["rollout-status", undefined],
      ["check-c", undefined],
    ]);
  });

  it("drops a trailing 'with', 'using', 'via' or 'by' from a title that introduces a block", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Ship",
        "  - Deploy with:",
        "",
        "        helm upgrade web ./chart",
        "",
        "  - Check using:",
        "",
        "        helm status web",
        "",
      ),
    );
    expect(steps(checklist).map((s) => [s.title, s.run])).toEqual([
      ["Deploy", "helm upgrade web ./chart"],
      ["Check", "helm status web"],
    ]);
  });

  it("checks the output the text states, as a word of its own", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Count",
        "  - `psql -c 'SELECT count(*) FROM t'` returns 43",
        "  - `./ver.sh` prints `-v1.2+`",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toEqual([
      { command: "psql -c 'SELECT count(*) FROM t'", expect: { stdout: "\\b43\\b" } },
      { command: "./ver.sh", expect: { stdout: "-v1\\.2\\+" } },
    ]);
  });
});

describe("conditional sections and items", () => {
  it("puts `when` on a section the document wants only sometimes, not again on its items", () => {
    const { checklist, report } = importText(
      doc(
        "# R",
        "## Rollback (if needed)",
        "Some help.",
        "- [ ] Undo `kubectl rollout undo deployment/api -n web`",
        "- [ ] Emergency stop",
        "## Optional extras",
        "- [ ] Wave",
        "## Normal",
        "- [ ] Roll back the canary",
        "- [ ] Say hi",
      ),
    );
    expect(checklist.sections.map((s) => [s.id, s.when, s.help, s.items.map((i) => [i.id, i.when])])).toEqual(
      [
        [
          "rollback",
          "${runRollback}",
          "Some help.",
          [
            ["undo-kubectl-rollout-undo-deployment-api", undefined],
            ["emergency-stop", undefined],
          ],
        ],
        ["optional-extras", "${runOptionalExtras}", undefined, [["wave", undefined]]],
        [
          "normal",
          undefined,
          undefined,
          [
            ["roll-back-the-canary", "${runRollBackCanary}"],
            ["say-hi", undefined],
          ],
        ],
      ],
    );
    expect(checklist.vars?.["runRollback"]).toEqual({
      default: false,
      description:
        'Set to true to run "Rollback (if needed)": the document wants it only sometimes (--var runRollback=true)',
    });
    expect(report.variables.find((v) => v.name === "runOptionalExtras")).toEqual({
      name: "runOptionalExtras",
      why: '"Optional extras" runs only when asked',
    });
    expect(report.mutating).toEqual([
      "undo-kubectl-rollout-undo-deployment-api/undo-kubectl-rollout-undo-deployment-api",
    ]);
  });

  it.each([
    ["Restore if necessary", true],
    ["Restore only when told", true],
    ["Troubleshooting", true],
    ["Break-glass access", true],
    ["Disaster recovery", true],
    ["In case of fire", true],
    ["If the migration fails", true],
    ["Rollback", true],
    ["Roll-back", true],
    ["Optionally clean up", true],
    ["Restore the backup", false],
    ["Rolling update", false],
    ["Emergencyish", false],
  ])("%s is wanted only sometimes: %s", (title, conditional) => {
    const { checklist } = importText(doc("- [ ] Start", `- [ ] ${title}`));
    expect(items(checklist)[0]!.when).toBeUndefined();
    expect(items(checklist)[1]!.when !== undefined).toBe(conditional);
  });

  it("names a condition's variable after the words, numbered when taken, described by its label", () => {
    const { checklist, report } = importText(
      doc(
        "- [ ] Post",
        "  - Post in chat (if announcement is needed)",
        "  - Post in email (if announcement needed)",
        "  - FEATURE_FLAG_X on (if applicable)",
        "  - Warm caches: `./warm.sh` (if applicable):",
      ),
    );
    expect(steps(checklist).map((s) => s.when)).toEqual([
      "${announcement}",
      "${announcement2}",
      "${featureFlagX}",
      "${warmCaches}",
    ]);
    expect(checklist.vars).toEqual({
      announcement: {
        default: false,
        description: "Set to true when this applies: Post in chat (if announcement is needed)",
      },
      announcement2: {
        default: false,
        description: "Set to true when this applies: Post in email (if announcement needed)",
      },
      featureFlagX: {
        default: false,
        description: "Set to true when this applies: FEATURE_FLAG_X on (if applicable)",
      },
      warmCaches: {
        default: false,
        description: "Set to true when this applies: Warm caches: `./warm.sh` (if applicable)",
      },
    });
    expect(report.variables[0]).toEqual({
      name: "announcement",
      why: '"Post in chat (if announcement is needed)" applies only sometimes',
    });
  });
});

describe("placeholders and values as variables", () => {
  it("makes each placeholder one required variable, numbered when the name is taken", () => {
    const { checklist, report } = importText(
      doc(
        "- [ ] Go",
        "  - `./a.sh <CLUSTER> $CLUSTER <CLUSTER>`",
        "  - `curl --api-base https://svc.example.com/x`",
        "  - `BASE=https://other.example.com/y ./b.sh`",
        "  - `curl https://third.example.com/z https://third.example.com/w`",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toEqual([
      "./a.sh ${cluster} ${cluster2} ${cluster}",
      "curl --api-base ${apiBase}/x",
      "BASE=${base}/y ./b.sh",
      "curl ${thirdUrl}/z ${thirdUrl}/w",
    ]);
    expect(checklist.vars).toEqual({
      cluster: {
        required: true,
        description: "The document's placeholder <CLUSTER>: pass --var cluster=...",
      },
      cluster2: {
        required: true,
        env: "CLUSTER",
        description: "The document's placeholder $CLUSTER: pass --var cluster2=... or set CLUSTER",
      },
      apiBase: { default: "https://svc.example.com" },
      base: { default: "https://other.example.com", env: "BASE" },
      thirdUrl: { default: "https://third.example.com" },
    });
    expect(report.variables.slice(0, 3)).toEqual([
      { name: "cluster", why: "placeholder <CLUSTER> in a command" },
      { name: "cluster2", why: "placeholder $CLUSTER in a command" },
      { name: "apiBase", why: "url https://svc.example.com in the document's commands" },
    ]);
  });

  it("gives two namespaces and two deployments a variable each, in every spelling kubectl takes", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Go",
        "  - `kubectl scale deploy/api --replicas=2 --namespace=web`",
        "  - `kubectl scale deployments.apps/worker --replicas=1 -n jobs`",
        "  - `kubectl scale deployment/api --replicas=3 --namespace web`",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toEqual([
      "kubectl scale deploy/${deployment} --replicas=2 --namespace=${namespace}",
      "kubectl scale deployments.apps/${deployment2} --replicas=1 -n ${namespace2}",
      "kubectl scale deployment/${deployment} --replicas=3 --namespace ${namespace}",
    ]);
    expect(checklist.vars).toEqual({
      deployment: { default: "api" },
      namespace: { default: "web" },
      deployment2: { default: "worker" },
      namespace2: { default: "jobs" },
    });
  });

  it("leaves -n and deploy/ alone in a command that is not kubectl", () => {
    const { checklist } = importText(doc("- [ ] Go", "  - `./x.sh -n web deploy/api`"));
    expect(steps(checklist)[0]!.run).toBe("./x.sh -n web deploy/api");
    expect(checklist.vars).toBeUndefined();
  });

  it("takes a context the text names over the environment, as an anchored pattern", () => {
    const { checklist, report } = importText(
      doc("**Environment:** staging", "- [ ] `kubectl config current-context` shows `prod.eu-1`"),
    );
    expect(checklist.guards).toEqual([
      { id: "kube-context", kube: { context: { matches: "${kubeContextPattern}" } } },
    ]);
    expect(checklist.vars?.["kubeContextPattern"]).toEqual({
      default: "^prod\\.eu-1$",
      description: "Regular expression the current kube context must match",
    });
    expect(report.variables).toEqual([
      { name: "kubeContextPattern", why: "the context the document names (prod.eu-1)" },
    ]);
    expect(report.notes).toEqual([
      "added a guard: the kube context must match ${kubeContextPattern} before anything runs (the document checks the context)",
    ]);
  });
});

describe("the sign-off block", () => {
  it("places the fields it asks for and lists the others and its text with why", () => {
    const { checklist, report } = importText(
      doc(
        "- [ ] One",
        "## Sign-off",
        "- Engineer: __",
        "- Deployment ready: yes",
        "- Ready for deployment: yes",
        "- Signed off by: x",
        "- Sign off: y",
        "- Note: z",
        "- Issues/Blockers: none",
        "- Blockers: none",
        "- Timestamp: t",
        "- Date: d",
        "- Time: t",
        "- Approver: no",
        "- Engineer name: no",
      ),
    );
    expect(checklist.signoff).toEqual({ requireAllRequiredPassed: true, title: "Sign-off" });
    expect(report.unplaced).toEqual([
      {
        line: 14,
        text: "- Approver: no",
        reason: "a sign-off field deploycheck does not ask for (it asks engineer, ready, notes, blockers)",
      },
      {
        line: 15,
        text: "- Engineer name: no",
        reason: "a sign-off field deploycheck does not ask for (it asks engineer, ready, notes, blockers)",
      },
    ]);
    expect(report.dropped).toEqual(report.unplaced);
    expect(report.placed).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
});

describe("bash's own variables and refused commands", () => {
  it("leaves loop, read, local and readonly variables, escaped and lower-case names to bash", () => {
    const { checklist } = importText(
      doc(
        "# T",
        "## S",
        "```bash",
        "for HOST in a b; do ssh $HOST; done",
        "```",
        "```bash",
        "echo $A $B_ \\$C",
        "```",
        "```bash",
        "read -r NAME; echo $NAME $lower",
        "```",
        "```bash",
        'local V=1; readonly W=2; echo $V $W "$X" $HOME',
        "```",
        "```bash",
        "cat <<EOF > f",
        "hi <NAME>",
        "EOF",
        "```",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toEqual([
      "for HOST in a b; do ssh $HOST; done",
      "echo ${a} $B_ \\$C",
      "read -r NAME; echo $NAME $lower",
      'local V=1; readonly W=2; echo $V $W "${x}" $HOME',
      "cat <<EOF > f\nhi ${name}\nEOF",
    ]);
    expect(Object.keys(checklist.vars ?? {})).toEqual(["a", "x", "name"]);
  });

  it("keeps a command the run step would refuse as written, and declares no variable for it", () => {
    const { checklist, report } = importText(
      doc("# T", "## S", "```bash", 'eval "$CMD -n web https://x.example.com/a <P>"', "```"),
    );
    expect(steps(checklist)[0]).toMatchObject({
      run: 'eval "$CMD -n web https://x.example.com/a <P>"',
      mutating: true,
    });
    expect(checklist.vars).toBeUndefined();
    expect(report.variables).toEqual([]);
  });

  it("declares a placeholder again for a later command that uses it after a refused one", () => {
    const { checklist } = importText(
      doc("# T", "## S", "```bash", 'eval "$CMD <P>"', "```", "```bash", "echo $CMD <P>", "```"),
    );
    expect(steps(checklist)[1]!.run).toBe("echo ${cmd} ${p}");
    expect(Object.keys(checklist.vars ?? {})).toEqual(["p", "cmd"]);
  });
});

describe("bullets read in the light of their parent", () => {
  it("makes a colon line a note, and carries its words to the bullets after it unless they start with a verb", () => {
    const { checklist } = importText(
      doc("- [ ] X", "  - Do this:", "  - then that", "  - Verify it", "  - Finally:"),
    );
    expect(steps(checklist)).toEqual([
      { id: "do-this", note: "Do this:" },
      { id: "then-that", confirm: "Do this: then that", help: "then that" },
      { id: "verify-it", confirm: "Verify it" },
      { id: "finally", confirm: "Do this: Finally", help: "Finally:" },
    ]);
  });

  it("reads a constant as a name, not a verb, and an optional bullet as optional", () => {
    const { checklist } = importText(
      doc(
        "- [ ] X",
        "  - DEPLOY_TIME set",
        "    - child one",
        "    - Deploy now",
        "  - Optional: Tell the team",
        "  - Tell the others (optional)",
      ),
    );
    expect(steps(checklist)).toEqual([
      { id: "deploy-time-set", confirm: "DEPLOY_TIME set" },
      { id: "child-one", confirm: "DEPLOY_TIME set: child one", help: "child one" },
      { id: "deploy-now", confirm: "Deploy now" },
      { id: "tell-the-team", confirm: "Tell the team", optional: true, help: "Optional: Tell the team" },
      { id: "tell-the-others", confirm: "Tell the others (optional)", optional: true },
    ]);
  });

  it("makes an item optional and asked for when its title says Optional", () => {
    const { checklist } = importText(doc("- [ ] Optional: tidy up", "- [ ] Drain: (if applicable)"));
    expect(items(checklist)).toEqual([
      {
        id: "optional-tidy-up",
        title: "Optional: tidy up",
        optional: true,
        when: "${runOptionalTidyUp}",
        steps: [{ id: "confirm", confirm: "Optional: tidy up" }],
      },
      {
        id: "drain",
        title: "Drain (if applicable)",
        when: "${drain}",
        steps: [{ id: "confirm", confirm: "Drain (if applicable)" }],
      },
    ]);
  });
});

describe("code blocks", () => {
  it("splits a block into native kube steps and one script for the commands between them", () => {
    const { checklist } = importText(
      doc(
        "# T",
        "## S",
        "```bash",
        "kubectl get ns web",
        "echo a",
        "echo b",
        "kubectl rollout status deployment/api -n web --timeout=120s",
        "```",
        "```bash",
        "export X=1",
        "kubectl get ns web",
        "```",
      ),
    );
    expect(steps(checklist).map(({ help: _, ...s }) => s)).toEqual([
      { id: "namespace", kube: { namespace: "${namespace}" } },
      { id: "echo-a-echo", run: "echo a\necho b", mutating: false },
      {
        id: "rollout-status",
        kube: { rolloutStatus: { deployment: "${deployment}", namespace: "${namespace}" } },
        timeout: "120s",
      },
      { id: "export-kubectl-get", run: "export X=1\nkubectl get ns web", mutating: true },
    ]);
  });
});

describe("the report", () => {
  it("flags thresholds as metric-gate candidates keyed by the step", () => {
    const { report } = importText(
      doc("# T", "- [ ] Check error rate < 1% for 5 minutes", "  - p99 latency <= 250ms", "- [ ] Next"),
    );
    expect(report.metricGates).toEqual([
      {
        line: 3,
        threshold: "p99 latency <= 250ms",
        key: "check-error-rate-1-for-5-minutes/p99-latency-250ms",
        path: ["sections", 0, "items", 0, "steps", 0],
      },
    ]);
  });

  it("writes a placeholder item for a document without items", () => {
    const { checklist } = importText(doc("just some text"));
    expect(checklist.sections).toEqual([
      {
        id: "checklist",
        title: "Checklist",
        items: [{ id: "review", title: "Review", steps: [{ id: "confirm", confirm: "Checklist reviewed" }] }],
      },
    ]);
  });
});

describe("kube references", () => {
  it("uses known deployments in selectors and placeholders as namespaces", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Go",
        "  - `kubectl rollout status deployment/api -n web`",
        "  - `kubectl get pods -n web -l app=api,tier=db`",
        "  - `kubectl get ns $NS`",
      ),
    );
    expect(steps(checklist).map((s) => s.kube)).toEqual([
      { rolloutStatus: { deployment: "${deployment}", namespace: "${namespace}" } },
      { pods: { selector: "app=${deployment},tier=db", namespace: "${namespace}" } },
      { namespace: "${ns}" },
    ]);
    expect(checklist.vars).toEqual({
      namespace: { default: "web" },
      deployment: { default: "api" },
      ns: {
        required: true,
        env: "NS",
        description: "The document's placeholder $NS: pass --var ns=... or set NS",
      },
    });
  });

  it("runs a context check it has no pattern for as a read-only command, with no guard", () => {
    const { checklist, report } = importText(doc("- [ ] `kubectl config current-context`"));
    expect(steps(checklist)[0]).toMatchObject({ run: "kubectl config current-context", mutating: false });
    expect(checklist.guards).toBeUndefined();
    expect(report.notes).toEqual([]);
  });

  it("says the environment, not the text, gave the pattern when the stated context is no name", () => {
    const { checklist, report } = importText(
      doc("**Environment:** staging", "- [ ] `kubectl config current-context` shows `prod eu`"),
    );
    expect(checklist.vars?.["kubeContextPattern"]?.default).toBe("staging");
    expect(report.variables).toEqual([{ name: "kubeContextPattern", why: "the document's environment" }]);
  });
});

describe("the document's words stay words", () => {
  it("escapes ${ in every title, help, note and metadata field", () => {
    const { checklist, loaded } = importText(
      doc(
        "# T ${A}",
        "**Ticket:** ${T}",
        "**Environment:** (${E})",
        "## S ${B}",
        "help ${C}",
        "- [ ] I ${D}",
        "",
        "  Item help ${E}",
        "",
        "  - Do ${F}:",
        "    - sub",
        "## Sign-off ${G}",
        "- Engineer: x",
      ),
    );
    expect(checklist.metadata).toEqual({
      name: "imported",
      title: "T $${A}",
      ref: "$${T}",
      environment: "($${E})",
    });
    expect(checklist.sections).toEqual([
      {
        id: "s-b",
        title: "S $${B}",
        help: "help $${C}",
        items: [
          {
            id: "i-d",
            title: "I $${D}",
            help: "Item help $${E}",
            steps: [
              { id: "do-f", note: "Do $${F}:" },
              { id: "sub", confirm: "Do $${F}: sub", help: "sub" },
            ],
          },
        ],
      },
    ]);
    expect(checklist.signoff).toEqual({ requireAllRequiredPassed: true, title: "Sign-off $${G}" });
    expect(loaded.sections[0]!.items[0]!.title).toBe("I $${D}");
  });

  it("names an item with no words by its number, and keeps a paragraph of several lines as help", () => {
    const { checklist } = importText(doc("# T", "## A", "Just words.", "More words.", "## B", "- [ ] b"));
    expect(items(checklist)[0]).toEqual({
      id: "a",
      title: "A",
      help: "Just words.\nMore words.",
      steps: [{ id: "confirm", confirm: "A" }],
    });
    expect(checklist.signoff).toEqual({ requireAllRequiredPassed: true });
    const numbered = importText(doc("1. [ ] `kubectl get ns web`", "2. [ ] **`./x.sh`**")).checklist;
    expect(items(numbered)).toEqual([
      {
        id: "item-1",
        title: "Item 1",
        number: 1,
        steps: [
          {
            id: "item-1",
            title: "Item 1",
            kube: { namespace: "${namespace}" },
            help: "`kubectl get ns web`",
          },
        ],
      },
      {
        id: "item-2",
        title: "Item 2",
        number: 2,
        steps: [{ id: "item-2", title: "Item 2", run: "./x.sh", mutating: true, help: "**`./x.sh`**" }],
      },
    ]);
  });
});
