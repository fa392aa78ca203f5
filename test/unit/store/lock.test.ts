import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
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
import {
  acquireLock,
  type LockInfo,
  lockPath,
  type ProcessProbe,
  pidAlive,
  probeProcess,
  procStat,
  readLock,
  staleReason,
  validPid,
} from "../../../src/store/lock.js";

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
    // The background `head` waits for a byte on fd 3; its parent exec's into `sleep 30`, which never reaps
    // it. Only once the parent is `sleep` does the byte come: the zombie cannot be reaped by the shell.
    const child = spawn("sh", ["-c", "head -c1 <&3 >/dev/null & echo $!; exec sleep 30 3<&-"], {
      stdio: ["ignore", "pipe", "ignore", "pipe"],
    });
    try {
      const pid = Number((await once(child.stdout!, "data"))[0].toString().trim());
      const comm = () => readFileSync(`/proc/${child.pid}/comm`, "utf8").trim();
      for (let i = 0; i < 500 && comm() !== "sleep"; i++) await new Promise((r) => setTimeout(r, 10));
      expect(comm()).toBe("sleep");
      (child.stdio[3] as NodeJS.WritableStream).write("x");
      for (let i = 0; i < 500 && procStat(pid)?.state !== "Z"; i++)
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

describe("lock staleness, verdict by verdict (staleReason)", () => {
  const holder = (extra: Partial<LockInfo> = {}): LockInfo => ({
    pid: 42,
    host: "h",
    startedAt: "2026-11-26T06:00:00.000Z",
    runId: "r",
    checklist: "staging",
    ...extra,
  });
  const alive =
    (p: Partial<ProcessProbe> = {}) =>
    () => ({ alive: true, ...p });
  const cases: [string, LockInfo, string, (pid: number) => ProcessProbe, string | undefined][] = [
    ["another host: cannot tell", holder({ pid: 0 }), "other", () => ({ alive: false }), undefined],
    ["pid 0", holder({ pid: 0 }), "h", alive(), "pid 0 is not a process id"],
    ["pid -1", holder({ pid: -1 }), "h", alive(), "pid -1 is not a process id"],
    ["pid 1.5", holder({ pid: 1.5 }), "h", alive(), "pid 1.5 is not a process id"],
    [
      "pid over the kernel's range",
      holder({ pid: 4194305 }),
      "h",
      alive(),
      "pid 4194305 is not a process id",
    ],
    ["pid 2^53", holder({ pid: 2 ** 53 }), "h", alive(), "pid 9007199254740992 is not a process id"],
    ["pid NaN", holder({ pid: Number.NaN }), "h", alive(), "pid null is not a process id"],
    ["pid 1, alive", holder({ pid: 1 }), "h", alive(), undefined],
    ["the kernel's largest pid, alive", holder({ pid: 4194304 }), "h", alive(), undefined],
    ["not running", holder(), "h", () => ({ alive: false }), "pid 42 is not running"],
    [
      "another boot",
      holder({ boot: "b1" }),
      "h",
      alive({ boot: "b2", zombie: true }),
      "the machine restarted since pid 42 took the lock",
    ],
    ["the same boot", holder({ boot: "b1" }), "h", alive({ boot: "b1" }), undefined],
    ["no boot in the lock", holder(), "h", alive({ boot: "b2" }), undefined],
    ["no boot from the OS", holder({ boot: "b1" }), "h", alive(), undefined],
    [
      "a zombie, whatever its start time",
      holder({ pidStart: "100" }),
      "h",
      alive({ zombie: true, start: "200" }),
      "pid 42 has exited (a zombie)",
    ],
    ["not a zombie", holder(), "h", alive({ zombie: false }), undefined],
    [
      "pid reused",
      holder({ pidStart: "100" }),
      "h",
      alive({ start: "200" }),
      "pid 42 is now another process (the pid was reused: it started at tick 200, the lock's holder at tick 100)",
    ],
    ["the same start time", holder({ pidStart: "100" }), "h", alive({ start: "100" }), undefined],
    ["no start time in the lock", holder(), "h", alive({ start: "200" }), undefined],
    ["no start time from the OS", holder({ pidStart: "100" }), "h", alive(), undefined],
  ];
  it.each(cases)("%s", (_what, info, host, probe, why) => {
    expect(staleReason(info, host, probe)).toBe(why);
  });

  it("asks the OS about the holder's pid by default", () => {
    expect(staleReason(holder({ pid: process.pid, host: "h" }), "h")).toBeUndefined();
    expect(staleReason(holder({ pid: 4194304, host: "h" }), "h")).toBe("pid 4194304 is not running");
    expect(staleReason(holder({ pid: process.pid, pidStart: "1" }), "h")).toMatch(
      new RegExp(`^pid ${process.pid} is now another process`),
    );
  });

  it("validPid and pidAlive", () => {
    expect([1, 4194304, 0, -1, 4194305, 1.5, "7", null, undefined].map(validPid)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(4194304)).toBe(false);
    expect(pidAlive(0)).toBe(false); // kill(0, 0) would signal this process group: never asked
    expect(pidAlive(-1)).toBe(false);
  });
});

describe("the OS's word on a process (procStat, probeProcess)", () => {
  it("reads state and start time of this process and of a child, also past a ') ' in its name", async () => {
    const me = procStat("self");
    // Running, or asleep when a worker thread reads it (the state is the main thread's).
    expect(me).toEqual({ state: expect.stringMatching(/^[RS]$/), start: expect.stringMatching(/^\d+$/) });
    expect(procStat(process.pid)?.start).toBe(me?.start);
    // A command name with ") " and spaces in it: fields are counted after the last ")".
    const exe = join(dir, "a) b c) d");
    symlinkSync("/bin/sleep", exe);
    const child = spawn(exe, ["30"], { stdio: "ignore" });
    try {
      const pid = child.pid!;
      // Once exec'd and asleep, its state stays "S" for the 30 s of the sleep.
      const asleep = () => /\(a\) b c\) d\) S /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      for (let i = 0; i < 300 && !asleep(); i++) await new Promise((r) => setTimeout(r, 10));
      const stat = procStat(pid);
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      expect(text).toContain("(a) b c) d)");
      // Independently: the fields after the name, split on spaces; state is field 3, start time field 22.
      const fields = text.slice(text.indexOf("(a) b c) d)") + "(a) b c) d)".length + 1).split(" ");
      expect(stat).toEqual({ state: fields[0], start: fields[19] });
      expect(stat?.state).toBe("S");
      expect(probeProcess(pid)).toEqual({
        alive: true,
        zombie: false,
        start: fields[19],
        boot: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
      });
    } finally {
      child.kill("SIGKILL");
    }
    expect(procStat(4194304)).toBeUndefined();
    expect(probeProcess(4194304)).toEqual({ alive: false });
    expect(probeProcess(0)).toEqual({ alive: false });
  });
});

describe("lock files as written and refusals as said", () => {
  const file = () => lockPath(dir, "staging");
  const at = () => new Date("2026-11-26T06:30:00.000Z");

  it("writes exactly pid, host, start, run and checklist for an injected pid, plus pidStart and boot for itself", () => {
    const held = acquireLock(dir, "staging", "staging-1", { pid: 111, host: "h1", now: at });
    const expected = {
      pid: 111,
      host: "h1",
      startedAt: "2026-11-26T06:30:00.000Z",
      runId: "staging-1",
      checklist: "staging",
    };
    expect(held.info).toEqual(expected);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(expected);
    expect(readFileSync(file(), "utf8").endsWith("}\n")).toBe(true);
    expect(held.takenOver).toBeUndefined();
    expect("takenOver" in held).toBe(false);
    held.release();
    const withStart = acquireLock(dir, "staging", "staging-2", {
      pid: 111,
      pidStart: "77",
      host: "h1",
      now: at,
    });
    expect(readLock(file())).toEqual({ ...expected, runId: "staging-2", pidStart: "77" });
    withStart.release();
    const mine = acquireLock(dir, "staging", "staging-3", { now: at });
    expect(readLock(file())).toEqual({
      pid: process.pid,
      pidStart: procStat("self")?.start,
      boot: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
      host: hostname(),
      startedAt: "2026-11-26T06:30:00.000Z",
      runId: "staging-3",
      checklist: "staging",
    });
    mine.release();
    expect(readdirSync(join(dir, "locks"))).toEqual([]); // no temporary file, no marker
    expect(readLock(file())).toBeUndefined();
  });

  it("refuses a live holder naming run, pid, host and start; the hint depends on the host", () => {
    acquireLock(dir, "staging", "staging-1", { pid: 111, host: "h1", now: at, isAlive: () => true });
    const refusal = (host: string) => {
      try {
        acquireLock(dir, "staging", "staging-2", { pid: 222, host, isAlive: () => true });
      } catch (err) {
        return err as StateError;
      }
      throw new Error("not refused");
    };
    const same = refusal("h1");
    expect(same).toBeInstanceOf(StateError);
    expect(same.message).toBe(
      "run staging-1 of staging is held by pid 111 on host h1 since 2026-11-26T06:30:00.000Z",
    );
    expect(same.hint).toBe("Wait for that run to finish, or stop it (Ctrl-C) and resume it here.");
    const other = refusal("h2");
    expect(other.message).toBe(
      "run staging-1 of staging is held by pid 111 on host h1 since 2026-11-26T06:30:00.000Z",
    );
    expect(other.hint).toBe(`If that process is gone, delete ${file()} and try again.`);
    expect(readLock(file())).toMatchObject({ pid: 111, runId: "staging-1" });
  });

  it("an injected probe wins over isAlive; isAlive alone decides liveness", () => {
    acquireLock(dir, "staging", "staging-1", { pid: 111, host: "h1" });
    expect(() =>
      acquireLock(dir, "staging", "staging-2", {
        pid: 222,
        host: "h1",
        isAlive: () => false,
        probe: () => ({ alive: true }),
      }),
    ).toThrow("run staging-1 of staging is held by pid 111");
    const held = acquireLock(dir, "staging", "staging-2", {
      pid: 222,
      host: "h1",
      isAlive: (pid) => pid !== 111,
      now: at,
    });
    expect(held.takenOver).toEqual({
      pid: 111,
      host: "h1",
      startedAt: expect.any(String),
      runId: "staging-1",
      checklist: "staging",
      why: "pid 111 is not running",
    });
    expect(readLock(file())).toEqual(held.info);
    expect(readdirSync(join(dir, "locks"))).toEqual(["staging.lock"]);
  });

  it("refuses every lock file that is not a deploycheck lock, with what to do", () => {
    mkdirSync(join(dir, "locks"));
    for (const text of [
      "nonsense",
      "null",
      "[]",
      '"text"',
      "7",
      '{"pid":1}',
      '{"pid":1,"host":7}',
      '{"host":"h"}',
      "",
    ]) {
      writeFileSync(file(), text);
      let err: StateError | undefined;
      try {
        acquireLock(dir, "staging", "x", { pid: 5, host: "h" });
      } catch (e) {
        err = e as StateError;
      }
      expect([text, err?.message]).toEqual([
        text,
        `the lock file ${file()} is not readable as a deploycheck lock`,
      ]);
      expect(err?.hint).toBe("If no deploycheck run is active, delete that file and try again.");
      expect(readFileSync(file(), "utf8")).toBe(text);
    }
  });

  it("removes a takeover marker left by a taker that died, or a damaged one, and takes the stale lock over", () => {
    for (const marker of [
      JSON.stringify({ pid: 4194304, host: hostname(), startedAt: "x", runId: "dead", checklist: "staging" }),
      "damaged",
    ]) {
      acquireLock(dir, "staging", "stale", { pid: 4194304, host: hostname(), now: at });
      const text = readFileSync(file(), "utf8");
      const markerFile = `${file()}.takeover-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
      writeFileSync(markerFile, marker);
      const held = acquireLock(dir, "staging", "new");
      expect(held.takenOver).toMatchObject({ runId: "stale", why: "pid 4194304 is not running" });
      expect(readLock(file())).toMatchObject({ pid: process.pid, runId: "new" });
      expect(readdirSync(join(dir, "locks"))).toEqual(["staging.lock"]);
      held.release();
    }
  });

  it("update keeps the holder and start and writes the new run id; release after update still removes it", () => {
    const held = acquireLock(dir, "staging", "a", { pid: 5, host: "h", now: at });
    held.update("b");
    held.update("c");
    expect(readLock(file())).toEqual({ ...held.info, runId: "c" });
    expect(readdirSync(join(dir, "locks"))).toEqual(["staging.lock"]);
    held.release();
    expect(existsSync(file())).toBe(false);
    held.release(); // twice: nothing to remove, no error
  });

  it("release leaves a lock of the same pid taken at another time, and a damaged lock, alone", () => {
    const held = acquireLock(dir, "staging", "a", { pid: 5, host: "h", now: at });
    rmSync(file());
    acquireLock(dir, "staging", "b", { pid: 5, host: "h", now: () => new Date("2026-11-26T07:00:00.000Z") });
    held.release();
    expect(readLock(file())).toMatchObject({ pid: 5, runId: "b" });
    rmSync(file());
    acquireLock(dir, "staging", "c", { pid: 6, host: "h", now: at });
    held.release();
    expect(readLock(file())).toMatchObject({ pid: 6, runId: "c" });
    writeFileSync(file(), "damaged");
    held.release();
    expect(readFileSync(file(), "utf8")).toBe("damaged");
  });
});
