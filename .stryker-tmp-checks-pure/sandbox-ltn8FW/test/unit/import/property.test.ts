// @ts-nocheck
// Whatever text comes in, the importer finishes, writes a checklist the loader accepts, and accounts for
// every non-blank line: placed in the checklist, or listed as not placed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importText } from "../../helpers/import-builders.js";

const fragments = [
  "- ",
  "  - ",
  "* ",
  "[ ] 1. ",
  "- [ ] ",
  "- [x] ",
  "2) ",
  "# ",
  "## ",
  "### 3. ",
  "```sh",
  "```",
  "    ",
  "kubectl get pods -n staging -l app=api",
  "kubectl rollout status deployment/api -n staging --timeout=300s",
  "kubectl rollout undo deployment/api -n prod(to re-apply)",
  "kubectl config current-context",
  "./scripts/deploy.sh backup",
  "API_URL=https://api.example.io ./scripts/check.sh",
  "curl https://x.example.com/health?a=1",
  " - Verify it",
  "Run it:",
  "Confirm backup exists in ./backups/directory",
  "Test core API endpoints: /health,/ready",
  "(if applicable)",
  "(Optional but Recommended)",
  "Optional: ",
  "error rate > 10%",
  "Environment: Staging (Kubernetes)",
  "Issue: X-1",
  "Sign-Off",
  "Engineer: ____",
  "Deployment Ready: ☐ Yes ☐ No",
  "Approver: ___",
  "---",
  "<!-- c -->",
  ":",
  "`",
  "(",
  "$",
  "Section Title",
  "with",
  "\t",
  // Markdown: fences with languages and prompts, quotes, containers, MyST, front matter, TOCs, HTML.
  "```bash",
  "```console",
  "```{note}",
  "$ kubectl rollout status deployment/api -n web",
  "user@host:~$ oc get pods -n $NAMESPACE",
  "> ",
  "> **Note**",
  ":::{warning}",
  ":::",
  "- [Intro](#intro)",
  "[[_TOC_]]",
  "<details>",
  "| a | b |",
  "|---|---|",
  "`./scripts/pg-restore.sh <BACKUP>`",
  "`echo ${FOO}`",
  "## Rollback (only if needed)",
  "This returns 43.",
  "should show `prod-eu-west-1`",
  "title: x",
  "    indented code",
];

/** fast-check's seed: printed, and taken from SEED=... to replay a failure. */
const seed = process.env["SEED"] !== undefined ? Number(process.env["SEED"]) : Date.now() % 2 ** 31;
console.log(`import property tests: SEED=${seed}`);

const SIGNOFF_FIELD =
  /^\W*(?:engineer|deployment ready|ready|timestamp|date|time|notes?|issues\/blockers|issues|blockers|signed[- ]off by|sign[- ]off)\W*:/i;

const line = fc
  .array(
    fc.oneof(
      fc.constantFrom(...fragments),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 6 }),
    ),
    {
      maxLength: 5,
    },
  )
  .map((parts) => parts.join("").replace(/[\r\n]/g, " "));

describe("importing arbitrary text", () => {
  it("never crashes, always loads, and places or lists every non-blank line", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join("\n");
        const { report, loaded, yaml } = importText(text);
        const written = yaml.toLowerCase();
        expect(loaded.sections.length).toBeGreaterThan(0);
        const placed = new Set(report.placed);
        const unplaced = new Set(report.unplaced.map((u) => u.line));
        const source = text.replace(/\r\n?/g, "\n").split("\n");
        source.forEach((l, i) => {
          if (!l.trim()) return;
          // Exactly one of the two: no line is silently dropped, none is counted twice.
          expect(placed.has(i + 1) !== unplaced.has(i + 1), `line ${i + 1}: ${JSON.stringify(l)}`).toBe(true);
          // "Placed" means something of it is in the YAML. Sign-off fields are the exception: they are the
          // prompts deploycheck asks at sign-off, so the YAML only says `signoff:`.
          // A header field's key is not kept as text (`Issue: X` becomes `ref: X`): look at the value.
          const words = l
            .toLowerCase()
            .replace(/^[^:]*:\s/, "")
            .match(/[a-z0-9]{3,}/g);
          if (placed.has(i + 1) && words && !SIGNOFF_FIELD.test(l)) {
            expect(
              words.some((w) => written.includes(w)),
              `line ${i + 1} placed but absent: ${JSON.stringify(l)}`,
            ).toBe(true);
          }
        });
      }),
      { numRuns: Number(process.env["IMPORT_RUNS"] ?? 300), seed },
    );
  });
});
