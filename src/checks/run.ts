// The `run` step kind: a bash command in its own process group, judged by exit code and expected
// output. On timeout or Ctrl-C the whole group (grandchildren included) is stopped before returning.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describeRun } from "../checklist/describe.js";
import { isMutating } from "../checklist/kinds.js";
import type { NestedStep, RunStep, Step } from "../checklist/schema.js";
import {
  analyzeCommand,
  envNameFor,
  renderCommand,
  strictPatternProblem,
  valueFitsStrict,
} from "../checklist/shell-refs.js";
import { interpolate } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { InternalError } from "../errors.js";
import {
  dryRunOutcome,
  failure,
  formatDuration,
  lastLines,
  showRegex,
  stoppedOutcome,
  TailBuffer,
  userRegex,
} from "./format.js";
import type { ExecContext, Executor } from "./types.js";

// The describer is the pure one in checklist/describe.ts (shared with `show`).
export { describeRun as describe } from "../checklist/describe.js";

/** Combined output kept for the tail (the end is where errors are). */
const OUTPUT_LIMIT = 64 * 1024;
/** stdout/stderr kept for `expect` and `saveAs`. */
const STREAM_LIMIT = 1024 * 1024;
const TAIL_LINES = 40;
/** Time a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;

interface RunSpec {
  command: string;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  expect?: { exitCode?: number | number[] | undefined; stdout?: string; stderr?: string } | undefined;
  saveAs?: string | undefined;
}

function specOf(step: Step | NestedStep): RunSpec {
  const run: RunStep | undefined = step.run;
  if (run === undefined) throw new InternalError("run executor called for a step that is not a run step");
  return typeof run === "string" ? { command: run } : run;
}

function expectedCodes(spec: RunSpec): number[] {
  const code = spec.expect?.exitCode;
  return code === undefined ? [0] : Array.isArray(code) ? code : [code];
}

export const execute: Executor = async (step, ctx) => {
  const spec = specOf(step);
  if (ctx.dryRun && isMutating(step)) return dryRunOutcome(ctx.redact(describeRun(step, ctx.vars)));
  const prepared = prepareCommand(spec.command, ctx);
  if (typeof prepared === "string") return failure(ctx.redact(prepared));
  const cwd = path.resolve(ctx.cwd, spec.cwd ? interpolate(spec.cwd, ctx.vars, ctx.env) : ".");
  if (!isDirectory(cwd)) return failure(ctx.redact(`working directory ${cwd} does not exist`));
  if (ctx.signal.aborted) return failure("cancelled");

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
  // kubectl in a run step talks to the same cluster as the kube steps.
  if (ctx.kube.kubeconfig) env["KUBECONFIG"] = ctx.kube.kubeconfig;
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = interpolate(v, ctx.vars, ctx.env);
  // The values the command refers to, last so that nothing overrides them.
  Object.assign(env, prepared.env);
  const command = prepared.command;

  const started = ctx.now();
  const result = await spawnGroup(command, cwd, env, ctx);
  const durationMs = ctx.now() - started;

  const tail = ctx.redact(lastLines(result.all, TAIL_LINES));
  const details: Record<string, unknown> = {
    // The checklist's text, with its ${references}: never a value.
    command: ctx.redact(spec.command),
    cwd,
    exitCode: result.exitCode,
    durationMs,
  };
  if (result.signal) details["signal"] = result.signal;
  if (result.truncated) details["outputTruncated"] = true;
  const extra: Partial<StepOutcome> = { details, ...(tail ? { output: tail } : {}) };

  if (result.abortedAt !== undefined) return stoppedOutcome(ctx, started, result.abortedAt, extra);
  if (result.spawnError) return failure(ctx.redact(`could not start bash: ${result.spawnError}`), extra);

  const expected = expectedCodes(spec);
  if (result.exitCode === undefined) {
    return failure(`killed by ${result.signal ?? "a signal"} after ${formatDuration(durationMs)}`, extra);
  }
  if (!expected.includes(result.exitCode)) {
    const why =
      result.exitCode === 127 || result.exitCode === 126 ? notFound(result.stderr, cwd, result.exitCode) : "";
    const summary = why || `exit ${result.exitCode} (expected ${expected.join(" or ")})`;
    return failure(ctx.redact(summary), extra);
  }
  if (spec.expect?.stdout && !userRegex(spec.expect.stdout).test(result.stdout)) {
    return failure(ctx.redact(`stdout did not match ${showRegex(spec.expect.stdout)}`), extra);
  }
  if (spec.expect?.stderr && !userRegex(spec.expect.stderr).test(result.stderr)) {
    return failure(ctx.redact(`stderr did not match ${showRegex(spec.expect.stderr)}`), extra);
  }
  let summary = `exit ${result.exitCode} in ${formatDuration(durationMs)}`;
  const outcome: StepOutcome = { status: "passed", summary, ...extra };
  if (spec.saveAs) {
    const value = result.stdout.trim();
    summary += `, saved ${spec.saveAs}=${value.length > 60 ? `${value.slice(0, 57)}...` : value}`;
    outcome.saved = { [spec.saveAs]: value };
  }
  outcome.summary = ctx.redact(summary);
  return outcome;
};

/**
 * The command bash gets (references to environment variables, never values) and those variables; or why
 * the step must not run: a reference where no value can be data, or a value that does not match the
 * strict pattern that lets it stand where bash evaluates it.
 */
function prepareCommand(
  text: string,
  ctx: ExecContext,
): { command: string; env: Record<string, string> } | string {
  const analysis = analyzeCommand(text);
  const known = (ref: string) => ref.startsWith("env.") || Object.hasOwn(ctx.vars, ref);
  const env: Record<string, string> = {};
  for (const site of analysis.refs) {
    if (!known(site.ref)) continue;
    const value = site.ref.startsWith("env.") ? (ctx.env[site.ref.slice(4)] ?? "") : ctx.vars[site.ref]!;
    if (site.refused) return `\${${site.ref}} is in ${site.refused}: the step did not run`;
    if (site.unsafe) {
      const rule = site.ref.startsWith("env.") ? undefined : ctx.variables?.[site.ref];
      const pattern = rule?.pattern;
      const where = `it is used in ${site.unsafe.context}`;
      if (pattern === undefined || strictPatternProblem(pattern, site.unsafe.kind) !== undefined)
        return `\${${site.ref}} has no strict pattern and ${where}: the step did not run`;
      if (!valueFitsStrict(value, pattern, site.unsafe.kind)) {
        const shown = rule?.secret ? "****" : JSON.stringify(value);
        return `the value of \${${site.ref}} (${shown}) does not match its pattern ${pattern} (${where}, where bash evaluates it): the step did not run`;
      }
    }
    env[envNameFor(site.ref)] = value;
  }
  return { command: renderCommand(text, analysis, known), env };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Bash's own "not found" lines turned into what the engineer needs to know. */
function notFound(stderr: string, cwd: string, code: number): string {
  const re =
    /^(bash|.+?): (?:line (\d+): )?(.+?): (command not found|No such file or directory|Permission denied)$/m;
  const m = re.exec(stderr);
  if (!m) return "";
  const [, where, line, name, what] = m;
  const inScript = where !== "bash" ? ` (${where}${line ? ` line ${line}` : ""})` : "";
  if (what === "Permission denied" || code === 126) return `${name}: not executable (chmod +x?)${inScript}`;
  if (name!.includes("/")) return `${name}: not found in ${cwd}${inScript}`;
  return `${name}: command not found on PATH${inScript}`;
}

interface SpawnResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  all: string;
  truncated: boolean;
  /** When the step's signal aborted the command (undefined: it ran to its end). */
  abortedAt: number | undefined;
  spawnError: string | undefined;
}

/** Process groups still running, stopped if deploycheck itself exits while a step runs. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const pid of liveGroups) signalGroup(pid, "SIGKILL");
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of the group is still running. kill(-pgid, 0) also succeeds for zombies that
 * wait for a slow init to reap them, so on Linux /proc tells the living from the dead.
 */
function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== "linux") return true;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ExecaModule = typeof import("execa");
let execaModule: Promise<ExecaModule> | undefined;

/** execa, from the build's one-file bundle (scripts/bundle-execa.mjs) when there is one. */
function loadExeca(): Promise<ExecaModule> {
  execaModule ??= (async () => {
    const bundle = new URL("../vendor/execa.js", import.meta.url);
    if (bundle.protocol === "file:" && existsSync(fileURLToPath(bundle))) {
      return (await import(bundle.href)) as ExecaModule;
    }
    return import("execa");
  })();
  return execaModule;
}

/** SIGTERM the group, SIGKILL what is left after the grace period; resolves when the group is gone. */
async function stopGroup(pid: number): Promise<void> {
  if (!signalGroup(pid, "SIGTERM")) return;
  const deadline = Date.now() + KILL_GRACE_MS;
  while (Date.now() < deadline) {
    await pause(25);
    if (!groupAlive(pid)) return;
  }
  signalGroup(pid, "SIGKILL");
  for (let i = 0; i < 40 && groupAlive(pid); i++) await pause(25);
}

async function spawnGroup(
  command: string,
  cwd: string,
  env: Record<string, string>,
  ctx: ExecContext,
): Promise<SpawnResult> {
  const { execa } = await loadExeca();
  // No `cancelSignal`: on abort, stopGroup below stops the whole process group (execa would only signal
  // bash), and execa's own abort wiring costs every step a few AbortErrors with their stack traces.
  const subprocess = execa("bash", ["-c", command], {
    cwd,
    env,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    buffer: false,
    // Its own process group, so that a timeout or Ctrl-C can stop every process the command started.
    detached: true,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  const all = new TailBuffer(OUTPUT_LIMIT);
  const stdout = new TailBuffer(STREAM_LIMIT);
  const stderr = new TailBuffer(STREAM_LIMIT);
  let partial = "";
  const onChunk = (into: TailBuffer) => (chunk: string) => {
    into.push(chunk);
    all.push(chunk);
    const lines = (partial + chunk).split(/\r?\n|\r/);
    partial = lines.pop() ?? "";
    const latest = [...lines, partial].reverse().find((l) => l.trim() !== "");
    if (latest) ctx.progress.message(ctx.redact(latest.trim().slice(0, 200)));
  };
  subprocess.stdout?.setEncoding("utf8").on("data", onChunk(stdout));
  subprocess.stderr?.setEncoding("utf8").on("data", onChunk(stderr));

  const pid = subprocess.pid;
  const stops: Promise<void>[] = [];
  let abortedAt: number | undefined;
  const stop = () => {
    if (pid !== undefined) stops.push(stopGroup(pid));
  };
  const onAbort = () => {
    abortedAt = ctx.now();
    stop();
  };
  if (pid !== undefined) {
    installExitHook();
    liveGroups.add(pid);
  }
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  // Aborted while execa was loading: the listener above will never fire.
  if (ctx.signal.aborted) onAbort();
  // Background jobs left by the command would keep our pipes open (and the step running) forever.
  subprocess.once("exit", () => {
    if (pid !== undefined && groupAlive(pid)) stop();
  });
  try {
    const result = await subprocess;
    await Promise.all(stops);
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      all: all.text(),
      truncated: all.truncated,
      abortedAt: ctx.signal.aborted ? (abortedAt ?? ctx.now()) : undefined,
      spawnError:
        result.failed && result.exitCode === undefined && !result.signal ? result.shortMessage : undefined,
    };
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    if (pid !== undefined) liveGroups.delete(pid);
  }
}
