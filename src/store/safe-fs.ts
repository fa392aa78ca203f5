// Files in the state directory are untrusted: anyone who could write there may have put a symbolic link,
// a hard link to another file or a FIFO where deploycheck expects its own file. Every state file is
// opened without following links (O_NOFOLLOW), checked to be a regular file with one name, created 0600
// in directories created 0700; anything else is refused with a StateError that says which file and why.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from "node:fs";
import { resolve } from "node:path";
import { type DeploycheckError, StateError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// Opening a FIFO for reading would block until a writer comes: never wait on a planted FIFO.
const NONBLOCK = constants.O_NONBLOCK ?? 0;

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function symlinkError(path: string, what: string): StateError {
  return new StateError(
    `${path} is a symbolic link; deploycheck does not follow links in its state directory`,
    {
      hint: `The ${what} was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.`,
    },
  );
}

export function isSymlinkError(err: unknown): boolean {
  // Linux and macOS say ELOOP for O_NOFOLLOW on a link; FreeBSD says EMLINK.
  return code(err) === "ELOOP" || code(err) === "EMLINK";
}

/** An environment error (EACCES, ENOSPC, EROFS...) as a StateError naming the file. */
function envError(err: unknown, action: string, path: string): DeploycheckError {
  // Disk full, read-only, permission denied...: what failed, where, and what to do (one wording for all).
  return (
    explainFsError(err, { path, action }) ??
    new StateError(`cannot ${action} ${path}: ${(err as Error).message}`, { cause: err })
  );
}

export type OpenMode = "read" | "append" | "create";

/**
 * Open a state file: "read" an existing one, "append" (read/write, created when missing) or "create"
 * (a new file; fails if anything, a link included, is at that path). Refuses links, non-regular files and
 * files with more than one name. ENOENT on "read" is rethrown as is, for the caller to say what is missing.
 */
export function openStateFile(path: string, mode: OpenMode, what: string): number {
  const flags =
    mode === "read"
      ? constants.O_RDONLY
      : mode === "append"
        ? constants.O_RDWR | constants.O_APPEND | constants.O_CREAT
        : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  let fd: number;
  try {
    fd = openSync(path, flags | NOFOLLOW | NONBLOCK, FILE_MODE);
  } catch (err) {
    if (isSymlinkError(err)) throw symlinkError(path, what);
    // O_EXCL does not follow a link either: it says EEXIST, and the link is what is there.
    if (mode === "create" && code(err) === "EEXIST" && lstatSafe(path)?.isSymbolicLink())
      throw symlinkError(path, what);
    if (mode === "read" && code(err) === "ENOENT") throw err;
    throw envError(err, mode === "read" ? "read" : "write", path);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new StateError(`${path} is not a regular file; deploycheck refuses to use it as the ${what}`, {
        hint: "Move it out of the state directory and try again.",
      });
    }
    if (st.nlink > 1) {
      throw new StateError(
        `${path} has ${st.nlink} names (hard links); deploycheck refuses to use it as the ${what}`,
        {
          hint: "A hard link lets a write here change another file. Replace it with a copy of its own (cp, then mv over it), and try again.",
        },
      );
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** lstat, or undefined when there is nothing to stat (no such path, a parent that is not a directory). */
function lstatSafe(path: string): Stats | undefined {
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch {
    // nothing there
  }
  return st;
}

/** The whole content of an open file, from offset 0. */
export function readFd(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got); // the whole buffer, or what was there when the file shrank
}

/** Read a state file as UTF-8; undefined when it does not exist. */
export function readStateFile(path: string, what: string): string | undefined {
  let fd: number;
  try {
    fd = openStateFile(path, "read", what);
  } catch (err) {
    if (code(err) === "ENOENT") return undefined;
    throw err;
  }
  try {
    return readFd(fd).toString("utf8");
  } catch (err) {
    throw envError(err, "read", path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replace a state file's content so that readers see the old or the new content: write a new private
 * temporary file, then rename it over the path (a rename replaces a link; it never writes through one).
 * An existing link at the path is refused rather than silently replaced.
 */
export function replaceStateFile(path: string, content: string, what: string): void {
  if (lstatSafe(path)?.isSymbolicLink()) throw symlinkError(path, what);
  const tmp = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  const fd = openStateFile(tmp, "create", what);
  try {
    const buf = Buffer.from(content);
    let written = 0;
    while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw envError(err, "write", path);
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    // The rename's error names the temporary file (removed just now); what is in the way is `path`.
    (err as NodeJS.ErrnoException).path = path; // renameSync throws only Node's errno errors
    throw envError(err, "write", path);
  }
}

/**
 * Make sure `dir` is a real directory (created 0700 when missing, parents included); a link or a file
 * in its place is refused.
 */
export function ensureStateDir(dir: string, what: string): void {
  try {
    // Absolute first: with the working directory deleted, a recursive mkdir of a relative path retries
    // forever in Node; resolving it throws ENOENT instead.
    mkdirSync(resolve(dir), { recursive: true, mode: DIR_MODE });
  } catch (err) {
    if (code(err) !== "EEXIST") throw envError(err, "create the directory", dir);
  }
  checkStateDir(dir, what);
}

/** Refuse a state directory that is a link or not a directory (ENOENT is rethrown as is). */
export function checkStateDir(dir: string, what: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw symlinkError(dir, what);
  if (!st.isDirectory()) {
    throw new StateError(`${dir} is not a directory; deploycheck expected the ${what} there`, {
      hint: "Move it out of the state directory and try again.",
    });
  }
}
