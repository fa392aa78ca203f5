// Variables as the engineer meets them: --var parsing, where each value comes from (--var, then its
// environment variable, then the default), the errors for an unknown, missing or too-short secret value
// (exact words and hints), interpolation with ${env.X}, $${ and masks, `when` conditions, durations from
// variables, and the patterns and secrecy the run step checks values against.
import { describe, expect, it } from "vitest";
import type { Checklist } from "../../../src/checklist/schema.js";
import {
  evalWhen,
  interpolate,
  parseVarFlags,
  references,
  resolveDuration,
  resolveVars,
  shellQuote,
  variableRules,
} from "../../../src/checklist/vars.js";
import { UsageError } from "../../../src/errors.js";

function thrown(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("parseVarFlags", () => {
  it("splits at the first =, keeps empty values and later ='s", () => {
    expect(parseVarFlags(["a=1", "b=", "c=x=y", "a=2"])).toEqual({ a: "2", b: "", c: "x=y" });
    expect(parseVarFlags()).toEqual({});
    expect(parseVarFlags([])).toEqual({});
  });

  it("refuses a flag without a name or without =", () => {
    for (const bad of ["novalue", "=x"]) {
      const err = thrown(() => parseVarFlags([bad]));
      expect(err.message).toBe(`--var ${JSON.stringify(bad)} is not key=value`);
      expect(err.hint).toBe("Write --var name=value, e.g. --var namespace=staging");
    }
  });
});

describe("resolveVars", () => {
  const vars = {
    ns: { env: "NS", default: "staging" },
    tag: { env: "TAG" },
    opt: { required: false },
    token: { secret: true, env: "TOKEN" },
    count: { default: 3 },
  } as unknown as NonNullable<Checklist["vars"]>;

  it("takes --var, then the environment (when not empty), then the default, and says which", () => {
    const r = resolveVars({ vars }, { tag: "v1" }, { NS: "", TOKEN: "abcd" });
    expect(r.values).toEqual({ ns: "staging", tag: "v1", opt: "", token: "abcd", count: "3" });
    expect(r.sources).toEqual({ ns: "default", tag: "var", opt: "unset", token: "env", count: "default" });
    expect(r.secrets).toEqual(["token"]);
    const fromEnv = resolveVars({ vars }, { tag: "v1", ns: "prod" }, { NS: "qa", TAG: "v2", TOKEN: "abcd" });
    expect(fromEnv.values).toMatchObject({ ns: "prod", tag: "v1" });
    expect(resolveVars({ vars }, {}, { NS: "qa", TAG: "v2", TOKEN: "abcd" }).sources).toMatchObject({
      ns: "env",
      tag: "env",
    });
  });

  it("an unknown --var names the declared ones", () => {
    const err = thrown(() => resolveVars({ vars }, { nope: "1" }, {}));
    expect(err.message).toBe('--var nope: the checklist declares no variable "nope"');
    expect(err.hint).toBe("Declared variables: ns, tag, opt, token, count");
    expect(thrown(() => resolveVars({}, { nope: "1" }, {})).hint).toBe(
      "The checklist declares no variables.",
    );
  });

  it("every missing required variable in one error, with how to give it", () => {
    const one = thrown(() => resolveVars({ vars: { tag: { env: "TAG" } } as never }, {}, {}));
    expect(one.message).toBe("missing required variable: tag (--var tag=... or TAG)");
    expect(one.hint).toBe("Pass each with --var name=value or set its environment variable.");
    const two = thrown(() => resolveVars({ vars }, {}, {}));
    expect(two.message).toBe(
      "missing required variables: tag (--var tag=... or TAG), token (--var token=... or TOKEN)",
    );
    const noEnv = thrown(() => resolveVars({ vars: { x: {} } as never }, {}, {}));
    expect(noEnv.message).toBe("missing required variable: x (--var x=...)");
  });

  it("a secret shorter than 3 characters is refused, naming where it came from", () => {
    const fromVar = thrown(() => resolveVars({ vars }, { tag: "t", token: "ab" }, {}));
    expect(fromVar.message).toBe(
      "variable token is secret, but its value (from --var token) has 2 characters; a secret needs at least 3",
    );
    expect(fromVar.hint).toBe(
      'A value that short cannot be redacted without garbling all output, and is never left unredacted. Use a longer value, or drop "secret: true" from token if it is not a secret.',
    );
    expect(thrown(() => resolveVars({ vars }, { tag: "t" }, { TOKEN: "a" })).message).toBe(
      "variable token is secret, but its value (from TOKEN) has 1 character; a secret needs at least 3",
    );
    const withDefault = { s: { secret: true, default: "xy" } } as never;
    expect(thrown(() => resolveVars({ vars: withDefault }, {}, {})).message).toContain("(from its default)");
    // Three characters, or an optional secret left empty, are fine.
    expect(resolveVars({ vars }, { tag: "t", token: "abc" }, {}).values["token"]).toBe("abc");
    const optional = { s: { secret: true, required: false } } as never;
    expect(resolveVars({ vars: optional }, {}, {}).values).toEqual({ s: "" });
  });
});

describe("interpolate and references", () => {
  it("fills ${name} and ${env.NAME}, leaves unknown names and turns $${ into ${", () => {
    expect(interpolate("a=${ a } b=${env.B} c=${env.C} d=${d} $${HOME}", { a: "1" }, { B: "2" })).toBe(
      "a=1 b=2 c= d=${d} ${HOME}",
    );
    expect(references("${a} ${ env.B } $${c} ${d.e}")).toEqual(["a", "env.B", "d.e"]);
  });

  it("a name only of the values' own (no prototype keys), masked or shell-quoted on request", () => {
    expect(interpolate("${toString}", {}, {})).toBe("${toString}");
    expect(interpolate("${a}/${b}", { a: "x y", b: "ok" }, {}, { shell: true })).toBe("'x y'/ok");
    expect(interpolate("${a}/${b}", { a: "x", b: "y" }, {}, { mask: new Set(["a"]) })).toBe("****/y");
  });

  it("shellQuote leaves plain words and quotes the rest, single quotes included", () => {
    expect(shellQuote("a-Z_0@%+=:,./")).toBe("a-Z_0@%+=:,./");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("x\ny")).toBe("'x\ny'");
    expect(shellQuote("$x")).toBe("'$x'");
  });
});

describe("evalWhen", () => {
  const values = {
    on: "yes",
    off: "No",
    empty: "",
    env: "prod",
    zero: "0",
    padded: " prod ",
    two: "prod x",
    xprod: "xprod",
    upper: " FALSE ",
  };
  it.each([
    [undefined, true],
    [true, true],
    [false, false],
    ["${on}", true],
    ["${off}", false],
    ["  ${empty}  ", false],
    ["${zero}", false],
    ["OFF", false],
    ["n", false],
    ["false", false],
    ["no", false],
    ["anything", true],
    ["!${on}", false],
    ["!${off}", true],
    ["${env} == prod", true],
    ["${env}==prod", true],
    ["${env} == 'prod'", true],
    ['${env} == "prod"', true],
    ["${env} == 'prod\"", false],
    ["${env} != prod", false],
    ["${env} != staging", true],
    ["${env} == production", false],
    ["${env} == prod x", false],
    ["${env.STAGE} == blue", true],
    ["${env}==staging", false],
    ["${env} ==staging", false],
    ["${env}== staging", false],
    ["${padded} == prod", true],
    ["prod == ${padded}", true],
    ["${two} == 'prod' x", false],
    ["${xprod} == x'prod'", false],
    ["  !${on}", false],
    ["  ${off}", false],
    ["${upper}", false],
  ] as const)("%j is %s", (when, expected) => {
    expect(evalWhen(when as string | boolean | undefined, values, { STAGE: "blue" })).toBe(expected);
  });
});

describe("resolveDuration", () => {
  const bounds = { min: 1000, max: 3_600_000 };
  it("a literal or a variable's duration, in ms", () => {
    expect(resolveDuration("30s", {}, {}, bounds)).toBe(30_000);
    expect(resolveDuration("${w}", { w: " 5m " }, {}, bounds)).toBe(300_000);
  });

  it("not a duration, or out of bounds: says what the variable held", () => {
    const bad = thrown(() => resolveDuration("${w}", { w: "soon" }, {}, bounds));
    expect(bad.message).toBe('${w} is "soon", which is not a duration');
    expect(bad.hint).toBe("Use a number with a unit, e.g. 500ms, 30s, 5m, 1h.");
    expect(thrown(() => resolveDuration("2h", {}, {}, bounds)).message).toBe(
      "2h is out of range: use a duration from 1s to 1h",
    );
    expect(thrown(() => resolveDuration("${w}", { w: "2h" }, {}, bounds)).message).toBe(
      "${w} is 2h is out of range: use a duration from 1s to 1h",
    );
  });
});

describe("variableRules", () => {
  it("declared variables and input steps' saveAs (also in guards and watches); a declaration wins", () => {
    const checklist = {
      vars: { a: { pattern: "^[0-9]+$" }, b: { secret: true }, c: {} },
      guards: [{ input: { saveAs: "g", pattern: "^x$" } }],
      sections: [
        {
          items: [
            {
              steps: [
                { input: { saveAs: "a", pattern: "^ignored$" } },
                { input: { saveAs: "s", secret: true } },
                { input: { saveAs: "p", pattern: "^p$" } },
                { input: {} },
                { watch: { steps: [{ input: { saveAs: "w", pattern: "^w$" } }] } },
              ],
            },
          ],
        },
      ],
    } as unknown as Checklist;
    const rules = variableRules(checklist);
    expect({ ...rules }).toEqual({
      a: { pattern: "^[0-9]+$" },
      b: { secret: true },
      c: {},
      g: { pattern: "^x$" },
      s: { secret: true },
      p: { pattern: "^p$" },
      w: { pattern: "^w$" },
    });
    expect(Object.keys(rules.c!)).toEqual([]);
    expect(Object.keys(rules.s!)).toEqual(["secret"]);
    expect(Object.keys(rules.p!)).toEqual(["pattern"]);
    expect(variableRules({ sections: [] } as unknown as Checklist)).toEqual({});
  });
});
