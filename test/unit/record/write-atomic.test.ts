// Writing record.json: the whole new content or the old one, private, never through a link planted at the
// record's or the temporary file's name, nothing left behind when the write fails, and the record as signed.
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fold } from "../../../src/engine/state.js";
import { EnvironmentError } from "../../../src/errors.js";
import {
  finalizeRecord,
  RECORD_FILE,
  serializeRecord,
  writeFileAtomic,
} from "../../../src/record/finalize.js";
import { verifyRecord } from "../../../src/record/sign.js";
import { sampleChecklist, sampleEvents } from "./builders.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deploycheck-atomic-"));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes a new private file and replaces an old one whole", async () => {
    const path = join(dir, "f.json");
    await writeFileAtomic(path, "first\n");
    expect(await readFile(path, "utf8")).toBe("first\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await writeFile(path, "x".repeat(10_000));
    await writeFileAtomic(path, "é second\n");
    expect(await readFile(path, "utf8")).toBe("é second\n");
    expect(await readdir(dir)).toEqual(["f.json"]);
  });

  it("replaces a link at the path instead of writing through it", async () => {
    const outside = join(dir, "outside.txt");
    await writeFile(outside, "keep me");
    const path = join(dir, "f.json");
    await symlink(outside, path);
    await writeFileAtomic(path, "new");
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
    expect(await readFile(path, "utf8")).toBe("new");
    expect(await readFile(outside, "utf8")).toBe("keep me");
  });

  it("refuses a link planted at the temporary name, writing nothing through it", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-26T07:00:00Z"), toFake: ["Date"] });
    const path = join(dir, "f.json");
    const outside = join(dir, "outside.txt");
    await writeFile(outside, "keep me");
    await symlink(outside, `${path}.${process.pid}.${Date.now()}.tmp`);
    await expect(writeFileAtomic(path, "new")).rejects.toMatchObject({ code: "EEXIST" });
    expect(await readFile(outside, "utf8")).toBe("keep me");
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("removes its temporary file when the rename fails, and names the file it could not replace", async () => {
    const path = join(dir, "f.json");
    await mkdir(path);
    await writeFile(join(path, "inside"), "");
    const err = await writeFileAtomic(path, "new").catch((e: NodeJS.ErrnoException) => e);
    expect(err).toMatchObject({ path, syscall: "rename" });
    expect(await readdir(dir)).toEqual(["f.json"]);
  });
});

describe("finalizeRecord", () => {
  it("writes the signed record as two-space JSON with a final newline, with the journal it was built from", async () => {
    const journal = { head: "a".repeat(64), events: 42 };
    const result = await finalizeRecord({
      runDir: dir,
      state: fold(sampleEvents()),
      checklist: sampleChecklist(),
      configDir: join(dir, "cfg"),
      now: new Date("2026-11-26T07:00:00Z"),
      journal,
    });
    const text = await readFile(join(dir, RECORD_FILE), "utf8");
    expect(text).toBe(serializeRecord(result.record));
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(result.record.journal).toEqual(journal);
    expect(verifyRecord(JSON.parse(text))).toEqual({ ok: true, fingerprint: result.fingerprint });
    expect(result).toEqual({
      recordPath: join(dir, RECORD_FILE),
      fingerprint: result.record.signature.fingerprint,
      record: result.record,
      keyCreated: true,
    });
    const without = await finalizeRecord({
      runDir: dir,
      state: fold(sampleEvents()),
      checklist: sampleChecklist(),
      configDir: join(dir, "cfg"),
    });
    expect(without.record.journal).toBeUndefined();
    expect("journal" in JSON.parse(await readFile(join(dir, RECORD_FILE), "utf8"))).toBe(false);
  });

  it("explains a record that cannot be written, and leaves no temporary file", async () => {
    const runDir = join(dir, "run");
    await mkdir(join(runDir, RECORD_FILE), { recursive: true });
    await writeFile(join(runDir, RECORD_FILE, "x"), "");
    const err = await finalizeRecord({
      runDir,
      state: fold(sampleEvents()),
      checklist: sampleChecklist(),
      configDir: join(dir, "cfg"),
    }).then(
      () => new Error("written"),
      (e: unknown) => e as EnvironmentError,
    );
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(
      `cannot write the record ${join(runDir, RECORD_FILE)}: it is a directory, a file belongs there (EISDIR)`,
    );
    expect(await readdir(runDir)).toEqual([RECORD_FILE]);
  });
});
