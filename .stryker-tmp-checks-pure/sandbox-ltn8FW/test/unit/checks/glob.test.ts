// @ts-nocheck
import { describe, expect, it } from "vitest";
import { globToRegExp } from "../../../src/checks/glob.js";

describe("globToRegExp", () => {
  it.each([
    ["*.sql.gz", "db-1.sql.gz", true],
    ["*.sql.gz", "db-1.sql", false],
    ["db-?.sql", "db-1.sql", true],
    ["db-?.sql", "db-12.sql", false],
    ["backup-[0-9]*", "backup-2026", true],
    ["backup-[!0-9]*", "backup-2026", false],
    ["*.{tar,tgz}", "x.tgz", true],
    ["*.{tar,tgz}", "x.zip", false],
    ["a+b(1).txt", "a+b(1).txt", true],
    ["*", ".hidden", true],
  ])("%s matches %s: %s", (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });
});
