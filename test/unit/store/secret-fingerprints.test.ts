// Secret fingerprints: whether a secret changed between the sessions of a run, never its value. The
// fingerprint is checked against an independent HMAC-SHA256 computed here, and every damaged or planted
// file reads as "nothing kept" (unknown), never as "same".
import { createHmac } from "node:crypto";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  compareSecrets,
  SECRET_FINGERPRINTS_FILE,
  saveSecretFingerprints,
} from "../../../src/store/secret-fingerprints.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-secret-fp-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = () => join(dir, SECRET_FINGERPRINTS_FILE);
const stored = () =>
  JSON.parse(readFileSync(file(), "utf8")) as {
    v: number;
    key: string;
    fingerprints: Record<string, string>;
  };
const hmac = (key: string, name: string, value: string) =>
  createHmac("sha256", Buffer.from(key, "hex")).update(`${name}\0${value}`).digest("hex");
const KEY = "ab".repeat(32);
const plant = (content: unknown) =>
  writeFileSync(file(), typeof content === "string" ? content : JSON.stringify(content));

describe("secret fingerprints", () => {
  it("says same, changed or unknown per secret, and keeps no value on disk", () => {
    expect(compareSecrets(dir, { TOKEN: "s3cret" })("TOKEN")).toBe("unknown");
    saveSecretFingerprints(dir, ["TOKEN", "PASSWORD"], { TOKEN: "s3cret", PASSWORD: "hunter2" });
    const text = readFileSync(file(), "utf8");
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("hunter2");
    expect(text.endsWith("}\n")).toBe(true);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([SECRET_FINGERPRINTS_FILE]); // no temporary file left

    const same = compareSecrets(dir, { TOKEN: "s3cret", PASSWORD: "hunter2" });
    expect(same("TOKEN")).toBe("same");
    expect(same("PASSWORD")).toBe("same");
    const changed = compareSecrets(dir, { TOKEN: "s3cret!", PASSWORD: "hunter2" });
    expect(changed("TOKEN")).toBe("changed");
    expect(changed("PASSWORD")).toBe("same");
    // A secret of this session that was not saved last time cannot be compared.
    expect(same("OTHER")).toBe("unknown");
  });

  it("is an HMAC-SHA256 of name NUL value under a random 32-byte key (computed independently)", () => {
    saveSecretFingerprints(dir, ["TOKEN", "EMPTY"], { TOKEN: "s3cret" });
    const s = stored();
    expect(s.v).toBe(1);
    expect(s.key).toMatch(/^[0-9a-f]{64}$/);
    expect(s.fingerprints).toEqual({
      TOKEN: hmac(s.key, "TOKEN", "s3cret"),
      EMPTY: hmac(s.key, "EMPTY", ""),
    });
    // A secret without a value counts as the empty string, the same as it was.
    expect(compareSecrets(dir, {})("EMPTY")).toBe("same");
    expect(compareSecrets(dir, { EMPTY: "x" })("EMPTY")).toBe("changed");
    expect(compareSecrets(dir, {})("TOKEN")).toBe("changed");
  });

  it("keeps the run's key across sessions; a new run gets a new key", () => {
    saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "a" });
    const first = stored().key;
    saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "b" });
    expect(stored().key).toBe(first);
    expect(stored().fingerprints).toEqual({ TOKEN: hmac(first, "TOKEN", "b") });
    const other = mkdtempSync(join(tmpdir(), "dc-secret-fp-"));
    try {
      saveSecretFingerprints(other, ["TOKEN"], { TOKEN: "b" });
      const otherKey = JSON.parse(readFileSync(join(other, SECRET_FINGERPRINTS_FILE), "utf8")).key;
      expect(otherKey).toMatch(/^[0-9a-f]{64}$/);
      expect(otherKey).not.toBe(first);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("uses a planted file's fingerprints only as fingerprints: each entry must be 64 hex digits", () => {
    plant({
      key: KEY,
      fingerprints: {
        GOOD: hmac(KEY, "GOOD", "v"),
        SHORT: hmac(KEY, "SHORT", "v").slice(1),
        UPPER: hmac(KEY, "UPPER", "v").toUpperCase(),
        LONG: `${hmac(KEY, "LONG", "v")}0`,
        PREFIXED: `x${hmac(KEY, "PREFIXED", "v")}`,
        NUMBER: 7,
      },
    });
    const compare = compareSecrets(dir, {
      GOOD: "v",
      SHORT: "v",
      UPPER: "v",
      LONG: "v",
      PREFIXED: "v",
      NUMBER: "v",
    });
    expect(["GOOD", "SHORT", "UPPER", "LONG", "PREFIXED", "NUMBER"].map(compare)).toEqual([
      "same",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
      "unknown",
    ]);
  });

  it("reads a damaged, planted or linked file as nothing kept (unknown), and a save replaces it with a new key", () => {
    const fp = (key: string) => ({ TOKEN: hmac(key, "TOKEN", "v") });
    const damaged: [string, unknown][] = [
      ["not JSON", "{ torn"],
      ["null", "null"],
      ["a number", "7"],
      ["no key", { fingerprints: fp(KEY) }],
      ["a key that is not a string", { key: 7, fingerprints: fp(KEY) }],
      ["a short key", { key: KEY.slice(2), fingerprints: fp(KEY.slice(2)) }],
      ["a long key", { key: `${KEY}ab`, fingerprints: fp(`${KEY}ab`) }],
      ["an upper-case key", { key: KEY.toUpperCase(), fingerprints: fp(KEY) }],
      ["a key with a prefix", { key: `x${KEY.slice(1)}`, fingerprints: fp(KEY) }],
      ["a key with a suffix", { key: `${KEY.slice(1)}x`, fingerprints: fp(KEY) }],
      ["no fingerprints", { key: KEY }],
      ["null fingerprints", { key: KEY, fingerprints: null }],
      ["fingerprints as a string", { key: KEY, fingerprints: "x" }],
      ["fingerprints as an array", { key: KEY, fingerprints: [hmac(KEY, "0", "v")] }],
    ];
    for (const [what, content] of damaged) {
      plant(content);
      expect([what, compareSecrets(dir, { TOKEN: "v", "0": "v" })("TOKEN")]).toEqual([what, "unknown"]);
      expect([what, compareSecrets(dir, { TOKEN: "v", "0": "v" })("0")]).toEqual([what, "unknown"]);
      saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "v" });
      expect(stored().key).not.toBe(KEY);
      expect(compareSecrets(dir, { TOKEN: "v" })("TOKEN")).toBe("same");
    }
    // The well-formed version of the same file is used: the refusals above are about the damage.
    plant({ key: KEY, fingerprints: fp(KEY) });
    expect(compareSecrets(dir, { TOKEN: "v" })("TOKEN")).toBe("same");
    saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "w" });
    expect(stored().key).toBe(KEY);

    // A symbolic link to a file with a valid content is not followed.
    rmSync(file());
    const elsewhere = join(dir, "elsewhere.json");
    writeFileSync(elsewhere, JSON.stringify({ key: KEY, fingerprints: fp(KEY) }));
    symlinkSync(elsewhere, file());
    expect(compareSecrets(dir, { TOKEN: "v" })("TOKEN")).toBe("unknown");
  });
});
