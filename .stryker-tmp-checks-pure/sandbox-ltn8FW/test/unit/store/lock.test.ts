// @ts-nocheck
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { acquireLock, lockPath, probeProcess, procStat, readLock } from "../../../src/store/lock.js";

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

describe("lock staleness: pid reuse, zombies, nonsense pids", () => {
  const host = hostname();
  const plant = (info: Record<string, unknown>) => {
    mkdirSync(join(dir, "locks"), { recursive: true });
    writeFileSync(
      lockPath(dir, "staging"),
      JSON.stringify({
        host,
        startedAt: "2026-11-26T06:00:00.000Z",
        runId: "r",
        checklist: "staging",
        ...info,
      }),
    );
  };

  it("records the holder's process start time, private file in a private directory", () => {
    const held = acquireLock(dir, "staging", "r");
    const me = procStat("self");
    expect(me?.start).toMatch(/^\d+$/);
    expect(readLock(lockPath(dir, "staging"))).toMatchObject({ pid: process.pid, pidStart: me?.start });
    expect(statSync(lockPath(dir, "staging")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "locks")).mode & 0o777).toBe(0o700);
    held.release();
  });

  it("takes over a live pid whose start time differs (pid reuse) and says why", () => {
    // This test process is alive, but it is not the process that took the lock at tick 1.
    plant({ pid: process.pid, pidStart: "1" });
    const held = acquireLock(dir, "staging", "r2");
    expect(held.takenOver?.why).toMatch(
      new RegExp(
        `^pid ${process.pid} is now another process \\(the pid was reused: it started at tick \\d+, the lock's holder at tick 1\\)$`,
      ),
    );
    held.release();
  });

  it("does not take over a live pid with the same start time", () => {
    plant({ pid: process.pid, pidStart: procStat("self")?.start });
    expect(() => acquireLock(dir, "staging", "r2")).toThrow(/is held by pid/);
  });

  it("takes over nonsense pids (0, -1, 1.5, a string) instead of counting them as live", () => {
    for (const pid of [0, -1, 1.5, "7", null]) {
      plant({ pid });
      const held = acquireLock(dir, "staging", "r2");
      expect(held.takenOver?.why).toBe(`pid ${JSON.stringify(pid)} is not a process id`);
      held.release();
    }
  });

  it("takes over a zombie holder", async () => {
    // `sleep 0` exits at once; its parent exec'd into `sleep 30` never reaps it: a zombie.
    const child = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 30"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const pid = Number((await once(child.stdout, "data"))[0].toString().trim());
      for (let i = 0; i < 200 && procStat(pid)?.state !== "Z"; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(procStat(pid)?.state).toBe("Z");
      expect(probeProcess(pid)).toMatchObject({ alive: true, zombie: true });
      plant({ pid, pidStart: procStat(pid)?.start });
      const held = acquireLock(dir, "staging", "r2");
      expect(held.takenOver?.why).toBe(`pid ${pid} has exited (a zombie)`);
      held.release();
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("says why a dead holder is stale", () => {
    plant({ pid: 4194304 });
    expect(acquireLock(dir, "staging", "r2").takenOver?.why).toBe("pid 4194304 is not running");
  });

  it("refuses a lock file that is a symbolic link", () => {
    mkdirSync(join(dir, "locks"), { recursive: true });
    const victim = join(dir, "victim");
    writeFileSync(victim, JSON.stringify({ pid: 0, host }));
    symlinkSync(victim, lockPath(dir, "staging"));
    expect(() => acquireLock(dir, "staging", "r")).toThrow(/staging\.lock is a symbolic link/);
    expect(readFileSync(victim, "utf8")).toContain('"pid":0');
  });
});
