// The signing key pair in the user's config directory: created on first sign-off, private key 0600 in a
// 0700 directory. The only module that touches key files.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { StateError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";

export const PRIVATE_KEY_FILE = "signing-key.pem";
export const PUBLIC_KEY_FILE = "signing-key.pub.pem";

/** `$XDG_CONFIG_HOME/deploycheck`, else `~/.config/deploycheck`. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env["XDG_CONFIG_HOME"];
  return join(xdg && xdg.trim() !== "" ? xdg : join(home, ".config"), "deploycheck");
}

function parsePrivate(pem: string, path: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ed25519") throw new TypeError(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new StateError(`the signing key ${path} is not an Ed25519 private key`, {
      cause: err,
      hint: `Move it away and sign again: a new key pair is created in ${path}.`,
    });
  }
}

export interface SigningKey {
  privateKey: KeyObject;
  created: boolean;
  /** Set when the private key file was readable or writable by others (its mode then; now narrowed to 0600). */
  exposedMode?: number;
}

/** What to tell the user about a key file that others could read. */
export function exposedKeyWarning(path: string, mode: number): string {
  const octal = `0${(mode & 0o777).toString(8)}`;
  return (
    `the signing key ${path} had mode ${octal}: other users could read it, so it may have been exposed. ` +
    `Its mode is now 0600. If anyone else could read it, retire it: move it away (the next sign-off makes a new ` +
    `key pair) and remove its fingerprint from the trusted-keys of whoever verifies your records.`
  );
}

const fsFail = (err: unknown, path: string, action?: string): unknown =>
  explainFsError(err, { path, ...(action ? { action } : {}) }) ?? err;

/** The user's signing key; created (with its public half beside it) when there is none yet. */
export async function loadOrCreateSigningKey(configDir: string): Promise<SigningKey> {
  const path = join(configDir, PRIVATE_KEY_FILE);
  let pem: string | undefined;
  try {
    // Stryker disable next-line StringLiteral: readFile(path, "") gives a Buffer, which createPrivateKey reads the same
    pem = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fsFail(err, path, "read the signing key");
  }
  if (pem !== undefined) {
    const privateKey = parsePrivate(pem, path);
    // A key others can read (copied around, restored from a backup) is narrowed back to its owner, and said.
    if (process.platform !== "win32") {
      try {
        const mode = (await stat(path)).mode & 0o777;
        if ((mode & 0o077) !== 0) {
          await chmod(path, 0o600);
          return { privateKey, created: false, exposedMode: mode };
        }
      } catch (err) {
        throw fsFail(err, path);
      }
    }
    return { privateKey, created: false };
  }
  try {
    await mkdir(configDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsFail(err, configDir, "create the directory");
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const created = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  try {
    // "wx": two sign-offs racing on a first key must not overwrite each other's key.
    await writeFile(path, created, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      // Another sign-off created it first; or a link to nothing sits there, which is read as no key, then refused.
      let existing: string;
      try {
        // Stryker disable next-line StringLiteral: readFile(path, "") gives a Buffer, which createPrivateKey reads the same
        existing = await readFile(path, "utf8");
      } catch (readErr) {
        throw new StateError(
          `the signing key ${path} exists but cannot be read (${(readErr as NodeJS.ErrnoException).code}): is it a link to a missing file?`,
          { cause: readErr, hint: `Move ${path} away and sign again: a new key pair is created there.` },
        );
      }
      return { privateKey: parsePrivate(existing, path), created: false };
    }
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: without force, rm of a missing file rejects, which the catch ignores
    await rm(path, { force: true }).catch(() => undefined); // never leave half a key behind
    throw fsFail(err, path, "write the signing key");
  }
  const pub = join(configDir, PUBLIC_KEY_FILE);
  try {
    await chmod(path, 0o600); // the umask may have narrowed the mode, never widened; be explicit anyway
    await writeFile(pub, publicKey.export({ type: "spki", format: "pem" }), { mode: 0o644 });
  } catch (err) {
    throw fsFail(err, pub, "write the public key");
  }
  return { privateKey, created: true };
}
