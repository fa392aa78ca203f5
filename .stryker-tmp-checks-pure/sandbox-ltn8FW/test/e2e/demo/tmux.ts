// @ts-nocheck
// Drive the CLI in a real pseudo-terminal: a tmux server on a private socket (-L), one session with a
// plain bash, keystrokes in, the screen read back. Cleaned up by kill().
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export class TmuxSession {
  private constructor(
    private readonly socket: string,
    private readonly name: string,
    /** TMUX_TMPDIR: the socket lives in this directory, so removing it removes the socket too. */
    private readonly socketDir: string,
  ) {}

  static start(
    cwd: string,
    env: Record<string, string>,
    socketDir = cwd,
    size: { columns?: number; rows?: number } = {},
  ): TmuxSession {
    const socket = `dc-demo-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    const session = new TmuxSession(socket, "demo", socketDir);
    // A long scrollback, so that a whole run can be read back.
    const conf = join(socketDir, `${socket}.conf`);
    writeFileSync(conf, "set -g history-limit 50000\n");
    const columns = String(size.columns ?? 150);
    const rows = String(size.rows ?? 45);
    const args = ["-f", conf, "new-session", "-d", "-s", "demo", "-x", columns, "-y", rows, "-c", cwd];
    execFileSync("tmux", ["-L", socket, ...args, "bash --norc --noprofile"], {
      env: { ...process.env, ...env, TMUX_TMPDIR: socketDir },
    });
    return session;
  }

  /** The screen and scrollback as the terminal shows it: one string per row, wrapped rows apart. */
  rows(): string[] {
    return this.tmux(["capture-pane", "-p", "-t", this.name, "-S", "-50000"]).split("\n");
  }

  private tmux(args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], {
      encoding: "utf8",
      env: { ...process.env, TMUX_TMPDIR: this.socketDir },
    });
  }

  /** Type text literally, then optionally press Enter. */
  type(text: string, enter = true): void {
    this.tmux(["send-keys", "-t", this.name, "-l", text]);
    if (enter) this.tmux(["send-keys", "-t", this.name, "Enter"]);
  }

  key(name: string): void {
    this.tmux(["send-keys", "-t", this.name, name]);
  }

  /** The visible screen plus some scrollback, joined lines. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-t", this.name, "-S", "-300"]);
  }

  kill(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Answer every prompt that appears (yes to confirmations, Enter on selections, a short text otherwise)
 * until `done(screen)` holds. Returns the screen at that point.
 */
export async function answerUntil(
  tmux: TmuxSession,
  done: (screen: string) => boolean,
  timeoutMs: number,
  text = "ok",
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let answered = "";
  for (;;) {
    const screen = tmux.screen();
    if (done(screen)) return screen;
    if (Date.now() > deadline)
      throw new Error(`timed out; the screen was:\n${screen.split("\n").slice(-40).join("\n")}`);
    const lines = screen.split("\n").filter((l) => l.trim() !== "");
    const tail = lines.slice(-16);
    const q = tail
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.startsWith("? "))
      .at(-1);
    // A prompt is waiting when its question is among the last lines and we have not answered it yet.
    const id = q ? `${lines.length}:${q.l}` : "";
    if (q && id !== answered) {
      const after = tail.slice(q.i + 1);
      // A question wider than the terminal wraps: its "(y/N)" may be on a later row.
      const question = [q.l, ...after].join(" ");
      if (after.some((l) => l.includes("❯"))) tmux.key("Enter");
      else if (/\((?:y\/N|Y\/n)\)\s*$/.test(question)) tmux.type("y");
      else tmux.type(text);
      answered = id;
    }
    await sleep(150);
  }
}
