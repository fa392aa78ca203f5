// Secret fingerprints from a planted file whose values only look right when turned into strings (an array
// holding a valid key or fingerprint), and what the user is told when the file is a link.
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import {
  compareSecrets,
  SECRET_FINGERPRINTS_FILE,
  saveSecretFingerprints,
} from "../../../src/store/secret-fingerprints.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-secret-fp-s4-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = () => join(dir, SECRET_FINGERPRINTS_FILE);
const hmac = (key: Buffer, name: string, value: string) =>
  createHmac("sha256", key).update(`${name}\0${value}`).digest("hex");
const KEY = "ab".repeat(32);

describe("secret fingerprints planted as arrays", () => {
  it.each([
    // ["<key>"] reads as the key when made a string; as a Buffer it is one zero byte.
    ["a key in an array", { key: [KEY], fingerprints: { TOKEN: hmac(Buffer.from([0]), "TOKEN", "v") } }],
    [
      "a key in an array, fingerprints by the key",
      { key: [KEY], fingerprints: { TOKEN: hmac(Buffer.from(KEY, "hex"), "TOKEN", "v") } },
    ],
    [
      "a fingerprint in an array",
      { key: KEY, fingerprints: { TOKEN: [hmac(Buffer.from(KEY, "hex"), "TOKEN", "v")] } },
    ],
  ])("%s is nothing kept (unknown); a save keeps only a valid key", (what, content) => {
    writeFileSync(file(), JSON.stringify(content));
    expect(compareSecrets(dir, { TOKEN: "v" })("TOKEN")).toBe("unknown");
    saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "v" });
    const saved = JSON.parse(readFileSync(file(), "utf8")) as { key: unknown };
    expect(saved.key).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.key === KEY).toBe(what === "a fingerprint in an array");
    expect(compareSecrets(dir, { TOKEN: "v" })("TOKEN")).toBe("same");
  });
});

describe("a secret fingerprints file that is a link", () => {
  it("is not followed on save: the refusal names the file and says what it is for", () => {
    const elsewhere = join(dir, "elsewhere.json");
    writeFileSync(elsewhere, "keep");
    symlinkSync(elsewhere, file());
    let err: StateError | undefined;
    try {
      saveSecretFingerprints(dir, ["TOKEN"], { TOKEN: "v" });
    } catch (e) {
      err = e as StateError;
    }
    expect(err).toBeInstanceOf(StateError);
    expect(err?.message).toBe(
      `${file()} is a symbolic link; deploycheck does not follow links in its state directory`,
    );
    expect(err?.hint).toBe(
      "The secret fingerprints file was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.",
    );
    expect(readFileSync(elsewhere, "utf8")).toBe("keep");
  });
});
