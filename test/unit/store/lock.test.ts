import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { acquireLock, lockPath, readLock } from "../../../src/store/lock.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("lock", () => {
  it("is exclusive and says who holds it", () => {
    const held = acquireLock(dir, "staging", "staging-1", { pid: 111, host: "h1", isAlive: () => true });
    expect(readLock(lockPath(dir, "staging"))).toMatchObject({ pid: 111, host: "h1", runId: "staging-1" });
    expect(() =>
      acquireLock(dir, "staging", "staging-2", { pid: 222, host: "h1", isAlive: () => true }),
    ).toThrow(/run staging-1 of staging is held by pid 111 on host h1 since /);
    held.release();
    expect(existsSync(lockPath(dir, "staging"))).toBe(false);
    acquireLock(dir, "staging", "staging-2", { pid: 222, host: "h1" }).release();
  });

  it("locks each checklist separately", () => {
    acquireLock(dir, "staging", "s-1", { pid: 1, host: "h", isAlive: () => true });
    const prod = acquireLock(dir, "prod", "p-1", { pid: 2, host: "h", isAlive: () => true });
    expect(prod.takenOver).toBeUndefined();
    expect(readLock(lockPath(dir, "staging"))).toMatchObject({
      pid: 1,
      host: "h",
      runId: "s-1",
      checklist: "staging",
    });
    expect(readLock(lockPath(dir, "prod"))).toMatchObject({
      pid: 2,
      host: "h",
      runId: "p-1",
      checklist: "prod",
    });
    // Each is still held: a second run of either checklist is refused.
    expect(() => acquireLock(dir, "staging", "s-2", { pid: 3, host: "h", isAlive: () => true })).toThrow(
      /held by pid 1/,
    );
    expect(() => acquireLock(dir, "prod", "p-2", { pid: 3, host: "h", isAlive: () => true })).toThrow(
      /held by pid 2/,
    );
  });

  it("takes over a stale lock of a dead pid on the same host and reports the previous holder", () => {
    acquireLock(dir, "staging", "staging-1", { pid: 111, host: "h1" });
    const held = acquireLock(dir, "staging", "staging-2", {
      pid: 222,
      host: "h1",
      isAlive: (p) => p !== 111,
    });
    expect(held.takenOver).toMatchObject({ pid: 111, runId: "staging-1" });
    expect(readLock(lockPath(dir, "staging"))).toMatchObject({ pid: 222 });
  });

  it("never takes over a lock from another host", () => {
    acquireLock(dir, "staging", "staging-1", { pid: 111, host: "other" });
    expect(() =>
      acquireLock(dir, "staging", "staging-2", { pid: 222, host: "h1", isAlive: () => false }),
    ).toThrow(StateError);
  });

  it("reports a damaged lock file instead of guessing", () => {
    mkdirSync(join(dir, "locks"));
    writeFileSync(lockPath(dir, "staging"), "nonsense");
    expect(() => acquireLock(dir, "staging", "x", {})).toThrow(/not readable as a deploycheck lock/);
  });

  it("update points the lock at another run; release leaves a lock of someone else alone", () => {
    const held = acquireLock(dir, "staging", "a", { pid: 5, host: "h" });
    held.update("b");
    expect(readLock(lockPath(dir, "staging"))?.runId).toBe("b");
    rmSync(lockPath(dir, "staging"));
    acquireLock(dir, "staging", "c", { pid: 6, host: "h" });
    held.release();
    expect(readLock(lockPath(dir, "staging"))?.runId).toBe("c");
  });
});
