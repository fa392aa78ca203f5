// State files where the OS answers otherwise than on a quiet Linux box: FreeBSD's EMLINK for a link,
// an open failing for a reason that is not the file's (EACCES, a vanished path, an unknown errno), short
// reads and writes, a file shrinking while read, a read or write failing half-way, and a link planted at
// the name of the temporary file. The fs calls pass through to the real ones unless a test says otherwise.
import * as fs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeploycheckError } from "../../../src/errors.js";
import { type OpenMode, openStateFile, readStateFile, replaceStateFile } from "../../../src/store/safe-fs.js";

const errno = (code: string, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall, ...(path ? { path } : {}) });

const os: {
  open?: Error;
  /** Most bytes one readSync / writeSync call moves. */
  chunk?: number;
  /** The file shrinks to this many bytes once reading began. */
  shrinkTo?: number;
  read?: Error;
  write?: Error;
} = {};

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    openSync: (...args: Parameters<typeof real.openSync>) => {
      if (os.open) throw os.open;
      return real.openSync(...args);
    },
    readSync: (fd: number, buf: Buffer, offset: number, length: number, position: number) => {
      if (os.read) throw os.read;
      // Arguments past the buffer: the real call refuses them (ERR_OUT_OF_RANGE).
      if (offset + length > buf.length) return real.readSync(fd, buf, offset, length, position);
      const end = Math.min(position + Math.min(length, os.chunk ?? length), os.shrinkTo ?? Infinity);
      return real.readSync(fd, buf, offset, Math.max(0, end - position), position);
    },
    writeSync: (fd: number, buf: Buffer, offset: number, length: number) => {
      if (os.write) throw os.write;
      if (offset + length > buf.length) return real.writeSync(fd, buf, offset, length);
      return real.writeSync(fd, buf, offset, Math.min(length, os.chunk ?? length));
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-safe-fs-os-"));
  for (const k of Object.keys(os)) delete os[k as keyof typeof os];
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function caught(f: () => unknown): DeploycheckError {
  try {
    f();
  } catch (e) {
    if (e instanceof DeploycheckError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

const fds = () => readdirSync("/proc/self/fd").length;

describe("opening: which failure is a link and which is the environment's", () => {
  const link = () => {
    const p = join(dir, "journal.jsonl");
    symlinkSync(join(dir, "nowhere"), p);
    return p;
  };
  const none = () => join(dir, "journal.jsonl");
  const symlinkMessage = (p: string) =>
    `${p} is a symbolic link; deploycheck does not follow links in its state directory`;
  it.each<[string, OpenMode, () => Error | undefined, () => string, (p: string) => string]>([
    ["FreeBSD's EMLINK for a link (read)", "read", () => errno("EMLINK", "open"), link, symlinkMessage],
    ["FreeBSD's EMLINK for a link (append)", "append", () => errno("EMLINK", "open"), link, symlinkMessage],
    [
      "EEXIST on create for a path gone since (not a link)",
      "create",
      () => errno("EEXIST", "open"),
      none,
      (p) => `cannot write ${p}: something already exists there (EEXIST)`,
    ],
    [
      "EEXIST on append where a link is: not a link refused by O_EXCL",
      "append",
      () => errno("EEXIST", "open"),
      link,
      (p) => `cannot write ${p}: something already exists there (EEXIST)`,
    ],
    [
      "EACCES on create where a link is: the permission is what failed",
      "create",
      () => errno("EACCES", "open"),
      link,
      (p) => `cannot write ${p}: permission denied (EACCES)`,
    ],
    [
      "a parent that is a file, read",
      "read",
      () => undefined,
      () => {
        writeFileSync(join(dir, "run"), "");
        return join(dir, "run", "journal.jsonl");
      },
      (p) => `cannot read ${p}: a part of the path is a file, not a directory (ENOTDIR)`,
    ],
    [
      "a parent that is a file, append",
      "append",
      () => undefined,
      () => {
        writeFileSync(join(dir, "run"), "");
        return join(dir, "run", "journal.jsonl");
      },
      (p) => `cannot write ${p}: a part of the path is a file, not a directory (ENOTDIR)`,
    ],
  ])("%s", (_what, mode, err, setup, expected) => {
    const p = setup();
    os.open = err();
    const e = caught(() => openStateFile(p, mode, "run journal"));
    expect(e.message).toBe(expected(p));
  });

  it("an errno nothing explains is named with its own message, the error kept as the cause", () => {
    const p = join(dir, "journal.jsonl");
    os.open = errno("EWEIRD", "open");
    const e = caught(() => openStateFile(p, "read", "run journal"));
    expect(e.message).toBe(`cannot read ${p}: EWEIRD: injected, open`);
    expect(e.cause).toBe(os.open);
  });
});

describe("reading", () => {
  it("reads a file whole in short reads, and what is left of a file that shrank while read", () => {
    const p = join(dir, "state.json");
    const text = "0123456789".repeat(300);
    writeFileSync(p, text);
    os.chunk = 1000;
    expect(readStateFile(p, "state file")).toBe(text);
    os.shrinkTo = 1500;
    expect(readStateFile(p, "state file")).toBe(text.slice(0, 1500));
  });

  it("says which file could not be read when a read fails half-way, and closes it", () => {
    const p = join(dir, "state.json");
    writeFileSync(p, "{}");
    const before = fds();
    os.read = errno("EIO", "read");
    const e = caught(() => readStateFile(p, "state file"));
    expect(e.message).toBe(`cannot read ${p}: input/output error (EIO)`);
    expect(e.cause).toBe(os.read);
    expect(fds()).toBe(before);
    delete os.read;
    expect(readStateFile(p, "state file")).toBe("{}");
    expect(fds()).toBe(before);
  });
});

describe("replacing", () => {
  it("writes the whole content in short writes", () => {
    const p = join(dir, "record.json");
    const text = "é0123456789".repeat(300);
    os.chunk = 1000;
    replaceStateFile(p, text, "record");
    expect(readFileSync(p, "utf8")).toBe(text);
    expect(readdirSync(dir)).toEqual(["record.json"]);
  });

  it("a failed write says so for the file replaced, keeps the old content and leaves no temporary file", () => {
    const p = join(dir, "record.json");
    writeFileSync(p, "old");
    os.write = errno("ENOSPC", "write");
    const e = caught(() => replaceStateFile(p, "new", "record"));
    expect(e.message).toBe(`cannot write ${p}: no space left on the device (ENOSPC)`);
    expect(readFileSync(p, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["record.json"]);
  });

  it("refuses a link planted at the name of its temporary file, without writing through it", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5); // 0.5 is 0.8 in hex: the temporary file ends .8.tmp
    const p = join(dir, "record.json");
    const tmp = `${p}.${process.pid}.8.tmp`;
    writeFileSync(join(dir, "victim"), "keep");
    symlinkSync(join(dir, "victim"), tmp);
    const e = caught(() => replaceStateFile(p, "new", "record"));
    expect(e.message).toBe(
      `${tmp} is a symbolic link; deploycheck does not follow links in its state directory`,
    );
    expect(e.hint).toBe(
      "The record was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.",
    );
    expect(readFileSync(join(dir, "victim"), "utf8")).toBe("keep");
    expect(fs.existsSync(p)).toBe(false);
  });
});
