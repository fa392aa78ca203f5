// @ts-nocheck
// Helpers for the engine's end-to-end suites: temp workspaces, the built CLI as a child process, and
// a tmux pseudo-terminal (private socket per test) to drive interactive runs with keystrokes.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BIN } from "../helpers/built.js";

export { BIN, ensureBuilt, ROOT } from "../helpers/built.js";

export interface Workspace {
  dir: string;
  stateDir: string;
  env: Record<string, string>;
  file(name: string, text: string): string;
  read(name: string): string;
  cleanup(): void;
}

/** A temp dir with its own state dir and config dir (signing key), never the user's. */
export function workspace(prefix = "dc-e2e-"): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    DEPLOYCHECK_STATE_DIR: join(dir, "state"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  return {
    dir,
    stateDir: join(dir, "state"),
    env,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    read(name) {
      return readFileSync(join(dir, name), "utf8");
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion (non-interactive: stdin is not a TTY). */
export function cli(
  ws: Workspace,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ws.dir,
      env: { ...ws.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** Start the CLI in its own process group (so a kill -9 of the group takes its children too). */
export function spawnCli(ws: Workspace, args: string[]): ChildProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ws.dir,
    env: ws.env,
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return Object.assign(child, { exited });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitUntil(
  what: string,
  test: () => boolean,
  timeoutMs = 20_000,
  everyMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A process is alive if it exists and is not a zombie waiting for an init that may never reap it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return process.platform !== "linux";
  }
}

/** A tmux session on a private socket: a real pseudo-terminal for the CLI. */
export class Tmux {
  private readonly socket = `dc-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  constructor(private readonly ws: Workspace) {}

  private tmux(args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8", env: { ...this.ws.env } });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  /** Start `deploycheck args` in the pane; its exit code goes to `exit-code` in the workspace. */
  start(args: string[], name = "exit-code"): void {
    rmSync(join(this.ws.dir, name), { force: true });
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    const script = `cd '${this.ws.dir}' && ${quoted}; echo $? > '${join(this.ws.dir, name)}'; sleep 600`;
    this.tmux(["new-session", "-d", "-s", "main", "-x", "160", "-y", "50", "bash", "-c", script]);
  }

  screen(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-t", "main", "-S", "-400"]);
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 20_000): Promise<string> {
    let text = "";
    try {
      await waitUntil(
        `${pattern} on screen`,
        () => {
          text = this.screen();
          return typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
        },
        timeoutMs,
        50,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- screen ---\n${text}`);
    }
    return text;
  }

  /** Type text (literally), then optionally press keys such as Enter or C-c. */
  type(text: string): void {
    if (text) this.tmux(["send-keys", "-t", "main", "-l", text]);
  }
  keys(...keys: string[]): void {
    this.tmux(["send-keys", "-t", "main", ...keys]);
  }
  answer(text: string): void {
    this.type(text);
    this.keys("Enter");
  }

  async exitCode(name = "exit-code", timeoutMs = 20_000): Promise<number> {
    const file = join(this.ws.dir, name);
    await waitUntil(
      `exit of the CLI (${name})`,
      () => existsSync(file) && readFileSync(file, "utf8").trim() !== "",
      timeoutMs,
    );
    return Number(readFileSync(file, "utf8").trim());
  }

  /** Pid of the process running in the pane's shell (the CLI), if any. */
  panePid(): number {
    return Number(this.tmux(["display-message", "-p", "-t", "main", "#{pane_pid}"]).trim());
  }

  kill(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}

export function journalEvents(stateDir: string, runId: string): Array<Record<string, unknown>> {
  const text = readFileSync(join(stateDir, "runs", runId, "journal.jsonl"), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export function onlyRunId(stateDir: string): string {
  const ids = readdirSafe(join(stateDir, "runs"));
  if (ids.length !== 1) throw new Error(`expected one run, found ${ids.join(", ") || "none"}`);
  return ids[0]!;
}

export function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
