// The order of writing record.json, seen through the file system calls it makes (a spy over node:fs/promises that
// passes every call through to the real one): temp file created exclusively -> written -> fsync -> closed ->
// renamed over the record -> directory fsync'd. And a write or fsync that fails mid-way leaves the old record
// whole and no temporary file. test/e2e/durability.test.ts proves the same on the built CLI under strace.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { writeFileAtomic } from "../../../src/record/finalize.js";

const spy = vi.hoisted(() => ({
  calls: [] as string[],
  fail: undefined as { call: string; code: string } | undefined,
}));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const name = (p: unknown) => {
    const b = basename(String(p));
    return /\.tmp$/.test(b) ? "<tmp>" : b;
  };
  const logged = async <T>(call: string, run: () => Promise<T>): Promise<T> => {
    spy.calls.push(call);
    if (spy.fail && call.startsWith(spy.fail.call)) {
      throw Object.assign(new Error(`${spy.fail.code}: injected`), { code: spy.fail.code });
    }
    return run();
  };
  return {
    ...real,
    open: async (path: string, flags?: string, mode?: number) => {
      const handle = await logged(
        `open ${name(path)} ${flags}${mode === undefined ? "" : ` ${mode.toString(8)}`}`,
        () => real.open(path, flags, mode),
      );
      const who = name(path);
      return new Proxy(handle, {
        get(target, prop) {
          const value = Reflect.get(target, prop) as unknown;
          if (typeof value !== "function") return value;
          if (prop === "writeFile" || prop === "sync" || prop === "datasync" || prop === "close") {
            return (...args: unknown[]) =>
              logged(`${String(prop)} ${who}`, () =>
                (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
              );
          }
          return (value as (...a: unknown[]) => unknown).bind(target);
        },
      });
    },
    rename: (from: string, to: string) =>
      logged(`rename ${name(from)} ${name(to)}`, () => real.rename(from, to)),
    rm: (path: string, options?: object) => logged(`rm ${name(path)}`, () => real.rm(path, options)),
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "deploycheck-order-"));
  spy.calls = [];
  spy.fail = undefined;
});
afterEach(async () => {
  spy.fail = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes a private temp file, fsyncs it, renames it over the record, then fsyncs the directory", async () => {
    const path = join(dir, "record.json");
    await writeFileAtomic(path, "{}\n");
    expect(spy.calls).toEqual([
      "open <tmp> wx 600",
      "writeFile <tmp>",
      "sync <tmp>",
      "close <tmp>",
      "rename <tmp> record.json",
      `open ${basename(dir)} r`,
      `sync ${basename(dir)}`,
      `close ${basename(dir)}`,
    ]);
    expect(await readFile(path, "utf8")).toBe("{}\n");
  });

  it.each(["writeFile", "sync"])(
    "leaves the old record whole and no temp file when %s fails",
    async (call) => {
      const path = join(dir, "record.json");
      await writeFile(path, "old record\n");
      spy.fail = { call, code: call === "sync" ? "EIO" : "ENOSPC" };
      await expect(writeFileAtomic(path, "new record\n")).rejects.toMatchObject({ code: spy.fail.code });
      expect(await readFile(path, "utf8")).toBe("old record\n");
      expect(await readdir(dir)).toEqual(["record.json"]);
      expect(spy.calls.slice(-2)).toEqual(["close <tmp>", "rm <tmp>"]);
      expect(spy.calls).not.toContain("rename <tmp> record.json");
    },
  );

  it("closes the directory even when its fsync fails", async () => {
    spy.fail = { call: `sync ${basename(dir)}`, code: "EIO" };
    await expect(writeFileAtomic(join(dir, "record.json"), "x")).rejects.toMatchObject({ code: "EIO" });
    expect(spy.calls.slice(-2)).toEqual([`sync ${basename(dir)}`, `close ${basename(dir)}`]);
  });
});
