// @ts-nocheck
// Markdown documents: GitHub task lists, nested bullets, headings as sections or items, fenced commands.
import { describe, expect, it } from "vitest";
import { stepKind } from "../../../src/checklist/schema.js";
import { parseDocument } from "../../../src/import/parse.js";
import { doc, importText, items, steps } from "../../helpers/import-builders.js";

describe("GitHub task lists", () => {
  it("makes each checkbox an item and its nested bullets steps", () => {
    const { checklist } = importText(
      doc(
        "# Release",
        "## Before",
        "- [ ] Back up the database",
        "  - Run the backup: `./scripts/backup.sh now`",
        "  - Check the dump is readable",
        "- [x] Tell the team (optional)",
        "## After",
        "- [ ] Smoke test",
      ),
    );
    expect(checklist.metadata.title).toBe("Release");
    expect(checklist.sections.map((s) => [s.id, s.items.map((i) => i.title)])).toEqual([
      ["before", ["Back up the database", "Tell the team (optional)"]],
      ["after", ["Smoke test"]],
    ]);
    const [backup, tell] = checklist.sections[0]!.items;
    expect(backup!.steps).toEqual([
      {
        id: "run-the-backup",
        title: "Run the backup",
        run: "./scripts/backup.sh now",
        mutating: true,
        help: "Run the backup: `./scripts/backup.sh now`",
      },
      { id: "check-the-dump-is-readable", confirm: "Check the dump is readable" },
    ]);
    // An item without bullets is one confirmation of its own title; "(optional)" makes it optional.
    expect(tell).toMatchObject({
      optional: true,
      steps: [{ id: "confirm", confirm: "Tell the team (optional)" }],
    });
  });

  it("numbers items written as `1. [ ]` and keeps nested checkboxes as steps", () => {
    const { checklist } = importText(
      doc("1. [ ] Apply", "   - [ ] `kubectl apply -f k8s/`", "2. [ ] Watch", "   - [ ] Grafana looks calm"),
    );
    expect(items(checklist).map((i) => [i.number, i.title, i.steps.map(stepKind)])).toEqual([
      [1, "Apply", ["run"]],
      [2, "Watch", ["confirm"]],
    ]);
    expect(steps(checklist)[0]).toMatchObject({ run: "kubectl apply -f k8s/", mutating: true });
  });

  it("puts items written before any heading into one section named after the document", () => {
    const { checklist } = importText(doc("# Ship", "- [ ] one", "- [ ] two"));
    expect(checklist.sections).toHaveLength(1);
    expect(checklist.sections[0]).toMatchObject({ id: "ship", title: "Ship" });
  });
});

describe("commands a document only wants sometimes", () => {
  it("asks instead of running a change under a condition the tool cannot evaluate", () => {
    const { checklist } = importText(
      doc(
        "- [ ] `kubectl config current-context` shows **prod-eu**",
        "    * if not, run `kubectl config use-context prod-eu`",
        "1) Check CI is green",
      ),
    );
    const [context, ci] = items(checklist);
    expect(context!.title).toBe("`kubectl config current-context` shows prod-eu");
    expect(context!.steps[1]).toEqual({
      id: "if-not-run-kubectl-config-use-context",
      confirm: "if not, run `kubectl config use-context prod-eu`",
    });
    // A numbered entry at the items' own indentation is the next item, as Markdown reads it.
    expect(ci).toMatchObject({ number: 1, title: "Check CI is green" });
  });
});

describe("conditions on items", () => {
  it("puts (if applicable) on the item, once, when the item's own line is its step", () => {
    const { checklist } = importText(
      doc("- [ ] Drain the ECS fallback: `./scripts/ecs-drain.sh` (if applicable)"),
    );
    const [item] = items(checklist);
    expect(item!.when).toBe("${drainEcsFallback}");
    expect(Object.keys(checklist.vars ?? {})).toEqual(["drainEcsFallback"]);
    expect(item!.steps).toEqual([
      expect.objectContaining({
        run: "./scripts/ecs-drain.sh",
        title: "Drain the ECS fallback: `./scripts/ecs-drain.sh` (if applicable)",
      }),
    ]);
    expect(item!.steps[0]!.when).toBeUndefined();
  });
});

describe("nested bullets", () => {
  it("keeps depth in the tree and reads children in the light of their parent", () => {
    const text = doc(
      "- [ ] Clean up",
      "  - Remove temporary branches",
      "    - both local and remote",
      "    - Verify tags are gone",
    );
    const tree = parseDocument(text);
    const remove = tree.sections[0]!.items[0]!.steps[0]!;
    expect(remove.children.map((c) => c.label)).toEqual(["both local and remote", "Verify tags are gone"]);
    const { checklist } = importText(text);
    expect(steps(checklist).map((s) => s.confirm)).toEqual([
      "Remove temporary branches",
      "Remove temporary branches: both local and remote",
      "Verify tags are gone",
    ]);
  });

  it("makes a bullet that ends with a colon a note introducing the ones under it", () => {
    const { checklist } = importText(
      doc("- [ ] Rollback triggers", "  - Verify triggers are configured:", "    - Health check failure"),
    );
    expect(steps(checklist)).toEqual([
      { id: "verify-triggers-are-configured", note: "Verify triggers are configured:" },
      {
        id: "health-check-failure",
        confirm: "Verify triggers are configured: Health check failure",
        help: "Health check failure",
      },
    ]);
  });
});

describe("headings", () => {
  it("makes a heading that holds only bullets an item, and numbered headings numbered items", () => {
    const { checklist } = importText(
      doc(
        "# Runbook",
        "## Deploy",
        "### 1. Prepare",
        "1. Run `./scripts/prep.sh`",
        "2. Confirm the freeze window",
        "### Ship it",
        "- Deploy:",
        "",
        "      helm upgrade web ./chart -n prod",
        "",
        "- Verify the on-call rota (if applicable)",
      ),
    );
    expect(checklist.sections.map((s) => s.title)).toEqual(["Deploy"]);
    const [prepare, ship] = items(checklist);
    expect(prepare).toMatchObject({ title: "Prepare", number: 1 });
    expect(prepare!.steps.map(stepKind)).toEqual(["run", "confirm"]);
    expect(ship!.title).toBe("Ship it");
    expect(ship!.steps[0]).toMatchObject({
      title: "Deploy",
      run: "helm upgrade web ./chart -n prod",
      mutating: true,
    });
    expect(ship!.steps[1]).toMatchObject({ when: "${onCallRota}" });
    expect(checklist.vars?.["onCallRota"]).toMatchObject({ default: false });
  });

  it("reads underlined (setext) headings, after a byte-order mark", () => {
    const { checklist, report } = importText(
      doc(
        "\uFEFFDeploy",
        "======",
        "",
        "Pre-flight",
        "----------",
        "- [ ] One",
        "",
        "After",
        "-----",
        "- [ ] Two",
      ),
    );
    expect(checklist.metadata.title).toBe("Deploy");
    expect(checklist.sections.map((s) => [s.title, s.items.map((i) => i.title)])).toEqual([
      ["Pre-flight", ["One"]],
      ["After", ["Two"]],
    ]);
    expect(report.unplaced).toEqual([
      { line: 2, text: "======", reason: "decoration" },
      { line: 5, text: "----------", reason: "decoration" },
      { line: 9, text: "-----", reason: "decoration" },
    ]);
  });

  it("reads a prompted block: prompted lines are commands, the rest output kept as help", () => {
    const { checklist } = importText(
      doc(
        "## Checks",
        "- [ ] Cluster",
        "  - Context:",
        "    ```sh",
        "    kubectl config current-context",
        "    $ kubectl get ns prod",
        "    ```",
      ),
    );
    // `kubectl config current-context` has no prompt in a block with prompts: it is output, not run.
    expect(steps(checklist).map((s) => [stepKind(s), s.run ?? s.kube])).toEqual([
      ["kube", { namespace: "${namespace}" }],
    ]);
    expect(steps(checklist)[0]!.help).toBe(
      "Context:\n```sh\nkubectl config current-context\n$ kubectl get ns prod\n```",
    );
  });
});

describe("header, variables and sign-off", () => {
  it("reads metadata from emphasised header fields and URL variables from commands", () => {
    const { checklist, report } = importText(
      doc(
        "# Release",
        "**Issue:** OPS-12",
        "**Environment:** Production (EKS)",
        "Owner: platform team",
        "Intro text.",
        "## Checks",
        "- [ ] Context: `kubectl config current-context`",
        "- [ ] API: `curl -fsS https://api.example.com/health`",
      ),
    );
    expect(checklist.metadata).toMatchObject({
      ref: "OPS-12",
      environment: "production",
      owner: "platform team",
      description: "Intro text.",
    });
    expect(checklist.guards).toEqual([
      { id: "kube-context", kube: { context: { matches: "${kubeContextPattern}" } } },
    ]);
    expect(checklist.vars?.["kubeContextPattern"]?.default).toBe("production");
    expect(checklist.vars?.["apiUrl"]).toEqual({ default: "https://api.example.com" });
    expect(steps(checklist)[1]!.run).toBe("curl -fsS ${apiUrl}/health");
    expect(report.notes.join("\n")).toContain("guard");
  });

  it("lists sign-off fields it cannot ask and decoration as not placed, with line numbers", () => {
    const { checklist, report } = importText(
      doc("- [ ] Do it", "", "---", "## Sign-off", "- Engineer: ____", "- Approver: ____"),
    );
    expect(checklist.signoff).toEqual({ requireAllRequiredPassed: true, title: "Sign-off" });
    expect(report.unplaced.map((u) => [u.line, u.text])).toEqual([
      [3, "---"],
      [6, "- Approver: ____"],
    ]);
  });

  it("writes a placeholder item for a document without any", () => {
    const { checklist, report } = importText(doc("just some text"));
    expect(items(checklist)).toHaveLength(1);
    expect(report.notes.join()).toContain("no items");
  });
});
