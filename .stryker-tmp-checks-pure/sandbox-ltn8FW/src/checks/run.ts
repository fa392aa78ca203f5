// @ts-nocheck
// The `run` step kind: a bash command in its own process group, judged by exit code and expected
// output. On timeout or Ctrl-C the whole group (grandchildren included) is stopped before returning.
import { existsSync, statSync } from "node:fs";
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
import { REDACTED } from "../redact.js";
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
import {
  groupAlive,
  groupIdentity,
  groupMembers,
  markedProcesses,
  newMarker,
  type ProcessInfo,
  STEP_MARKER_VAR,
  signalGroup,
  stopGroup,
  stopProcesses,
} from "./process-group.js";
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

  // Redacted as a cut piece when the output was longer than the buffer and the tail reaches its start.
  const tailCut = result.truncated && result.all.replace(/\r?\n$/, "").split(/\r?\n/).length <= TAIL_LINES;
  const tail = ctx.redact.fragment(lastLines(result.all, TAIL_LINES), { start: tailCut });
  const details: Record<string, unknown> = {
    // The checklist's text, with its ${references}: never a value.
    command: ctx.redact(spec.command),
    cwd,
    exitCode: result.exitCode,
    durationMs,
  };
  if (result.signal) details["signal"] = result.signal;
  if (result.truncated) details["outputTruncated"] = true;
  // What the step left behind, so the record never hides a process that is still running.
  const named = (ps: ProcessInfo[]) => ps.map((p) => ({ pid: p.pid, command: ctx.redact(p.command) }));
  if (result.strays.length) details["strayProcesses"] = named(result.strays);
  if (result.survivors.length) details["notStopped"] = named(result.survivors);
  if (result.pipesForcedOpen) details["outputHeldOpen"] = true;
  const extra: Partial<StepOutcome> = { details, ...(tail ? { output: tail } : {}) };

  const outcome = judge(spec, result, ctx, started, durationMs, cwd, extra);
  let note = "";
  if (result.survivors.length) {
    const left = result.survivors.map((p) => `${p.pid} (${p.command})`).join(", ");
    note += `; could not stop ${result.survivors.length === 1 ? "process" : "processes"} ${left}`;
  }
  if (result.pipesForcedOpen)
    note += "; its output was held open by a process it could not find (left running)";
  if (note) {
    outcome.summary += ctx.redact(note);
    if (outcome.error !== undefined) outcome.error += ctx.redact(note);
  }
  return outcome;
};

function judge(
  spec: RunSpec,
  result: SpawnResult,
  ctx: ExecContext,
  started: number,
  durationMs: number,
  cwd: string,
  extra: Partial<StepOutcome>,
): StepOutcome {
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
    // Redacted whole before it is cut for the summary: a cut secret would not be recognised.
    const shown = ctx.redact(value);
    summary += `, saved ${spec.saveAs}=${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
    outcome.saved = { [spec.saveAs]: value };
  }
  outcome.summary = ctx.redact(summary);
  return outcome;
}

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

/** The longest unfinished line kept for the live message; a longer one keeps its end only. */
const LIVE_LINE_LIMIT = 4096;
const LIVE_MESSAGE_MAX = 200;

/**
 * The complete lines of one output stream, for the live progress message. An unfinished line is never
 * shown (it may hold the first half of a secret whose second half has not arrived yet): only a line
 * whose end has arrived, assembled from every chunk it came in, and so redacted whole.
 */
export class LiveLines {
  private partial = "";
  /** The unfinished line lost its beginning (it grew over LIVE_LINE_LIMIT). */
  private partialCut = false;
  /** Inside a private key block. */
  private inKey = false;

  /** The latest non-blank complete line this chunk finished, if any; `cut` when its start was dropped. */
  push(chunk: string): { line: string; cut: boolean } | undefined {
    const lines = (this.partial + chunk).split(/\r?\n|\r/);
    const firstCut = this.partialCut;
    this.partial = lines.pop() ?? "";
    if (lines.length) this.partialCut = false;
    if (this.partial.length > LIVE_LINE_LIMIT) {
      this.partial = this.partial.slice(-LIVE_LINE_LIMIT);
      this.partialCut = true;
    }
    let latest: { line: string; cut: boolean } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      // The lines of a private key block are shown as [REDACTED], BEGIN and END lines included.
      const begins = KEY_BEGIN.test(line);
      if (begins) this.inKey = true;
      const masked = this.inKey;
      if (KEY_END.test(line)) this.inKey = false;
      if (line.trim() !== "") latest = { line: masked ? REDACTED : line, cut: i === 0 && firstCut };
    }
    return latest;
  }
}

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * A complete output line as the live message: redacted whole, then trimmed and cut to one short row.
 * A line is a piece of the output, and a secret with a newline in it spans lines: a line that is part
 * of a secret, or starts or ends with part of one, is masked as a cut piece would be.
 */
function liveMessage(latest: { line: string; cut: boolean }, ctx: ExecContext): string {
  const safe = ctx.redact.fragment(latest.line, { start: true, end: true }).trim();
  return safe.length > LIVE_MESSAGE_MAX ? `${safe.slice(0, LIVE_MESSAGE_MAX - 1)}…` : safe;
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
  /** Processes that had left the step's process group (setsid, daemons) and were stopped. */
  strays: ProcessInfo[];
  /** Processes of the step still running after SIGKILL (another user's, stuck in the kernel). */
  survivors: ProcessInfo[];
  /** The output pipes were closed by force while processes it could not find still held them. */
  pipesForcedOpen: boolean;
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

/** After bash exits, how long its output may stay open before whoever holds it counts as left behind. */
const PIPE_GRACE_MS = 300;

/**
 * bash waits for one line on fd 3 before it runs the command, so the runner can journal the process
 * group first (a kill -9 right after the spawn must not leave an unjournaled copy running). Without the
 * line (deploycheck died) it exits 125 having run nothing. `exec` keeps the pid, so the group is the
 * same; the command sees fd 3 closed and stdin on /dev/null as before. Not stdin: bash run with a
 * socket on stdin takes itself for an ssh session and reads ~/.bashrc.
 */
const GATE = 'IFS= read -r _ <&3 || exit 125; exec bash -c "$1" 3<&-';

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

async function spawnGroup(
  command: string,
  cwd: string,
  env: Record<string, string>,
  ctx: ExecContext,
): Promise<SpawnResult> {
  const { execa } = await loadExeca();
  // Every process the command starts inherits the marker, also those that leave the process group.
  const marker = newMarker();
  // No `cancelSignal`: on abort, stopAll below stops the whole process group (execa would only signal
  // bash), and execa's own abort wiring costs every step a few AbortErrors with their stack traces.
  let openGate: (go: boolean) => void = () => {};
  const gateOpened = new Promise<boolean>((resolve) => {
    openGate = resolve;
  });
  async function* gate() {
    if (await gateOpened) yield "\n";
  }
  const subprocess = execa("bash", ["-c", GATE, "bash", command], {
    cwd,
    env: { ...env, [STEP_MARKER_VAR]: marker },
    extendEnv: false,
    reject: false,
    stdio: ["ignore", "pipe", "pipe", gate()],
    buffer: false,
    // Its own process group, so that a timeout or Ctrl-C can stop every process the command started.
    detached: true,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  const all = new TailBuffer(OUTPUT_LIMIT);
  const stdout = new TailBuffer(STREAM_LIMIT);
  const stderr = new TailBuffer(STREAM_LIMIT);
  const onChunk = (into: TailBuffer) => {
    const live = new LiveLines();
    return (chunk: string) => {
      into.push(chunk);
      all.push(chunk);
      const latest = live.push(chunk);
      if (latest) ctx.progress.message(liveMessage(latest, ctx));
    };
  };
  subprocess.stdout?.setEncoding("utf8").on("data", onChunk(stdout));
  subprocess.stderr?.setEncoding("utf8").on("data", onChunk(stderr));

  let pipesClosed = false;
  const closed = new Promise<void>((resolve) => {
    let open = 0;
    const done = () => {
      if (--open > 0) return;
      pipesClosed = true;
      resolve();
    };
    for (const stream of [subprocess.stdout, subprocess.stderr]) {
      if (!stream || stream.destroyed) continue;
      open++;
      stream.once("close", done);
    }
    if (open === 0) done();
  });
  let pipesForcedOpen = false;
  const strays: ProcessInfo[] = [];
  const survivors: ProcessInfo[] = [];

  const pid = subprocess.pid;
  /**
   * Processes outside the group that carry the step's marker: stopped always (`all`, on timeout and
   * Ctrl-C) or only while they hold the output open (after bash exited). Then the pipes are closed,
   * whoever still holds them: the step ends whatever its children do.
   */
  const stopStrays = async (everything: boolean) => {
    if (!everything && pipesClosed) return;
    const found = markedProcesses(marker).filter((p) => !strays.some((s) => s.pid === p.pid));
    strays.push(...found);
    survivors.push(...(await stopProcesses(found, KILL_GRACE_MS)));
    if (!pipesClosed) await Promise.race([closed, pause(200)]);
    if (!pipesClosed) {
      pipesForcedOpen = true;
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    }
  };
  const stopGroupOf = async () => {
    if (pid === undefined) return;
    await stopGroup(pid, KILL_GRACE_MS);
    for (const p of groupMembers(pid)) if (!survivors.some((s) => s.pid === p.pid)) survivors.push(p);
  };
  const stops: Promise<void>[] = [];
  let abortedAt: number | undefined;
  const onAbort = () => {
    abortedAt = ctx.now();
    openGate(false);
    stops.push(stopGroupOf().then(() => stopStrays(true)));
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  // Background jobs left by the command would keep our pipes open (and the step running) forever.
  subprocess.once("exit", () => {
    stops.push(
      (async () => {
        if (pid !== undefined && groupAlive(pid)) await stopGroupOf();
        await Promise.race([closed, pause(PIPE_GRACE_MS)]);
        if (!pipesClosed) await stopStrays(false);
      })(),
    );
  });
  try {
    if (pid !== undefined) {
      installExitHook();
      liveGroups.add(pid);
      // Aborted while execa was loading: the listener above will never fire.
      if (ctx.signal.aborted) onAbort();
      else {
        try {
          await ctx.recordProcess?.(groupIdentity(pid, marker));
        } catch (err) {
          openGate(false);
          signalGroup(pid, "SIGKILL");
          await subprocess;
          throw err;
        }
        openGate(true);
      }
    } else {
      openGate(false);
      if (ctx.signal.aborted) onAbort();
    }
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
      strays,
      survivors,
      pipesForcedOpen,
    };
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    if (pid !== undefined) liveGroups.delete(pid);
  }
}
