// @ts-nocheck
// `deploycheck demo` in a 60-column pseudo-terminal: answered by keystrokes, laid out without a word cut
// by the terminal's wrap, the watch's counters visible on its live line; interrupted with Ctrl-C
// during the extended-monitoring watch; resumed with the command it printed, piped through `tee` (it
// still asks the person at the terminal, the engineer included), and signed off.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploycheckShim, suggestedCommands } from "../helpers/suggested.js";
import { ensureBuilt } from "../record-fixture.js";
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
    .map((l) => JSON.parse(l) as { type: string; key?: string; engineer?: string });

async function journal(workspace: string): Promise<string> {
  const runs = join(workspace, ".deploycheck", "runs");
  if (!existsSync(runs)) return "";
  const [id] = await readdir(runs);
  return id ? readFile(join(runs, id, "journal.jsonl"), "utf8").catch(() => "") : "";
}

const COLUMNS = 60;

/**
 * Rows the terminal wrapped in the middle of a word: a row filled to the last column that ends in a
 * letter or digit, continued by a row that starts with one. (deploycheck writes at most COLUMNS-1.)
 */
function midWordWraps(rows: string[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const row = rows[i]!;
    if (stringWidth(row) >= COLUMNS && /[\p{L}\p{N}]$/u.test(row) && /^[\p{L}\p{N}]/u.test(rows[i + 1]!)) {
      bad.push(`${row}⏎${rows[i + 1]}`);
    }
  }
  return bad;
}

describe("deploycheck demo (interactive, in a 60-column pseudo-terminal)", () => {
  it("lays out at 60 columns, is interrupted during the watch, resumed as printed through tee, and signed off", async () => {
    execFileSync("tmux", ["-V"]);
    const workspace = join(root, "ws");
    const shim = deploycheckShim(root);
    tmux = TmuxSession.start(
      root,
      {
        NO_COLOR: "1",
        XDG_CONFIG_HOME: join(root, "config"),
        HOME: root,
        HISTFILE: "/dev/null",
        PATH: `${shim}${delimiter}${process.env["PATH"]}`,
      },
      root,
      { columns: COLUMNS, rows: 30 },
    );
    tmux.type("unset CI GITHUB_ACTIONS; set -o pipefail; PS1='$ '; clear");
    tmux.type('W="--watch 6s --var gateInterval=100ms"');
    tmux.type('deploycheck demo --workspace ws $W; echo "EXIT=$?"');

    // Answer everything up to the watch, then press Ctrl-C once its first round is journaled.
    let roundJournaled = false;
    let counters = "";
    await answerUntil(
      tmux,
      (screen) => {
        if (!screen.includes("[17/23] Extended Monitoring")) return false;
        // The live line keeps the round count and the time left, even at 60 columns.
        const live = screen
          .split("\n")
          .reverse()
          .find((l) => /round \d\/4, \d+s left/.test(l));
        if (live) counters = live;
        void journal(workspace).then((j) => {
          roundJournaled = j.includes('"watch-round"');
        });
        return roundJournaled && counters !== "";
      },
      120_000,
    );
    expect(counters).toMatch(/^ {2}\S /);
    expect(stringWidth(counters)).toBeLessThan(COLUMNS);
    tmux.key("C-c");
    await answerUntil(tmux, (s) => /EXIT=\d+/.test(s), 20_000);
    const rows = tmux.rows();
    const first = rows.join("\n");
    expect(first).toContain("EXIT=130");
    expect(midWordWraps(rows)).toEqual([]);
    expect(first).not.toContain("✔ note:");

    // The command it printed on Ctrl-C (the same as in its header), run as printed, through tee.
    const printed = [...new Set(suggestedCommands(first))];
    expect(printed).toEqual([
      `deploycheck demo --workspace ${workspace} --watch 6s --var gateInterval=100ms --resume`,
    ]);
    const interrupted = events(await journal(workspace));
    expect(interrupted).toContainEqual(
      expect.objectContaining({ type: "step-interrupted", key: "extended-monitoring/watch" }),
    );
    expect(interrupted.map((e) => e.type)).not.toContain("signoff");

    tmux.type("clear");
    tmux.type(`${printed[0]} | tee log; echo "EXIT=$?"`);
    const finished = await answerUntil(tmux, (s) => /EXIT=\d+/.test(s), 120_000, "Pat Pty");
    expect(finished).toContain("EXIT=0");
    // Asked at the terminal although stdout is a pipe: the engineer too.
    expect(finished).toMatch(/✔ Engineer: Pat Pty/);
    const log = await readFile(join(root, "log"), "utf8");
    expect(log).toMatch(/rounds \d-4 of 4 passed \(continued after round \d\)/);
    expect(log).toContain("Deployment signed off as ready.");
    const all = events(await journal(workspace));
    expect(all.map((e) => e.type)).toContain("run-resumed");
    expect(all.at(-1)?.type).toBe("run-finished");
    expect(all.find((e) => e.type === "signoff")?.engineer).toBe("Pat Pty");
  }, 300_000);
});
