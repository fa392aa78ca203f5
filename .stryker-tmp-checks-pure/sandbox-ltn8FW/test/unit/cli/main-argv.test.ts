// @ts-nocheck
// `deploycheck <checklist>` is short for `run <checklist>`, but a typo of a command is not a checklist:
// commander then answers "unknown command" with its "Did you mean ...?".
import { describe, expect, it } from "vitest";
import { normaliseArgv } from "../../../src/cli/main.js";
import { isInteractive } from "../../../src/cli/options.js";

const argv = (...args: string[]) => ["node", "deploycheck", ...args];

describe("normaliseArgv", () => {
  it("inserts run before a checklist name or path", () => {
    expect(normaliseArgv(argv("staging"), () => false)).toEqual(argv("run", "staging"));
    expect(normaliseArgv(argv("./c.yaml", "--var", "a=b"), () => false)).toEqual(
      argv("run", "./c.yaml", "--var", "a=b"),
    );
  });
  it("leaves a near-miss of a command to commander's suggestion", () => {
    for (const typo of ["stauts", "resmue", "exprot", "valdiate"])
      expect(normaliseArgv(argv(typo), () => false)).toEqual(argv(typo));
  });
  it("still runs a checklist that happens to be named like a typo, when it exists", () => {
    expect(normaliseArgv(argv("stauts"), (n) => n === "stauts")).toEqual(argv("run", "stauts"));
  });
});

describe("isInteractive", () => {
  it("follows stdin, not stdout: a pipe after deploycheck still asks", () => {
    expect(isInteractive({}, {}, { isTTY: true })).toBe(true);
    expect(isInteractive({}, {}, { isTTY: false })).toBe(false);
    expect(isInteractive({}, { CI: "true" }, { isTTY: true })).toBe(false);
    expect(isInteractive({ nonInteractive: true }, {}, { isTTY: true })).toBe(false);
  });
});
