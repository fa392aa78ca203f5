// The conversion's edge cases, exactly: what one command, bullet or field becomes at the boundaries of
// each rule (regular expressions, numbering, paths into the checklist, report lists). Each row is a case a
// document can hold; the expected value is the whole result, so that a rule off by a character shows.
import { describe, expect, it } from "vitest";
import type { Checklist, Step, Variable } from "../../../src/checklist/schema.js";
import { convertDocument } from "../../../src/import/convert.js";
import type { BulletNode, ImportDocument, SectionNode } from "../../../src/import/parse.js";
import { doc, importText, items, steps } from "../../helpers/import-builders.js";

/** One code block under a section: the step it becomes (without the help, which repeats the block). */
function block(command: string): { step: Step; vars: Record<string, Variable> | undefined } {
  const { checklist } = importText(doc("# T", "## S", "```bash", command, "```"));
  const [{ help: _, ...step }] = steps(checklist) as [Step];
  return { step, vars: checklist.vars };
}

const required = (written: string, name: string, env?: string): Variable => ({
  required: true,
  ...(env ? { env } : {}),
  description: `The document's placeholder ${written}: pass --var ${name}=...${env ? ` or set ${env}` : ""}`,
});

describe("a command's own variables stay bash's", () => {
  it.each([
    ["X=1; echo $X", "X=1; echo $X"],
    ["read NAME; echo $NAME", "read NAME; echo $NAME"],
    ["read -rs PASS; echo $PASS", "read -rs PASS; echo $PASS"],
    ["read  LINE; echo $LINE", "read  LINE; echo $LINE"],
    ["read  -r ROW; echo $ROW", "read  -r ROW; echo $ROW"],
    // read's options that take a value are not its variables; every name after them is.
    ['read -p "Continue? " ANSWER; echo $ANSWER', 'read -p "Continue? " ANSWER; echo $ANSWER'],
    ["read -rp 'Name: ' NAME; echo $NAME", "read -rp 'Name: ' NAME; echo $NAME"],
    ["read -t 5 -n 1 KEY; echo $KEY", "read -t 5 -n 1 KEY; echo $KEY"],
    ["read -d X -N 2 -i Y -u 3 LINE; echo $LINE", "read -d X -N 2 -i Y -u 3 LINE; echo $LINE"],
    ["read -a ITEMS; echo $ITEMS", "read -a ITEMS; echo $ITEMS"],
    ["read -ra ROWS X; echo $ROWS $X", "read -ra ROWS X; echo $ROWS $X"],
    ["read A B; echo $A $B", "read A B; echo $A $B"],
    // A prompt is one word however it is quoted, even with a `;`, `&`, `|` or `)` inside.
    ['read -p "Go; on (y|n) & " D; echo $D', 'read -p "Go; on (y|n) & " D; echo $D'],
    ["read -p 'Go; on (y|n) & ' D; echo $D", "read -p 'Go; on (y|n) & ' D; echo $D"],
    // -p with its value in the same word (bash reads `-px` as the prompt x).
    ["read -px NAME; echo $NAME", "read -px NAME; echo $NAME"],
    ["(read C) && true&&read D|read E; echo $C $D $E", "(read C) && true&&read D|read E; echo $C $D $E"],
  ])("%s", (command, run) => {
    expect(block(command)).toStrictEqual({
      step: { id: expect.any(String), run, mutating: true },
      vars: undefined,
    });
  });
});

describe("names read takes for a prompt or a value are the document's placeholders", () => {
  it.each([
    [
      "read -p PROMPT; echo $PROMPT",
      "read -p PROMPT; echo ${prompt}",
      { prompt: required("$PROMPT", "prompt", "PROMPT") },
    ],
    ["read -a; echo $A", "read -a; echo ${a}", { a: required("$A", "a", "A") }],
    ["read -t T R; echo $T", "read -t T R; echo ${t}", { t: required("$T", "t", "T") }],
    [
      'read -p "Go on B or C" D; echo $B',
      'read -p "Go on B or C" D; echo ${b}',
      { b: required("$B", "b", "B") },
    ],
    [
      "read -p 'Go on B or C' D; echo $B",
      "read -p 'Go on B or C' D; echo ${b}",
      { b: required("$B", "b", "B") },
    ],
    [
      "read -rp PROMPT; echo $PROMPT",
      "read -rp PROMPT; echo ${prompt}",
      { prompt: required("$PROMPT", "prompt", "PROMPT") },
    ],
    ["read X\necho $Y", "read X\necho ${y}", { y: required("$Y", "y", "Y") }],
    ["spread X; echo $X", "spread X; echo ${x}", { x: required("$X", "x", "X") }],
    ["read; echo $REPLY_TO", "read; echo ${reply}", { reply: required("$REPLY_TO", "reply", "REPLY_TO") }],
    ["read -- 1X; echo $X", "read -- 1X; echo ${x}", { x: required("$X", "x", "X") }],
  ])("%s", (command, run, vars) => {
    expect(block(command)).toStrictEqual({ step: { id: expect.any(String), run, mutating: true }, vars });
  });
});

describe("kubectl namespaces and deployments in a run step", () => {
  it.each([
    // Only kubectl (or oc) at the start of a line is kubectl: a word or a path before it is another program.
    ["./deploy.sh --tool kubectl -n web", "./deploy.sh --tool kubectl -n web", true, undefined],
    ["/usr/local/bin/kubectl get pods -n web", "/usr/local/bin/kubectl get pods -n web", true, undefined],
    [
      "kubectl -n  web get pods -o json",
      "kubectl -n  ${namespace} get pods -o json",
      false,
      { namespace: { default: "web" } },
    ],
    [
      "kubectl -n web get svc -o json",
      "kubectl -n ${namespace} get svc -o json",
      false,
      { namespace: { default: "web" } },
    ],
    [
      "kubectl rollout restart deployment/api",
      "kubectl rollout restart deployment/${deployment}",
      true,
      { deployment: { default: "api" } },
    ],
  ])("%s", (command, run, mutating, vars) => {
    expect(block(command)).toStrictEqual({ step: { id: expect.any(String), run, mutating }, vars });
  });

  it("names the variables of a script's namespaces and deployments itself", () => {
    const { checklist, report } = importText(
      doc(
        "# T",
        "## S",
        "```bash",
        "export X=1",
        "kubectl -n web rollout restart deploy/api",
        "kubectl -n jobs rollout restart deploy/worker",
        "```",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toStrictEqual([
      "export X=1\nkubectl -n ${namespace} rollout restart deploy/${deployment}\nkubectl -n ${namespace2} rollout restart deploy/${deployment2}",
    ]);
    expect(checklist.vars).toStrictEqual({
      namespace: { default: "web" },
      deployment: { default: "api" },
      namespace2: { default: "jobs" },
      deployment2: { default: "worker" },
    });
    expect(report.variables).toStrictEqual([
      { name: "namespace", why: "namespace web in the document's commands" },
      { name: "namespace2", why: "namespace jobs in the document's commands" },
      { name: "deployment", why: "deployment api in the document's commands" },
      { name: "deployment2", why: "deployment worker in the document's commands" },
    ]);
  });

  it("numbers a third value of a kind 3, and a third placeholder of one name as well", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Go",
        "  - `kubectl get ns a`",
        "  - `kubectl get ns b`",
        "  - `kubectl get ns c`",
        "  - `./x.sh <CLUSTER> $CLUSTER <Cluster>`",
      ),
    );
    expect(steps(checklist).map((s) => s.kube ?? s.run)).toStrictEqual([
      { namespace: "${namespace}" },
      { namespace: "${namespace2}" },
      { namespace: "${namespace3}" },
      "./x.sh ${cluster} ${cluster3} ${cluster2}",
    ]);
    expect(Object.keys(checklist.vars ?? {})).toStrictEqual([
      "namespace",
      "namespace2",
      "namespace3",
      "cluster",
      "cluster2",
      "cluster3",
    ]);
  });

  it.each([
    // A namespace that is a placeholder as a whole is the placeholder; with more around it, a value.
    ["kubectl get ns ${ENV}", { namespace: "${env}" }, { env: required("${ENV}", "env", "ENV") }],
    ["kubectl get ns $ENV", { namespace: "${env}" }, { env: required("$ENV", "env", "ENV") }],
    // Inside a name, each placeholder is its variable and the rest stays: `web-$ENV` is no namespace's name.
    ["kubectl get ns web-$ENV", { namespace: "web-${env}" }, { env: required("$ENV", "env", "ENV") }],
    ["kubectl get ns ${ENV}-web", { namespace: "${env}-web" }, { env: required("${ENV}", "env", "ENV") }],
    [
      "kubectl get ns $TEAM-$ENV",
      { namespace: "${team}-${env}" },
      { team: required("$TEAM", "team", "TEAM"), env: required("$ENV", "env", "ENV") },
    ],
    ["kubectl get ns web-$1", { namespace: "${namespace}" }, { namespace: { default: "web-$1" } }],
  ])("%s", (command, kube, vars) => {
    expect(block(command)).toStrictEqual({ step: { id: "namespace", kube }, vars });
  });

  it("takes $ENV and ${ENV} for one variable: bash reads them as one", () => {
    expect(block("kubectl rollout status deploy/api-${ENV} -n web-$ENV")).toStrictEqual({
      step: {
        id: "rollout-status",
        kube: { rolloutStatus: { deployment: "api-${env}", namespace: "web-${env}" } },
      },
      vars: { env: required("$ENV", "env", "ENV") },
    });
  });
});

describe("commands the run step would refuse", () => {
  it.each([
    // Kept as written when any reference in it would be refused, with its `${` escaped.
    ['echo $A; eval "$B"', 'echo $A; eval "$B"'],
    ['eval "${CMD}"', 'eval "$${CMD}"'],
    ["<SRC> $DEST", "<SRC> $DEST"],
  ])("%s", (command, run) => {
    expect(block(command)).toStrictEqual({
      step: { id: expect.any(String), run, mutating: true },
      vars: undefined,
    });
  });

  it("keeps the variables earlier commands declared, and declares them again under their own name", () => {
    const { checklist, report } = importText(
      doc(
        "# T",
        "## S",
        "```bash",
        "echo $A -n web",
        "```",
        "```bash",
        "kubectl get svc -n web -o json",
        "```",
        "```bash",
        'eval "$B"; kubectl get svc -n jobs',
        "```",
        "```bash",
        "echo $A $B",
        "```",
        "```bash",
        "kubectl get svc -n web -o json",
        "```",
      ),
    );
    expect(steps(checklist).map((s) => s.run)).toStrictEqual([
      "echo ${a} -n web",
      "kubectl get svc -n ${namespace} -o json",
      'eval "$B"; kubectl get svc -n jobs',
      "echo ${a} ${b}",
      "kubectl get svc -n ${namespace} -o json",
    ]);
    expect(checklist.vars).toStrictEqual({
      a: required("$A", "a", "A"),
      namespace: { default: "web" },
      b: required("$B", "b", "B"),
    });
    expect(report.variables.map((v) => v.name)).toStrictEqual(["a", "namespace", "b"]);
  });

  it("leaves a URL where bash would not take it as data, and still places the other references", () => {
    expect(block("echo $A; eval curl https://x.example.com")).toStrictEqual({
      step: { id: "echo-a-eval", run: "echo ${a}; eval curl https://x.example.com", mutating: true },
      vars: { a: required("$A", "a", "A") },
    });
  });
});

describe("URLs as variables", () => {
  it.each([
    [
      "env API_URL=https://a.example.com ./x.sh",
      "env API_URL=${apiUrl} ./x.sh",
      { apiUrl: { default: "https://a.example.com", env: "API_URL" } },
    ],
    [
      'API_URL="https://a.example.com" ./x.sh',
      'API_URL="${apiUrl}" ./x.sh',
      { apiUrl: { default: "https://a.example.com", env: "API_URL" } },
    ],
    [
      "A=1 curl https://svc.example.com/x",
      "A=1 curl ${svcUrl}/x",
      { svcUrl: { default: "https://svc.example.com" } },
    ],
    [
      "curl --retry 3 https://svc.example.com/x",
      "curl --retry 3 ${svcUrl}/x",
      { svcUrl: { default: "https://svc.example.com" } },
    ],
    [
      'curl --url "https://svc.example.com/x"',
      'curl --url "${url}/x"',
      { url: { default: "https://svc.example.com" } },
    ],
    ["curl http://:8080/health", "curl ${serviceUrl}/health", { serviceUrl: { default: "http://:8080" } }],
    [
      "curl http://api.example.com/health",
      "curl ${apiUrl}/health",
      { apiUrl: { default: "http://api.example.com" } },
    ],
  ])("%s", (command, run, vars) => {
    expect(block(command)).toStrictEqual({
      step: { id: expect.any(String), run, mutating: expect.any(Boolean) },
      vars,
    });
  });
});

/** The steps of bullets under one item `X`. */
function bullets(...lines: string[]): Step[] {
  return steps(importText(doc("- [ ] X", ...lines.map((l) => `  - ${l}`))).checklist);
}

describe("what a bullet becomes", () => {
  it.each<[string, string[], Step[]]>([
    // Optional, with or without a colon, at the start or in parentheses.
    [
      "optional without a colon",
      ["Optional tell the team"],
      [{ id: "tell-the-team", confirm: "tell the team", optional: true, help: "Optional tell the team" }],
    ],
    [
      "optional glued to its colon",
      ["Optional:Tell the team"],
      [{ id: "tell-the-team", confirm: "Tell the team", optional: true, help: "Optional:Tell the team" }],
    ],
    [
      "optional in spaced parentheses",
      ["Tidy ( optional)"],
      [{ id: "tidy", confirm: "Tidy ( optional)", optional: true }],
    ],
    [
      "optional before a spaced colon",
      ["Optional :x"],
      [{ id: "x", confirm: "x", optional: true, help: "Optional :x" }],
    ],
    // A bullet of the word alone keeps it: a confirmation asks something.
    ["only the word optional", ["Optional"], [{ id: "optional", confirm: "Optional", optional: true }]],
    [
      "only the word optional and a spaced colon",
      ["Optional :"],
      [{ id: "optional", confirm: "Optional", optional: true, help: "Optional :" }],
    ],
    [
      "optional inside the words",
      ["Skip optional extras"],
      [{ id: "skip-optional-extras", confirm: "Skip optional extras" }],
    ],
    // Words and their lines.
    [
      "a bullet over two lines",
      ["Do thing\n    more words"],
      [{ id: "do-thing-more-words", confirm: "Do thing more words", help: "Do thing\nmore words" }],
    ],
    ["a colon inside the words", ["Open host:8080"], [{ id: "open-host-8080", confirm: "Open host:8080" }]],
    ["two spaces", ["Two  spaces"], [{ id: "two-spaces", confirm: "Two spaces", help: "Two  spaces" }]],
    // A colon line carries its words (without its last colon only) to the bullets after it, unless they
    // start with a verb: a word of letters, not all capitals, on the list.
    [
      "a note with two colons",
      ["Note: do this:", "child"],
      [
        { id: "note-do-this", note: "Note: do this:" },
        { id: "child", confirm: "Note: do this: child", help: "child" },
      ],
    ],
    [
      "a note without a word",
      ["…:", "child"],
      [
        { id: "note", note: "…:" },
        { id: "child", confirm: "…: child", help: "child" },
      ],
    ],
    ...(
      [
        ["2nd step", false],
        ["2 verify it", false],
        ["DEPLOY_TIME recorded", false],
        ["verify it", true],
        ["Scale up", true],
        ["Delete old pods", true],
      ] as const
    ).map(([words, verb]): [string, string[], Step[]] => [
      `"${words}" after a note`,
      ["Ctx:", words],
      [
        { id: "ctx", note: "Ctx:" },
        verb
          ? { id: expect.any(String), confirm: words }
          : { id: expect.any(String), confirm: `Ctx: ${words}`, help: words },
      ],
    ]),
    // "(if applicable)": a condition named after the words before it.
    [
      "in parentheses after other words",
      ["Drain (staging, if applicable)"],
      [{ id: "drain", confirm: "Drain (staging, if applicable)", when: "${drain}" }],
    ],
    [
      "after a closed parenthesis",
      ["Drain (a) pods (b, if applicable)"],
      [{ id: "drain-pods", confirm: "Drain (a) pods (b, if applicable)", when: "${drainPods}" }],
    ],
    [
      "glued to the words",
      ["Drain(if applicable)"],
      [{ id: "drain", confirm: "Drain(if applicable)", when: "${drain}" }],
    ],
    [
      "after a colon",
      ["Drain:(if applicable)"],
      [{ id: "drain", confirm: "Drain (if applicable)", when: "${drain}", help: "Drain:(if applicable)" }],
    ],
    [
      "around a command",
      ["Warm`./x.sh`caches (if applicable)"],
      [
        {
          id: "warm-x-sh-caches",
          title: "Warm`./x.sh`caches (if applicable)",
          run: "./x.sh",
          mutating: true,
          when: "${warmCaches}",
        },
      ],
    ],
    [
      "a constant not first",
      ["Set FEATURE_FLAG_X on (if applicable)"],
      [{ id: "set-feature-flag-x-on", confirm: "Set FEATURE_FLAG_X on (if applicable)", when: "${flagXOn}" }],
    ],
    [
      "a constant after a command",
      ["`./x.sh` FEATURE_FLAG_X on (if applicable)"],
      [
        {
          id: "x-sh-feature-flag-x-on",
          title: "`./x.sh` FEATURE_FLAG_X on (if applicable)",
          run: "./x.sh",
          mutating: true,
          when: "${featureFlagX}",
        },
      ],
    ],
    [
      "a constant of four words",
      ["MY_FEATURE_FLAG_X on (if applicable)"],
      [
        {
          id: "my-feature-flag-x-on",
          confirm: "MY_FEATURE_FLAG_X on (if applicable)",
          when: "${myFeatureFlag}",
        },
      ],
    ],
    [
      "a constant at the end",
      ["Please drain all PODS_NOW (if applicable)"],
      [
        {
          id: "please-drain-all-pods-now",
          confirm: "Please drain all PODS_NOW (if applicable)",
          when: "${allPodsNow}",
        },
      ],
    ],
    [
      "a need of four words",
      ["Post (if foo bar baz qux is needed)"],
      [{ id: "post", confirm: "Post (if foo bar baz qux is needed)", when: "${fooBarBaz}" }],
    ],
    [
      "the same need three times",
      ["Post (if x is needed)", "Post (if x is needed)", "Post (if x is needed)"],
      [
        { id: "post", confirm: "Post (if x is needed)", when: "${x}" },
        { id: "post-2", confirm: "Post (if x is needed)", when: "${x2}" },
        { id: "post-3", confirm: "Post (if x is needed)", when: "${x3}" },
      ],
    ],
    // Commands: the title, the output the words state.
    [
      "two commands and a value stated before them",
      ["Output should be `ok` from `./a.sh` and `./b.sh`"],
      [
        {
          id: "output-should-be-ok-from-a-sh-and-b-sh",
          title: "Output should be `ok` from `./a.sh` and `./b.sh`",
          run: "./a.sh",
          mutating: true,
        },
        {
          id: "output-should-be-ok-from-a-sh-and-b-sh-2",
          title: "Output should be `ok` from `./a.sh` and `./b.sh`",
          run: "./b.sh",
          mutating: true,
        },
      ],
    ],
    [
      "a command after a reading verb",
      ["Read `cat /etc/os-release`"],
      [
        {
          id: "read-cat-etc-os-release",
          title: "Read `cat /etc/os-release`",
          run: "cat /etc/os-release",
          mutating: false,
        },
      ],
    ],
    [
      "a value after a command glued to the words",
      ["The count shows`./count.sh`42"],
      [
        {
          id: "the-count-shows-count-sh-42",
          title: "The count shows`./count.sh`42",
          run: { command: "./count.sh", expect: { stdout: "\\b42\\b" } },
          mutating: true,
        },
      ],
    ],
    [
      "'with' inside a title",
      ["Check with care `./x.sh`"],
      [{ id: "check-with-care-x-sh", title: "Check with care `./x.sh`", run: "./x.sh", mutating: true }],
    ],
    [
      "a title without a word",
      ["—: `./x.sh`"],
      [{ id: "step", title: "—", run: "./x.sh", mutating: true, help: "—: `./x.sh`" }],
    ],
  ])("%s", (_name, lines, expected) => {
    expect(bullets(...lines)).toStrictEqual(expected);
  });

  it("describes a condition by its label without the last colon", () => {
    const { checklist, report } = importText(
      doc("- [ ] Drain (if applicable):", "- [ ] Note: drain (if applicable):"),
    );
    expect(checklist.vars).toStrictEqual({
      drain: { default: false, description: "Set to true when this applies: Drain (if applicable)" },
      noteDrain: {
        default: false,
        description: "Set to true when this applies: Note: drain (if applicable)",
      },
    });
    expect(report.variables).toStrictEqual([
      { name: "drain", why: '"Drain (if applicable)" applies only sometimes' },
      { name: "noteDrain", why: '"Note: drain (if applicable)" applies only sometimes' },
    ]);
  });
});

describe("a document tree the Markdown parser does not make", () => {
  // The converter takes any ImportDocument: sections with nothing in them, a section of words only, an
  // item without words or number, lines no part of the tree names.
  const bullet = (label: string, line: number, children: BulletNode[] = []): BulletNode => ({
    label,
    commands: [],
    source: [label],
    line,
    lines: [line],
    indent: 0,
    children,
  });
  const section = (over: Partial<SectionNode>): SectionNode => ({ items: [], loose: [], text: [], ...over });
  const tree = (): ImportDocument => ({
    lines: [
      "# T",
      "Intro",
      "",
      "## Rollback",
      "",
      "## Notes",
      "Just words",
      "## Extra",
      "Do:",
      "- Do:",
      "  - x",
      "- [ ] Other",
      "- [ ] `./x.sh`",
      "  stray words  ",
      "   ",
      "---",
    ],
    title: { text: "T", line: 1 },
    fields: [],
    description: [
      { text: "Intro", line: 2 },
      { text: "", line: 3 },
    ],
    sections: [
      section({ title: { text: "Rollback", line: 4 } }),
      section({}),
      section({ title: { text: "Notes", line: 6 }, text: [{ text: "Just words", line: 7 }] }),
      section({
        title: { text: "Extra", line: 8 },
        items: [
          { head: bullet("Other", 12), checked: false, fromHeading: false, steps: [], text: [] },
          {
            head: { ...bullet("", 13), commands: [{ text: "./x.sh", line: 13 }], source: ["`./x.sh`"] },
            checked: false,
            fromHeading: false,
            steps: [],
            text: [],
          },
        ],
        loose: [bullet("Do:", 10, [bullet("x", 11)])],
        text: [{ text: "Do:", line: 9 }],
      }),
    ],
    ignored: [
      { text: "---", line: 16 },
      { text: "# T", line: 1 },
    ],
    dropped: [
      { line: 12, text: "- [ ] Other", reason: "placed anyway" },
      { line: 5, text: "", reason: "kept out" },
    ],
  });

  it("drops empty sections with their condition, and makes a section of words one note", () => {
    const { checklist } = convertDocument(tree(), { name: "x" });
    expect(checklist).toStrictEqual({
      apiVersion: "deploycheck/v1",
      kind: "Checklist",
      metadata: { name: "x", title: "T", description: "Intro" },
      sections: [
        {
          id: "notes",
          title: "Notes",
          items: [{ id: "notes", title: "Notes", steps: [{ id: "read", note: "Just words" }] }],
        },
        {
          // The section's words are the loose bullets' first note: not repeated as the section's help.
          id: "extra",
          title: "Extra",
          items: [
            {
              id: "extra",
              title: "Extra",
              steps: [
                { id: "do", note: "Do:" },
                { id: "x", confirm: "Do: x", help: "x" },
              ],
            },
            { id: "other", title: "Other", steps: [{ id: "confirm", confirm: "Other" }] },
            {
              id: "item",
              title: "Item",
              steps: [{ id: "item", title: "Item", run: "./x.sh", mutating: true, help: "`./x.sh`" }],
            },
          ],
        },
      ],
      signoff: { requireAllRequiredPassed: true },
    } satisfies Checklist);
  });

  it("reports every line once, in order: placed, left out with why, or not understood", () => {
    const { report } = convertDocument(tree(), { name: "x" });
    expect(report.placed).toStrictEqual([1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(report.unplaced).toStrictEqual([
      { text: "Rollback", line: 4, reason: "a section with nothing in it" },
      { line: 5, text: "", reason: "kept out" },
      { line: 14, text: "stray words", reason: "not understood" },
      { text: "---", line: 16, reason: "decoration" },
    ]);
    expect(report.dropped).toStrictEqual([
      { text: "Rollback", line: 4, reason: "a section with nothing in it" },
      { line: 5, text: "", reason: "kept out" },
      { text: "---", line: 16, reason: "decoration" },
    ]);
    expect(report.mutating).toStrictEqual(["item/item"]);
    expect(report.variables).toStrictEqual([]);
  });

  it("writes the placeholder item when every section is empty", () => {
    const empty: ImportDocument = { ...tree(), sections: [section({})], dropped: undefined, ignored: [] };
    const { checklist, report } = convertDocument(empty, { name: "x" });
    expect(checklist.sections).toStrictEqual([
      {
        id: "checklist",
        title: "Checklist",
        items: [{ id: "review", title: "Review", steps: [{ id: "confirm", confirm: "Checklist reviewed" }] }],
      },
    ]);
    expect(report.notes).toStrictEqual(["the document has no items: wrote a placeholder item to edit"]);
    expect(report.unplaced.map((u) => u.line)).toStrictEqual([4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]);
  });
});

describe("metric thresholds", () => {
  it.each([
    ["Check latency <250ms", "latency <250ms"],
    ["CPU > 1.25 on nodes", "CPU > 1.25"],
    ["latency < 5 ms", "latency < 5 ms"],
    ["CPU > 80 then go", "CPU > 80"],
  ])("%s: %s", (words, threshold) => {
    const { report } = importText(doc("- [ ] X", `  - ${words}`));
    expect(report.metricGates).toStrictEqual([
      { line: 2, threshold, key: `x/${slugOf(words)}`, path: ["sections", 0, "items", 0, "steps", 0] },
    ]);
  });

  it("keys a threshold by the step it is on, in a section's loose bullets, nested, and per endpoint", () => {
    const { checklist, report } = importText(
      doc(
        "# T",
        "## S",
        "- a",
        "- Do:",
        "  - `./x.sh`",
        "- Deploy",
        "  - `./y.sh`",
        "  - Latency < 5ms per `./z.sh`",
        "## U",
        "- [ ] I",
        "  - Latency < 200ms on endpoints /a, /b",
        "  - Run `./c.sh` and `./d.sh` if latency < 5ms",
        "  - If it breaks run `./e.sh` and `./f.sh`",
      ),
    );
    expect(steps(checklist).map((s) => s.id)).toStrictEqual([
      "a",
      "do",
      "x-sh",
      "deploy",
      "y-sh",
      "latency-5ms-per-z-sh",
      "get-a",
      "get-b",
      "run-c-sh-and-d-sh-if-latency-5ms",
      "run-c-sh-and-d-sh-if-latency-5ms-2",
      "if-it-breaks-run-e-sh-and-f-sh",
      "if-it-breaks-run-e-sh-and-f-sh-2",
    ]);
    expect(report.metricGates).toStrictEqual([
      {
        line: 8,
        threshold: "Latency < 5ms",
        key: "s/latency-5ms-per-z-sh",
        path: ["sections", 0, "items", 0, "steps", 5],
      },
      {
        line: 11,
        threshold: "Latency < 200ms",
        key: "i/get-a",
        path: ["sections", 1, "items", 0, "steps", 0],
      },
      {
        line: 11,
        threshold: "Latency < 200ms",
        key: "i/get-b",
        path: ["sections", 1, "items", 0, "steps", 1],
      },
      {
        line: 12,
        threshold: "latency < 5ms",
        key: "i/run-c-sh-and-d-sh-if-latency-5ms",
        path: ["sections", 1, "items", 0, "steps", 2],
      },
      {
        line: 12,
        threshold: "latency < 5ms",
        key: "i/run-c-sh-and-d-sh-if-latency-5ms-2",
        path: ["sections", 1, "items", 0, "steps", 3],
      },
    ]);
    expect(report.mutating).toStrictEqual([
      "s/x-sh",
      "s/y-sh",
      "s/latency-5ms-per-z-sh",
      "i/run-c-sh-and-d-sh-if-latency-5ms",
      "i/run-c-sh-and-d-sh-if-latency-5ms-2",
    ]);
    expect(report.commandsAsConfirmations).toStrictEqual([
      {
        key: "i/if-it-breaks-run-e-sh-and-f-sh",
        command: "./e.sh",
        why: "the document wants it only on a condition the tool cannot check",
      },
      {
        key: "i/if-it-breaks-run-e-sh-and-f-sh-2",
        command: "./f.sh",
        why: "the document wants it only on a condition the tool cannot check",
      },
    ]);
  });
});

const slugOf = (words: string): string =>
  words
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join("-");

describe("sentences that are checks", () => {
  it("reads endpoint lists, rollout and revision sentences, and directories at their boundaries", () => {
    const { checklist } = importText(
      doc(
        "- [ ] D `kubectl rollout status deployment/api -n web`",
        "  - Verify endpoints: /health and more",
        "  - Verify endpoints: /a , /b",
        "  - Verify endpoints: /c,/d",
        "  - Then wait for rollout to complete",
        "  - Then note current revision",
        "  - Backups exist in ./backups/",
        "  - Backup exists in ../old/",
        "  - Backup exists in ./new",
      ),
    );
    const target = { deployment: "${deployment}", namespace: "${namespace}" };
    const get = (id: string, path: string, help: string): Step => ({
      id,
      title: `GET ${path}`,
      http: { url: `\${apiUrl}${path}`, expect: { status: 200 } },
      help,
    });
    expect(steps(checklist)).toStrictEqual([
      {
        id: "d-kubectl-rollout-status-deployment-api",
        title: "D `kubectl rollout status deployment/api -n web`",
        kube: { rolloutStatus: target },
      },
      { id: "verify-endpoints-health-and-more", confirm: "Verify endpoints: /health and more" },
      get("get-a", "/a", "Verify endpoints: /a , /b"),
      get("get-b", "/b", "Verify endpoints: /a , /b"),
      get("get-c", "/c", "Verify endpoints: /c,/d"),
      get("get-d", "/d", "Verify endpoints: /c,/d"),
      { id: "then-wait-for-rollout-to-complete", confirm: "Then wait for rollout to complete" },
      { id: "then-note-current-revision", confirm: "Then note current revision" },
      {
        id: "backups-exist-in-backups",
        title: "Backups exist in ./backups/",
        file: { path: "./backups", newest: {} },
      },
      { id: "backup-exists-in-old", title: "Backup exists in ../old/", file: { path: "../old", newest: {} } },
      { id: "backup-exists-in-new", title: "Backup exists in ./new", file: { path: "./new", newest: {} } },
    ]);
  });
});

describe("parts wanted only sometimes", () => {
  it("names the variable after the words outside parentheses and code, numbered when taken", () => {
    const { checklist } = importText(
      doc(
        "- [ ] Rollback(prod)plan",
        "- [ ] Rollback `./undo.sh` now",
        "- [ ] Rollback`./a.sh`now",
        "- [ ] Rollback",
        "- [ ] Rollback",
        "- [ ] Rollback",
        "- [ ] If the checks fail",
        "- [ ] Troubleshoot the pods",
      ),
    );
    expect(items(checklist).map((i) => i.when)).toStrictEqual([
      "${runRollbackPlan}",
      "${runRollbackNow}",
      "${runRollbackNow2}",
      "${runRollback}",
      "${runRollback2}",
      "${runRollback3}",
      "${runChecksFail}",
      "${runTroubleshootPods}",
    ]);
    expect(checklist.vars?.["runRollback3"]).toStrictEqual({
      default: false,
      description:
        'Set to true to run "Rollback": the document wants it only sometimes (--var runRollback3=true)',
    });
  });

  it("marks an item optional by '( optional' or a first word Optional, not by the word inside", () => {
    const { checklist } = importText(doc("- [ ] Tidy ( optional)", "- [ ] Skip the optional parts"));
    expect(items(checklist)).toStrictEqual([
      {
        id: "tidy",
        title: "Tidy ( optional)",
        optional: true,
        when: "${runTidy}",
        steps: [{ id: "confirm", confirm: "Tidy ( optional)" }],
      },
      {
        id: "skip-the-optional-parts",
        title: "Skip the optional parts",
        when: "${runSkipOptionalParts}",
        steps: [{ id: "confirm", confirm: "Skip the optional parts" }],
      },
    ]);
  });
});

describe("a code block's step", () => {
  it.each<[string, Step]>([
    ["ps | grep x", { id: "ps", run: "ps | grep x", mutating: true }],
    [
      "./deploy.sh image.tag=v2 now",
      { id: "deploy-image-tag-v2-now", run: "./deploy.sh image.tag=v2 now", mutating: true },
    ],
    ["./dist/x.tar.gz now", { id: "x-tar-now", run: "./dist/x.tar.gz now", mutating: true }],
    ["FOO=bar", { id: "command", run: "FOO=bar", mutating: true }],
    ["# list the files\nls", { id: "ls", run: "ls", mutating: false }],
    ["\n  export X=1\n  ls", { id: "export-ls", run: "export X=1\nls", mutating: true }],
  ])("%j", (command, step) => {
    expect(block(command)).toStrictEqual({ step, vars: undefined });
  });

  it("checks the context a block asks for between native steps, when the environment gives a pattern", () => {
    const { checklist } = importText(
      doc(
        "**Environment:** staging",
        "# T",
        "## S",
        "```bash",
        "kubectl get ns web",
        "kubectl config current-context",
        "```",
      ),
    );
    expect(steps(checklist).map(({ help: _, ...s }) => s)).toStrictEqual([
      { id: "namespace", kube: { namespace: "${namespace}" } },
      { id: "context", kube: { context: { matches: "${kubeContextPattern}" } } },
    ]);
    expect(checklist.guards).toStrictEqual([
      { id: "kube-context", kube: { context: { matches: "${kubeContextPattern}" } } },
    ]);
  });
});

describe("metadata and sign-off at their boundaries", () => {
  it("keeps front-matter fields as description, and no owner when it names none", () => {
    const { checklist } = importText(doc("---", "service: api", "---", "# T", "- [ ] One"));
    expect(checklist.metadata).toStrictEqual({ name: "imported", title: "T", description: "service: api" });
  });

  it("takes only a field named exactly Title as the title", () => {
    const { checklist } = importText(doc("**Subtitle:** s", "**Title page:** p", "- [ ] One"));
    expect(checklist.metadata).toStrictEqual({
      name: "imported",
      title: "imported",
      description: "Subtitle: s\nTitle page: p",
    });
    expect(checklist.sections.map((s) => [s.id, s.title])).toStrictEqual([["checklist", "Checklist"]]);
  });

  it("lists the sign-off's text and fields it does not ask for, trimmed", () => {
    const { report } = importText(
      doc("- [ ] One", "## Sign-off", "Please sign.", "  - Approver: no   ", "- Engineer: x"),
    );
    expect(report.unplaced).toStrictEqual([
      { text: "Please sign.", line: 3, reason: "text in the sign-off block" },
      {
        line: 4,
        text: "- Approver: no",
        reason: "a sign-off field deploycheck does not ask for (it asks engineer, ready, notes, blockers)",
      },
    ]);
  });
});

describe("bullets the Markdown parser would have trimmed", () => {
  it("reads labels with the spaces around them removed", () => {
    const bullet = (label: string, line: number): BulletNode => ({
      label,
      commands: [],
      source: [label],
      line,
      lines: [line],
      indent: 0,
      children: [],
    });
    const lines = [
      "- [ ]  X ",
      "  - Do: ",
      "  -  Leading",
      "  - Drain (if applicable) ",
      "  - # comment",
      "  - export X=1; ls",
    ];
    const tree: ImportDocument = {
      lines,
      fields: [],
      description: [],
      ignored: [],
      sections: [
        {
          items: [
            {
              head: bullet(" X ", 1),
              checked: false,
              fromHeading: false,
              text: [],
              steps: [
                bullet("Do: ", 2),
                bullet(" Leading", 3),
                bullet("Drain (if applicable) ", 4),
                {
                  ...bullet("", 5),
                  commands: [{ text: "# comment", line: 5, block: true }],
                  source: ["# comment"],
                },
                {
                  ...bullet("", 6),
                  commands: [{ text: " export X=1\nls ", line: 6, block: true }],
                  source: ["export X=1", "ls"],
                },
              ],
            },
          ],
          loose: [],
          text: [],
        },
      ],
    };
    const { checklist } = convertDocument(tree, { name: "x" });
    expect(steps(checklist)).toStrictEqual([
      { id: "do", note: "Do:" },
      { id: "leading", confirm: "Do: Leading", help: " Leading" },
      { id: "drain", confirm: "Do: Drain (if applicable)", when: "${drain}", help: "Drain (if applicable) " },
      { id: "comment", run: "# comment", mutating: true, help: "# comment" },
      { id: "export-ls", run: "export X=1\nls", mutating: true, help: "export X=1\nls" },
    ]);
    expect(items(checklist).map((i) => [i.id, i.title])).toStrictEqual([["x", "X"]]);
    expect(checklist.vars).toStrictEqual({
      drain: { default: false, description: "Set to true when this applies: Drain (if applicable)" },
    });
  });
});

describe("the service URL of endpoint checks", () => {
  it("declares apiUrl once, and says so once, for every endpoint line", () => {
    const { checklist, report } = importText(
      doc("- [ ] Smoke", "  - Check endpoint /a", "  - Check endpoint /b", "  - Check endpoints /c, /d"),
    );
    expect(steps(checklist).map((s) => s.http?.url)).toStrictEqual([
      "${apiUrl}/a",
      "${apiUrl}/b",
      "${apiUrl}/c",
      "${apiUrl}/d",
    ]);
    expect(checklist.vars).toStrictEqual({
      apiUrl: { description: "Base URL of the service the endpoint checks call" },
    });
    expect(report.notes).toStrictEqual([
      "declared apiUrl without a default for the endpoint checks: pass --var apiUrl=...",
    ]);
  });

  it("uses the document's $API_URL placeholder as the service URL, with nothing more to say", () => {
    const { checklist, report } = importText(
      doc("- [ ] Smoke", "  - `echo $API_URL`", "  - Check endpoint /a"),
    );
    expect(steps(checklist).map((s) => s.http?.url ?? s.run)).toStrictEqual([
      "echo ${apiUrl}",
      "${apiUrl}/a",
    ]);
    expect(checklist.vars).toStrictEqual({ apiUrl: required("$API_URL", "apiUrl", "API_URL") });
    expect(report.notes).toStrictEqual([]);
  });
});

describe("a section's bullets before its first item", () => {
  it("makes one item of them, and keys its thresholds and changes by that item", () => {
    const { checklist, report } = importText(
      doc("# T", "## S", "Run `./x.sh` if latency < 5ms", "", "- [ ] Other"),
    );
    expect(items(checklist)).toStrictEqual([
      {
        id: "s",
        title: "S",
        steps: [
          {
            id: "run-x-sh-if-latency-5ms",
            title: "Run `./x.sh` if latency < 5ms",
            run: "./x.sh",
            mutating: true,
          },
        ],
      },
      { id: "other", title: "Other", steps: [{ id: "confirm", confirm: "Other" }] },
    ]);
    expect(report.metricGates).toStrictEqual([
      {
        line: 3,
        threshold: "latency < 5ms",
        key: "s/run-x-sh-if-latency-5ms",
        path: ["sections", 0, "items", 0, "steps", 0],
      },
    ]);
    expect(report.mutating).toStrictEqual(["s/run-x-sh-if-latency-5ms"]);
  });
});

describe("names when the words give none", () => {
  it("names a section of words only, whose title has no letters, section and item", () => {
    const tree: ImportDocument = {
      lines: ["## …", "words"],
      fields: [],
      description: [],
      ignored: [],
      sections: [{ title: { text: "…", line: 1 }, items: [], loose: [], text: [{ text: "words", line: 2 }] }],
    };
    expect(convertDocument(tree, { name: "x" }).checklist.sections).toStrictEqual([
      {
        id: "section",
        title: "…",
        items: [{ id: "item", title: "…", steps: [{ id: "read", note: "words" }] }],
      },
    ]);
  });
});

describe("a placeholder in a command read as its name, not as a redirection", () => {
  it("judges `kubectl -n <NAMESPACE> get pods` read-only", () => {
    expect(bullets("`kubectl -n <NAMESPACE> get pods`")).toStrictEqual([
      {
        id: "kubectl-n-namespace-get-pods",
        title: "`kubectl -n <NAMESPACE> get pods`",
        run: "kubectl -n ${namespace} get pods",
        mutating: false,
      },
    ]);
  });
});
