import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/record/canonical.js";
import { fingerprintOf, signRecord, verifyRecord } from "../../../src/record/sign.js";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

// The record buildRecord makes of the sample run (build.test.ts pins it), read from its fixture and signed in
// each test: nothing of the record's code runs while the file loads, so mutation testing runs each test only
// for the code it covers.
const UNSIGNED_TEXT = readFileSync(new URL("./__snapshots__/record.json", import.meta.url), "utf8");
function signedText(): string {
  return JSON.stringify(signRecord(JSON.parse(UNSIGNED_TEXT), privateKey), null, 2);
}
/** A fresh copy, parsed from JSON text as verify sees a record read from disk. */
function signed(text = signedText()): Record<string, unknown> {
  return JSON.parse(text);
}

type Path = (string | number)[];
function leaves(value: unknown, path: Path = []): Path[] {
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      leaves(v, [...path, Array.isArray(value) ? Number(k) : k]),
    );
  }
  return [path];
}
function mutate(root: Record<string, unknown>, path: Path): void {
  let parent = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const v = parent[last];
  if (typeof v === "string") {
    // Change one character (not append): the smallest possible edit.
    const i = Math.floor(v.length / 2);
    parent[last] = v.length === 0 ? "x" : v.slice(0, i) + (v[i] === "A" ? "B" : "A") + v.slice(i + 1);
  } else if (typeof v === "number") parent[last] = v + 1;
  else if (typeof v === "boolean") parent[last] = !v;
  else parent[last] = 0;
}

describe("canonicalJson", () => {
  it("sorts keys and drops whitespace (RFC 8785)", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "é"], c: { z: 1e21, y: 0.1 } })).toBe(
      '{"a":[true,null,"é"],"b":1,"c":{"y":0.1,"z":1e+21}}',
    );
  });
});

describe("sign and verify", () => {
  it("verifies a signed record and reports its fingerprint", () => {
    const record = signed();
    const result = verifyRecord(record);
    expect(result).toEqual({ ok: true, fingerprint: fingerprintOf(publicKey) });
    expect(fingerprintOf(publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("the fingerprint is the SHA-256 of the key's SubjectPublicKeyInfo, as openssl computes it", () => {
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "DER"], { input: pem });
    const digest = execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der });
    const expected = `SHA256:${execFileSync("openssl", ["base64", "-A"], { input: digest }).toString().trim().replace(/=+$/, "")}`;
    expect(fingerprintOf(publicKey)).toBe(expected);
    expect(fingerprintOf(other.publicKey)).not.toBe(expected);
  });

  it("fails when any single leaf value changes, signature included", () => {
    const text = signedText();
    const paths = leaves(signed(text));
    expect(paths.length).toBeGreaterThan(150);
    for (const path of paths) {
      const record = signed(text);
      mutate(record, path);
      const result = verifyRecord(record);
      expect(result.ok, `mutating ${path.join(".")} must break the signature`).toBe(false);
    }
  });

  it("fails for every sampled one-byte edit of the file that changes its meaning", () => {
    const text = JSON.stringify(signed(), null, 2);
    const original = JSON.parse(text);
    let checked = 0;
    for (let i = 0; i < text.length; i += 11) {
      const c = text[i]!;
      const edited =
        text.slice(0, i) +
        (c === "1" ? "2" : c === "a" ? "b" : /[A-Za-z0-9]/.test(c) ? "1" : "a") +
        text.slice(i + 1);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(edited);
      } catch {
        continue; // not JSON any more: verify refuses it before looking at the signature
      }
      if (JSON.stringify(parsed) === JSON.stringify(original)) continue;
      checked += 1;
      expect(verifyRecord(parsed).ok, `edit at byte ${i} (${JSON.stringify(c)})`).toBe(false);
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("fails when a field is added or removed", () => {
    const added = signed();
    added["extra"] = "x";
    expect(verifyRecord(added)).toMatchObject({
      ok: false,
      message: "signature does not match: the record was changed after signing",
    });
    const removed = signed();
    delete (removed["checklist"] as Record<string, unknown>)["ref"];
    expect(verifyRecord(removed).ok).toBe(false);
  });

  it("does not depend on formatting or key order", () => {
    const record = signed();
    const reordered = Object.fromEntries(Object.entries(record).reverse());
    expect(verifyRecord(JSON.parse(JSON.stringify(reordered))).ok).toBe(true);
  });

  it("fails a record re-signed by another key when a signer is required", () => {
    const record = signed();
    const forged = signRecord(record as never, other.privateKey) as unknown as Record<string, unknown>;
    expect(verifyRecord(forged).ok).toBe(true);
    const expected = fingerprintOf(publicKey);
    expect(verifyRecord(forged, { fingerprint: expected })).toEqual({
      ok: false,
      reason: "wrong-signer",
      message: `signed by ${fingerprintOf(other.publicKey)}, expected ${expected}`,
      fingerprint: fingerprintOf(other.publicKey),
    });
    expect(verifyRecord(forged, { key: publicKey }).ok).toBe(false);
    expect(verifyRecord(record, { key: publicKey }).ok).toBe(true);
    expect(verifyRecord(record, { fingerprint: expected.replace("SHA256:", "") }).ok).toBe(true);
    // Both given: both must match.
    expect(verifyRecord(record, { key: publicKey, fingerprint: fingerprintOf(other.publicKey) }).ok).toBe(
      false,
    );
  });

  it("fails when the public key is swapped without re-signing", () => {
    const record = signed();
    const sig = record["signature"] as Record<string, string>;
    sig["publicKey"] = other.publicKey.export({ type: "spki", format: "pem" }).toString().trim();
    sig["fingerprint"] = fingerprintOf(other.publicKey);
    expect(verifyRecord(record)).toMatchObject({ ok: false, reason: "content-changed" });
  });

  it("accepts the signature block only in its one canonical form", () => {
    const variant = (edit: (sig: Record<string, string>) => void) => {
      const record = signed();
      expect(verifyRecord(record).ok).toBe(true);
      edit(record["signature"] as Record<string, string>);
      return verifyRecord(record);
    };
    const refused = (edit: (sig: Record<string, string>) => void, why: RegExp) => {
      const r = variant(edit);
      expect(r.ok).toBe(false);
      expect(r.ok ? "" : r.message).toMatch(why);
    };
    // Extra fields, whatever they hold.
    refused((s) => {
      s["comment"] = "x";
    }, /unexpected field comment/);
    refused((s) => {
      s["value2"] = s["value"]!;
    }, /unexpected field value2/);
    // Non-canonical base64 of the same 64 bytes: no padding, whitespace, URL alphabet, a set trailing bit.
    const sigBytes = (v: string) => Buffer.from(v, "base64");
    refused((s) => {
      s["value"] = s["value"]!.replace(/=+$/, "");
    }, /canonical base64/);
    refused((s) => {
      s["value"] = `${s["value"]!.slice(0, 10)}\n${s["value"]!.slice(10)}`;
    }, /canonical base64/);
    refused((s) => {
      s["value"] = s["value"]!.replace(/\+/g, "-").replace(/\//g, "_");
      // (only a change when the value holds + or /; otherwise the next check covers the trailing bits)
      if (!/[-_]/.test(s["value"]!)) s["value"] = `${s["value"]!}=`;
    }, /canonical base64/);
    refused((s) => {
      // 64 bytes end in "==": the last character carries 4 unused bits, which decoders ignore.
      const v = s["value"]!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const last = v.at(-3)!;
      const bumped = alphabet[alphabet.indexOf(last) ^ 1]!;
      s["value"] = `${v.slice(0, -3)}${bumped}==`;
      expect(sigBytes(s["value"]).equals(sigBytes(v))).toBe(true);
    }, /canonical base64/);
    // The fingerprint prefix in another case, or padded.
    refused((s) => {
      s["fingerprint"] = s["fingerprint"]!.replace("SHA256:", "sha256:");
    }, /fingerprint is written sha256:/);
    refused((s) => {
      s["fingerprint"] = `${s["fingerprint"]!}=`;
    }, /fingerprint is written/);
    // A PEM that decodes to the same key: other line breaks, a trailing newline, CRLF.
    refused((s) => {
      s["publicKey"] = `${s["publicKey"]!}\n`;
    }, /not the PEM deploycheck writes/);
    refused((s) => {
      s["publicKey"] = s["publicKey"]!.replace(/\n/g, "\r\n");
    }, /not the PEM deploycheck writes/);
    refused((s) => {
      const [head, body, foot] = s["publicKey"]!.split("\n");
      s["publicKey"] = [head, body!.slice(0, 20), body!.slice(20), foot].join("\n");
    }, /not the PEM deploycheck writes/);
  });

  it("refuses unsigned records and malformed signature blocks", () => {
    const record = signed();
    delete record["signature"];
    expect(verifyRecord(record)).toMatchObject({ ok: false, reason: "unsigned" });
    expect(verifyRecord({ ...record, signature: { algorithm: "RSA" } })).toMatchObject({
      ok: false,
      reason: "bad-signature-block",
    });
    expect(
      verifyRecord({
        ...record,
        signature: { algorithm: "Ed25519", publicKey: "garbage", fingerprint: "SHA256:x", value: "AA==" },
      }),
    ).toMatchObject({ ok: false, reason: "bad-signature-block" });
  });
});
