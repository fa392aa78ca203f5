// @ts-nocheck
// Secret variables shorter than 3 characters are refused when the run starts, with where the value came from.
import { describe, expect, it } from "vitest";
import { resolveVars } from "../../../src/checklist/vars.js";
import { UsageError } from "../../../src/errors.js";

const checklist = { vars: { pin: { secret: true, env: "PIN" }, name: { default: "x" } } };

describe("secret variable values", () => {
  it("refuses a 1- or 2-character secret, saying where it came from", () => {
    expect(() => resolveVars(checklist, { pin: "42" }, {})).toThrow(UsageError);
    expect(() => resolveVars(checklist, { pin: "42" }, {})).toThrow(
      "variable pin is secret, but its value (from --var pin) has 2 characters; a secret needs at least 3",
    );
    expect(() => resolveVars(checklist, {}, { PIN: "7" })).toThrow(
      "variable pin is secret, but its value (from PIN) has 1 character; a secret needs at least 3",
    );
  });

  it("accepts 3 characters and more, and a short value in a variable that is not secret", () => {
    expect(resolveVars(checklist, { pin: "739", name: "a" }, {}).values).toEqual({ pin: "739", name: "a" });
  });
});
