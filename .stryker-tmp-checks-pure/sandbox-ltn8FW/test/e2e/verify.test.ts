// @ts-nocheck
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintOf, signRecord } from "../../src/record/sign.js";
import { RUN_ID } from "../unit/record/builders.js";
import { cli, ensureBuilt, makeStateDir, type StateFixture } from "./record-fixture.js";

let root: string;
let fx: StateFixture;
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-verify-"));
  fx = await makeStateDir(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tampered(edit: (text: string) => string): Promise<string> {
  const path = join(root, `tampered-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(path, edit(await readFile(fx.recordPath, "utf8")));
  return path;
}

describe("deploycheck verify", () => {
  it("prints who signed what and when, exit 0", async () => {
    const r = await cli(["verify", fx.recordPath]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("signature valid");
    expect(r.stdout).toMatch(/engineer\s+Ana Lima/);
    expect(r.stdout).toMatch(
      /checklist\s+staging \(Staging Deployment Hardening and Rollback Checklist\) BUY-2474/,
    );
    expect(r.stdout).toMatch(new RegExp(`run\\s+${RUN_ID}`));
    expect(r.stdout).toMatch(/ready\s+yes/);
    expect(r.stdout).toMatch(/signed at\s+2026-11-26T06:30:27.000Z/);
    expect(r.stdout).toContain(fx.fingerprint);
  });

  it("--json gives the same facts", async () => {
    const r = await cli(["verify", fx.recordPath, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      engineer: "Ana Lima",
      runId: RUN_ID,
      fingerprint: fx.fingerprint,
    });
  });

  it("exit 1 when one byte of content changed", async () => {
    const path = await tampered((t) => t.replace('"engineer": "Ana Lima"', '"engineer": "Ana Limb"'));
    const r = await cli(["verify", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("signature does not match: the record was changed after signing");
    expect(r.stdout).toBe("");
  });

  it("exit 1 when a status was flipped or the signature edited", async () => {
    const flipped = await tampered((t) => t.replace('"status": "failed"', '"status": "passed"'));
    expect((await cli(["verify", flipped])).code).toBe(1);
    const sig = await tampered((t) =>
      t.replace(/("value": ")(.)/, (_m, p, c) => `${p}${c === "A" ? "B" : "A"}`),
    );
    expect((await cli(["verify", sig])).code).toBe(1);
  });

  it("reformatting the JSON is not a change", async () => {
    const path = await tampered((t) => JSON.stringify(JSON.parse(t)));
    expect((await cli(["verify", path])).code).toBe(0);
  });

  it("--key and --fingerprint require a known signer", async () => {
    expect((await cli(["verify", fx.recordPath, "--key", fx.publicKeyPath])).code).toBe(0);
    expect((await cli(["verify", fx.recordPath, "--fingerprint", fx.fingerprint])).code).toBe(0);

    const other = await cli(["verify", fx.recordPath, "--key", fx.otherPublicKeyPath]);
    expect(other.code).toBe(1);
    const otherFp = fingerprintOf(
      (await import("node:crypto")).createPublicKey(await readFile(fx.otherPublicKeyPath, "utf8")),
    );
    expect(other.stderr).toContain(`signed by ${fx.fingerprint}, expected ${otherFp}`);

    const wrong = fingerprintOf(generateKeyPairSync("ed25519").publicKey);
    const r = await cli(["verify", fx.recordPath, "--fingerprint", wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`signed by ${fx.fingerprint}, expected ${wrong}`);
  });

  it("exit 2 with a clear message for malformed JSON, non-records and missing files", async () => {
    const bad = join(root, "bad.json");
    await writeFile(bad, '{"schema": "deploycheck/record/v1", ');
    const r1 = await cli(["verify", bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/bad\.json: not valid JSON/);
    expect(r1.stderr).not.toMatch(/\n\s+at /);

    const notRecord = join(root, "package.json");
    await writeFile(notRecord, '{"name": "x"}');
    const r2 = await cli(["verify", notRecord]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('not a deploycheck record (no "schema": "deploycheck/record/v1")');

    const r3 = await cli(["verify", join(root, "nope.json")]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("nope.json: no such file");

    const r4 = await cli(["verify", fx.recordPath, "--key", bad]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain("not an Ed25519 public key");
  });
});

describe("verify says what it knows", () => {
  async function forged(): Promise<{ path: string; fingerprint: string; pem: string }> {
    const other = generateKeyPairSync("ed25519");
    const record = JSON.parse(await readFile(fx.recordPath, "utf8"));
    const path = join(root, `forged-${Math.random().toString(16).slice(2)}.json`);
    await writeFile(path, JSON.stringify(signRecord(record, other.privateKey), null, 2));
    const pem = join(root, `forged-${Math.random().toString(16).slice(2)}.pub.pem`);
    await writeFile(pem, other.publicKey.export({ type: "spki", format: "pem" }));
    return { path, fingerprint: fingerprintOf(other.publicKey), pem };
  }

  it("a record re-signed by another key: not trusted (exit 1) unless --any-key, trusted keys, or named", async () => {
    const f = await forged();
    const r = await cli(["verify", f.path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `the signature is valid, but signed by a key you do not trust: ${f.fingerprint} is not your key and not in ${join(root, "config", "deploycheck", "trusted-keys")}`,
    );
    expect(r.stderr).toContain(`deploycheck trust ${f.fingerprint}`);
    const json = await cli(["verify", f.path, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      reason: "untrusted-signer",
      trust: "untrusted",
    });

    const any = await cli(["verify", f.path, "--any-key"]);
    expect(any.code).toBe(0);
    expect(any.stdout).toMatch(/trust\s+signed by a key you do not trust: .* \(accepted with --any-key\)/);
    expect((await cli(["verify", f.path, "--fingerprint", f.fingerprint])).code).toBe(0);
    expect((await cli(["verify", f.path, "--key", f.pem])).code).toBe(0);

    const exported = await cli(["export", f.path, "--format", "md"]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(
      `warning: ${f.path}: signed by a key you do not trust: ${f.fingerprint}`,
    );

    // Trusting it (by fingerprint, or by its public key file) makes it verify, with its name.
    const home = await mkdtemp(join(root, "trusting-"));
    const env = { XDG_CONFIG_HOME: home };
    const added = await cli(["trust", f.fingerprint, "--name", "Ana Lima\nsecond line"], { env });
    expect(added.code, added.stderr).toBe(0);
    expect(await readFile(join(home, "deploycheck", "trusted-keys"), "utf8")).toBe(
      `${f.fingerprint} Ana Lima second line\n`,
    );
    const ok = await cli(["verify", f.path], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(
      `signed by a trusted key ${f.fingerprint} (Ana Lima second line), ${join(home, "deploycheck", "trusted-keys")}:1`,
    );
    const other = await forged();
    await writeFile(join(home, "deploycheck", "trusted-keys"), `# team keys\n\n${f.fingerprint} Ana`);
    expect((await cli(["trust", other.pem], { env })).code).toBe(0);
    expect(await readFile(join(home, "deploycheck", "trusted-keys"), "utf8")).toBe(
      `# team keys\n\n${f.fingerprint} Ana\n${other.fingerprint}\n`,
    );
    expect((await cli(["verify", other.path], { env })).code).toBe(0);

    // The signer's own key is trusted without a list; a broken list is an error, not an empty list.
    const own = await cli(["verify", fx.recordPath]);
    expect(own.stdout).toContain(`signed by your own key ${fx.fingerprint}`);
    await writeFile(join(home, "deploycheck", "trusted-keys"), "SHA256:short\n");
    const broken = await cli(["verify", f.path], { env });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${join(home, "deploycheck", "trusted-keys")}:1: not a key fingerprint`);
  });

  it("duplicate keys anywhere in the record: exit 2, with line and column", async () => {
    const ready = await tampered((t) => t.replace('"ready": true', '"ready": false, "ready": true'));
    const r = await cli(["verify", ready]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tampered-[0-9a-f]+\.json:\d+:\d+: duplicate key "ready" in the record/);
    const runId = await tampered((t) => t.replace(/\{/, '{\n  "runId": "other",'));
    expect((await cli(["verify", runId])).stderr).toMatch(/:\d+:\d+: duplicate key "runId"/);
    const escaped = await tampered((t) => t.replace(/\{/, '{\n  "\\u0072unId": "other",'));
    expect((await cli(["verify", escaped])).stderr).toMatch(/duplicate key "runId"/);
    const twoSignatures = await tampered((t) => {
      const sig = t.slice(t.indexOf('"signature"'), t.lastIndexOf("}"));
      return t.replace(/\{/, `{\n  ${sig.trim().replace(/,$/, "")},`);
    });
    const two = await cli(["verify", twoSignatures]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/duplicate key "signature"/);
    expect((await cli(["export", ready, "--format", "md"])).code).toBe(2);
  });

  it("only the canonical signature block verifies", async () => {
    const lower = await tampered((t) => t.replace('"fingerprint": "SHA256:', '"fingerprint": "sha256:'));
    const r = await cli(["verify", lower]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the signature block is not in its canonical form");
    const extra = await tampered((t) =>
      t.replace('"algorithm": "Ed25519"', '"algorithm": "Ed25519", "note": "x"'),
    );
    expect((await cli(["verify", extra])).stderr).toContain("unexpected field note");
    const unpadded = await tampered((t) => t.replace(/("value": "[^"]*?)=+"/, '$1"'));
    expect((await cli(["verify", unpadded])).stderr).toContain("canonical base64");
  });
});

describe("deploycheck schema --record", () => {
  it("prints the record's JSON Schema", async () => {
    const r = await cli(["schema", "--record"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.title).toBe("deploycheck record");
    expect(schema.properties.signature.properties.algorithm.const).toBe("Ed25519");
    const record = JSON.parse(await readFile(fx.recordPath, "utf8"));
    // Every top-level field of a real record is described, and every required one is present.
    for (const key of Object.keys(record)) expect(schema.properties[key], key).toBeDefined();
    for (const key of schema.required) expect(record[key], key).toBeDefined();
  });
});
