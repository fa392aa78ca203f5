// The semantic problems of a checklist, whole: for small checklists (parsed by the schema first, so every
// input is one the loader would pass on), the exact list of problems with their paths, messages, needles
// and related places. The loader turns each path into file:line:col; the messages are what users read.
import { describe, expect, it } from "vitest";
import { ChecklistSchema } from "../../../src/checklist/schema.js";
import {
  type DocPath,
  editDistance,
  formatPath,
  suggest,
  unknownReferencesInRaw,
  type ValidationProblem,
  validateChecklist,
  withDefaultIds,
} from "../../../src/checklist/validate.js";

const HEAD = { apiVersion: "deploycheck/v1", kind: "Checklist", metadata: { name: "t", title: "T" } };

function parse(doc: Record<string, unknown>) {
  return ChecklistSchema.parse({ ...HEAD, ...doc });
}

/** The problems of a checklist made of HEAD and `doc`. */
function check(doc: Record<string, unknown>): ValidationProblem[] {
  return validateChecklist(parse(doc));
}

/** One section "s" with one item "i" holding `steps`, and the rest of the document. */
function oneItem(steps: unknown[], rest: Record<string, unknown> = {}): ValidationProblem[] {
  return check({ sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps }] }], ...rest });
}

/** The path of step `n` of that item, and below. */
const at = (n: number, ...rest: (string | number)[]): DocPath => [
  "sections",
  0,
  "items",
  0,
  "steps",
  n,
  ...rest,
];

const FIX = "pass it through `env:` and validate it in your script";
const ARITH =
  "is in an arithmetic expansion $(( )): a value there is evaluated, and a[$(cmd)] in it runs cmd";

function unknown(ref: string, path: DocPath, more: Partial<ValidationProblem> = {}): ValidationProblem {
  return {
    path,
    needle: `\${${ref}}`,
    message: `\${${ref}} names no declared variable and no earlier saveAs: declare it under vars:`,
    severity: "error",
    ...more,
  };
}

describe("editDistance (optimal string alignment)", () => {
  it.each([
    ["", "", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["a", "b", 1],
    ["ab", "ba", 1],
    ["abcd", "acbd", 1],
    ["ca", "abc", 3],
    ["kitten", "sitting", 3],
    ["tmeout", "timeout", 1],
    ["abc", "abc", 0],
  ])("%j -> %j: %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("suggest", () => {
  it.each([
    ["skips the word itself", "http", ["http", "htp"], "htp"],
    ["takes the first of equally close candidates", "ab", ["ac", "ad"], "ac"],
    ["takes the closest", "tmeout", ["title", "timeout", "timeouts"], "timeout"],
    ["ignores case", "Timeout", ["title", "timeout"], "timeout"],
    ["allows 40% of the word's length (7 letters: 3)", "namspce", ["namespace"], "namespace"],
    ["at the limit (5 letters: 2)", "abcde", ["abcxy"], "abcxy"],
    ["not beyond the limit", "abcde", ["abxyz"], undefined],
    ["at least one edit for a short word", "a", ["b"], "b"],
    ["nothing to suggest", "a", [], undefined],
  ])("%s", (_why, word, candidates, expected) => {
    expect(suggest(word, candidates)).toBe(expected);
  });
});

describe("formatPath", () => {
  it.each([
    [["sections", 2, "items", 0, "steps", 1, "timeout"], "sections[2].items[0].steps[1].timeout"],
    [[0, "a"], "[0].a"],
    [["run", "env", "MY_VAR", "x-y", "$ref"], "run.env.MY_VAR.x-y.$ref"],
    [["env", "a b"], 'env["a b"]'],
    [["env", "1a"], 'env["1a"]'],
    [["env", "a.b"], 'env["a.b"]'],
    [["env", ""], 'env[""]'],
    [["env", 'say "hi"'], 'env["say \\"hi\\""]'],
    [[Symbol("s")], '["Symbol(s)"]'],
  ])("%j", (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe("withDefaultIds", () => {
  it("fills the ids of guards, steps and a watch's steps, and adds no guards where there were none", () => {
    const c = withDefaultIds(
      parse({
        guards: [{ note: "g" }, { id: "named", note: "h" }],
        sections: [
          {
            id: "s",
            title: "S",
            items: [
              {
                id: "i",
                title: "I",
                steps: [
                  {
                    watch: {
                      duration: "5m",
                      interval: "1m",
                      steps: [{ note: "n" }, { http: { url: "https://x.example" } }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(c.guards?.map((s) => s.id)).toEqual(["note-1", "named"]);
    const watch = c.sections[0]!.items[0]!.steps[0]!;
    expect(watch.id).toBe("watch-1");
    expect(watch.watch?.steps.map((s) => s.id)).toEqual(["note-1", "http-2"]);
    const without = withDefaultIds(
      parse({
        sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps: [{ note: "n" }] }] }],
      }),
    );
    expect("guards" in without).toBe(false);
  });
});

describe("ids", () => {
  const noId = (id: string, path: DocPath): ValidationProblem => ({
    path,
    message: `step has no id, so it is "${id}": give it one, because resume matches steps by id and a default id changes when steps move`,
    severity: "warning",
  });

  it.each<[string, Record<string, unknown>, ValidationProblem[]]>([
    [
      "duplicate section ids",
      {
        sections: [
          { id: "a", title: "A", items: [{ id: "x", title: "X", steps: [{ id: "n", note: "n" }] }] },
          { id: "a", title: "B", items: [{ id: "y", title: "Y", steps: [{ id: "n", note: "n" }] }] },
        ],
      },
      [
        {
          path: ["sections", 1, "id"],
          message:
            'duplicate section id "a": section ids must be unique in the checklist (first used {related})',
          severity: "error",
          related: ["sections", 0],
        },
      ],
    ],
    [
      "duplicate guard ids, and a guard without one",
      {
        guards: [{ id: "g", note: "a" }, { id: "g", note: "b" }, { note: "c" }],
        sections: [
          { id: "s", title: "S", items: [{ id: "i", title: "I", steps: [{ id: "g", note: "n" }] }] },
        ],
      },
      [
        {
          path: ["guards", 1, "id"],
          message: 'duplicate step id "g": step ids must be unique in their item (first used {related})',
          severity: "error",
          related: ["guards", 0],
        },
        noId("note-3", ["guards", 2]),
      ],
    ],
    [
      "duplicate ids among a watch's steps (not with the watch's own item)",
      {
        sections: [
          {
            id: "s",
            title: "S",
            items: [
              {
                id: "i",
                title: "I",
                steps: [
                  {
                    id: "n",
                    watch: {
                      duration: "5m",
                      interval: "1m",
                      steps: [{ id: "n", note: "a" }, { id: "n", note: "b" }, { note: "c" }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      [
        {
          path: at(0, "watch", "steps", 1, "id"),
          message: 'duplicate step id "n": step ids must be unique in their item (first used {related})',
          severity: "error",
          related: at(0, "watch", "steps", 0),
        },
        noId("note-3", at(0, "watch", "steps", 2)),
      ],
    ],
    [
      "a default id that a later step takes as its own",
      {
        sections: [
          {
            id: "s",
            title: "S",
            items: [{ id: "i", title: "I", steps: [{ note: "a" }, { id: "note-1", note: "b" }] }],
          },
        ],
      },
      [
        {
          path: at(1, "id"),
          message: 'duplicate step id "note-1": step ids must be unique in their item (first used {related})',
          severity: "error",
          related: at(0),
        },
        noId("note-1", at(0)),
      ],
    ],
  ])("%s", (_why, doc, expected) => {
    expect(check(doc)).toEqual(expected);
  });

  it("refuses a mutating guard, not a read-only one", () => {
    expect(
      check({
        guards: [
          { id: "a", run: "true", mutating: false },
          { id: "b", run: "kubectl scale" },
          { id: "c", http: { url: "https://x.example" } },
        ],
        sections: [
          { id: "s", title: "S", items: [{ id: "i", title: "I", steps: [{ id: "n", note: "n" }] }] },
        ],
      }),
    ).toEqual([
      {
        path: ["guards", 1],
        message:
          "a guard only checks (it runs before anything else): a mutating step belongs in an item (a read-only run command: declare mutating: false)",
        severity: "error",
      },
    ]);
  });
});

describe("references", () => {
  it.each<[string, unknown[], Record<string, unknown>, ValidationProblem[]]>([
    [
      "an unknown name, with the declared one it is close to",
      [{ id: "a", note: "${namspace}" }],
      { vars: { namespace: { default: "prod" } } },
      [unknown("namspace", at(0, "note"), { suggestion: "${namespace}" })],
    ],
    [
      "an upper-case name: the environment variable",
      [{ id: "a", note: "${HOME_2}" }],
      {},
      [
        unknown("HOME_2", at(0, "note"), {
          message:
            "${HOME_2} names no declared variable and no earlier saveAs (for the environment variable write ${env.HOME_2}): declare it under vars:",
        }),
      ],
    ],
    [
      "names that are not all upper-case get no environment hint",
      [{ id: "a", note: "${xHOME} ${HOMEx}" }],
      {},
      [unknown("xHOME", at(0, "note")), unknown("HOMEx", at(0, "note"))],
    ],
    [
      "a dotted name other than env.NAME, without a suggestion",
      [{ id: "a", note: "${cfg.url}" }],
      { vars: { cfg_url: { default: "x" } } },
      [
        unknown("cfg.url", at(0, "note"), {
          message:
            "${cfg.url} names no declared variable and no earlier saveAs (only env.NAME may contain a dot): declare it under vars:",
        }),
      ],
    ],
    [
      "env.NAME, declared names and earlier saves",
      [{ id: "a", note: "${env.HOME} ${x}" }],
      { vars: { x: {} } },
      [],
    ],
    [
      "a name saved by an earlier step, and suggested among the saved names",
      [
        { id: "a", input: { prompt: "rev?", saveAs: "revision" } },
        { id: "b", note: "${revision} ${revison}" },
      ],
      {},
      [unknown("revison", at(1, "note"), { suggestion: "${revision}" })],
    ],
    [
      "used before the first step that saves it (a run's saveAs)",
      [
        { id: "a", note: "${rev}" },
        { id: "b", run: { command: "echo 1", saveAs: "rev" } },
        { id: "c", kube: { history: { deployment: "api", saveAs: "rev" } } },
        { id: "d", note: "${rev}" },
      ],
      {},
      [
        {
          path: at(0, "note"),
          needle: "${rev}",
          message:
            "${rev} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later",
          severity: "error",
          related: at(1, "run", "saveAs"),
        },
      ],
    ],
    [
      "used before a kube image step saves it",
      [
        { id: "a", note: "${img}" },
        { id: "b", kube: { image: { deployment: "api", saveAs: "img" } } },
      ],
      {},
      [
        {
          path: at(0, "note"),
          needle: "${img}",
          message:
            "${img} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later",
          severity: "error",
          related: at(1, "kube", "image", "saveAs"),
        },
      ],
    ],
    [
      "used before a rollout undo saves it",
      [
        { id: "a", note: "${from}" },
        { id: "b", kube: { rolloutUndo: { deployment: "api", saveAs: "from" } } },
      ],
      {},
      [
        {
          path: at(0, "note"),
          needle: "${from}",
          message:
            "${from} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later",
          severity: "error",
          related: at(1, "kube", "rolloutUndo", "saveAs"),
        },
      ],
    ],
    [
      "in a list (a file's keys) and in a request body with a null in it",
      [
        { id: "a", file: { path: "/etc/x", keys: ["A", "${k}"] } },
        { id: "b", http: { url: "https://x.example", method: "POST", body: { a: null, b: 1, c: "${v}" } } },
      ],
      {},
      [unknown("k", at(0, "file", "keys", 1)), unknown("v", at(1, "http", "body", "c"))],
    ],
    [
      "in a watch: its duration and its steps, each once",
      [
        {
          id: "w",
          watch: {
            duration: "${len}",
            interval: "1m",
            steps: [{ id: "h", http: { url: "https://x.example/${path}" } }],
          },
        },
      ],
      {},
      [
        unknown("len", at(0, "watch", "duration")),
        unknown("path", at(0, "watch", "steps", 0, "http", "url")),
      ],
    ],
    [
      "a name a watch's step saves, used after the watch",
      [
        {
          id: "w",
          watch: {
            duration: "5m",
            interval: "1m",
            steps: [{ id: "h", kube: { history: { deployment: "api", saveAs: "rev" } } }],
          },
        },
        { id: "b", note: "${rev}" },
      ],
      {},
      [],
    ],
    [
      "a saveAs is a name, not a reference: only its name is wrong",
      [{ id: "a", run: { command: "date", saveAs: "${x}" } }],
      {},
      [
        {
          path: at(0, "run", "saveAs"),
          message: 'saveAs "${x}" is not a variable name: use letters, digits and _ (e.g. previousRevision)',
          severity: "error",
        },
      ],
    ],
    [
      "a saveAs that replaces a declared variable",
      [{ id: "a", input: { prompt: "rev?", saveAs: "rev" } }],
      { vars: { rev: { default: "1" } } },
      [
        {
          path: at(0, "input", "saveAs"),
          message: 'saveAs "rev" has the name of a declared variable, whose value it would replace',
          severity: "warning",
        },
      ],
    ],
    [
      "a variable named undefined, and steps that save nothing",
      [
        { id: "a", note: "n" },
        { id: "b", kube: { rolloutStatus: { deployment: "api" } } },
      ],
      { vars: { undefined: { default: "x" } } },
      [],
    ],
    [
      "in a variable's default (a number default holds none)",
      [{ id: "a", note: "n" }],
      { vars: { greeting: { default: "${missing}-x" }, count: { default: 5 } } },
      [unknown("missing", ["vars", "greeting", "default"])],
    ],
    [
      "in a guard",
      [{ id: "a", note: "n" }],
      { guards: [{ id: "g", note: "${gone}" }] },
      [unknown("gone", ["guards", 0, "note"])],
    ],
    [
      "in the notifications' webhook",
      [{ id: "a", note: "n" }],
      { notifications: { webhook: "${hook}", on: ["start"] } },
      [unknown("hook", ["notifications", "webhook"])],
    ],
  ])("%s", (_why, steps, rest, expected) => {
    expect(oneItem(steps, rest)).toEqual(expected);
  });

  const item = (id: string, steps: unknown[], more: Record<string, unknown> = {}) => ({
    id,
    title: id,
    steps,
    ...more,
  });

  it.each<[string, unknown[], ValidationProblem[]]>([
    [
      "section and item conditions name nothing (titles hold no references), each reported once",
      [
        {
          id: "one",
          title: "${notRead}",
          when: "${sec}",
          items: [
            item(
              "a",
              [
                { id: "w", watch: { duration: "5m", interval: "1m", steps: [{ id: "h", note: "h" }] } },
                { id: "b", note: "b" },
              ],
              { when: "${it}", title: "${notRead}" },
            ),
            item("c", [{ id: "c", note: "c" }]),
          ],
        },
      ],
      [unknown("sec", ["sections", 0, "when"]), unknown("it", ["sections", 0, "items", 0, "when"])],
    ],
    [
      "conditions of a later section and item may use what earlier steps saved",
      [
        {
          id: "one",
          title: "One",
          items: [item("a", [{ id: "r", input: { prompt: "region?", saveAs: "region" } }])],
        },
        {
          id: "two",
          title: "Two",
          when: "${region}",
          items: [
            item("b", [{ id: "z", input: { prompt: "zone?", saveAs: "zone" } }], { when: "${region}" }),
            item("c", [{ id: "c", note: "c" }], { when: "${zone}" }),
          ],
        },
      ],
      [],
    ],
    [
      "an item's condition runs before its steps: what they save is not there yet",
      [
        {
          id: "one",
          title: "One",
          when: "${region}",
          items: [
            item("a", [{ id: "r", input: { prompt: "region?", saveAs: "region" } }], { when: "${region}" }),
          ],
        },
      ],
      [
        {
          path: ["sections", 0, "when"],
          needle: "${region}",
          message:
            "${region} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later",
          severity: "error",
          related: at(0, "input", "saveAs"),
        },
        {
          path: ["sections", 0, "items", 0, "when"],
          needle: "${region}",
          message:
            "${region} is used before it is defined: it is saved (saveAs) by the step {related}, which runs later",
          severity: "error",
          related: at(0, "input", "saveAs"),
        },
      ],
    ],
    [
      "a guard's saved name is there for every section",
      [{ id: "one", title: "One", when: "${ctx}", items: [item("a", [{ id: "n", note: "n" }])] }],
      [],
    ],
  ])("%s", (_why, sections, expected) => {
    const guards = [{ id: "g", input: { prompt: "context?", saveAs: "ctx" } }];
    expect(check({ guards, sections })).toEqual(expected);
  });
});

describe("URLs", () => {
  const bad = (url: string, path: DocPath, filled?: string): ValidationProblem => ({
    path,
    message: `bad URL ${JSON.stringify(url)}${filled === undefined ? "" : ` (with variables filled in: ${JSON.stringify(filled)})`}: it must be an absolute http:// or https:// URL`,
    severity: "error",
  });
  const vars = {
    host: {},
    empty: { default: "" },
    bare: { default: "example.com" },
    api: { default: "https://a.example" },
  };

  it.each<[string, unknown, ValidationProblem[]]>([
    ["a leading variable without a default stands for a URL", { http: { url: "${host}/x" } }, []],
    ["so does one whose default is empty", { http: { url: "${empty}/x" } }, []],
    ["and env.NAME", { http: { url: "${env.API}/health" } }, []],
    ["a default that is a URL", { http: { url: "${api}/health?h=${host}" } }, []],
    [
      "a default that is no URL",
      { http: { url: "${bare}/health" } },
      [bad("${bare}/health", at(0, "http", "url"), "example.com/health")],
    ],
    [
      "a later variable stands for a word, not a URL",
      { http: { url: "ftp://${host}/x" } },
      [bad("ftp://${host}/x", at(0, "http", "url"), "ftp://placeholder/x")],
    ],
    [
      "a later variable with an empty default too",
      { http: { url: "ftp://${empty}/x" } },
      [bad("ftp://${empty}/x", at(0, "http", "url"), "ftp://placeholder/x")],
    ],
    [
      "a prometheus URL without a scheme",
      { prometheus: { url: "localhost:9090", query: "up", expect: { gt: 0 } } },
      [bad("localhost:9090", at(0, "prometheus", "url"))],
    ],
    [
      "a notify webhook without a scheme",
      { notify: { webhook: "hooks.example.com/x", message: "m" } },
      [bad("hooks.example.com/x", at(0, "notify", "webhook"))],
    ],
    ["not a URL at all", { http: { url: "http://[" } }, [bad("http://[", at(0, "http", "url"))]],
  ])("%s", (_why, step, expected) => {
    expect(oneItem([{ id: "a", ...(step as object) }], { vars })).toEqual(expected);
  });

  it("checks the notifications' webhook, and URLs in a checklist without vars", () => {
    expect(
      oneItem([{ id: "a", http: { url: "${env.API}/x" } }], {
        notifications: { webhook: "hooks.example.com/x", on: ["failure"] },
      }),
    ).toEqual([bad("hooks.example.com/x", ["notifications", "webhook"])]);
  });
});

describe("regular expressions", () => {
  it("fills a variable with a character before compiling, so a quantifier after it compiles", () => {
    expect(
      oneItem([{ id: "a", input: { prompt: "p", pattern: "${prefix}+" } }], { vars: { prefix: {} } }),
    ).toEqual([]);
  });
});

describe("duration variables", () => {
  const vars = {
    slow: { default: "soon" },
    late: { default: "never" },
    quick: { default: "5s" },
    n: { default: 30 },
    none: {},
  };
  const baddur = (text: string, def: string, path: DocPath): ValidationProblem => ({
    path,
    message: `bad duration: ${text} defaults to ${JSON.stringify(def)}; use a number with a unit, e.g. 30s, 5m, 1h`,
    severity: "error",
  });
  const url = "https://x.example";
  const prom = { url, query: "up", expect: { gt: 0 } };

  it.each<[string, unknown, ValidationProblem[]]>([
    [
      "http maxLatency",
      { http: { url, maxLatency: "${slow}" } },
      [baddur("${slow}", "soon", at(0, "http", "maxLatency"))],
    ],
    [
      "http thresholds",
      { http: { url, samples: 10, thresholds: { p50: "${slow}", p95: "${n}", p99: "${late}" } } },
      [
        baddur("${slow}", "soon", at(0, "http", "thresholds", "p50")),
        baddur("${n}", "30", at(0, "http", "thresholds", "p95")),
        baddur("${late}", "never", at(0, "http", "thresholds", "p99")),
      ],
    ],
    [
      "file maxAge, and a newest entry's",
      { file: { path: "/x", maxAge: "${slow}", newest: { maxAge: "${ slow }" } } },
      [
        baddur("${slow}", "soon", at(0, "file", "maxAge")),
        baddur("${ slow }", "soon", at(0, "file", "newest", "maxAge")),
      ],
    ],
    [
      "prometheus interval",
      { prometheus: { ...prom, interval: "${slow}" } },
      [baddur("${slow}", "soon", at(0, "prometheus", "interval"))],
    ],
    [
      "a watch's duration and interval",
      {
        watch: {
          duration: "${slow}",
          interval: "${n}",
          steps: [{ id: "h", http: { url, maxLatency: "${slow}" } }],
        },
      },
      [
        baddur("${slow}", "soon", at(0, "watch", "duration")),
        baddur("${n}", "30", at(0, "watch", "interval")),
        baddur("${slow}", "soon", at(0, "watch", "steps", 0, "http", "maxLatency")),
      ],
    ],
    [
      "good defaults, no default, env and literals",
      {
        http: {
          url,
          maxLatency: "${quick}",
          samples: 5,
          thresholds: { p50: "${none}", p95: "${env.P95}", p99: "2s" },
        },
      },
      [],
    ],
    [
      "an undeclared name is reported as such",
      { file: { path: "/x", maxAge: "${ghost}" } },
      [unknown("ghost", at(0, "file", "maxAge"))],
    ],
    [
      "a request body and a file's values are data, whatever their keys",
      [
        { http: { url, method: "POST", body: { maxAge: "${slow}", p50: "${slow}", interval: "${slow}" } } },
        { file: { path: "/x", values: { timeout: "${slow}", maxAge: "${slow}" } } },
      ],
      [],
    ],
  ])("%s", (_why, step, expected) => {
    const steps = Array.isArray(step) ? step : [step];
    expect(
      oneItem(
        steps.map((s, i) => ({ id: `s${i}`, ...(s as object) })),
        { vars },
      ),
    ).toEqual(expected);
  });
});

describe("run commands: where bash would evaluate a value", () => {
  const vars = { n: { pattern: "^[0-9]+$" }, loose: { pattern: ".*" }, plain: {} };
  const problem = (message: string, more: Partial<ValidationProblem> = {}): ValidationProblem => ({
    path: at(0, "run"),
    needle: "${plain}",
    needleIndex: 0,
    severity: "error",
    message,
    ...more,
  });
  const declare = (name: string, example: string) =>
    `; ${FIX}, or declare a strict pattern for ${name} (vars: { ${name}: { pattern: ${example} } })`;

  it.each<[string, unknown, ValidationProblem[]]>([
    ["bash takes the value as data", 'echo ${plain} "${plain}" ${env.X}', []],
    [
      "arithmetic, no pattern",
      "echo $(( ${plain} + 1 ))",
      [problem(`\${plain} ${ARITH}${declare("plain", '"^[0-9]+$"')}`)],
    ],
    ["arithmetic, a strict pattern", "echo $(( ${n} + 1 ))", []],
    [
      "arithmetic, a pattern that is not strict",
      "echo $(( ${loose} ))",
      [
        problem(
          `\${loose} ${ARITH}; the pattern of loose (".*") is not strict enough: it is not anchored with ^ at the start and $ at the end; ${FIX}`,
          { needle: "${loose}" },
        ),
      ],
    ],
    [
      "a variable name",
      "read ${plain}",
      [
        problem(
          `\${plain} is in an argument of \`read\` (variable names): a value there names a variable, and a subscript such as a[$(cmd)] in it runs cmd${declare("plain", '"^[a-z0-9-]+$"')}`,
        ),
      ],
    ],
    [
      "a pattern",
      "case x in ${plain}) ;; esac",
      [
        problem(
          `\${plain} is in a \`case\` pattern: a value there is a pattern, not text${declare("plain", '"^[a-z0-9-]+$"')}`,
        ),
      ],
    ],
    [
      "code",
      "eval ${plain}",
      [
        problem(
          `\${plain} is in an argument of \`eval\` (code): a value there runs as code${declare("plain", '"^[a-z0-9-]+$"')}`,
        ),
      ],
    ],
    [
      "an environment variable",
      "echo $(( ${env.N} ))",
      [
        problem(`\${env.N} ${ARITH}; ${FIX} (or declare a variable with env: N and a strict pattern)`, {
          needle: "${env.N}",
        }),
      ],
    ],
    [
      "the second place of the same text, in a command mapping",
      { command: "echo ${plain}; echo $(( ${plain} ))" },
      [
        problem(`\${plain} ${ARITH}${declare("plain", '"^[0-9]+$"')}`, {
          path: at(0, "run", "command"),
          needleIndex: 1,
        }),
      ],
    ],
    [
      "an undeclared name: unknown, and no pattern",
      "echo $(( ${ghost} ))",
      [
        unknown("ghost", at(0, "run")),
        problem(`\${ghost} ${ARITH}${declare("ghost", '"^[0-9]+$"')}`, { needle: "${ghost}" }),
      ],
    ],
    [
      "a command deploycheck cannot follow",
      "echo ${plain} `x",
      [
        problem(
          `\${plain} is in a command deploycheck cannot follow (a backquote is not closed, at line 1, column 15 of the command): no value can be passed there as data; ${FIX}`,
        ),
      ],
    ],
    [
      "env: reserved names and dangerous variables set from a variable",
      {
        command: "true",
        env: {
          __dc_x: "1",
          __DCENV_Y: "2",
          x__dc_: "3",
          PATH: "/bin:${plain}",
          BASH_ENV: "/etc/fixed",
          FOO: "${plain}",
        },
      },
      [
        {
          path: at(0, "run", "env", "__dc_x"),
          at: "key",
          message: "env: __dc_x is reserved: deploycheck passes values to the command in __dc_* variables",
          severity: "error",
        },
        {
          path: at(0, "run", "env", "__DCENV_Y"),
          at: "key",
          message: "env: __DCENV_Y is reserved: deploycheck passes values to the command in __dc_* variables",
          severity: "error",
        },
        {
          path: at(0, "run", "env", "PATH"),
          message:
            "env: PATH takes a value from a variable, and bash or the programs it starts run or search what PATH names; set PATH to a fixed value",
          severity: "error",
        },
      ],
    ],
  ])("%s", (_why, run, expected) => {
    expect(oneItem([{ id: "a", run }], { vars })).toEqual(expected);
  });
});

describe("unknownReferencesInRaw (a document that failed the schema)", () => {
  it.each([[null], [undefined], ["text"], [5], [["a", "${x}"]]])("%j has none", (data) => {
    expect(unknownReferencesInRaw(data)).toEqual([]);
  });

  it("reads vars' defaults, guards, steps and conditions, not titles; knows declared and saved names", () => {
    const raw = {
      vars: {
        region: { default: "${zone}" },
        text: "not a mapping",
        nothing: null,
        number: { default: 5 },
        nodefault: { env: "X" },
      },
      guards: [{ note: "${guardRef}" }],
      sections: [
        {
          id: "s",
          title: "${inTitle}",
          when: "${secWhen}",
          items: [
            {
              id: "i",
              title: "${inTitle}",
              when: "${itemWhen}",
              steps: [
                { input: { prompt: "p", saveAs: "rev" } },
                { run: { command: "x", saveAs: 5 } },
                { note: "${rev} ${env.HOME} ${region} ${nodefault} ${stepRef}" },
                null,
                7,
                { bogus: true },
              ],
            },
          ],
        },
      ],
    };
    const u = (ref: string, path: DocPath) => unknown(ref, path);
    expect(unknownReferencesInRaw(raw)).toEqual([
      u("zone", ["vars", "region", "default"]),
      u("guardRef", ["guards", 0, "note"]),
      u("secWhen", ["sections", 0, "when"]),
      u("itemWhen", ["sections", 0, "items", 0, "when"]),
      u("stepRef", ["sections", 0, "items", 0, "steps", 2, "note"]),
    ]);
  });

  it.each([[{}], [{ vars: null }], [{ vars: "text" }], [{ vars: 5 }]])(
    "without vars as a mapping: %j",
    (rest) => {
      const sections = [{ id: "s", items: [{ steps: [{ note: "${x}" }] }] }];
      expect(unknownReferencesInRaw({ ...rest, sections })).toEqual([
        unknown("x", ["sections", 0, "items", 0, "steps", 0, "note"]),
      ]);
    },
  );

  it("suggests among declared and saved names, and takes no names from vars written as a list", () => {
    expect(
      unknownReferencesInRaw({
        vars: [{ default: "${inList}" }],
        sections: [{ items: [{ steps: [{ input: { saveAs: "revision" } }, { note: "${revison} ${0}" }] }] }],
      }),
    ).toEqual([
      unknown("revison", ["sections", 0, "items", 0, "steps", 1, "note"], { suggestion: "${revision}" }),
    ]);
    expect(
      unknownReferencesInRaw({
        vars: { namespace: {} },
        sections: [{ items: [{ steps: [{ note: "${namspace}" }] }] }],
      }),
    ).toEqual([
      unknown("namspace", ["sections", 0, "items", 0, "steps", 0, "note"], { suggestion: "${namespace}" }),
    ]);
  });
});
