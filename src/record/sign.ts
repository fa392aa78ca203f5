// Ed25519 signing and verification of records (node:crypto), over the RFC 8785 canonical JSON of the
// record without its `signature`; key fingerprints in the ssh style ("SHA256:" + base64 of the SPKI hash).
import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalBytes } from "./canonical.js";
import type { Signature, SignedRecord, UnsignedRecord } from "./schema.js";

/** "SHA256:" + base64 (unpadded, as ssh-keygen prints it) of the sha256 of the key's SPKI DER. */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  // Stryker disable next-line Regex: a sha256 digest in base64 is 43 characters and one "=", which /=+/ and /=$/ remove alike
  return `SHA256:${createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}

/** Fingerprints compare without base64 padding and with the prefix optional. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (fp: string) =>
    fp
      .trim()
      .replace(/^SHA256:/i, "")
      .replace(/=+$/, "");
  return norm(a) === norm(b);
}

/** A public key from PEM (SPKI) or base64 SPKI DER text. Throws on anything else. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith("-----BEGIN")
    ? createPublicKey(trimmed)
    : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
  if (key.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`not an Ed25519 key (${key.asymmetricKeyType ?? "unknown type"})`);
  }
  return key;
}

/** The bytes a signature covers: the canonical record with `signature` left out. */
export function signedBytes(record: Record<string, unknown>): Buffer {
  const { signature: _signature, ...content } = record;
  return canonicalBytes(content);
}

export function signRecord(record: UnsignedRecord, privateKey: KeyObject): SignedRecord {
  const publicKey = createPublicKey(privateKey);
  const { signature: _old, ...content } = record as UnsignedRecord & { signature?: unknown };
  const signature: Signature = {
    algorithm: "Ed25519",
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString().trim(),
    fingerprint: fingerprintOf(publicKey),
    value: sign(null, signedBytes(content), privateKey).toString("base64"),
  };
  return { ...content, signature };
}

export interface VerifyOptions {
  /** Require this signer's public key. */
  key?: KeyObject;
  /** Require this signer's fingerprint. */
  fingerprint?: string;
}

export type VerifyResult =
  | { ok: true; fingerprint: string }
  | {
      ok: false;
      reason:
        | "unsigned"
        | "bad-signature-block"
        | "fingerprint-mismatch"
        | "content-changed"
        | "wrong-signer";
      message: string;
      fingerprint?: string;
    };

const SIGNATURE_FIELDS = ["algorithm", "fingerprint", "publicKey", "value"];

/**
 * Check a parsed record: the signature block in its one canonical form (exactly its four fields, the PEM and the
 * base64 as deploycheck writes them, the fingerprint exactly as computed), the signature over the content, and
 * the expected signer. Any other spelling of the same signature is refused: what verifies is what was written.
 */
export function verifyRecord(record: Record<string, unknown>, options: VerifyOptions = {}): VerifyResult {
  const sig = record["signature"] as Partial<Signature> | undefined;
  if (sig === undefined || sig === null) {
    return { ok: false, reason: "unsigned", message: "the record is not signed (no signature block)" };
  }
  const bad = (message: string, fingerprint?: string): VerifyResult => ({
    ok: false,
    reason: "bad-signature-block",
    message: `the signature block is not in its canonical form: ${message}`,
    ...(fingerprint ? { fingerprint } : {}),
  });
  if (
    typeof sig !== "object" ||
    Array.isArray(sig) ||
    sig.algorithm !== "Ed25519" ||
    typeof sig.publicKey !== "string" ||
    typeof sig.value !== "string" ||
    typeof sig.fingerprint !== "string"
  ) {
    return {
      ok: false,
      reason: "bad-signature-block",
      message: "the signature block is malformed (expected algorithm Ed25519, publicKey, fingerprint, value)",
    };
  }
  const extra = Object.keys(sig).filter((k) => !SIGNATURE_FIELDS.includes(k));
  if (extra.length > 0) return bad(`unexpected field${extra.length > 1 ? "s" : ""} ${extra.join(", ")}`);
  let publicKey: KeyObject;
  try {
    publicKey = parsePublicKey(sig.publicKey);
  } catch (err) {
    return {
      ok: false,
      reason: "bad-signature-block",
      message: `the signature's public key cannot be read: ${(err as Error).message}`,
    };
  }
  const actual = fingerprintOf(publicKey);
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString().trim();
  if (sig.publicKey !== pem) return bad("the public key is not the PEM deploycheck writes", actual);
  if (sig.fingerprint !== actual) {
    if (!sameFingerprint(actual, sig.fingerprint)) {
      return {
        ok: false,
        reason: "fingerprint-mismatch",
        message: `the signature block says ${sig.fingerprint} but its public key is ${actual}: the record was changed after signing`,
        fingerprint: actual,
      };
    }
    return bad(`the fingerprint is written ${sig.fingerprint}, expected exactly ${actual}`, actual);
  }
  const value = Buffer.from(sig.value, "base64");
  if (value.toString("base64") !== sig.value || value.length !== 64) {
    return bad("the signature value is not 64 bytes in canonical base64", actual);
  }
  let good: boolean;
  try {
    good = verify(null, signedBytes(record), publicKey, value);
  } catch {
    good = false;
  }
  if (!good) {
    return {
      ok: false,
      reason: "content-changed",
      message: "signature does not match: the record was changed after signing",
      fingerprint: actual,
    };
  }
  const expected = [options.key ? fingerprintOf(options.key) : undefined, options.fingerprint];
  for (const fp of expected) {
    if (fp === undefined || sameFingerprint(actual, fp)) continue;
    const shown = fp.startsWith("SHA256:") ? fp : `SHA256:${fp}`;
    return {
      ok: false,
      reason: "wrong-signer",
      message: `signed by ${actual}, expected ${shown}`,
      fingerprint: actual,
    };
  }
  return { ok: true, fingerprint: actual };
}
