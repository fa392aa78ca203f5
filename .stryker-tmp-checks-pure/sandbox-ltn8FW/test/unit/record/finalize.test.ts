// @ts-nocheck
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fold } from "../../../src/engine/state.js";
import { EnvironmentError } from "../../../src/errors.js";
import { finalizeRecord } from "../../../src/record/finalize.js";
import { defaultConfigDir, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from "../../../src/record/keys.js";
import { RecordSchema } from "../../../src/record/schema.js";
import { verifyRecord } from "../../../src/record/sign.js";
import { sampleChecklist, sampleEvents } from "./builders.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deploycheck-finalize-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("defaultConfigDir", () => {
  it("uses XDG_CONFIG_HOME, else ~/.config", () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: "/x/cfg" }, "/home/ana")).toBe("/x/cfg/deploycheck");
    expect(defaultConfigDir({}, "/home/ana")).toBe("/home/ana/.config/deploycheck");
    expect(defaultConfigDir({ XDG_CONFIG_HOME: "" }, "/home/ana")).toBe("/home/ana/.config/deploycheck");
  });
});

describe("finalizeRecord", () => {
  it("creates the key pair once, signs and writes record.json atomically", async () => {
    const configDir = join(dir, "config", "deploycheck");
    const runDir = join(dir, "run");
    await import("node:fs/promises").then((fs) => fs.mkdir(runDir));
    const state = fold(sampleEvents());
    const first = await finalizeRecord({ runDir, state, checklist: sampleChecklist(), configDir });
    expect(first.keyCreated).toBe(true);
    expect(first.recordPath).toBe(join(runDir, "record.json"));
    expect((await stat(join(configDir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(configDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(configDir, PUBLIC_KEY_FILE), "utf8")).toContain("BEGIN PUBLIC KEY");

    const onDisk = JSON.parse(await readFile(first.recordPath, "utf8"));
    expect(RecordSchema.parse(onDisk).signature?.fingerprint).toBe(first.fingerprint);
    expect(verifyRecord(onDisk)).toEqual({ ok: true, fingerprint: first.fingerprint });
    expect(await readdir(runDir)).toEqual(["record.json"]);

    const second = await finalizeRecord({ runDir, state, checklist: sampleChecklist(), configDir });
    expect(second.keyCreated).toBe(false);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it("redacts the secret values it is given", async () => {
    const secrets = { token: "tok-5a4b3c2d1e0f", password: "correct-horse-staple" };
    const result = await finalizeRecord({
      runDir: dir,
      state: fold(sampleEvents({ secrets })),
      checklist: sampleChecklist(),
      configDir: join(dir, "cfg"),
      now: new Date("2026-11-26T07:00:00Z"),
      secrets: [secrets.token, secrets.password],
    });
    const text = await readFile(result.recordPath, "utf8");
    expect(text).not.toContain(secrets.token);
    expect(text).not.toContain(secrets.password);
    expect(result.record.createdAt).toBe("2026-11-26T07:00:00.000Z");
  });
});

describe("loadOrCreateSigningKey", () => {
  it("narrows a private key readable by others back to 0600", async () => {
    const { chmod } = await import("node:fs/promises");
    const { loadOrCreateSigningKey } = await import("../../../src/record/keys.js");
    const configDir = join(dir, "cfg");
    await loadOrCreateSigningKey(configDir);
    await chmod(join(configDir, PRIVATE_KEY_FILE), 0o644);
    const again = await loadOrCreateSigningKey(configDir);
    expect(again.created).toBe(false);
    expect(again.exposedMode).toBe(0o644);
    expect((await stat(join(configDir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateSigningKey(configDir)).exposedMode).toBeUndefined();
  });

  it("says that a key others could read may have been exposed, at sign-off", async () => {
    const { chmod } = await import("node:fs/promises");
    const configDir = join(dir, "cfg-exposed");
    const runDir = join(dir, "run-exposed");
    await mkdir(runDir, { recursive: true });
    const state = fold(sampleEvents());
    const first = await finalizeRecord({ runDir, state, checklist: sampleChecklist(), configDir });
    expect(first.keyWarning).toBeUndefined();
    await chmod(join(configDir, PRIVATE_KEY_FILE), 0o640);
    const second = await finalizeRecord({ runDir, state, checklist: sampleChecklist(), configDir });
    expect(second.keyWarning).toMatch(/signing-key\.pem had mode 0640: .*may have been exposed.*now 0600/);
  });

  it("reports a directory where the key belongs as an environment error with the path", async () => {
    const { mkdir: mk } = await import("node:fs/promises");
    const { loadOrCreateSigningKey } = await import("../../../src/record/keys.js");
    const configDir = join(dir, "isdir");
    await mk(join(configDir, PRIVATE_KEY_FILE), { recursive: true });
    const err = await loadOrCreateSigningKey(configDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).message).toBe(
      `cannot read the signing key ${join(configDir, PRIVATE_KEY_FILE)}: it is a directory, a file belongs there (EISDIR)`,
    );
    expect((err as EnvironmentError).exitCode).toBe(2);
  });

  it("refuses a key file that is not an Ed25519 private key", async () => {
    const { mkdir, writeFile } = await import("node:fs/promises");
    const { loadOrCreateSigningKey } = await import("../../../src/record/keys.js");
    const configDir = join(dir, "bad");
    await mkdir(configDir);
    await writeFile(join(configDir, PRIVATE_KEY_FILE), "not a key");
    await expect(loadOrCreateSigningKey(configDir)).rejects.toThrow(/is not an Ed25519 private key/);
  });
});
