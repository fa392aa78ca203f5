// Shared by the team-state end-to-end suites: engineers (each a separate HOME, config, cache and state
// dir), the built CLI spawned as their process, waiting on a condition, and a seeded random source.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type KubeSandbox, startKubeSandbox } from "../../../src/sandbox/kube-server.js";
import { BIN, ensureBuilt, ROOT } from "./built.js";

export interface Engineer {
  name: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * An engineer with their own HOME under `root`, the given checklists in ./checklists and an answers file
 * whose signoff/engineer (the session's engineer) is $USER when extraEnv sets it, else `name`.
 */
export function engineer(
  root: string,
  name: string,
  kubeconfig: string,
  checklists: Record<string, string>,
  extraEnv: NodeJS.ProcessEnv = {},
): Engineer {
  const home = join(root, name);
  const cwd = join(home, "work");
  mkdirSync(join(cwd, "checklists"), { recursive: true });
  for (const [file, text] of Object.entries(checklists)) writeFileSync(join(cwd, "checklists", file), text);
  writeFileSync(
    join(cwd, "answers.yaml"),
    `signoff/engineer: ${extraEnv["USER"] ?? name}\nsignoff/ready: yes\nsignoff/notes: ''\nsignoff/blockers: ''\n`,
  );
  return {
    name,
    cwd,
    env: {
      PATH: process.env["PATH"],
      HOME: home,
      USER: name,
      SHLVL: "1",
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      KUBECONFIG: kubeconfig,
      CI: "1",
      NO_COLOR: "1",
      ...extraEnv,
    },
  };
}

export type Cli = ChildProcess & { result: Promise<{ code: number | null; out: string }>; out(): string };

/** The built CLI as one of `who`'s processes; stdout and stderr together in `out`. */
export function cli(who: Engineer, args: string[]): Cli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: who.cwd,
    env: who.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const result = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, out })),
  );
  return Object.assign(child, { result, out: () => out });
}

export async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The seed of this test file's random choices: SEED=... replays one; printed by the tests that use it. */
export function seedFromEnv(): number {
  return Number(process.env["SEED"] ?? Date.now() % 1_000_000);
}

/** mulberry32: a small seeded PRNG, floats in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Racer {
  child: ChildProcess;
  /** The next JSON line it printed. */
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
}

/**
 * An engineer's long-lived process that takes the team lease of `checklist` with the built code
 * (helpers/lease-racer.mjs) when told `race <n> <delayMs>`, and lets go on `release <n>`. Its first line
 * is {"ready":true,"pid":...}.
 */
export function racer(who: Engineer, checklist: string, namespace: string): Racer {
  const child = spawn(
    process.execPath,
    [join(ROOT, "test/e2e/helpers/lease-racer.mjs"), join(ROOT, "dist"), checklist, namespace, who.name],
    { cwd: who.cwd, env: who.env, stdio: ["pipe", "pipe", "inherit"] },
  );
  const queue: Record<string, unknown>[] = [];
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const value = JSON.parse(line) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(value);
    else queue.push(value);
  });
  return {
    child,
    next: () => {
      const v = queue.shift();
      return v ? Promise.resolve(v) : new Promise((r) => waiting.push(r));
    },
    send: (line) => child.stdin!.write(`${line}\n`),
  };
}

export interface TeamSandbox {
  /** A temp dir for the suite's engineers and files. */
  root: string;
  sandbox: KubeSandbox;
  kubeconfig: string;
}

/** A simulated cluster with the team namespace, its kubeconfig in a new temp dir; the built CLI up to date. */
export async function startTeamSandbox(prefix: string, namespace: string): Promise<TeamSandbox> {
  ensureBuilt();
  const root = mkdtempSync(join(tmpdir(), prefix));
  const sandbox = await startKubeSandbox({ rolloutStepMs: 20 });
  const kubeconfig = await sandbox.writeKubeconfig(join(root, "kubeconfig"));
  sandbox.createNamespace(namespace);
  return { root, sandbox, kubeconfig };
}

export async function stopTeamSandbox(team: Partial<TeamSandbox>): Promise<void> {
  await team.sandbox?.close();
  if (team.root) rmSync(team.root, { recursive: true, force: true });
}
