// @ts-nocheck
// Whose signatures this user trusts: their own key (signing-key.pub.pem in the config dir) and the fingerprints
// listed in `trusted-keys` beside it, one per line with an optional label, `#` comments. `verify` and `export`
// say which of these signed a record, or that none did.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from "./keys.js";
import { fingerprintOf, parsePublicKey } from "./sign.js";

export const TRUSTED_KEYS_FILE = "trusted-keys";

export interface TrustedKey {
  fingerprint: string;
  label: string;
  line: number;
}

export interface TrustStore {
  file: string;
  /** The user's own key's fingerprint, when they have one. */
  own: string | undefined;
  trusted: TrustedKey[];
}

export type Trust =
  | { level: "own" }
  | { level: "trusted"; label: string; line: number; file: string }
  | { level: "untrusted"; file: string };

/** A fingerprint as deploycheck writes it: "SHA256:" and 43 characters of unpadded base64. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Parse a trusted-keys file: `SHA256:<base64> [label]` per line, blank lines and `#` comments ignored. */
export function parseTrustedKeys(text: string, file: string): TrustedKey[] {
  const out: TrustedKey[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [fp = "", ...rest] = line.split(/\s+/);
    if (!FINGERPRINT.test(fp)) {
      throw new UsageError(`${file}:${i + 1}: not a key fingerprint: ${JSON.stringify(fp.slice(0, 80))}`, {
        hint: "Each line is SHA256:<43 base64 characters> (as `deploycheck verify` prints it), then an optional name; # starts a comment.",
      });
    }
    out.push({ fingerprint: fp, label: rest.join(" "), line: i + 1 });
  });
  return out;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw explainFsError(err, { path, action: "read" }) ?? err;
  }
}

/** The user's trust store from their config dir. A malformed trusted-keys file is an error, never ignored. */
export function readTrustStore(configDir: string): TrustStore {
  const file = join(configDir, TRUSTED_KEYS_FILE);
  const text = readOptional(file);
  const trusted = text === undefined ? [] : parseTrustedKeys(text, file);
  let own: string | undefined;
  const pub = readOptional(join(configDir, PUBLIC_KEY_FILE));
  try {
    if (pub !== undefined) own = fingerprintOf(parsePublicKey(pub));
    else {
      const priv = readOptional(join(configDir, PRIVATE_KEY_FILE));
      if (priv !== undefined) own = fingerprintOf(createPublicKey(createPrivateKey(priv)));
    }
  } catch {
    own = undefined; // an unreadable own key trusts nothing; signing reports it when it is used
  }
  return { file, own, trusted };
}

export function trustOf(fingerprint: string, store: TrustStore): Trust {
  if (store.own === fingerprint) return { level: "own" };
  const hit = store.trusted.find((t) => t.fingerprint === fingerprint);
  if (hit) return { level: "trusted", label: hit.label, line: hit.line, file: store.file };
  return { level: "untrusted", file: store.file };
}

/** The one line `verify` and `export` print about who signed. */
export function trustLine(fingerprint: string, trust: Trust): string {
  switch (trust.level) {
    case "own":
      return `signed by your own key ${fingerprint}`;
    case "trusted":
      return `signed by a trusted key ${fingerprint}${trust.label ? ` (${trust.label})` : ""}, ${trust.file}:${trust.line}`;
    case "untrusted":
      return `signed by a key you do not trust: ${fingerprint} is not your key and not in ${trust.file}`;
  }
}

/** `deploycheck trust`: append a fingerprint (or a public key's) to trusted-keys; returns the line written. */
export function addTrustedKey(
  configDir: string,
  keyOrFingerprint: string,
  label: string | undefined,
): string {
  let fingerprint = keyOrFingerprint.trim();
  if (!FINGERPRINT.test(fingerprint)) {
    let pem: string;
    try {
      pem = readFileSync(keyOrFingerprint, "utf8");
    } catch (err) {
      throw new UsageError(
        `${keyOrFingerprint}: neither a fingerprint (SHA256:<43 base64 characters>) nor a readable public key file`,
        { cause: err },
      );
    }
    try {
      fingerprint = fingerprintOf(parsePublicKey(pem));
    } catch (err) {
      throw new UsageError(
        `${keyOrFingerprint}: not an Ed25519 public key in PEM (${(err as Error).message})`,
        {
          cause: err,
        },
      );
    }
  }
  const store = readTrustStore(configDir);
  const cleanLabel = (label ?? "").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, " ").trim();
  const line = `${fingerprint}${cleanLabel ? ` ${cleanLabel}` : ""}`;
  if (store.own === fingerprint || store.trusted.some((t) => t.fingerprint === fingerprint)) return line;
  try {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    const before = readOptional(store.file);
    const sep = before !== undefined && before !== "" && !before.endsWith("\n") ? "\n" : "";
    appendFileSync(store.file, `${sep}${line}\n`, { mode: 0o600 });
  } catch (err) {
    throw explainFsError(err, { path: store.file }) ?? err;
  }
  return line;
}
