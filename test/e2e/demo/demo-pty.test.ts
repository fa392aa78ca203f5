// `deploycheck demo` in a pseudo-terminal: answered by keystrokes, interrupted with Ctrl-C during the
// extended-monitoring watch, resumed (the watch continues where it stopped), signed off.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ensureBuilt } from "../record-fixture.js";
import { answerUntil, TmuxSession } from "./tmux.js";

let root: string;
let tmux: TmuxSession | undefined;
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-demo-pty-"));
});
afterAll(async () => {
  tmux?.kill();
  await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

const events = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; key?: string });

async function journal(workspace: string): Promise<string> {
  const runs = join(workspace, ".deploycheck", "runs");
  if (!existsSync(runs)) return "";
  const [id] = await readdir(runs);
  return id ? readFile(join(runs, id, "journal.jsonl"), "utf8").catch(() => "") : "";
}

describe("deploycheck demo (interactive, in a pseudo-terminal)", () => {
  it("is interrupted during the watch, resumed, and signed off", async () => {
    execFileSync("tmux", ["-V"]);
    const workspace = join(root, "ws");
    tmux = TmuxSession.start(root, {
      NO_COLOR: "1",
      XDG_CONFIG_HOME: join(root, "config"),
      HOME: root,
      HISTFILE: "/dev/null",
    });
    const command = `env -u CI ${process.execPath} ${BIN} demo --workspace ${workspace} --watch 6s --var gateInterval=100ms`;
    tmux.type(`${command}; echo "EXIT=$?"`);

    // Answer everything up to the watch, then press Ctrl-C once its first round is journaled.
    let roundJournaled = false;
    await answerUntil(
      tmux,
      (screen) => {
        if (!screen.includes("[17/23] Extended Monitoring")) return false;
        void journal(workspace).then((j) => {
          roundJournaled = j.includes('"watch-round"');
        });
        return roundJournaled;
      },
      90_000,
    );
    tmux.key("C-c");
    const stopped = await answerUntil(tmux, (s) => /EXIT=\d+/.test(s), 20_000);
    expect(stopped).toContain("EXIT=130");
    expect(stopped).toContain(`Resume it with: deploycheck demo --workspace ${workspace}`);
    const interrupted = events(await journal(workspace));
    expect(interrupted).toContainEqual(
      expect.objectContaining({ type: "step-interrupted", key: "extended-monitoring/watch" }),
    );
    expect(interrupted.filter((e) => e.type === "watch-round").length).toBeGreaterThanOrEqual(1);
    expect(interrupted.map((e) => e.type)).not.toContain("signoff");

    // Run the demo again: it offers to resume (Enter = resume), the watch continues, then the sign-off.
    tmux.type("clear");
    tmux.type(`${command}; echo "EXIT=$?"`);
    const finished = await answerUntil(tmux, (s) => /EXIT=\d+/.test(s), 90_000);
    expect(finished).toMatch(/Resume it/);
    expect(finished).toMatch(/rounds \d-4 of 4 passed \(continued after round \d\)/);
    expect(finished).toContain("Deployment signed off as ready.");
    expect(finished).toContain("EXIT=0");
    const types = events(await journal(workspace)).map((e) => e.type);
    expect(types).toContain("run-resumed");
    expect(types.at(-1)).toBe("run-finished");
    expect(types).toContain("signoff");
  }, 200_000);
});
