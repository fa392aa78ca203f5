// @ts-nocheck
// Turning a file-system failure into what the user needs to know. Node's recursive mkdir reports ENOENT when the
// real cause is a read-only file system or a missing permission, so that case is asked of the file system again.
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { type EnvironmentError, environmentError } from "./errors.js";

/** The deepest existing ancestor of a path (the path itself when it exists). */
function nearestExisting(path: string): string | undefined {
  let p = path;
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch {
      const up = dirname(p);
      if (up === p) return undefined;
      p = up;
    }
  }
}

/** The real reason a recursive mkdir said ENOENT: the ancestor it had to create into, asked for write access. */
function mkdirCause(err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (err.code !== "ENOENT" || err.syscall !== "mkdir" || typeof err.path !== "string") return err;
  const base = nearestExisting(err.path);
  if (base === undefined) return err;
  try {
    if (!statSync(base).isDirectory()) {
      return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${err.path}'`), {
        code: "ENOTDIR",
        syscall: "mkdir",
        path: base,
      });
    }
    accessSync(base, constants.W_OK | constants.X_OK);
    return err;
  } catch (cause) {
    const c = cause as NodeJS.ErrnoException;
    return Object.assign(c, { syscall: "mkdir", path: err.path });
  }
}

/** An EnvironmentError for a failed file operation (with the path when the error lacks one), else undefined. */
export function explainFsError(
  err: unknown,
  context: { path?: string; action?: string; afterwards?: string } = {},
): EnvironmentError | undefined {
  if (err === null || typeof err !== "object") return undefined;
  return environmentError(mkdirCause(err as NodeJS.ErrnoException), context);
}
