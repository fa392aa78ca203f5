import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED, redactDeep } from "../../src/redact.js";

const redact = createRedactor(["s3cr3t-Value/with+chars"]);

describe("createRedactor", () => {
  it("replaces declared secret values, also URL-encoded and JSON-escaped", () => {
    expect(redact("value=s3cr3t-Value/with+chars ok")).not.toContain("s3cr3t");
    expect(redact(`GET /x?k=${encodeURIComponent("s3cr3t-Value/with+chars")}`)).toBe(`GET /x?k=${REDACTED}`);
    const quoted = createRedactor(['pa"ss\\word']);
    expect(quoted(JSON.stringify({ v: 'pa"ss\\word' }))).toBe(`{"v":"${REDACTED}"}`);
  });

  it("ignores secrets too short to redact safely", () => {
    expect(createRedactor(["ab"])("abc")).toBe("abc");
  });

  it.each([
    ["bearer token", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abcdef", "eyJhbGciOiJIUzI1NiJ9"],
    ["password=", "mysql --password=hunter2horse -h db", "hunter2horse"],
    ["password in JSON", '{"password": "hunter2horse"}', "hunter2horse"],
    ["AWS access key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"],
    [
      "AWS secret key",
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ],
    [
      "AWS secret key in JSON",
      '{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ],
    [
      "Slack webhook",
      "posting to https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX now",
      "T000/B000/XXXXXXXXXXXXXXXX",
    ],
    ["URL credentials", "git clone https://deploy:tok3nvalue@github.example/x.git", "tok3nvalue"],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    ["api key", "X-Api-Key api_key=abcd1234efgh", "abcd1234efgh"],
    // Odd casing and the less common spellings: the quick pre-check must let every one through.
    ["PWD=", "PWD=hunter2horse", "hunter2horse"],
    ["Client-Secret:", "Client-Secret: c0ffee-beef", "c0ffee-beef"],
    ["ACCESS_TOKEN=", "ACCESS_TOKEN=abc.def.ghi", "abc.def.ghi"],
    ["Basic auth", "authorization: BASIC dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="],
    ["STS key id", "ASIAIOSFODNN7EXAMPLE in the log", "ASIAIOSFODNN7EXAMPLE"],
    ["Slack token", "xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"],
    ["gov Slack webhook", "https://hooks.slack-gov.com/services/T0/B0/XYZXYZXYZ", "T0/B0/XYZXYZXYZ"],
  ])("redacts a %s", (_name, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it("redacts whole private key blocks, and halves of one in a cut output tail", () => {
    const key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQUJDRA==\n-----END OPENSSH PRIVATE KEY-----";
    expect(redact(`before\n${key}\nafter`)).toBe(`before\n${REDACTED}\nafter`);
    expect(redact("log\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow")).toBe(`log\n${REDACTED}`);
    expect(redact("QUJDRA==\n-----END EC PRIVATE KEY-----\nnext")).toBe(`${REDACTED}\nnext`);
  });

  it("leaves ordinary output alone", () => {
    const text = 'deployment "buywhere-api" successfully rolled out\n3/3 pods ready, token bucket ok';
    expect(redact(text)).toBe(text);
  });
});

describe("redactDeep", () => {
  it("redacts every string in nested objects and arrays, keeping other values", () => {
    const value = { a: ["x s3cr3t-Value/with+chars", 3, true, null], b: { c: "Bearer abcdefghijkl" } };
    expect(redactDeep(value, redact)).toEqual({
      a: [`x ${REDACTED}`, 3, true, null],
      b: { c: `Bearer ${REDACTED}` },
    });
  });
});

describe("redaction is idempotent", () => {
  it("redacting twice changes nothing more (exports re-redact signed records)", async () => {
    const fc = await import("fast-check");
    const pieces = fc.constantFrom(
      "password=hunter2 ",
      "Authorization: Bearer abcdefghijklmnop\n",
      "https://u:p4ssword@host/x ",
      "AKIAIOSFODNN7EXAMPLE ",
      "https://hooks.slack.com/services/T1/B2/xyz ",
      "token: abc123 ",
      "s3cr3t-Value/with+chars",
      "plain text ",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 8 }), (parts) => {
        const once = redact(parts.join(""));
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});
