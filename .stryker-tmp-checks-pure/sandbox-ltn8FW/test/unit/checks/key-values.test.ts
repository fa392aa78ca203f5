// @ts-nocheck
import { describe, expect, it } from "vitest";
import { parseKeyValues } from "../../../src/checks/key-values.js";

describe("parseKeyValues", () => {
  it("reads shell and dotenv assignments", () => {
    const text = [
      "# comment",
      "  ",
      "export A=1",
      'B="two words \\"quoted\\""',
      "C='single # not a comment'",
      "D=plain # comment",
      "E=",
      "not an assignment",
      "A=last wins",
    ].join("\r\n");
    expect(parseKeyValues(text)).toEqual({
      A: "last wins",
      B: 'two words "quoted"',
      C: "single # not a comment",
      D: "plain",
      E: "",
    });
  });
});
