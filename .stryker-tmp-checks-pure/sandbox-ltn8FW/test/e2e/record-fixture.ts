// @ts-nocheck
// A state dir as the runner leaves it, for the verify/export e2e suites: a signed-off run (journal,
// checklist copy, record.json signed with a key in a temp config dir) and an unfinished run.

import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { RunEvent } from "../../src/engine/events.js";
import { fold } from "../../src/engine/state.js";
import { finalizeRecord } from "../../src/record/finalize.js";
import { RUN_ID, type SampleOptions, sampleChecklist, sampleEvents } from "../unit/record/builders.js";

import { BIN, ROOT } from "./helpers/built.js";

export { BIN, ensureBuilt, ROOT } from "./helpers/built.js";
export const UNFINISHED_ID = "staging-20261126T080000Z-0b1c";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The config dir (signing key, trusted-keys) the CLI sees: the last fixture's, so its key is "your own key". */
let configHome: string | undefined;

export function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: {
        ...process.env,
        NO_COLOR: "1",
        CI: "1",
        ...(configHome ? { XDG_CONFIG_HOME: configHome } : {}),
        ...options.env,
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

async function writeRun(stateDir: string, id: string, events: RunEvent[]): Promise<string> {
  const dir = join(stateDir, "runs", id);
  await mkdir(dir, { recursive: true });
  const withId = events.map((e) => (e.type === "run-started" ? { ...e, runId: id } : e));
  await writeFile(join(dir, "journal.jsonl"), withId.map((e) => `${JSON.stringify(e)}\n`).join(""));
  await writeFile(join(dir, "checklist.yaml"), stringify(sampleChecklist()));
  return dir;
}

export interface StateFixture {
  stateDir: string;
  configDir: string;
  recordPath: string;
  fingerprint: string;
  publicKeyPath: string;
  otherPublicKeyPath: string;
}

export async function makeStateDir(
  root: string,
  options: SampleOptions & { secretValues?: string[] } = {},
): Promise<StateFixture> {
  const stateDir = join(root, "state");
  const configDir = join(root, "config", "deploycheck");
  configHome = join(root, "config");
  const events = sampleEvents(options);
  const dir = await writeRun(stateDir, RUN_ID, events);
  const { recordPath, fingerprint } = await finalizeRecord({
    runDir: dir,
    state: fold(events),
    checklist: sampleChecklist(),
    configDir,
    now: new Date("2026-11-26T07:00:00Z"),
    secrets: options.secretValues ?? [],
  });
  await writeRun(stateDir, UNFINISHED_ID, sampleEvents({ ...options, unfinished: true }));
  const other = generateKeyPairSync("ed25519");
  const otherPublicKeyPath = join(root, "other.pub.pem");
  await writeFile(otherPublicKeyPath, other.publicKey.export({ type: "spki", format: "pem" }));
  return {
    stateDir,
    configDir,
    recordPath,
    fingerprint,
    publicKeyPath: join(configDir, "signing-key.pub.pem"),
    otherPublicKeyPath,
  };
}
