// The built CLI end to end: validate, list, show, schema, help and version, spawned as a user would.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./helpers/built.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = path.join(root, "bin/deploycheck.js");
const fixtures = path.join(root, "test/fixtures/invalid");

/** The 23 item titles of the staging checklist's source document, in order. */
const SEED_TITLES = [
  "Pre-Deployment Backup",
  "Rollback State Capture",
  "Health Check Baseline",
  "Staging-Specific Verification",
  "Notification Preparation",
  "Deployment Execution",
  "Deployment Validation",
  "Immediate Post-Deployment Health Check",
  "Monitoring Validation",
  "API Functionality Testing",
  "Performance Baseline",
  "Log Validation",
  "Rollback Documentation Review",
  "Rollback Testing (Optional but Recommended)",
  "Automatic Rollback Configuration",
  "Database Rollback Verification",
  "Extended Monitoring",
  "Deployment Completion Notification",
  "Cleanup",
  "Checklist Completion",
  "Emergency Contact Verification",
  "Emergency Rollback Access",
  "Communication Plan",
];

let work: string;

function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
  delete env["DEPLOYCHECK_DEBUG"];
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    cwd: options.cwd ?? work,
    env,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(path.join(tmpdir(), "dc-foundation-e2e-"));
  mkdirSync(path.join(work, "checklists"));
  writeFileSync(
    path.join(work, "checklists/smoke.yaml"),
    `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: smoke, title: Smoke test }
vars:
  token: { env: SMOKE_TOKEN, secret: true }
  host: { default: "https://api.example.com" }
sections:
  - id: main
    title: Main
    items:
      - id: call
        title: Call the API
        steps:
          - id: curl
            run: 'curl -H "Authorization: Bearer \${token}" \${host}/health'
          - run: echo no id
`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("validate", () => {
  it("accepts the bundled staging checklist by name", () => {
    const r = cli(["validate", "staging"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ .*checklists\/staging\.yaml \(23 items, \d+ steps\)\n$/);
  });

  it("prints warnings for steps without an id but still passes", () => {
    const r = cli(["validate", "checklists/smoke.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ checklists/smoke.yaml (1 item, 2 steps)");
    expect(r.stdout).toContain('checklists/smoke.yaml:16:13: warning: step has no id, so it is "run-2"');
  });

  it("reports an error with file:line:col, the path, a suggestion and a frame, exit 2, no stack", () => {
    const r = cli(["validate", path.join(fixtures, "undeclared-var.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("undeclared-var.yaml:17:40: ${namspace} names no declared variable");
    expect(r.stderr).toContain("(at sections[0].items[0].steps[0].run)");
    expect(r.stderr).toContain('did you mean "${namespace}"?');
    expect(r.stderr).toMatch(/> 17 \| {10}- id: a|> 17 \| +run: kubectl get namespace \$\{namspace\}/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports an unknown ${variable} together with the schema errors, in one pass", () => {
    const r = cli(["validate", path.join(fixtures, "schema-and-undeclared-var.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("schema-and-undeclared-var.yaml:17:27: ${apiURL} names no declared variable");
    expect(r.stderr).toContain('did you mean "${apiUrl}"?');
    expect(r.stderr).toContain(
      "schema-and-undeclared-var.yaml:21:59: ${namespace} names no declared variable",
    );
    expect(r.stderr).toContain('unknown step kind or key "htpp"');
    // A name saved anywhere (saveAs) is not reported before the schema passes: its order is checked then.
    expect(r.stderr).not.toContain("${before}");
    expect(r.stderr).not.toContain("${image}");
  });

  it("reports every problem of every file and exits 2 when any is invalid", () => {
    const r = cli([
      "validate",
      "staging",
      path.join(fixtures, "unknown-step-kind.yaml"),
      path.join(fixtures, "duplicate-key.yaml"),
      "nope",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("✓ ");
    expect(r.stderr).toContain('unknown step kind or key "htpp"');
    expect(r.stderr).toContain('did you mean "http"?');
    expect(r.stderr).toContain('duplicate key "timeout"');
    expect(r.stderr).toContain('no checklist named "nope"');
    expect(r.stderr).toContain("Checklists found: smoke, staging");
    expect(r.stderr).toContain("3 of 4 checklists are invalid");
  });

  it("validates every checklist of a directory", () => {
    const r = cli(["validate", "checklists"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ checklists/smoke.yaml (1 item, 2 steps)");
  });

  it("names a missing file", () => {
    const r = cli(["validate", "missing/checklist.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("checklist file missing/checklist.yaml does not exist");
  });

  it("--json gives problems with positions", () => {
    const r = cli(["validate", "--json", path.join(fixtures, "wrong-type-number.yaml")]);
    expect(r.code).toBe(2);
    const [result] = JSON.parse(r.stdout);
    expect(result.ok).toBe(false);
    expect(result.errors[0]).toMatchObject({
      line: 18,
      col: 31,
      path: "sections[0].items[0].steps[0].retries.count",
    });
    expect(result.errors[0].message).toContain("expected a number, got string");
  });
});

describe("list", () => {
  it("lists local and bundled checklists with title and item count", () => {
    const r = cli(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/smoke\s+1\s+Smoke test\s+checklists\/smoke\.yaml/);
    expect(r.stdout).toMatch(
      /staging\s+23\s+Staging Deployment Hardening and Rollback Checklist\s+\S*staging\.yaml \(bundled\)/,
    );
  });

  it("--json", () => {
    const rows = JSON.parse(cli(["list", "--json"]).stdout);
    expect(
      rows.map((r: { name: string; source: string; items: number }) => [r.name, r.source, r.items]),
    ).toEqual([
      ["smoke", "local", 1],
      ["staging", "bundled", 23],
    ]);
  });
});

describe("show", () => {
  it("shows every item of the seed, numbered, with what each step runs", () => {
    const r = cli(["show", "staging", "--var", "apiUrl=http://127.0.0.1:8080"]);
    expect(r.code).toBe(0);
    SEED_TITLES.forEach((title, i) => {
      expect(r.stdout).toContain(`[${i + 1}/23] ${title}`);
    });
    // The command as the checklist writes it, the value beside it.
    expect(r.stdout).toContain(
      './scripts/pre-deploy-smoke-test.sh --base-url ${apiUrl} (with apiUrl="http://127.0.0.1:8080")',
    );
    expect(r.stdout).toContain("apiUrl");
    expect(r.stdout).toMatch(/apiUrl\s+http:\/\/127\.0\.0\.1:8080\s+\[var\]/);
    expect(r.stdout).toMatch(/namespace\s+staging\s+\[default\]/);
  });

  it("takes values from the environment and masks secrets", () => {
    const r = cli(["show", "smoke"], { env: { SMOKE_TOKEN: "s3cr3t-value" } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("s3cr3t-value");
    expect(r.stdout).toMatch(/token\s+\*\*\*\*\s+\[env SMOKE_TOKEN\] secret/);
    expect(r.stdout).toContain('Bearer ${token}" ${host}/health (with token=****');
  });

  it("--json has sections, items and steps with descriptions", () => {
    const r = cli(["show", "staging", "--json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const items = plan.sections.flatMap((s: { items: { title: string }[] }) => s.items);
    expect(items.map((i: { title: string }) => i.title)).toEqual(SEED_TITLES);
    expect(plan.sections).toHaveLength(6);
    expect(plan.checklist).toMatchObject({ name: "staging", items: 23 });
    const undo = items[13].steps.find((s: { id: string }) => s.id === "rollback");
    expect(undo).toMatchObject({ kind: "kube", mutating: true, key: "rollback-test/rollback" });
  });

  it("unknown checklist: exit 2 listing the names found", () => {
    const r = cli(["show", "stagng"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no checklist named "stagng"');
    expect(r.stderr).toContain("smoke, staging");
  });
});

describe("schema", () => {
  it("prints the JSON Schema of the format (snapshot, so it cannot drift)", async () => {
    const r = cli(["schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.apiVersion.const).toBe("deploycheck/v1");
    await expect(r.stdout).toMatchFileSnapshot("__snapshots__/schema.json");
  });
});

describe("help and version", () => {
  const commands = ["validate", "list", "show", "schema"];
  it.each(commands)("%s --help has examples", (command) => {
    const r = cli([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(`$ deploycheck ${command}`);
  });

  it("--version prints the package version", () => {
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    const r = cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("--help, validate, list, show and schema load no heavy module", () => {
    const trace = path.join(work, "trace.txt");
    const nodeArgs = ["--import", path.join(here, "helpers/trace-loads.mjs")];
    for (const args of [["--help"], ["validate", "staging"], ["list"], ["show", "staging"], ["schema"]]) {
      writeFileSync(trace, "");
      const r = cli(args, { nodeArgs, env: { DC_TRACE_FILE: trace } });
      expect(r.code).toBe(0);
      const loaded = readFileSync(trace, "utf8");
      expect(loaded).toMatch(/dist\/cli\/main(\.bundle)?\.js/);
      for (const heavy of ["@kubernetes/client-node", "/execa/", "@inquirer/"])
        expect(loaded).not.toContain(heavy);
      if (args[0] === "--help") expect(loaded).not.toContain("/zod/");
    }
  });

  it("validate answered from the checklist cache loads neither yaml nor zod, and says the same", () => {
    const trace = path.join(work, "trace-cache.txt");
    const env = { DC_TRACE_FILE: trace, XDG_CACHE_HOME: path.join(work, "xdg-cache") };
    const nodeArgs = ["--import", path.join(here, "helpers/trace-loads.mjs")];
    writeFileSync(trace, "");
    const cold = cli(["validate", "staging"], { nodeArgs, env });
    expect(cold.code).toBe(0);
    expect(readFileSync(trace, "utf8")).toContain("/zod/");
    writeFileSync(trace, "");
    const warm = cli(["validate", "staging"], { nodeArgs, env });
    expect(warm.code).toBe(0);
    expect(warm.stdout).toBe(cold.stdout);
    const loaded = readFileSync(trace, "utf8");
    expect(loaded).toContain("dist/store/checklist-cache.js");
    expect(loaded).not.toContain("/zod/");
    expect(loaded).not.toContain("/yaml/");
  });
});

describe("did you mean", () => {
  it("suggests the command for a typo instead of looking for a checklist", () => {
    const r = spawnSync(process.execPath, [bin, "stauts"], { encoding: "utf8", cwd: tmpdir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'stauts'");
    expect(r.stderr).toContain("(Did you mean status?)");
  });
  it("resume --help offers no --resume or --new (they choose between runs, which resume does not)", () => {
    const r = spawnSync(process.execPath, [bin, "resume", "--help"], { encoding: "utf8" });
    expect(r.stdout).not.toMatch(/--resume|--new\b/);
    const run = spawnSync(process.execPath, [bin, "run", "--help"], { encoding: "utf8" });
    expect(run.stdout).toMatch(/--resume/);
    expect(run.stdout).toMatch(/--new\b/);
  });
});
