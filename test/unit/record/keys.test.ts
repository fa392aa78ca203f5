// The signing key pair on real files: where it lives, what is said about a key others could read, which modes
// count as exposed, a key of the wrong type, a first key created by two sign-offs at once, and file-system
// failures named with their path.
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentError, StateError } from "../../../src/errors.js";
import {
  defaultConfigDir,
  exposedKeyWarning,
  loadOrCreateSigningKey,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
} from "../../../src/record/keys.js";
import { fingerprintOf } from "../../../src/record/sign.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deploycheck-keys-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error & { hint?: string },
  );

describe("defaultConfigDir", () => {
  it("ignores an XDG_CONFIG_HOME of blanks", () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: "  " }, "/home/ana")).toBe("/home/ana/.config/deploycheck");
    expect(defaultConfigDir({ XDG_CONFIG_HOME: " /x " }, "/home/ana")).toBe(" /x /deploycheck");
  });
});

describe("exposedKeyWarning", () => {
  it("names the file and its permission bits in octal", () => {
    expect(exposedKeyWarning("/cfg/signing-key.pem", 0o100644)).toBe(
      "the signing key /cfg/signing-key.pem had mode 0644: other users could read it, so it may have been exposed. " +
        "Its mode is now 0600. If anyone else could read it, retire it: move it away (the next sign-off makes a new " +
        "key pair) and remove its fingerprint from the trusted-keys of whoever verifies your records.",
    );
    expect(exposedKeyWarning("k", 0o4604)).toMatch(/^the signing key k had mode 0604: /);
  });
});

describe("loadOrCreateSigningKey", () => {
  it("creates a private key (0600) and its public half (0644) beside it", async () => {
    const configDir = join(dir, "a", "b");
    const { privateKey, created, exposedMode } = await loadOrCreateSigningKey(configDir);
    expect(created).toBe(true);
    expect(exposedMode).toBeUndefined();
    expect(privateKey.asymmetricKeyType).toBe("ed25519");
    const pub = await readFile(join(configDir, PUBLIC_KEY_FILE), "utf8");
    expect(pub).toBe(createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString());
    expect((await stat(join(configDir, PUBLIC_KEY_FILE))).mode & 0o777).toBe(0o644);
    expect((await stat(join(configDir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKey(configDir);
    expect(again).toEqual({ privateKey: again.privateKey, created: false });
    expect(fingerprintOf(createPublicKey(again.privateKey))).toBe(fingerprintOf(createPublicKey(privateKey)));
  });

  it("counts a key exposed when anyone but its owner may read, write or run it", async () => {
    await loadOrCreateSigningKey(dir);
    const path = join(dir, PRIVATE_KEY_FILE);
    for (const mode of [0o400, 0o600, 0o700]) {
      await chmod(path, mode);
      expect((await loadOrCreateSigningKey(dir)).exposedMode, mode.toString(8)).toBeUndefined();
      expect((await stat(path)).mode & 0o777).toBe(mode);
    }
    for (const mode of [0o604, 0o640, 0o601, 0o610, 0o602, 0o620, 0o777]) {
      await chmod(path, mode);
      const key = await loadOrCreateSigningKey(dir);
      expect(key.exposedMode, mode.toString(8)).toBe(mode);
      expect(key.created).toBe(false);
      expect((await stat(path)).mode & 0o7777).toBe(0o600);
    }
  });

  it("refuses a private key of another type, saying what to do", async () => {
    const path = join(dir, PRIVATE_KEY_FILE);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    await writeFile(path, rsa.export({ type: "pkcs8", format: "pem" }));
    const err = await fail(loadOrCreateSigningKey(dir));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe(`the signing key ${path} is not an Ed25519 private key`);
    expect(err.hint).toBe(`Move it away and sign again: a new key pair is created in ${path}.`);
    expect((err.cause as Error).message).toBe("a rsa key");
  });

  it("gives two sign-offs creating the first key at once the same key", async () => {
    const configDir = join(dir, "cfg");
    const [a, b] = await Promise.all([loadOrCreateSigningKey(configDir), loadOrCreateSigningKey(configDir)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(fingerprintOf(createPublicKey(a.privateKey))).toBe(fingerprintOf(createPublicKey(b.privateKey)));
    const pem = await readFile(join(configDir, PRIVATE_KEY_FILE), "utf8");
    expect(pem).toBe(a.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  });

  it("names a config directory that cannot be created", async () => {
    await writeFile(join(dir, "file"), "");
    const configDir = join(dir, "file", "deploycheck");
    const err = await fail(loadOrCreateSigningKey(configDir));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(`^cannot (read the signing key|create the directory) ${join(dir, "file")}`),
    );
  });

  it("names a public key path that cannot be written, keeping the private key", async () => {
    await mkdir(join(dir, PUBLIC_KEY_FILE));
    const err = await fail(loadOrCreateSigningKey(dir));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(
      `cannot write the public key ${join(dir, PUBLIC_KEY_FILE)}: it is a directory, a file belongs there (EISDIR)`,
    );
    expect((await stat(join(dir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it("refuses a link to nothing where the private key belongs, never writing through it", async () => {
    const { symlink, readlink } = await import("node:fs/promises");
    const target = join(dir, "elsewhere", "stolen.pem");
    const path = join(dir, PRIVATE_KEY_FILE);
    await symlink(target, path);
    const err = await fail(loadOrCreateSigningKey(dir));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe(
      `the signing key ${path} exists but cannot be read (ENOENT): is it a link to a missing file?`,
    );
    expect(err.hint).toBe(`Move ${path} away and sign again: a new key pair is created there.`);
    expect(await readlink(path)).toBe(target);
    await expect(stat(join(dir, "elsewhere"))).rejects.toThrow(/ENOENT/);
  });

  it("names a private key that cannot be written, and leaves no part of it", async () => {
    // A config directory in sysfs, where not even root may create a file.
    const { symlink } = await import("node:fs/promises");
    const configDir = join(dir, "cfg");
    await symlink("/sys", configDir);
    const err = await fail(loadOrCreateSigningKey(configDir));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(
      `cannot write the signing key ${join(configDir, PRIVATE_KEY_FILE)}: permission denied (EACCES)`,
    );
  });
});
