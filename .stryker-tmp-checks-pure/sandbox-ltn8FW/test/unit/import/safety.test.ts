// @ts-nocheck
// Safe by default: the read-only allow-list, bash's own ${FOO} kept literally (checked against real bash),
// placeholders as required variables, and stated outputs as expectations.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { analyzeCommand, renderCommand } from "../../../src/checklist/shell-refs.js";
import { isReadOnly } from "../../../src/import/command.js";
import { statedValue } from "../../../src/import/markdown.js";
import { doc, importText, steps } from "../../helpers/import-builders.js";

describe("the read-only allow-list", () => {
  it.each([
    "kubectl get pods -n web",
    "oc describe pod api-0 -n web",
    "kubectl logs deploy/api -n web --tail=100",
    "kubectl rollout status deployment/api -n web",
    "kubectl rollout history deployment/api",
    "kubectl top pods",
    "kubectl auth can-i delete pods",
    "curl -fsS https://api.example.com/health",
    "curl -sI https://api.example.com/",
    "wget -qO- https://api.example.com/health",
    'psql -c "SELECT count(*) FROM orders"',
    "cat /etc/hosts | grep api",
    "ls -la /var/backups",
    "stat /var/backups/latest",
    "test -f /var/backups/latest",
    "helm list -n web",
    "helm status web -n web",
    "helm history web",
    "terraform plan",
    "terraform show",
    "aws ec2 describe-instances --region eu-west-1",
    "aws s3api list-buckets",
    "gcloud compute instances list",
    "kubectl get pods 2>/dev/null | wc -l",
  ])("%s is read-only", (command) => {
    expect(isReadOnly(command)).toBe(true);
  });

  it.each([
    "kubectl apply -f k8s/",
    "kubectl rollout undo deployment/api",
    "kubectl rollout restart deployment/api",
    "kubectl delete pod api-0",
    "kubectl exec api-0 -- ls",
    "curl -X POST https://api.example.com/deploy",
    "curl -d @body.json https://api.example.com/",
    "curl -o out.html https://example.com/",
    "wget https://example.com/file.tgz",
    'psql -c "DROP TABLE orders"',
    'psql -c "SELECT pg_terminate_backend(42)"',
    'psql -c "SELECT 1; DELETE FROM orders"',
    'psql -c "SELECT * INTO backup FROM orders"',
    "psql -f migrate.sql",
    "cat a > b",
    "ls $(rm -rf /tmp/x)",
    "echo `date`",
    "sudo ls",
    "helm upgrade web ./chart",
    "terraform apply",
    "aws s3api get-object --bucket b --key k out",
    "gcloud container clusters get-credentials prod",
    "./scripts/pg-restore.sh",
    "./scripts/migrate.sh up",
    "./deploy.sh",
    "./bin/restore-db prod",
    "kubectl get pods\nkubectl delete pod x",
  ])("%s changes something (or may)", (command) => {
    expect(isReadOnly(command)).toBe(false);
  });
});

function bash(script: string): string {
  const r = spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"], FOO: "from-bash" },
  });
  return r.stdout;
}

describe("bash's own variables and the document's placeholders", () => {
  it("keeps ${FOO} as bash's variable: the command bash gets is the one the document wrote", () => {
    const source = 'echo "${FOO}" and ${FOO:-x} and ${#FOO}';
    const { checklist } = importText(doc("# T", "", "```bash", source, "```"));
    const run = steps(checklist)[0]!.run as string;
    const passed = renderCommand(run, analyzeCommand(run), () => false);
    expect(passed).toBe(source);
    expect(bash(passed)).toBe(bash(source));
  });

  it("makes <CLUSTER> and an unset $CLUSTER required variables, leaves assigned and shell variables alone", () => {
    const { checklist } = importText(
      doc(
        "# T",
        "",
        "```bash",
        "export REGION=eu",
        "./x.sh --cluster <CLUSTER> --db $DB_HOST --region $REGION --home $HOME '$LITERAL'",
        "```",
      ),
    );
    expect(steps(checklist)[0]!.run).toBe(
      "export REGION=eu\n./x.sh --cluster ${cluster} --db ${dbHost} --region $REGION --home $HOME '$LITERAL'",
    );
    expect(checklist.vars).toMatchObject({
      cluster: { required: true },
      dbHost: { required: true, env: "DB_HOST" },
    });
  });

  it("escapes ${ in titles and help: the document's words are never references", () => {
    const { checklist, loaded } = importText(
      doc("# T", "", "- [ ] Set ${TARGET} first", "  - `echo ${TARGET}`"),
    );
    expect(loaded.sections[0]!.items[0]!.title).toBe("Set $${TARGET} first");
    expect(steps(checklist)[0]!.run).toBe("echo $${TARGET}");
  });
});

describe("stated outputs", () => {
  it.each([
    ["This returns 43.", "43"],
    ["It should show `prod-eu-west-1`", "prod-eu-west-1"],
    ["The command prints `ok`", "ok"],
    ["Expected output: done", "done"],
    ["shows prod-eu", "prod-eu"],
  ])("%s -> %s", (text, value) => {
    expect(statedValue(text)).toBe(value);
  });

  it("reads no value from prose that states none", () => {
    expect(statedValue("This shows the pods")).toBeUndefined();
    expect(statedValue("Check the dashboard")).toBeUndefined();
  });
});
