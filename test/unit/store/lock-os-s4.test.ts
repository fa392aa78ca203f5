// The lock where the OS answers differently than on this Linux box, and where other processes act between
// two of our steps: no /proc (macOS), a /proc/<pid>/stat that says something unexpected, a pid of another
// user (EPERM), a file system refusing hard links, another taker holding the takeover marker, the lock
// replaced between our read and our takeover. The fs calls pass through to the real ones unless a test
// says otherwise; the clock and the sleep are faked only where the test needs to count tries.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateError } from "../../../src/errors.js";
import {
  acquireLock,
  lockPath,
  pidAlive,
  probeProcess,
  procStat,
  readLock,
} from "../../../src/store/lock.js";

const errno = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });

/** What the fake OS says: file contents or failures for some paths, link failures, a hook after a link. */
const os: {
  files: Map<string, string | Error>;
  link?: (target: string) => Error | undefined;
  afterLink?: (target: string) => void;
  links: string[];
} = { files: new Map(), links: [] };

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    readFileSync: (path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      const planted = typeof path === "string" ? os.files.get(path) : undefined;
      if (planted instanceof Error) throw planted;
      if (planted !== undefined) return planted;
      return (real.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
    },
    linkSync: (existing: fs.PathLike, target: fs.PathLike) => {
      os.links.push(String(target));
      const err = os.link?.(String(target));
      if (err) throw err;
      real.linkSync(existing, target);
      os.afterLink?.(String(target));
    },
  };
});

const realBoot = () => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
const at = () => new Date("2026-11-30T16:00:00.000Z");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dc-lock-os-"));
  os.files.clear();
  os.links.length = 0;
  delete os.link;
  delete os.afterLink;
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** Date.now advancing one second per call from the first call on. */
function secondPerCall(): void {
  let t = Date.parse("2026-11-30T16:00:00.000Z");
  vi.spyOn(Date, "now").mockImplementation(() => {
    const now = t;
    t += 1000;
    return now;
  });
}

function caught(f: () => unknown): StateError {
  try {
    f();
  } catch (e) {
    if (e instanceof StateError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("no /proc, or a /proc that says something unexpected", () => {
  it("without /proc a live pid is alive with nothing more said, and the lock carries no start or boot", () => {
    os.files.set("/proc/sys/kernel/random/boot_id", errno("ENOENT", "open"));
    os.files.set(`/proc/${process.pid}/stat`, errno("ENOENT", "open"));
    os.files.set("/proc/self/stat", errno("ENOENT", "open"));
    expect(procStat("self")).toBeUndefined();
    expect(probeProcess(process.pid)).toEqual({ alive: true });
    const held = acquireLock(dir, "staging", "staging-1", { now: at });
    const expected = {
      pid: process.pid,
      host: hostname(),
      startedAt: "2026-11-30T16:00:00.000Z",
      runId: "staging-1",
      checklist: "staging",
    };
    expect(held.info).toEqual(expected);
    expect(readLock(lockPath(dir, "staging"))).toEqual(expected);
    held.release();
  });

  it("a live pid whose stat cannot be read still carries this boot", () => {
    os.files.set(`/proc/${process.pid}/stat`, errno("EACCES", "open"));
    expect(probeProcess(process.pid)).toEqual({ alive: true, boot: realBoot() });
  });

  it("an empty boot id is no boot id; the boot id is read without its newline", () => {
    os.files.set("/proc/sys/kernel/random/boot_id", "  \n");
    expect(probeProcess(process.pid)).not.toHaveProperty("boot");
    os.files.set("/proc/sys/kernel/random/boot_id", "b00t\n");
    expect(probeProcess(process.pid)).toMatchObject({ alive: true, boot: "b00t" });
  });

  const stat = (state: string, start: string | undefined) =>
    `4242 (x) ${[state, ...Array(18).fill("1"), ...(start === undefined ? [] : [start, "0", "0"])].join(" ")}\n`;
  it.each([
    ["state and start time", stat("S", "123"), { state: "S", start: "123" }],
    ["a zombie", stat("Z", "9"), { state: "Z", start: "9" }],
    ["a start time ending in a letter", stat("S", "12a"), undefined],
    ["a start time starting with a letter", stat("S", "a12"), undefined],
    ["no state", stat("", "123"), undefined],
    ["no start time (cut short)", stat("S", undefined), undefined],
    ["nothing after the name", "4242 (x)", undefined],
  ])("procStat of a stat with %s", (_what, text, expected) => {
    os.files.set("/proc/4242/stat", text);
    expect(procStat(4242)).toEqual(expected);
  });

  it("a pid of another user (EPERM) is alive; one that does not exist (ESRCH) is not", () => {
    const kill = vi.spyOn(process, "kill");
    kill.mockImplementation(() => {
      throw errno("EPERM", "kill");
    });
    expect(pidAlive(4242)).toBe(true);
    kill.mockImplementation(() => {
      throw errno("ESRCH", "kill");
    });
    expect(pidAlive(4242)).toBe(false);
    expect(kill.mock.calls).toEqual([
      [4242, 0],
      [4242, 0],
    ]);
  });
});

describe("lock files the lock cannot use", () => {
  it("refuses a locks directory that is a file, and a lock that is a directory, naming what it expected", () => {
    writeFileSync(join(dir, "locks"), "");
    const noDir = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(noDir.message).toBe(
      `${join(dir, "locks")} is not a directory; deploycheck expected the locks directory there`,
    );
    rmSync(join(dir, "locks"));
    mkdirSync(lockPath(dir, "staging"), { recursive: true });
    const isDir = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(isDir.message).toBe(
      `${lockPath(dir, "staging")} is not a regular file; deploycheck refuses to use it as the lock file`,
    );
    expect(readdirSync(join(dir, "locks"))).toEqual(["staging.lock"]);
  });

  it("refuses a link planted at the name of its temporary file, without writing through it", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5); // 0.5 is 0.8 in hex: the temporary file ends .8.tmp
    mkdirSync(join(dir, "locks"));
    const tmp = `${lockPath(dir, "staging")}.${process.pid}.8.tmp`;
    const victim = join(dir, "victim");
    writeFileSync(victim, "keep");
    symlinkSync(victim, tmp);
    const err = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(err.message).toBe(
      `${tmp} is a symbolic link; deploycheck does not follow links in its state directory`,
    );
    expect(err.hint).toBe(
      "The lock file was replaced by a link (by someone or something else). Replace it with the real file, or move its run directory out of the state directory, and try again.",
    );
    expect(readFileSync(victim, "utf8")).toBe("keep");
    expect(readdirSync(join(dir, "locks")).sort()).toEqual([`staging.lock.${process.pid}.8.tmp`]);
  });

  it("closes every file it opens (taking, taking over, updating, releasing)", () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    acquireLock(dir, "staging", "stale", { pid: 4194304, now: at });
    const held = acquireLock(dir, "staging", "r", { now: at });
    expect(held.takenOver).toMatchObject({ runId: "stale", why: "pid 4194304 is not running" });
    held.update("r2");
    expect(readLock(lockPath(dir, "staging"))?.runId).toBe("r2");
    held.release();
    expect(fds()).toBe(before);
  });

  it("says why it cannot create the lock when the file system refuses the link, and leaves no file", () => {
    const file = lockPath(dir, "staging");
    const refusal = errno("EPERM", "link");
    os.link = (target) => (target === file ? refusal : undefined);
    const err = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(err.message).toBe(`cannot create the lock ${file}: EPERM: injected, link`);
    expect(err.cause).toBe(refusal);
    expect(readdirSync(join(dir, "locks"))).toEqual([]);
  });
});

describe("tries, waits and races (fake clock: each Date.now is a second later)", () => {
  it("a lock that vanishes on every read is tried 8 times and then for 5 s, then refused", () => {
    const file = lockPath(dir, "staging");
    os.link = (target) => (target === file ? errno("EEXIST", "link") : undefined);
    secondPerCall();
    const err = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(err.message).toBe(`could not take the lock ${file}`);
    expect(err.hint).toBe("Another deploycheck run of this checklist is starting at the same time.");
    // Tries 0-7 without the clock; then 1 s, 2 s, 3 s, 4 s after the start; at 5 s it stops.
    expect(os.links.filter((t) => t === file)).toHaveLength(12);
  });

  it("waits for a live taker holding the marker (1, 2, 4 ... 50 ms), never takes over under it, then names the holder", () => {
    const file = lockPath(dir, "staging");
    acquireLock(dir, "staging", "stale", { pid: 4194304, now: at });
    const text = readFileSync(file, "utf8");
    const marker = `${file}.takeover-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
    const taker = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      startedAt: "x",
      runId: "taker",
      checklist: "staging",
    });
    writeFileSync(marker, taker);
    secondPerCall();
    const waits: number[] = [];
    vi.spyOn(Atomics, "wait").mockImplementation((_a, _i, _v, ms) => {
      waits.push(ms ?? -1);
      return "timed-out";
    });
    const err = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(err.message).toBe(
      `run stale of staging is held by pid 4194304 on host ${hostname()} since 2026-11-30T16:00:00.000Z`,
    );
    expect(err.hint).toBe("Another deploycheck run of this checklist is starting at the same time.");
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 50, 50, 50, 50, 50, 50]);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(readFileSync(marker, "utf8")).toBe(taker);
  });

  it("does not take over a lock replaced by a live holder between its read and its marker", () => {
    const file = lockPath(dir, "staging");
    acquireLock(dir, "staging", "stale", { pid: 4194304, now: at });
    const live = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-11-30T15:00:00.000Z", runId: "other", checklist: "staging" })}\n`;
    // Another taker finishes its takeover just as we get the marker.
    os.afterLink = (target) => {
      if (target.includes(".takeover-")) writeFileSync(file, live);
    };
    const err = caught(() => acquireLock(dir, "staging", "r", { now: at }));
    expect(err.message).toBe(
      `run other of staging is held by pid ${process.pid} on host ${hostname()} since 2026-11-30T15:00:00.000Z`,
    );
    expect(err.hint).toBe("Wait for that run to finish, or stop it (Ctrl-C) and resume it here.");
    expect(readFileSync(file, "utf8")).toBe(live);
    expect(readdirSync(join(dir, "locks"))).toEqual(["staging.lock"]); // the marker is gone
  });
});
