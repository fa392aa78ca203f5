// The signing key pair in the user's config directory: created on first sign-off, private key 0600 in a
// 0700 directory. The only module that touches key files.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { StateError } from "../errors.js";

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

/** The user's signing key; created (with its public half beside it) when there is none yet. */
export async function loadOrCreateSigningKey(
  configDir: string,
): Promise<{ privateKey: KeyObject; created: boolean }> {
  const path = join(configDir, PRIVATE_KEY_FILE);
  try {
    const privateKey = parsePrivate(await readFile(path, "utf8"), path);
    // A key others can read (copied around, restored from a backup) is narrowed back to its owner.
    if (process.platform !== "win32" && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    return { privateKey, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  try {
    // "wx": two sign-offs racing on a first key must not overwrite each other's key.
    await writeFile(path, pem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      return { privateKey: parsePrivate(await readFile(path, "utf8"), path), created: false };
    }
    throw err;
  }
  await chmod(path, 0o600); // the umask may have narrowed the mode, never widened; be explicit anyway
  await writeFile(join(configDir, PUBLIC_KEY_FILE), publicKey.export({ type: "spki", format: "pem" }), {
    mode: 0o644,
  });
  return { privateKey, created: true };
}
