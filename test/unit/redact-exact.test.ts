// The credential patterns, word for word: what each one takes out of a line, what it leaves (the key,
// the scheme, the user name, the text around it), and the near misses it must not touch, so that an
// SRE reading a redacted log still sees what happened, and no pattern grows or shrinks unnoticed.
import { describe, expect, it } from "vitest";
import { createRedactor, MIN_SECRET_LENGTH, REDACTED, redactDeep } from "../../src/redact.js";

const R = REDACTED;
const redact = createRedactor();

describe("credential patterns: exact output", () => {
  it.each([
    // Authorization schemes: the scheme stays, 8 or more token characters go.
    ["Authorization: Bearer abcdefgh", `Authorization: Bearer ${R}`],
    ["bearer   a.b_c~d+e/f=-9 rest", `bearer   ${R} rest`],
    ["Basic dXNlcjpwYXNz", `Basic ${R}`],
    // AWS: key ids of exactly 16 more characters, on word boundaries; secret keys of exactly 40.
    ["id AKIAIOSFODNN7EXAMPLE.", `id ${R}.`],
    ["ASIAIOSFODNN7EXAMPLE", R],
    ["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", `aws_secret_access_key = ${R}`],
    [
      '"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
      `"aws_secret_access_key": "${R}"`,
    ],
    ["AWS_SECRET_ACCESS_KEY:'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'", `AWS_SECRET_ACCESS_KEY:'${R}'`],
    // key=value forms: the key and separator stay, the value goes up to a space, &, comma or semicolon.
    ["password=hunter22 next", `password=${R} next`],
    ["passwd: s3cr3t", `passwd: ${R}`],
    ["pwd=abc&user=x", `pwd=${R}&user=x`],
    ["token=abc,def", `token=${R},def`],
    ["api-key=k1;x", `api-key=${R};x`],
    ["apikey=k2", `apikey=${R}`],
    ["api_key = k3", `api_key = ${R}`],
    ["secret: 'two words'", `secret: ${R}`],
    ['client_secret="quoted value"', `client_secret=${R}`],
    ["client-secret=cs", `client-secret=${R}`],
    ["clientsecret=cs", `clientsecret=${R}`],
    ["access_token=at", `access_token=${R}`],
    ["access-token=at", `access-token=${R}`],
    ["accesstoken=at", `accesstoken=${R}`],
    ['"password": "p4ss"', `"password": ${R}`],
    ["TOKEN=x", `TOKEN=${R}`],
    // GitHub and Slack tokens.
    [`ghp_${"a".repeat(30)}`, R],
    [`gho_${"B".repeat(36)} x`, `${R} x`],
    [`ghu_${"1".repeat(30)}`, R],
    [`ghs_${"1".repeat(30)}`, R],
    [`ghr_${"1".repeat(30)}`, R],
    ["xoxa-0123456789", R],
    ["xoxp-01234-56789-abc", R],
    ["xoxr-0123456789", R],
    ["xoxs-0123456789", R],
    // Slack webhooks, whole.
    ["see https://hooks.slack.com/services/T1/B2/c3_d-4 now", `see ${R} now`],
    // URL credentials: scheme and user stay, the password goes, the @ stays.
    ["https://deploy:s3cr3t@git.example/x", `https://deploy:${R}@git.example/x`],
    ["postgres+ssl://u:p@db:5432/x", `postgres+ssl://u:${R}@db:5432/x`],
  ])("%j", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    // Too short, wrong prefix, no boundary, or no separator: left as written.
    "Bearer abcdefg",
    "bearer: abcdefgh",
    "AKIAIOSFODNN7EXAMPL",
    "XAKIAIOSFODNN7EXAMPLE",
    "AKIAIOSFODNN7EXAMPLEX",
    "AKIAiosfodnn7example",
    "AKIBIOSFODNN7EXAMPLE",
    "aws_secret_access_key=tooshort",
    "tokens=abc",
    "mytoken=abc",
    "token abc",
    "password",
    `ghp_${"a".repeat(29)}`,
    `ghx_${"a".repeat(30)}`,
    `xghp_${"a".repeat(30)}`,
    "xoxb-012345678",
    "xoxz-0123456789",
    "https://hooks.slack.co/services/T1/B2/c3",
    "https://deploy@git.example/x",
    "https://git.example:8443/x",
    "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
    "ssh -p 22 user@host",
  ])("leaves %j alone", (input) => {
    expect(redact(input)).toBe(input);
  });

  it("private keys: whole blocks, an opening without its end, an end without its opening", () => {
    const block = "-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----";
    expect(redact(`a\n${block}\nb\n${block}\nc`)).toBe(`a\n${R}\nb\n${R}\nc`);
    expect(redact("-----BEGIN EC PRIVATE KEY-----\nAAAA\nBBBB")).toBe(R);
    expect(redact("x -----BEGIN 2 PRIVATE KEY-----")).toBe(`x ${R}`);
    expect(redact("AAAA\n-----END RSA PRIVATE KEY----- tail")).toBe(`${R} tail`);
  });

  it("several credentials in one text, each replaced where it stands", () => {
    expect(redact("user=a password=b token=c host=d")).toBe(`user=a password=${R} token=${R} host=d`);
  });
});

describe("declared secret values", () => {
  const secret = "s3cr'et$`\"\\x";
  const r = createRedactor([secret, "", "short-one"]);

  it("every form bash, URLs and JSON give a value, and the longest first", () => {
    expect(r(`plain ${secret} end`)).toBe(`plain ${R} end`);
    expect(r(`url ${encodeURIComponent(secret)} end`)).toBe(`url ${R} end`);
    expect(r(`json ${JSON.stringify(secret).slice(1, -1)} end`)).toBe(`json ${R} end`);
    expect(r(`single ${secret.replace(/'/g, "'\\''")} end`)).toBe(`single ${R} end`);
    expect(r(`double ${secret.replace(/[\\$`"]/g, "\\$&")} end`)).toBe(`double ${R} end`);
    expect(r(`ansi ${secret.replace(/[\\']/g, "\\$&")} end`)).toBe(`ansi ${R} end`);
    expect(r("short-one and short-one")).toBe(`${R} and ${R}`);
    expect(r("")).toBe("");
    expect(r("nothing secret here")).toBe("nothing secret here");
  });

  it("a secret inside a longer one is redacted as the longer one, once", () => {
    const nested = createRedactor(["abc", "xxabcxx"]);
    expect(nested("1 xxabcxx 2 abc")).toBe(`1 ${R} 2 ${R}`);
  });

  it("the shortest secret accepted elsewhere is 3 characters", () => {
    expect(MIN_SECRET_LENGTH).toBe(3);
  });
});

describe("fragments cut from a longer text", () => {
  const r = createRedactor(["abcdefgh", "xyz"]);

  it("an end cut inside a secret masks what is left of it, 3 characters or more", () => {
    expect(r.fragment("log abcd", { end: true })).toBe(`log ${R}`);
    expect(r.fragment("log abc", { end: true })).toBe(`log ${R}`);
    expect(r.fragment("log ab", { end: true })).toBe("log ab");
    expect(r.fragment("log abcd", {})).toBe("log abcd");
  });

  it("a start cut inside a secret masks its end", () => {
    expect(r.fragment("efgh log", { start: true })).toBe(`${R} log`);
    expect(r.fragment("fgh log", { start: true })).toBe(`${R} log`);
    expect(r.fragment("gh log", { start: true })).toBe("gh log");
    expect(r.fragment("efgh log", { end: true })).toBe("efgh log");
  });

  it("a 3-character secret: 2 characters at an edge are enough", () => {
    expect(r.fragment("log xy", { end: true })).toBe(`log ${R}`);
    expect(r.fragment("yz log", { start: true })).toBe(`${R} log`);
    expect(r.fragment("log x", { end: true })).toBe("log x");
  });

  it("cut at both ends inside one secret: the whole piece goes", () => {
    expect(r.fragment("cdef", { start: true, end: true })).toBe(R);
    expect(r.fragment("cd", { start: true, end: true })).toBe("cd");
    expect(r.fragment("", { start: true, end: true })).toBe("");
    expect(r.fragment(`${R} abcd`, { end: true })).toBe(`${R} ${R}`);
  });
});

describe("redactDeep", () => {
  const r = createRedactor(["run"]);

  it("structural values that look like identifiers stay whole; other text under them is redacted", () => {
    const event = {
      type: "run-finished",
      id: "run-1",
      status: "a run with spaces",
      note: "run",
      nested: [{ key: "run/step" }, { key: `run${"-".repeat(197)}` }, { key: `run${"-".repeat(198)}` }],
      n: 5,
      ok: true,
      none: null,
    };
    expect(redactDeep(event, r)).toEqual({
      type: "run-finished",
      id: "run-1",
      status: `a ${R} with spaces`,
      note: R,
      // Up to 200 characters an identifier; longer, it is text like any other.
      nested: [{ key: "run/step" }, { key: `run${"-".repeat(197)}` }, { key: `${R}${"-".repeat(198)}` }],
      n: 5,
      ok: true,
      none: null,
    });
    expect(redactDeep("run", r)).toBe(R);
    expect(redactDeep(["run", 1], r)).toEqual([R, 1]);
  });
});
