// @ts-nocheck
// The commands the CLI prints for the user to type next, and a way to run one exactly as printed:
// through bash, from the directory the user is in, with `deploycheck` on PATH (a shim to the built CLI).
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { BIN } from "./built.js";

/**
 * Every printed command: an indented line starting with `deploycheck ` (or `cd `/`export `), with the
 * lines it continues with a trailing backslash joined back as bash would. Commands inside prose are
 * not commands the user can paste, and the CLI does not print them that way.
 */
export function suggestedCommands(text: string, words = ["deploycheck"]): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  const start = new RegExp(`^\\s+(?:${words.join("|")}) `);
  for (let i = 0; i < lines.length; i++) {
    if (!start.test(lines[i]!)) continue;
    let command = lines[i]!.trim();
    while (command.endsWith("\\") && i + 1 < lines.length) {
      command = `${command.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    }
    out.push(command);
  }
  return out;
}

/** A directory with a `deploycheck` that runs the built CLI, to put first on PATH. */
export function deploycheckShim(dir: string): string {
  const bin = join(dir, "shim-bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "deploycheck"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
  );
  chmodSync(join(bin, "deploycheck"), 0o755);
  return bin;
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `script` (commands as printed, one per line) in bash from `cwd`, `deploycheck` on PATH. */
export function runAsPrinted(
  script: string,
  options: { cwd: string; shimDir: string; env?: Record<string, string | undefined> },
): Promise<ShellResult> {
  return new Promise((done, fail) => {
    const child = spawn("bash", ["--norc", "--noprofile", "-e", "-c", script], {
      cwd: options.cwd,
      env: {
        ...process.env,
        NO_COLOR: "1",
        ...options.env,
        PATH: `${deploycheckShim(options.shimDir)}${delimiter}${options.env?.["PATH"] ?? process.env["PATH"]}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
