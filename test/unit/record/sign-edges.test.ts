// The signature block's edges: fingerprint comparison as people type fingerprints, public keys as PEM or base64
// DER, and verify's exact verdict (reason, message, fingerprint) for each way a block can be wrong.
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalBytes, canonicalJson } from "../../../src/record/canonical.js";
import {
  fingerprintOf,
  parsePublicKey,
  sameFingerprint,
  signedBytes,
  signRecord,
  verifyRecord,
} from "../../../src/record/sign.js";

const ed = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");
// Computed independently (no record code runs while the file loads): "SHA256:" + unpadded base64 of the SPKI hash.
const spkiFingerprint = (key: KeyObject) =>
  `SHA256:${createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("base64")
    .slice(0, 43)}`;
const FP = spkiFingerprint(ed.publicKey);
const OTHER_FP = spkiFingerprint(other.publicKey);
const PEM = ed.publicKey.export({ type: "spki", format: "pem" }).toString().trim();

function signed(content: Record<string, unknown> = { schema: "deploycheck/record/v1", runId: "r1", n: 1 }) {
  return JSON.parse(JSON.stringify(signRecord(content as never, ed.privateKey))) as Record<string, unknown>;
}
function withSig(edit: (sig: Record<string, unknown>) => void): Record<string, unknown> {
  const record = signed();
  edit(record["signature"] as Record<string, unknown>);
  return record;
}

describe("canonicalJson", () => {
  it("refuses what is not JSON and encodes the canonical text as UTF-8", () => {
    expect(() => canonicalJson(undefined)).toThrow(
      new TypeError("cannot canonicalize a value that is not JSON"),
    );
    expect(canonicalBytes({ b: "é", a: 1 })).toEqual(Buffer.from('{"a":1,"b":"é"}', "utf8"));
    expect(canonicalBytes("é").length).toBe(4);
  });
});

describe("sameFingerprint", () => {
  it("ignores the prefix (in any case), padding and surrounding blanks", () => {
    const bare = FP.slice("SHA256:".length);
    for (const variant of [
      FP,
      bare,
      ` ${FP}\n`,
      `sha256:${bare}`,
      `${FP}=`,
      `${bare}==`,
      `Sha256:${bare}=\t`,
    ]) {
      expect(sameFingerprint(FP, variant), variant).toBe(true);
      expect(sameFingerprint(variant, FP), variant).toBe(true);
    }
  });

  it("tells different fingerprints apart, however they are spelled", () => {
    const bare = FP.slice("SHA256:".length);
    for (const variant of [
      OTHER_FP,
      `x${FP}`,
      `SHA256:SHA256:${bare}`,
      `${bare.slice(0, 20)}=${bare.slice(20)}`,
      `${bare.slice(0, 20)} ${bare.slice(20)}`,
      bare.toLowerCase(),
      `MD5:${bare}`,
      "",
    ]) {
      expect(sameFingerprint(FP, variant), variant).toBe(false);
    }
    // The prefix counts only at the start.
    expect(sameFingerprint(`x${FP}`, `x${bare}`)).toBe(false);
    expect(sameFingerprint(`${bare}SHA256:`, bare)).toBe(false);
  });
});

describe("parsePublicKey", () => {
  it("reads PEM and base64 SPKI DER, with surrounding blanks", () => {
    const der = ed.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    for (const text of [PEM, `\n  ${PEM}\n\n`, der, ` ${der}\n`]) {
      expect(fingerprintOf(parsePublicKey(text))).toBe(FP);
    }
  });

  it("refuses a key of another type, and text that is no key", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(() => parsePublicKey(rsa.export({ type: "spki", format: "pem" }).toString())).toThrow(
      new TypeError("not an Ed25519 key (rsa)"),
    );
    const x = generateKeyPairSync("x25519").publicKey;
    expect(() => parsePublicKey(x.export({ type: "spki", format: "der" }).toString("base64"))).toThrow(
      "not an Ed25519 key (x25519)",
    );
    expect(() => parsePublicKey("bm90IGEga2V5")).toThrow();
  });
});

describe("signRecord", () => {
  it("writes the block deploycheck verifies: algorithm, trimmed PEM, fingerprint and a 64-byte value", () => {
    const record = signed();
    const sig = record["signature"] as Record<string, string>;
    expect(Object.keys(sig).sort()).toEqual(["algorithm", "fingerprint", "publicKey", "value"]);
    expect(sig["algorithm"]).toBe("Ed25519");
    expect(sig["publicKey"]).toBe(PEM);
    expect(sig["fingerprint"]).toBe(FP);
    expect(Buffer.from(sig["value"]!, "base64").length).toBe(64);
    expect(signedBytes(record).toString()).toBe('{"n":1,"runId":"r1","schema":"deploycheck/record/v1"}');
  });

  it("replaces an earlier signature instead of signing over it", () => {
    const first = signed();
    const again = signRecord(first as never, other.privateKey) as unknown as Record<string, unknown>;
    expect((again["signature"] as Record<string, string>)["fingerprint"]).toBe(OTHER_FP);
    expect(signedBytes(again)).toEqual(signedBytes(first));
    expect(verifyRecord(JSON.parse(JSON.stringify(again)))).toEqual({ ok: true, fingerprint: OTHER_FP });
  });
});

describe("verifyRecord verdicts", () => {
  const malformed = {
    ok: false,
    reason: "bad-signature-block",
    message: "the signature block is malformed (expected algorithm Ed25519, publicKey, fingerprint, value)",
  };

  it("calls a record without a block (or a null one) unsigned", () => {
    const record = signed();
    delete record["signature"];
    const unsigned = {
      ok: false,
      reason: "unsigned",
      message: "the record is not signed (no signature block)",
    };
    expect(verifyRecord(record)).toEqual(unsigned);
    expect(verifyRecord({ ...record, signature: null })).toEqual(unsigned);
  });

  it("calls a block malformed when it is no object or lacks a field of the right type", () => {
    const record = signed();
    const sig = record["signature"] as Record<string, unknown>;
    for (const block of [
      "x",
      1,
      [sig["algorithm"], sig["publicKey"], sig["fingerprint"], sig["value"]],
      { ...sig, algorithm: "ed25519" },
      { ...sig, publicKey: 1 },
      { ...sig, value: null },
      { ...sig, fingerprint: ["x"] },
      { algorithm: "Ed25519", publicKey: sig["publicKey"], value: sig["value"] },
    ]) {
      expect(verifyRecord({ ...record, signature: block }), JSON.stringify(block)).toEqual(malformed);
    }
    expect(verifyRecord({ ...record, signature: Object.assign([], sig) })).toEqual(malformed);
  });

  it("names every unexpected field, without a fingerprint", () => {
    expect(verifyRecord(withSig((s) => Object.assign(s, { note: "x" })))).toEqual({
      ok: false,
      reason: "bad-signature-block",
      message: "the signature block is not in its canonical form: unexpected field note",
    });
    expect(verifyRecord(withSig((s) => Object.assign(s, { note: "x", by: "y" })))).toEqual({
      ok: false,
      reason: "bad-signature-block",
      message: "the signature block is not in its canonical form: unexpected fields note, by",
    });
  });

  it("says why the public key cannot be read", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    const rsaPem = rsa.export({ type: "spki", format: "pem" }).toString().trim();
    expect(verifyRecord(withSig((s) => Object.assign(s, { publicKey: rsaPem })))).toEqual({
      ok: false,
      reason: "bad-signature-block",
      message: "the signature's public key cannot be read: not an Ed25519 key (rsa)",
    });
  });

  it("refuses the key as base64 DER (not the PEM written), with the key's fingerprint", () => {
    const der = ed.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(verifyRecord(withSig((s) => Object.assign(s, { publicKey: der })))).toEqual({
      ok: false,
      reason: "bad-signature-block",
      message:
        "the signature block is not in its canonical form: the public key is not the PEM deploycheck writes",
      fingerprint: FP,
    });
  });

  it("tells a fingerprint of another key from one spelled differently", () => {
    expect(verifyRecord(withSig((s) => Object.assign(s, { fingerprint: OTHER_FP })))).toEqual({
      ok: false,
      reason: "fingerprint-mismatch",
      message: `the signature block says ${OTHER_FP} but its public key is ${FP}: the record was changed after signing`,
      fingerprint: FP,
    });
    const bare = FP.slice("SHA256:".length);
    expect(verifyRecord(withSig((s) => Object.assign(s, { fingerprint: bare })))).toEqual({
      ok: false,
      reason: "bad-signature-block",
      message: `the signature block is not in its canonical form: the fingerprint is written ${bare}, expected exactly ${FP}`,
      fingerprint: FP,
    });
  });

  it("refuses a value that is not 64 bytes, even in canonical base64", () => {
    const canonicalSignature = {
      ok: false,
      reason: "bad-signature-block",
      message:
        "the signature block is not in its canonical form: the signature value is not 64 bytes in canonical base64",
      fingerprint: FP,
    };
    for (const bytes of [0, 1, 63, 65]) {
      const value = Buffer.alloc(bytes, 7).toString("base64");
      expect(verifyRecord(withSig((s) => Object.assign(s, { value }))), String(bytes)).toEqual(
        canonicalSignature,
      );
    }
  });

  it("calls a wrong signature over the content a change, with the signer's fingerprint", () => {
    const changed = {
      ok: false,
      reason: "content-changed",
      message: "signature does not match: the record was changed after signing",
      fingerprint: FP,
    };
    const record = signed();
    record["n"] = 2;
    expect(verifyRecord(record)).toEqual(changed);
    expect(
      verifyRecord(withSig((s) => Object.assign(s, { value: Buffer.alloc(64).toString("base64") }))),
    ).toEqual(changed);
    // Content that cannot be canonicalized (not JSON) cannot match any signature.
    expect(verifyRecord({ ...signed(), n: 1n })).toEqual(changed);
  });

  it("names the expected signer with its prefix, however it was given", () => {
    const record = signed();
    const bareOther = OTHER_FP.slice("SHA256:".length);
    const wrong = {
      ok: false,
      reason: "wrong-signer",
      message: `signed by ${FP}, expected ${OTHER_FP}`,
      fingerprint: FP,
    };
    expect(verifyRecord(record, { fingerprint: bareOther })).toEqual(wrong);
    expect(verifyRecord(record, { fingerprint: OTHER_FP })).toEqual(wrong);
    expect(verifyRecord(record, { key: other.publicKey })).toEqual(wrong);
    expect(verifyRecord(record, { key: ed.publicKey, fingerprint: ` sha256:${FP.slice(7)}= ` })).toEqual({
      ok: true,
      fingerprint: FP,
    });
    expect(verifyRecord(record, { key: other.publicKey, fingerprint: FP })).toEqual(wrong);
  });
});
