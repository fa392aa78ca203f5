// Whose signatures the user trusts: the trusted-keys file as written by hand (comments, labels, CRLF), the
// user's own key (public half, else private), the line verify prints, and `deploycheck trust` appending to the
// file, on real files.
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentError, UsageError } from "../../../src/errors.js";
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from "../../../src/record/keys.js";
import {
  addTrustedKey,
  parseTrustedKeys,
  readTrustStore,
  TRUSTED_KEYS_FILE,
  type TrustStore,
  trustLine,
  trustOf,
} from "../../../src/record/trust.js";

const keyA = generateKeyPairSync("ed25519");
const keyB = generateKeyPairSync("ed25519");
// The fingerprints as `deploycheck verify` prints them (sign.test.ts checks them against openssl), computed here
// so that no record code runs while the file loads.
const FP_A = spkiFingerprint(keyA.publicKey);
const FP_B = spkiFingerprint(keyB.publicKey);
function spkiFingerprint(key: KeyObject): string {
  const der = key.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(der).digest("base64").slice(0, 43)}`;
}
const pemOf = (k: typeof keyA) => k.publicKey.export({ type: "spki", format: "pem" }).toString();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "deploycheck-trust-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}

describe("parseTrustedKeys", () => {
  it("reads fingerprints with labels, skipping blank lines and comments, with their line numbers", () => {
    const text = [
      "# release engineers",
      "",
      `${FP_A} Ana Lima`,
      "   ",
      `  # indented comment`,
      `\t${FP_B}\tBo   Chen  (CI)  `,
      FP_A,
    ].join("\n");
    expect(parseTrustedKeys(text, "/cfg/trusted-keys")).toEqual([
      { fingerprint: FP_A, label: "Ana Lima", line: 3 },
      { fingerprint: FP_B, label: "Bo Chen (CI)", line: 6 },
      { fingerprint: FP_A, label: "", line: 7 },
    ]);
  });

  it("reads a file with CRLF line ends like one with LF", () => {
    expect(parseTrustedKeys(`# x\r\n${FP_A} a\r\n\r\n${FP_B}\r\n`, "f")).toEqual([
      { fingerprint: FP_A, label: "a", line: 2 },
      { fingerprint: FP_B, label: "", line: 4 },
    ]);
  });

  it("refuses a line that is not exactly SHA256: and 43 base64 characters, naming file and line", () => {
    const bad = [
      FP_A.slice(0, -1), // 42 characters
      `${FP_A}x`, // 44
      `x${FP_A}`,
      FP_A.replace("SHA256:", "sha256:"),
      FP_A.replace("SHA256:", ""),
      `SHA256:${"-".repeat(43)}`, // URL alphabet
      `SHA256:${"A".repeat(42)}=`, // padding
    ];
    for (const fp of bad) {
      const err = thrown(() => parseTrustedKeys(`# first\n${fp} label`, "/cfg/trusted-keys"));
      expect(err, fp).toBeInstanceOf(UsageError);
      expect(err.message).toBe(`/cfg/trusted-keys:2: not a key fingerprint: ${JSON.stringify(fp)}`);
      expect((err as UsageError).hint).toBe(
        "Each line is SHA256:<43 base64 characters> (as `deploycheck verify` prints it), then an optional name; # starts a comment.",
      );
    }
    // Every base64 character is allowed.
    const all = `SHA256:${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".slice(0, 43)}`;
    const tail = `SHA256:${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".slice(-43)}`;
    expect(parseTrustedKeys(`${all}\n${tail}`, "f").map((k) => k.fingerprint)).toEqual([all, tail]);
  });

  it("quotes at most 80 characters of a bad line", () => {
    const long = "x".repeat(200);
    expect(thrown(() => parseTrustedKeys(long, "f")).message).toBe(
      `f:1: not a key fingerprint: "${"x".repeat(80)}"`,
    );
  });
});

describe("readTrustStore", () => {
  it("is empty without a config directory", () => {
    const configDir = join(dir, "none");
    expect(readTrustStore(configDir)).toEqual({
      file: join(configDir, TRUSTED_KEYS_FILE),
      own: undefined,
      trusted: [],
    });
  });

  it("takes the user's own fingerprint from the public key, and the trusted keys from the file", () => {
    writeFileSync(join(dir, PUBLIC_KEY_FILE), pemOf(keyA));
    writeFileSync(join(dir, TRUSTED_KEYS_FILE), `${FP_B} Bo\n`);
    expect(readTrustStore(dir)).toEqual({
      file: join(dir, TRUSTED_KEYS_FILE),
      own: FP_A,
      trusted: [{ fingerprint: FP_B, label: "Bo", line: 1 }],
    });
  });

  it("derives the own fingerprint from the private key when the public half is missing", () => {
    writeFileSync(join(dir, PRIVATE_KEY_FILE), keyB.privateKey.export({ type: "pkcs8", format: "pem" }));
    expect(readTrustStore(dir).own).toBe(FP_B);
  });

  it("trusts no own key when it cannot be read as a key", () => {
    writeFileSync(join(dir, PUBLIC_KEY_FILE), "not a key");
    expect(readTrustStore(dir).own).toBeUndefined();
    rmSync(join(dir, PUBLIC_KEY_FILE));
    writeFileSync(join(dir, PRIVATE_KEY_FILE), "not a key either");
    expect(readTrustStore(dir).own).toBeUndefined();
  });

  it("refuses a malformed trusted-keys file rather than ignoring it", () => {
    writeFileSync(join(dir, TRUSTED_KEYS_FILE), `${FP_A}\nnonsense\n`);
    expect(thrown(() => readTrustStore(dir)).message).toBe(
      `${join(dir, TRUSTED_KEYS_FILE)}:2: not a key fingerprint: "nonsense"`,
    );
  });

  it("explains a trusted-keys path that cannot be read", () => {
    mkdirSync(join(dir, TRUSTED_KEYS_FILE));
    const err = thrown(() => readTrustStore(dir));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(
      `cannot read ${join(dir, TRUSTED_KEYS_FILE)}: it is a directory, a file belongs there (EISDIR)`,
    );
  });
});

describe("trustOf and trustLine", () => {
  const store: TrustStore = {
    file: "/cfg/trusted-keys",
    own: FP_A,
    trusted: [
      { fingerprint: FP_B, label: "Bo Chen", line: 4 },
      { fingerprint: FP_A, label: "me again", line: 9 },
    ],
  };

  it("says own, trusted (with label, file and line) or untrusted", () => {
    expect(trustOf(FP_A, store)).toEqual({ level: "own" });
    expect(trustOf(FP_B, store)).toEqual({
      level: "trusted",
      label: "Bo Chen",
      line: 4,
      file: "/cfg/trusted-keys",
    });
    const stranger = `SHA256:${"C".repeat(43)}`;
    expect(trustOf(stranger, store)).toEqual({ level: "untrusted", file: "/cfg/trusted-keys" });
    expect(trustOf(FP_A, { ...store, own: undefined })).toMatchObject({ level: "trusted", line: 9 });
  });

  it("prints one line for each", () => {
    expect(trustLine(FP_A, { level: "own" })).toBe(`signed by your own key ${FP_A}`);
    expect(trustLine(FP_B, { level: "trusted", label: "Bo Chen", line: 4, file: "/cfg/tk" })).toBe(
      `signed by a trusted key ${FP_B} (Bo Chen), /cfg/tk:4`,
    );
    expect(trustLine(FP_B, { level: "trusted", label: "", line: 2, file: "/cfg/tk" })).toBe(
      `signed by a trusted key ${FP_B}, /cfg/tk:2`,
    );
    expect(trustLine(FP_B, { level: "untrusted", file: "/cfg/tk" })).toBe(
      `signed by a key you do not trust: ${FP_B} is not your key and not in /cfg/tk`,
    );
  });
});

describe("addTrustedKey", () => {
  const file = () => join(dir, "cfg", TRUSTED_KEYS_FILE);

  it("appends a fingerprint with its label to a new private file in a new directory", () => {
    const configDir = join(dir, "cfg");
    expect(addTrustedKey(configDir, `  ${FP_A}\n`, "Ana Lima")).toBe(`${FP_A} Ana Lima`);
    expect(readFileSync(file(), "utf8")).toBe(`${FP_A} Ana Lima\n`);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    expect(addTrustedKey(configDir, FP_B, undefined)).toBe(FP_B);
    expect(readFileSync(file(), "utf8")).toBe(`${FP_A} Ana Lima\n${FP_B}\n`);
    expect(readTrustStore(configDir).trusted.map((t) => [t.fingerprint, t.label])).toEqual([
      [FP_A, "Ana Lima"],
      [FP_B, ""],
    ]);
  });

  it("takes the fingerprint of a public key file", () => {
    const pub = join(dir, "ana.pub.pem");
    writeFileSync(pub, pemOf(keyA));
    expect(addTrustedKey(join(dir, "cfg"), pub, "ana")).toBe(`${FP_A} ana`);
    expect(readFileSync(file(), "utf8")).toBe(`${FP_A} ana\n`);
  });

  it("turns control and format characters of a label into spaces, so a label stays on its line", () => {
    expect(addTrustedKey(join(dir, "cfg"), FP_A, "\tAna\u2029Lima\u202e\u2028x\u0000\n ")).toBe(
      `${FP_A} Ana Lima  x`,
    );
    expect(addTrustedKey(join(dir, "cfg"), FP_B, " \n\t ")).toBe(FP_B);
    expect(readFileSync(file(), "utf8")).toBe(`${FP_A} Ana Lima  x\n${FP_B}\n`);
  });

  it("writes nothing for a key already trusted or the user's own", () => {
    const configDir = join(dir, "cfg");
    mkdirSync(configDir);
    writeFileSync(join(configDir, PUBLIC_KEY_FILE), pemOf(keyA));
    writeFileSync(file(), `${FP_B} Bo\n`);
    expect(addTrustedKey(configDir, FP_A, "me")).toBe(`${FP_A} me`);
    expect(addTrustedKey(configDir, FP_B, "Bo again")).toBe(`${FP_B} Bo again`);
    expect(readFileSync(file(), "utf8")).toBe(`${FP_B} Bo\n`);
  });

  it("starts a new line when the file does not end with one, and not in an empty file", () => {
    const configDir = join(dir, "cfg");
    mkdirSync(configDir);
    writeFileSync(file(), `# mine`);
    addTrustedKey(configDir, FP_A, "a");
    expect(readFileSync(file(), "utf8")).toBe(`# mine\n${FP_A} a\n`);
    writeFileSync(file(), "");
    addTrustedKey(configDir, FP_B, "b");
    expect(readFileSync(file(), "utf8")).toBe(`${FP_B} b\n`);
  });

  it("refuses what is neither a fingerprint nor a readable Ed25519 public key", () => {
    const configDir = join(dir, "cfg");
    const missing = join(dir, "missing.pem");
    const err = thrown(() => addTrustedKey(configDir, missing, undefined));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      `${missing}: neither a fingerprint (SHA256:<43 base64 characters>) nor a readable public key file`,
    );
    const rsa = join(dir, "rsa.pem");
    writeFileSync(
      rsa,
      generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }),
    );
    const notEd = thrown(() => addTrustedKey(configDir, rsa, undefined));
    expect(notEd).toBeInstanceOf(UsageError);
    expect(notEd.message).toBe(`${rsa}: not an Ed25519 public key in PEM (not an Ed25519 key (rsa))`);
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n");
    expect(thrown(() => addTrustedKey(configDir, junk, undefined)).message).toMatch(
      new RegExp(`^${junk.replace(/[.]/g, "\\.")}: not an Ed25519 public key in PEM \\(.+\\)$`),
    );
    expect(() => readFileSync(file())).toThrow(/ENOENT/);
  });

  it("explains a trusted-keys file that cannot be written", () => {
    const configDir = join(dir, "cfg");
    mkdirSync(configDir);
    // A link to a file that does not exist in sysfs, where not even root may create one: nothing to read,
    // and the append is refused.
    symlinkSync("/sys/deploycheck-trusted-keys", file());
    const err = thrown(() => addTrustedKey(configDir, FP_A, undefined));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(`cannot open ${file()}: permission denied (EACCES)`);
  });
});
