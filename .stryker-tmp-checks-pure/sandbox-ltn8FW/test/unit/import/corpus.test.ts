// @ts-nocheck
// The import corpus: runbooks of the shapes teams actually have (test/fixtures/import/README.md says which
// public document each models). Per document: the sections and items expected, which commands become kube,
// run or confirm steps, and the safety rules that hold for every document: it loads, no prose became a run
// step, no command that changes something is left unmarked, and kubectl get/rollout/describe gives at least
// one native kube step.
import { readdirSync, readFileSync } from "node:fs";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import { isReadOnly } from "../../../src/import/command.js";
import { importText, items, steps } from "../../helpers/import-builders.js";

const dir = new URL("../../fixtures/import/", import.meta.url);
const corpus = readdirSync(dir).filter((f) => /\.(md|txt)$/.test(f));
const read = (f: string) => readFileSync(new URL(f, dir), "utf8");

const command = (s: Step) => (typeof s.run === "string" ? s.run : s.run?.command);
const runs = (c: Checklist) => steps(c).filter((s) => s.run !== undefined);

/** Every piece of code in a document, as a CommonMark parser sees it (blocks and inline spans). */
function codeOf(text: string): string {
  const md = new MarkdownIt("commonmark");
  const out: string[] = [];
  const walk = (tokens: ReturnType<typeof md.parse>) => {
    for (const t of tokens) {
      if (t.type === "fence" || t.type === "code_block" || t.type === "code_inline") out.push(t.content);
      if (t.children) walk(t.children);
    }
  };
  walk(md.parse(text, {}));
  // The seed is plain text: its commands are whole lines.
  return text.includes("```") || text.includes("`") ? out.join("\n") : text;
}

/** Words that name a change: a command holding one is never left unmarked. */
const CHANGES =
  /\b(?:delete|apply|restore|migrate|drop|undo|restart|terminate|drain|cordon|deploy|push|tag|upgrade|rollback|reinit|restore-db|release|stage|start|rm|truncate|insert|update|scale|patch)\b|-X\s*(?:POST|PUT|PATCH|DELETE)|>\s*\w/i;

describe("the import corpus", () => {
  it("has at least 12 Markdown runbooks besides the plain-text seed", () => {
    expect(corpus.filter((f) => f.endsWith(".md")).length).toBeGreaterThanOrEqual(12);
  });

  for (const file of corpus) {
    describe(file, () => {
      const text = read(file);
      const { checklist, report, loaded } = importText(text, "corpus");
      const code = codeOf(text);

      it("imports without a crash into a checklist the loader accepts, every line accounted for", () => {
        expect(loaded).toEqual(checklist);
        expect(report.unplaced.filter((u) => u.reason === "not understood")).toEqual([]);
      });

      it("makes run steps only from code, never from prose", () => {
        for (const step of runs(checklist)) {
          const first = command(step)!.split("\n")[0]!;
          // The program and its first argument, as written in the document (before variables replaced words).
          const words = first
            .split(/\s+/)
            .filter((w) => !/\$\{|^[A-Z_]+=/.test(w))
            .slice(0, 2);
          for (const w of words) expect(code, `${file}: ${first}`).toContain(w);
        }
      });

      it("marks every run step, and marks mutating whatever is not on the read-only list", () => {
        for (const step of runs(checklist)) {
          const cmd = command(step)!;
          expect(typeof step.mutating, `${file}: ${cmd}`).toBe("boolean");
          if (step.mutating === false)
            expect(isReadOnly(cmd.replace(/\$\$?\{(\w+)\}/g, "$1")), cmd).toBe(true);
          if (CHANGES.test(cmd)) expect(step.mutating, `${file}: ${cmd}`).toBe(true);
        }
        for (const step of steps(checklist)) if (step.kube?.rolloutUndo) expect(step.mutating).toBe(true);
      });

      it("gives a native kube step where the document runs kubectl/oc get, rollout or describe", () => {
        if (/\b(?:kubectl|oc)\s+(?:-n\s+\S+\s+)?(?:get|rollout|describe)\b/.test(code)) {
          expect(steps(checklist).some((s) => s.kube)).toBe(true);
        }
      });
    });
  }
});

const load = (f: string) => importText(read(f), "corpus").checklist;
const titles = (c: Checklist) => c.sections.map((s) => s.title);
const byCommand = (c: Checklist, part: string) => runs(c).find((s) => command(s)!.includes(part));

describe("per document", () => {
  it("db-migration-rollback: front matter metadata, TOC dropped, rollback only when asked", () => {
    const c = load("db-migration-rollback.md");
    expect(c.metadata).toMatchObject({ title: "Orders database migration", owner: "payments-sre" });
    expect(titles(c)).toEqual(["Orders database migration", "Rollback (only if needed)"]);
    expect(c.sections[1]).toMatchObject({ when: "${runRollback}" });
    expect(c.vars?.["runRollback"]).toMatchObject({ default: false });
    expect(items(c).map((i) => i.title)).toEqual([
      "Preparation",
      "Migration",
      "Restore the backup",
      "Undo the API rollout",
      "Drop the new table",
    ]);
    // The context the text names, not a pattern any context matches.
    expect(c.vars?.["kubeContextPattern"]?.default).toBe("^prod-eu-west-1$");
    expect(c.guards?.[0]?.kube?.context?.matches).toBe("${kubeContextPattern}");
    expect(byCommand(c, "SELECT count(*)")).toMatchObject({
      mutating: false,
      run: { expect: { stdout: "\\b43\\b" } },
    });
    // One script per block: the export reaches the next line; bash's own ${BACKUP_NAME} kept as $${...}.
    expect(command(byCommand(c, "pg-backup.sh")!)).toBe(
      'export BACKUP_NAME="orders-$(date +%Y%m%d)"\n./scripts/pg-backup.sh "$${BACKUP_NAME}"',
    );
    expect(command(byCommand(c, "migrate.sh")!)).toBe("./scripts/migrate.sh up --cluster ${cluster}");
    expect(c.vars?.["cluster"]).toMatchObject({ required: true });
    expect(byCommand(c, "DROP TABLE")?.mutating).toBe(true);
  });

  it("console-two-namespaces: two namespaces and two deployments stay two variables each", () => {
    const c = load("console-two-namespaces.md");
    expect(c.vars).toMatchObject({
      namespace: { default: "shop" },
      namespace2: { default: "jobs" },
      deployment: { default: "checkout-api" },
      deployment2: { default: "payment-worker" },
    });
    const rollouts = steps(c).flatMap((s) => (s.kube?.rolloutStatus ? [s.kube.rolloutStatus] : []));
    expect(rollouts).toEqual([
      { deployment: "${deployment}", namespace: "${namespace}" },
      { deployment: "${deployment2}", namespace: "${namespace2}" },
    ]);
    const pods = steps(c).flatMap((s) => (s.kube?.pods ? [s.kube.pods] : []));
    expect(pods).toEqual([
      { selector: "app=${deployment}", namespace: "${namespace}" },
      { selector: "app=${deployment2}", namespace: "${namespace2}" },
    ]);
    expect(c.sections[0]!.items.at(-1)).toMatchObject({
      title: "Rollback (only if needed)",
      when: "${runRollback}",
    });
    expect(byCommand(c, "restore-db")?.mutating).toBe(true);
  });

  it("openshift-pod-not-ready: oc commands as kube steps, $NAMESPACE a required variable, a negated command not run", () => {
    const c = load("openshift-pod-not-ready.md");
    expect(c.vars?.["namespace"]).toMatchObject({ required: true, env: "NAMESPACE" });
    expect(steps(c).find((s) => s.kube?.pods)?.kube?.pods).toEqual({
      selector: "",
      namespace: "${namespace}",
    });
    expect(byCommand(c, "oc logs")).toMatchObject({ mutating: false });
    expect(runs(c).some((s) => command(s)!.includes("delete project"))).toBe(false);
    expect(steps(c).some((s) => s.confirm?.toString().startsWith("If the pod is stuck"))).toBe(true);
  });

  it("sre-postgres-replication-lag: TOC markers dropped, output tables kept as help, stated output checked", () => {
    const { checklist: c, report } = importText(read("sre-postgres-replication-lag.md"));
    expect(report.dropped.map((d) => d.reason)).toEqual(["table of contents", "table of contents"]);
    const patroni = byCommand(c, "patronictl list")!;
    expect(patroni.help).toContain("| patroni-1 | 10.0.0.12 | Replica |");
    expect(patroni.mutating).toBe(true);
    expect(byCommand(c, "pg_last_xact_replay_timestamp")).toMatchObject({
      mutating: false,
      run: { expect: { stdout: "\\b0\\b" } },
    });
  });

  it("cnpg-operator-upgrade: a heading naming `kubectl` is no command; plugins are not read-only", () => {
    const c = load("cnpg-operator-upgrade.md");
    expect(runs(c).map(command)).not.toContain("kubectl");
    expect(byCommand(c, "cnpg status")?.mutating).toBe(true);
    expect(steps(c).some((s) => s.kube?.rolloutStatus)).toBe(true);
    expect(items(c).at(-1)).toMatchObject({ title: "Rollback", when: "${runRollback}" });
  });

  it("prometheus-style-release: one step for the tagging block, <VERSION> a variable", () => {
    const c = load("prometheus-style-release.md");
    expect(command(byCommand(c, "git tag")!)).toContain('git tag -s "v$${VERSION}"');
    expect(command(byCommand(c, "registry")!)).toContain("manifests/v${version}");
    expect(byCommand(c, "> VERSION")?.mutating).toBe(true);
  });

  it("k8s-release-tasks: a task list becomes items with nested steps", () => {
    const c = load("k8s-release-tasks.md");
    expect(titles(c)).toEqual(["Week 1", "Week 4", "Release day"]);
    expect(items(c)[0]!.steps.map((s) => s.confirm)).toEqual([
      "Branch created from `master` at the agreed commit",
      "Branch protection enabled",
    ]);
    expect(byCommand(c, "krel release")?.mutating).toBe(true);
  });

  it("incident-response: table and quotes as help, the SEV-1 part only when asked", () => {
    const c = load("incident-response.md");
    const sev1 = items(c).find((i) => i.title === "In case of a SEV-1")!;
    expect(sev1.when).toBe("${runCaseSev1}");
    expect(byCommand(c, "-X POST")?.mutating).toBe(true);
    expect(JSON.stringify(c)).toContain("Never delete the incident channel");
  });

  it("myst-maintenance: MyST directives are help, {code-block} bash is code", () => {
    const c = load("myst-maintenance.md");
    expect(c.metadata).toMatchObject({
      title: "Scheduled maintenance of the search cluster",
      owner: "search-team",
    });
    expect(byCommand(c, "_cluster/health")).toMatchObject({
      mutating: false,
      run: { expect: { stdout: "\\bgreen\\b" } },
    });
    expect(command(byCommand(c, "for node in")!)).toContain("kubectl delete pod");
    expect(items(c).at(-1)).toMatchObject({ title: "Optional: reindex", when: "${runOptionalReindex}" });
  });

  it("helm-upgrade-guide: helm read-only commands unmarked, the failure section only when asked", () => {
    const c = load("helm-upgrade-guide.md");
    expect(byCommand(c, "helm status")?.mutating).toBe(false);
    expect(byCommand(c, "helm upgrade")?.mutating).toBe(true);
    expect(c.sections.at(-1)).toMatchObject({ title: "If the upgrade fails", when: "${runUpgradeFails}" });
  });

  it("etcd-snapshot-restore: indented code blocks, setext headings, restore only when asked", () => {
    const c = load("etcd-snapshot-restore.md");
    expect(items(c).map((i) => i.title)).toEqual(["Snapshot", "Restoring a cluster (only if needed)"]);
    expect(command(byCommand(c, "snapshot restore")!)).toContain("--data-dir /var/lib/etcd-restored");
    expect(items(c)[1]!.when).toBe("${runRestoringCluster}");
  });

  it("eks-node-rotation: placeholders, aws describe/list read-only, a table is no command", () => {
    const c = load("eks-node-rotation.md");
    expect(byCommand(c, "describe-cluster")).toMatchObject({
      mutating: false,
      run: { expect: { stdout: '"ACTIVE"' } },
    });
    expect(byCommand(c, "terminate-instances")?.mutating).toBe(true);
    expect(runs(c).filter((s) => command(s)!.startsWith("kubectl cordon"))).toHaveLength(1);
    expect(c.vars?.["node"]).toMatchObject({ required: true });
  });

  it("hostile-shapes: prose and negated commands never run, backticks in a span stay one command", () => {
    const c = load("hostile-shapes.md");
    expect(runs(c).map(command)).toEqual([
      "sudo systemctl start patroni",
      "echo $${GITLAB_ENVIRONMENT}",
      "echo `date`",
      "./deploy.sh --env $${TARGET_ENV}",
    ]);
    expect(byCommand(c, "echo `date`")?.mutating).toBe(true);
  });
});
