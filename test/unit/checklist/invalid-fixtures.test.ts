// Every file in test/fixtures/invalid/ must be refused with a ChecklistError whose problems include the
// expected message at the expected line:col (1-based), with a code frame.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseChecklist } from "../../../src/checklist/parse.js";
import { ChecklistError } from "../../../src/errors.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/invalid");

/** file -> [message substring, "line:col", suggestion?] */
const expected: Record<string, [string, string, string?]> = {
  "bad-duration-var-default": ['bad duration: ${watchFor} defaults to "forever"', "19:25"],
  "bad-duration": [
    'bad duration: use a number with a unit, e.g. 500ms, 30s, 5m, 1h (not a ${variable} here); got string "5 minutes"',
    "18:22",
  ],
  "bad-enum": ['string "GTE" is not allowed here: expected one of "GET"', "17:54", "GET"],
  "bad-http-url": [
    'bad URL "ftp://files.example.com/health": it must be an absolute http:// or https:// URL',
    "17:26",
  ],
  "bad-id": ["ids are kebab-case", "16:17"],
  "bad-notify-webhook": ['bad URL "hooks.slack.com/services/x"', "17:32"],
  "bad-prometheus-url": ['bad URL "localhost:9090"', "17:32"],
  "bad-regex-context": [
    "regular expression does not compile: /staging(/: missing closing ): `staging(`",
    "11:33",
  ],
  "bad-regex-pattern": ["regular expression does not compile: /[0-9/: missing closing ]: `[0-9`", "17:50"],
  "bad-regex-stdout": ["regular expression does not compile: /(closed/", "19:33"],
  "bad-url-after-vars": ['(with variables filled in: "api.example.com/health")', "18:26"],
  "bad-var-name": ['variable name "my-var" is not allowed', "9:3"],
  "duplicate-default-step-id": ['duplicate step id "run-2" (the id this step gets by default)', "18:13"],
  "duplicate-item-id": [
    'duplicate item id "backup": item ids must be unique across the whole checklist',
    "21:13",
  ],
  "duplicate-key": ['duplicate key "timeout" (first at line 18)', "19:13"],
  "duplicate-section-id": ['duplicate section id "main"', "18:9"],
  "duplicate-step-id": ['duplicate step id "check": step ids must be unique in their item', "18:17"],
  "empty-file": ["the file is empty", "1:1"],
  "empty-sections": ["needs at least 1 entry", "9:11"],
  "env-var-without-prefix": ["${HOME} names no declared variable", "17:21"],
  "error-rate-out-of-range": ["must be at most 1, got 1.5", "20:40"],
  "kube-two-checks": ["a kube step has exactly one check, this one has namespace and pods", "17:19"],
  "missing-apiversion": ['missing required field "apiVersion"', "1:1"],
  "missing-item-title": ['missing required field "title"', "13:9"],
  "mutating-guard": ["a guard only checks (it runs before anything else)", "9:5"],
  "timeout-variable": ["(not a ${variable} here)", "17:22"],
  "not-a-mapping": ["expected a mapping (key: value), got a list", "1:1"],
  "run-wrong-type": ["expected a string or a mapping (key: value), got number 42", "17:18"],
  "saveas-bad-name": ['saveAs "previous-revision" is not a variable name', "17:49"],
  "saveas-before-defined": ["${revision} is used before it is defined", "17:23"],
  "step-with-two-kinds": ["a step has exactly one kind, this one has confirm and run", "17:13"],
  "step-without-kind": ["a step needs exactly one kind", "16:13"],
  "tab-indentation": ["YAML syntax error: Tabs are not allowed as indentation", "17:1"],
  "two-documents": ["a checklist file holds one YAML document", "18:1"],
  "unknown-alias": ["alias *retyr refers to no anchor &retyr set before it", "17:22"],
  "undeclared-var-in-when": ["${awsClustr} names no declared variable", "18:20", "${awsCluster}"],
  "schema-and-undeclared-var": ["${apiURL} names no declared variable", "17:27", "${apiUrl}"],
  "undeclared-var": ["${namspace} names no declared variable and no earlier saveAs", "17:40", "${namespace}"],
  "unknown-nested-key": ['unknown key "staus"', "19:25", "status"],
  "unknown-signoff-key": ['unknown key "requireAllRequiredPased"', "19:3", "requireAllRequiredPassed"],
  "unknown-step-key": ['unknown step kind or key "tmeout"', "18:13", "timeout"],
  "unknown-step-kind": ['unknown step kind or key "htpp"', "17:13", "http"],
  "unknown-top-key": ['unknown key "sectons"', "9:1", "sections"],
  "watch-in-watch": ["a watch cannot contain another watch", "22:19"],
  "wrong-apiversion": ['string "deploycheck/v2" is not allowed here: expected "deploycheck/v1"', "1:13"],
  "wrong-type-boolean": ['expected true or false, got string "yes please"', "18:23"],
  "wrong-type-number": ['expected a number, got string "3"', "18:31"],
  "yaml-syntax": [
    "YAML syntax error: Flow sequence in block collection must be sufficiently indented",
    "18:11",
  ],
};

describe("invalid checklists", () => {
  it("has an expectation for every fixture file, and at least 30 of them", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.replace(/\.yaml$/, ""))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(expected))("%s", (name, [message, at, suggestion]) => {
    const file = path.join(dir, `${name}.yaml`);
    let error: unknown;
    try {
      parseChecklist(readFileSync(file, "utf8"), file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChecklistError);
    const problems = (error as ChecklistError).problems;
    const match = problems.find((p) => p.message.includes(message));
    expect(match, problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("\n")).toBeDefined();
    expect(`${match!.line}:${match!.col}`).toBe(at);
    expect(match!.file).toContain(`${name}.yaml`);
    expect(match!.frame).toMatch(new RegExp(`> +${match!.line} \\| `));
    if (suggestion !== undefined) expect(match!.suggestion).toBe(suggestion);
  });
});
