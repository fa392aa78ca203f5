// @ts-nocheck
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundledDir, findChecklist, listChecklists } from "../../../src/checklist/find.js";
import { UsageError } from "../../../src/errors.js";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(path.join(tmpdir(), "dc-find-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("findChecklist", () => {
  it("uses paths as given, resolved against cwd", () => {
    expect(findChecklist("x/y.yaml", cwd)).toBe(path.join(cwd, "x/y.yaml"));
    expect(findChecklist("plain.yml", cwd)).toBe(path.join(cwd, "plain.yml"));
    expect(findChecklist("/abs/file", cwd)).toBe("/abs/file");
  });

  it("finds a name in ./checklists first, then the bundled checklists", () => {
    expect(findChecklist("staging", cwd)).toBe(path.join(bundledDir(), "staging.yaml"));
    mkdirSync(path.join(cwd, "checklists"));
    writeFileSync(path.join(cwd, "checklists/staging.yml"), "");
    expect(findChecklist("staging", cwd)).toBe(path.join(cwd, "checklists/staging.yml"));
  });

  it("an unknown name is a UsageError listing the names found", () => {
    mkdirSync(path.join(cwd, "checklists"));
    writeFileSync(path.join(cwd, "checklists/prod.yaml"), "");
    let error: unknown;
    try {
      findChecklist("stagin", cwd);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('no checklist named "stagin"');
    expect((error as UsageError).hint).toContain("prod, staging");
  });
});

describe("listChecklists", () => {
  it("lists local ones, then bundled ones a local one does not shadow", () => {
    mkdirSync(path.join(cwd, "checklists"));
    writeFileSync(path.join(cwd, "checklists/prod.yaml"), "");
    writeFileSync(path.join(cwd, "checklists/notes.txt"), "");
    expect(listChecklists(cwd).map((c) => [c.name, c.source])).toEqual([
      ["prod", "local"],
      ["staging", "bundled"],
    ]);
    writeFileSync(path.join(cwd, "checklists/staging.yaml"), "");
    expect(listChecklists(cwd).map((c) => [c.name, c.source])).toEqual([
      ["prod", "local"],
      ["staging", "local"],
    ]);
  });
});
