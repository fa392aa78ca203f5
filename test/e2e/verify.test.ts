import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintOf } from "../../src/record/sign.js";
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
