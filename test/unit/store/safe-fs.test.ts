// State files are untrusted: links, hard links, FIFOs and directories planted where deploycheck expects
// its own file are refused with the file and the reason named; files are created 0600 in 0700 directories.
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentError, StateError } from "../../../src/errors.js";
import {
  checkStateDir,
  DIR_MODE,
  ensureStateDir,
  FILE_MODE,
  openStateFile,
  readFd,
  readStateFile,
  replaceStateFile,
} from "../../../src/store/safe-fs.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-safe-fs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
};
const linkMessage = (path: string) =>
  `${path} is a symbolic link; deploycheck does not follow links in its state directory`;
const linkHint = (what: string) =>
  `The ${what} was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.`;

describe("openStateFile", () => {
  it("creates a private file for append and for create, and reads it back", () => {
    expect(FILE_MODE).toBe(0o600);
    const a = join(dir, "a");
    let fd = openStateFile(a, "append", "thing");
    writeSync(fd, "one\n");
    closeSync(fd);
    fd = openStateFile(a, "append", "thing");
    writeSync(fd, "two\n");
    expect(readFd(fd).toString()).toBe("one\ntwo\n");
    closeSync(fd);
    expect(statSync(a).mode & 0o777).toBe(0o600);

    const c = join(dir, "c");
    fd = openStateFile(c, "create", "thing");
    writeSync(fd, "created");
    closeSync(fd);
    expect(statSync(c).mode & 0o777).toBe(0o600);
    fd = openStateFile(c, "read", "thing");
    expect(readFd(fd).toString()).toBe("created");
    // Read-only: a write through it fails.
    expect(() => writeSync(fd, "x")).toThrow();
    closeSync(fd);
    expect(readFileSync(c, "utf8")).toBe("created");
  });

  it("create refuses anything already there: a file as an environment error, a link as a link", () => {
    const c = join(dir, "c");
    writeFileSync(c, "old");
    const err = caught(() => openStateFile(c, "create", "thing"));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(`cannot write ${c}: something already exists there (EEXIST)`);
    expect(readFileSync(c, "utf8")).toBe("old");
    // A dangling link: O_EXCL fails with EEXIST, and the link is named as a link.
    const l = join(dir, "l");
    symlinkSync(join(dir, "nowhere"), l);
    const linkErr = caught(() => openStateFile(l, "create", "lock file"));
    expect(linkErr).toBeInstanceOf(StateError);
    expect(linkErr.message).toBe(linkMessage(l));
    expect((linkErr as StateError).hint).toBe(linkHint("lock file"));
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });

  it("refuses a symbolic link in every mode, naming what the file is for", () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious");
    const l = join(dir, "l");
    symlinkSync(victim, l);
    for (const mode of ["read", "append", "create"] as const) {
      const err = caught(() => openStateFile(l, mode, "run journal"));
      expect(err).toBeInstanceOf(StateError);
      expect(err.message).toBe(linkMessage(l));
      expect((err as StateError).hint).toBe(linkHint("run journal"));
    }
    expect(readFileSync(victim, "utf8")).toBe("precious");
  });

  it("refuses a hard link, a directory and a FIFO (without blocking on it), the descriptor closed", () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious");
    const hard = join(dir, "hard");
    linkSync(victim, hard);
    for (const mode of ["read", "append"] as const) {
      const err = caught(() => openStateFile(hard, mode, "lock file"));
      expect(err).toBeInstanceOf(StateError);
      expect(err.message).toBe(
        `${hard} has 2 names (hard links); deploycheck refuses to use it as the lock file`,
      );
      expect((err as StateError).hint).toBe(
        "A hard link lets a write here change another file. Replace it with a copy of its own (cp, then mv over it), and try again.",
      );
    }
    expect(readFileSync(victim, "utf8")).toBe("precious");

    const sub = join(dir, "sub");
    mkdirSync(sub);
    const dirErr = caught(() => openStateFile(sub, "read", "checklist copy"));
    expect(dirErr).toBeInstanceOf(StateError);
    expect(dirErr.message).toBe(
      `${sub} is not a regular file; deploycheck refuses to use it as the checklist copy`,
    );
    expect((dirErr as StateError).hint).toBe("Move it out of the state directory and try again.");

    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    for (const mode of ["read", "append"] as const) {
      const err = caught(() => openStateFile(fifo, mode, "run journal"));
      expect(err.message).toBe(
        `${fifo} is not a regular file; deploycheck refuses to use it as the run journal`,
      );
    }
    // Every refused descriptor was closed: none of these paths is still open in this process.
    const open = readdirSync("/proc/self/fd").map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    });
    expect(open.filter((p) => p.startsWith(dir))).toEqual([]);
  });

  it("rethrows a missing file on read as ENOENT, and says a write into a missing directory", () => {
    const missing = join(dir, "missing");
    const err = caught(() => openStateFile(missing, "read", "thing")) as NodeJS.ErrnoException;
    expect(err).not.toBeInstanceOf(StateError);
    expect(err.code).toBe("ENOENT");
    const deep = join(dir, "no-such-dir", "f");
    const writeErr = caught(() => openStateFile(deep, "append", "thing"));
    expect(writeErr).toBeInstanceOf(StateError);
    expect(writeErr.message).toBe(`cannot write ${deep}: ENOENT: no such file or directory, open '${deep}'`);
    expect(readStateFile(missing, "thing")).toBeUndefined();
  });
});

describe("readFd and readStateFile", () => {
  it("read the whole file from offset 0, whatever its size and the descriptor's position", () => {
    const f = join(dir, "big");
    const content = Buffer.alloc(300_000, "abcdefghij").toString();
    writeFileSync(f, content);
    const fd = openStateFile(f, "append", "thing");
    try {
      expect(readFd(fd).toString()).toBe(content);
      expect(readFd(fd).toString()).toBe(content);
    } finally {
      closeSync(fd);
    }
    expect(readStateFile(f, "thing")).toBe(content);
    const empty = join(dir, "empty");
    writeFileSync(empty, "");
    expect(readStateFile(empty, "thing")).toBe("");
  });

  it("readStateFile refuses a link instead of answering undefined", () => {
    const l = join(dir, "l");
    symlinkSync(join(dir, "nowhere"), l);
    expect(() => readStateFile(l, "lock file")).toThrow(linkMessage(l));
  });
});

describe("replaceStateFile", () => {
  it("replaces the content in one rename, private, with no temporary file left", () => {
    const f = join(dir, "record.json");
    replaceStateFile(f, "first", "record");
    expect(readFileSync(f, "utf8")).toBe("first");
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const inode = statSync(f).ino;
    replaceStateFile(f, "second, longer than the first", "record");
    expect(readFileSync(f, "utf8")).toBe("second, longer than the first");
    expect(statSync(f).ino).not.toBe(inode); // a new file renamed over the old one, never written in place
    replaceStateFile(f, "", "record");
    expect(readFileSync(f, "utf8")).toBe("");
    const big = "x".repeat(200_000);
    replaceStateFile(f, big, "record");
    expect(readFileSync(f, "utf8")).toBe(big);
    expect(readdirSync(dir)).toEqual(["record.json"]);
  });

  it("refuses a link at the path, even a dangling one, and writes nothing", () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious");
    const l = join(dir, "l");
    symlinkSync(victim, l);
    const err = caught(() => replaceStateFile(l, "evil", "checklist copy"));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toBe(linkMessage(l));
    expect((err as StateError).hint).toBe(linkHint("checklist copy"));
    expect(readFileSync(victim, "utf8")).toBe("precious");
    rmSync(victim);
    expect(() => replaceStateFile(l, "evil", "checklist copy")).toThrow(linkMessage(l));
    expect(existsSync(victim)).toBe(false);
    expect(readdirSync(dir)).toEqual(["l"]);
  });

  it("a rename that fails (a directory in the way) says where, keeps the directory and leaves no temporary file", () => {
    const target = join(dir, "record.json");
    mkdirSync(target);
    writeFileSync(join(target, "inside"), "kept");
    const err = caught(() => replaceStateFile(target, "content", "record"));
    expect(err).toBeInstanceOf(EnvironmentError);
    // The file in the way is named, not the temporary file that was removed.
    expect(err.message).toBe(`cannot write ${target}: it is a directory, a file belongs there (EISDIR)`);
    expect((err as EnvironmentError).hint).toBe(
      `Move the directory ${target} out of the way, then try again.`,
    );
    expect(readdirSync(dir)).toEqual(["record.json"]);
    expect(readFileSync(join(target, "inside"), "utf8")).toBe("kept");
  });
});

describe("state directories", () => {
  it("creates missing directories 0700, parents included, and accepts an existing one", () => {
    expect(DIR_MODE).toBe(0o700);
    const deep = join(dir, "a", "b", "c");
    ensureStateDir(deep, "runs directory");
    expect(statSync(deep).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700);
    ensureStateDir(deep, "runs directory");
    checkStateDir(deep, "runs directory");
  });

  it("refuses a link or a file where a directory belongs, and says what cannot be created", () => {
    const real = join(dir, "real");
    mkdirSync(real);
    const l = join(dir, "l");
    symlinkSync(real, l);
    for (const f of [() => ensureStateDir(l, "locks directory"), () => checkStateDir(l, "locks directory")]) {
      const err = caught(f);
      expect(err).toBeInstanceOf(StateError);
      expect(err.message).toBe(linkMessage(l));
      expect((err as StateError).hint).toBe(linkHint("locks directory"));
    }
    const file = join(dir, "file");
    writeFileSync(file, "x");
    for (const f of [
      () => ensureStateDir(file, "runs directory"),
      () => checkStateDir(file, "runs directory"),
    ]) {
      const err = caught(f);
      expect(err).toBeInstanceOf(StateError);
      expect(err.message).toBe(`${file} is not a directory; deploycheck expected the runs directory there`);
      expect((err as StateError).hint).toBe("Move it out of the state directory and try again.");
    }
    const under = join(file, "sub");
    const err = caught(() => ensureStateDir(under, "runs directory"));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/^cannot create the directory /);
    expect((caught(() => checkStateDir(join(dir, "none"), "x")) as NodeJS.ErrnoException).code).toBe(
      "ENOENT",
    );
  });
});
