// Starting and resuming runs from the command line: find and load the checklist, take the lock, create
// or reopen the run's journal, wire the real ports (terminal, clock, file journal, check registry) and
// hand over to the runner. Ctrl-C aborts the running step; the journal is always left whole.
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { findChecklist } from "../checklist/find.js";
import { isMutating as isMutatingStep } from "../checklist/kinds.js";
import { type LoadedChecklist, loadChecklist } from "../checklist/load.js";
import type { Checklist } from "../checklist/schema.js";
import { parseVarFlags, references, resolveVars, shellQuote } from "../checklist/vars.js";
import { walkSteps } from "../checklist/walk.js";
import { loadCheck } from "../checks/registry.js";
import type { KubeSettings } from "../checks/types.js";
import { type Answers, missingAnswers, parseAnswers, SIGNOFF_KEYS } from "../engine/answers.js";
import { EVENT_VERSION, type RunEvent, type RunStartedEvent } from "../engine/events.js";
import type { Clock, Notifier, Output, Prompter, RunnerPorts } from "../engine/ports.js";
import { type NotifyOn, type RunSession, runChecklist } from "../engine/runner.js";
import { fold, isFinal, type RunState } from "../engine/state.js";
import { changedSteps, stepHashes } from "../engine/step-hash.js";
import {
  compareVars,
  describeVarChanges,
  stepsAffectedByVars,
  type VarChange,
} from "../engine/var-change.js";
import { InterruptedError, StateError, UsageError } from "../errors.js";
import { createRedactor, REDACTED, redactDeep } from "../redact.js";
import { sanitizeLine } from "../sanitize.js";
import { unchainedError } from "../store/journal.js";
import { syncRun } from "../store/kubernetes/sync.js";
import { TeamJournal } from "../store/kubernetes/team-journal.js";
import { acquireLock, type HeldLock } from "../store/lock.js";
import {
  checklistOfRunId,
  checkRunId,
  createRunDir,
  type DamagedRun,
  type FileJournal,
  JOURNAL_FILE,
  listUnfinishedRuns,
  loadRun,
  newRunId,
  openFileJournal,
  readChecklistCopy,
  type StoredRun,
  saveChecklistCopy,
} from "../store/runs.js";
import { compareSecrets, saveSecretFingerprints } from "../store/secret-fingerprints.js";
import { longTimeout } from "../timers.js";
import { type GitHubActionsOutput, githubActionsOutput, inGitHubActions } from "../ui/github-actions.js";
import { createTerminalOutput } from "../ui/progress.js";
import { createTerminalPrompter } from "../ui/prompter.js";
import { colorWanted, createTheme } from "../ui/theme.js";
import { type GlobalOptions, isInteractive, promptStream, stateDir } from "./options.js";
import { settleStepsInFlight } from "./steps-in-flight.js";
import { TeamContext, teamTarget } from "./team.js";
import { VERSION } from "./version.js";

export interface RunCommandOptions extends GlobalOptions {
  /** resume: the run to resume (else the most recent unfinished one). */
  runId?: string;
}

/** What the engineer types next: resume this run, export its report. */
export interface FollowUpCommands {
  resume: string;
  report: string;
}

/** Options of a session started by another command (the demo prints its own follow-up commands). */
export interface SessionOptions extends GlobalOptions {
  commands?: (runId: string) => FollowUpCommands;
}

/**
 * The follow-up commands of a `run`/`resume`, with every flag they need from where the engineer is:
 * the state dir, the context, and for a non-interactive run its answers file (variables, the dry-run
 * and keep-going settings are in the journal; secrets and KUBECONFIG come from the same environment).
 */
export function followUpCommands(
  runId: string,
  options: GlobalOptions,
  interactive: boolean,
): FollowUpCommands {
  const flags: string[] = [];
  if (options.stateDir) flags.push("--state-dir", shellQuote(options.stateDir));
  const state = flags.join(" ");
  const resume = ["deploycheck resume", shellQuote(runId), ...flags];
  if (options.context) resume.push("--context", shellQuote(options.context));
  // Only a name that prints as itself: a pasted command must mean what it shows.
  if (options.engineer && sanitizeLine(options.engineer) === options.engineer)
    resume.push("--engineer", shellQuote(options.engineer));
  if (!interactive) {
    if (options.nonInteractive) resume.push("--non-interactive");
    if (options.answers) resume.push("--answers", shellQuote(options.answers));
    if (options.keepGoing) resume.push("--keep-going");
  }
  return {
    resume: resume.join(" "),
    report: ["deploycheck export", shellQuote(runId), state].filter(Boolean).join(" "),
  };
}

const ev = (e: Record<string, unknown>): RunEvent => ({ v: EVENT_VERSION, ...e }) as RunEvent;

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const timer = longTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        timer.cancel();
        resolve(false);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** A quick command's trimmed output (undefined when it fails or prints nothing), without blocking. */
function quiet(cmd: string, args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd, timeout: 3000, encoding: "utf8" }, (err, stdout) => {
      resolve((err ? "" : stdout.trim()) || undefined);
    });
    child.stdin?.end();
  });
}

interface GitFacts {
  userName: Promise<string | undefined>;
  head: Promise<string | undefined>;
}
const gitFacts = new Map<string, GitFacts>();

/** Both git questions a run asks, started at once and early, so they run while the checklist loads. */
function git(cwd: string): GitFacts {
  let facts = gitFacts.get(cwd);
  if (!facts) {
    facts = {
      userName: quiet("git", ["config", "user.name"], cwd),
      head: quiet("git", ["rev-parse", "HEAD"], cwd),
    };
    gitFacts.set(cwd, facts);
  }
  return facts;
}

/** The default engineer: git user.name, else user@host (undefined when neither can be told). */
async function defaultEngineer(cwd: string): Promise<string | undefined> {
  const fromGit = await git(cwd).userName;
  if (fromGit) return fromGit;
  const user = osUser();
  return user === "unknown" ? undefined : `${user}@${hostname()}`;
}

/**
 * Who runs this session, settled once at its start and used for everything it records (skips,
 * overrides, notifications, the sign-off's default, the header, the team lease): --engineer, else the
 * answers' signoff/engineer, else DEPLOYCHECK_ENGINEER, else git user.name, else user@host; asked when
 * none of these gives a name (interactive; else a usage error).
 */
async function settleEngineer(
  options: GlobalOptions,
  answers: Answers,
  cwd: string,
  term: Terminal,
): Promise<string> {
  // Kept as given (the journal and record are data); every place that shows it sanitizes it.
  const given = [options.engineer, answers[SIGNOFF_KEYS.engineer]?.value, process.env["DEPLOYCHECK_ENGINEER"]]
    .map((v) => v?.trim())
    .find((v) => v);
  if (given) return given;
  const fallback = await defaultEngineer(cwd);
  if (fallback) return fallback;
  if (!term.interactive)
    throw new UsageError("who runs this session? no engineer name could be found", {
      hint: "Pass --engineer NAME (or set DEPLOYCHECK_ENGINEER, or signoff/engineer in the answers file).",
    });
  const asked = await term.prompter().input("Engineer (who runs this session):", {
    validate: (v) => (v.trim() ? true : "a name is required"),
  });
  return asked.trim();
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env["USER"] ?? "unknown";
  }
}

function readAnswers(options: GlobalOptions): Answers {
  if (!options.answers) return {};
  let text: string;
  try {
    text = readFileSync(options.answers, "utf8");
  } catch (cause) {
    throw new UsageError(`cannot read the answers file ${options.answers}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseAnswers(text, options.answers);
}

/** Load the checklist a run was started with: its file if it still exists, else the copy in the run dir. */
async function loadRunChecklist(run: StoredRun, output: Output): Promise<LoadedChecklist> {
  try {
    return await loadChecklist(run.state.checklist.path);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const copy = readChecklistCopy(run.dir);
    if (!copy) throw err;
    output.warn(`${run.state.checklist.path} is gone; resuming with the copy kept in the run directory.`);
    // parse.js (yaml + zod) only on this rare path: a run normally loads its checklist from the cache.
    const { parseChecklist } = await import("../checklist/parse.js");
    const loaded = parseChecklist(copy.source, copy.file);
    return { ...loaded, sha256: run.state.checklist.sha256 };
  }
}

interface Terminal {
  output: Output;
  /** Set under GitHub Actions: the output with groups and annotations. */
  github?: GitHubActionsOutput;
  prompter: () => Prompter;
  interactive: boolean;
}

function terminal(options: GlobalOptions, signal: AbortSignal): Terminal {
  const interactive = isInteractive(options);
  // With --json, stdout carries only the final JSON result; the progress goes to stderr.
  const stream = options.json ? process.stderr : process.stdout;
  const live = Boolean(stream.isTTY);
  const theme = createTheme({ color: options.color !== false && colorWanted(process.env, live) });
  const terminalOutput = createTerminalOutput({ stream, theme, live });
  const github = inGitHubActions(process.env)
    ? githubActionsOutput(terminalOutput, (text) => stream.write(text))
    : undefined;
  let prompter: Prompter | undefined;
  return {
    output: github ?? terminalOutput,
    ...(github ? { github } : {}),
    interactive,
    prompter: () => {
      const output = promptStream(options);
      // Prompts on stderr while stdout goes through a pipe: let the pipe's reader print first.
      const settle = output && !process.stdout.isTTY && !options.json ? { settleMs: 150 } : {};
      prompter ??= createTerminalPrompter({ signal, ...(output ? { output } : {}), ...settle });
      return prompter;
    },
  };
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ctrl-C, SIGTERM and SIGHUP (a closed terminal, a dropped SSH session) abort the session instead of
 * killing the process mid-write: the running step's processes are stopped, the journal says so, and
 * the exit names the resume command.
 */
function trapInterrupts(): { signal: AbortSignal; release(): void } {
  const ac = new AbortController();
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    // After a hangup the terminal is gone: a write to it fails (EIO), which must not end the process
    // before the step is stopped and journaled.
    if (name === "SIGHUP")
      for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
    if (count === 1) ac.abort();
    else if (name !== "SIGHUP") process.stderr.write("\nStopping: saving the run state, please wait…\n");
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: ac.signal,
    release() {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}

function notifierFor(loaded: LoadedChecklist, vars: Record<string, string>): Notifier | undefined {
  const n = loaded.checklist.notifications;
  if (!n) return undefined;
  const webhook = n.webhook.replace(
    /\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g,
    (w, name: string) => vars[name] ?? w,
  );
  return {
    async post(text, fields, signal, redact) {
      const mod = (await import("../checks/notify.js")) as Record<string, unknown>;
      const post = mod["postNotification"] as
        | ((
            req: Record<string, unknown>,
          ) => Promise<{ ok: boolean; status?: number; error?: string; attempts: number }>)
        | undefined;
      if (typeof post !== "function")
        return { ok: false, error: "notifications are not available in this build", attempts: 0 };
      if (!webhook) return { ok: false, error: "the notifications webhook is empty", attempts: 0 };
      return post({
        webhook,
        format: n.format ?? "slack",
        followRedirects: n.followRedirects ?? "sameOrigin",
        text,
        fields: {
          checklist: fields["checklist"] ?? loaded.checklist.metadata.name,
          environment: loaded.checklist.metadata.environment ?? "",
          ...(fields["engineer"] ? { engineer: fields["engineer"] } : {}),
          progress: [fields["progress"], fields["run"] && `run ${fields["run"]}`].filter(Boolean).join(", "),
          summary: text,
        },
        ...(signal ? { signal } : {}),
        ...(redact ? { redact } : {}),
      });
    },
  };
}

/**
 * KUBECONFIG for child processes with the chosen context current (only with --context): a private temporary
 * copy of that context alone, removed by the caller when the session ends.
 */
async function kubeSettings(
  options: GlobalOptions,
  runDir: string,
): Promise<{ settings: KubeSettings; remove(): void }> {
  // Versions before 0.2 left a full copy of the kubeconfig in the run directory: never leave it there.
  rmSync(join(runDir, "kubeconfig"), { force: true });
  if (!options.context) return { settings: {}, remove() {} };
  const { childKubeconfig } = await import("../kube/child-config.js");
  const child = childKubeconfig({ context: options.context });
  return {
    settings: { context: options.context, ...(child ? { kubeconfig: child.path } : {}) },
    remove: () => child?.remove(),
  };
}

async function unfinishedRunsOf(
  dir: string,
  name: string,
): Promise<{ runs: StoredRun[]; damaged: DamagedRun[] }> {
  const { runs, damaged } = await listUnfinishedRuns(dir);
  return {
    runs: runs.filter((r) => r.state.checklist.name === name),
    damaged: damaged.filter((d) => checklistOfRunId(d.id) === name),
  };
}

/** A run that may be unfinished but whose journal cannot be read: where it is, what is wrong, what to do. */
function damagedRunError(d: DamagedRun, checklistArg: string): StateError {
  return new StateError(
    `run ${d.id} may be unfinished, but it cannot be resumed: its journal is damaged\n  ${d.error}`,
    {
      hint: `Nothing was run. The run is in ${d.dir}. Restore ${join(d.dir, JOURNAL_FILE)} from a backup and \`deploycheck resume ${d.id}\`, or start a new run with \`deploycheck run ${checklistArg} --new\` (the damaged run is left as it is, for inspection).`,
    },
  );
}

/** Resume and sign-off need a chained journal: a pre-chain journal cannot show it was not edited. */
function assertResumable(run: StoredRun): void {
  if (!run.chained) throw unchainedError(join(run.dir, JOURNAL_FILE));
}

export interface Prepared {
  kind: "new" | "resume";
  loaded: LoadedChecklist;
  run: StoredRun;
  lock: HeldLock;
  /** Who runs this session (settled once at its start). */
  engineer: string;
  team?: TeamContext;
}

/** `deploycheck run <checklist>` (and the shorthand). */
export async function runCommand(nameOrPath: string, options: GlobalOptions): Promise<number> {
  const cwd = process.cwd();
  const dir = stateDir(options);
  // Started now, answered by the time the run-started event needs them.
  git(cwd);
  const interrupts = trapInterrupts();
  try {
    const term = terminal(options, interrupts.signal);
    const answers = readAnswers(options);
    if (options.resume && options.new) throw new UsageError("pass either --resume or --new, not both");
    const engineer = await settleEngineer(options, answers, cwd, term);
    const loaded = await loadChecklist(findChecklist(nameOrPath, cwd));
    for (const w of loaded.warnings) term.output.warn(`${w.file}:${w.line}:${w.col}: ${w.message}`);
    const name = loaded.checklist.metadata.name;
    const runId = newRunId(name, new Date());
    const lock = acquireLock(dir, name, runId);
    // Team state: the Lease is taken before anything reads state, as the local lock is.
    const target = teamTarget(options, loaded.checklist);
    let team: TeamContext | undefined;
    try {
      if (target)
        team = await TeamContext.start(target, options, name, runId, sanitizeLine(engineer), (t) =>
          term.output.warn(t),
        );
      const unfinished = await unfinishedRunsOf(dir, name);
      const [existing] = unfinished.runs;
      const [damaged] = unfinished.damaged;
      if (damaged && (!existing || damaged.id > existing.id)) {
        if (!options.new) throw damagedRunError(damaged, nameOrPath);
        term.output.warn(
          `Run ${damaged.id} has a damaged journal and is left as it is (${damaged.dir}); starting a new run.`,
        );
      }
      if (existing) {
        let choice: "resume" | "new" | "cancel";
        if (options.resume) choice = "resume";
        else if (options.new) choice = "new";
        else if (term.interactive) {
          choice = await term.prompter().select(
            `Run ${existing.id} of ${name}${existing.state.options.dryRun ? " (a dry run)" : ""} is unfinished (started ${existing.state.startedAt}). What now?`,
            [
              { value: "resume", name: "Resume it" },
              { value: "new", name: "Abandon it and start a new run" },
              { value: "cancel", name: "Cancel" },
            ],
            { default: "resume" },
          );
        } else {
          throw new UsageError(`run ${existing.id} of ${name} is unfinished`, {
            hint: "Pass --resume to continue it, or --new to abandon it and start a new run.",
          });
        }
        if (choice === "cancel") return 1;
        if (choice === "resume") {
          assertResumable(existing);
          lock.update(existing.id);
          let run = existing;
          if (team) {
            team.setRun(existing.id);
            await syncRun(dir, existing.id, team.journal(), team.files(), (t) => term.output.warn(t));
            run = await loadRun(dir, existing.id);
          }
          return await session(
            { kind: "resume", loaded, run, lock, engineer, ...(team ? { team } : {}) },
            options,
            term,
            interrupts.signal,
            answers,
          );
        }
        const journal = openFileJournal(existing.dir, { allowUnchained: true });
        await journal.append(
          ev({
            type: "run-aborted",
            at: new Date().toISOString(),
            reason: `abandoned for ${runId}`,
            abandoned: true,
          }),
        );
        journal.close();
        term.output.info(`Abandoned run ${existing.id}.`);
      } else if (options.resume && damaged) {
        throw damagedRunError(damaged, nameOrPath);
      } else if (options.resume) {
        throw new UsageError(`there is no unfinished run of ${name} to resume`, {
          hint: `Start one with: deploycheck run ${nameOrPath}`,
        });
      }
      return await newRun(
        loaded,
        runId,
        lock,
        options,
        term,
        interrupts.signal,
        answers,
        dir,
        cwd,
        engineer,
        team,
      );
    } finally {
      await team?.release();
      lock.release();
    }
  } finally {
    interrupts.release();
  }
}

/** `deploycheck resume [run-id]`. */
export async function resumeCommand(runId: string | undefined, options: GlobalOptions): Promise<number> {
  const dir = stateDir(options);
  const interrupts = trapInterrupts();
  try {
    const term = terminal(options, interrupts.signal);
    const answers = readAnswers(options);
    const engineer = await settleEngineer(options, answers, process.cwd(), term);
    let run: StoredRun;
    let team: TeamContext | undefined;
    if (runId) {
      // A team run may be only in the cluster (another engineer's): bring it here first.
      team = await teamForRun(options, runId, term.output, engineer);
      try {
        if (team)
          await syncRun(dir, checkRunId(runId), team.journal(), team.files(), (t) => term.output.warn(t));
        run = await loadRun(dir, runId);
      } catch (err) {
        await team?.release();
        throw err;
      }
    } else {
      const { runs: candidates, damaged } = await listUnfinishedRuns(dir);
      const newest = candidates[0];
      const newestDamaged = damaged[0];
      if (newestDamaged && (!newest || newestDamaged.id > newest.id)) {
        throw damagedRunError(newestDamaged, checklistOfRunId(newestDamaged.id) ?? "<checklist>");
      }
      if (!newest) {
        throw new UsageError(`no unfinished run in ${dir}`, {
          hint: "See `deploycheck runs`, or start one with `deploycheck run <checklist>`.",
        });
      }
      run = newest;
    }
    if (run.state.finished) {
      await team?.release();
      throw new UsageError(`run ${run.id} is already finished (exit ${run.state.finished.exitCode})`, {
        hint: `See \`deploycheck status ${run.id}\`, or export it: deploycheck export ${run.id} --format md`,
      });
    }
    if (run.state.aborted?.abandoned) {
      await team?.release();
      throw new UsageError(`run ${run.id} was abandoned and cannot be resumed`, {
        hint: `Start a new one: deploycheck run ${run.state.checklist.name}`,
      });
    }
    try {
      assertResumable(run);
    } catch (err) {
      await team?.release();
      throw err;
    }
    const lock = acquireLock(dir, run.state.checklist.name, run.id);
    try {
      // Re-read under the lock: another process may have written to it meanwhile.
      run = await loadRun(dir, run.id);
      assertResumable(run);
      const loaded = await loadRunChecklist(run, term.output);
      return await session(
        { kind: "resume", loaded, run, lock, engineer, ...(team ? { team } : {}) },
        options,
        term,
        interrupts.signal,
        answers,
      );
    } finally {
      await team?.release();
      lock.release();
    }
  } finally {
    interrupts.release();
  }
}

async function environment(
  cwd: string,
  options: GlobalOptions,
  engineer: string,
): Promise<RunStartedEvent["environment"]> {
  const gitSha = await git(cwd).head;
  return {
    host: hostname(),
    user: osUser(),
    toolVersion: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cwd,
    ...(gitSha ? { gitSha } : {}),
    ...(options.context ? { kubeContext: options.context } : {}),
    engineer,
  };
}

async function newRun(
  loaded: LoadedChecklist,
  runId: string,
  lock: HeldLock,
  options: GlobalOptions,
  term: Terminal,
  signal: AbortSignal,
  answers: Answers,
  dir: string,
  cwd: string,
  engineer: string,
  team?: TeamContext,
): Promise<number> {
  const { checklist } = loaded;
  const resolved = resolveVars(
    checklist,
    { ...parseVarFlags(options.varDefaults), ...parseVarFlags(options.var) },
    process.env,
  );
  if (!term.interactive) {
    const missing = missingAnswers(checklist, undefined, answers, resolved.values, process.env);
    if (missing.length) throw missingError(missing, options);
  }
  const runDir = createRunDir(dir, runId, loaded.source);
  const journaled = Object.fromEntries(
    Object.entries(resolved.values).map(([k, v]) => [k, resolved.secrets.includes(k) ? REDACTED : v]),
  );
  const started: RunStartedEvent = {
    v: EVENT_VERSION,
    type: "run-started",
    at: new Date().toISOString(),
    runId,
    checklist: {
      name: checklist.metadata.name,
      title: checklist.metadata.title,
      ...(checklist.metadata.ref ? { ref: checklist.metadata.ref } : {}),
      path: loaded.path,
      sha256: loaded.sha256,
    },
    vars: journaled,
    secretVars: resolved.secrets,
    environment: await environment(cwd, options, engineer),
    options: {
      dryRun: Boolean(options.dryRun),
      interactive: term.interactive,
      keepGoing: Boolean(options.keepGoing),
    },
    stepHashes: stepHashes(checklist),
  };
  await team?.files().put("checklist", loaded.source);
  const journal = withTeam(openFileJournal(runDir), team, checklist);
  try {
    const secretValues = resolved.secrets.map((n) => resolved.values[n] ?? "");
    const redact = createRedactor(secretValues);
    // Folded from what this process wrote: reading it back would load the event schemas (zod) for nothing.
    const written: RunEvent[] = [redactDeep(started, redact)];
    if (lock.takenOver) written.push(takeoverEvent(lock));
    for (const e of written) await journal.append(e);
    if (resolved.secrets.length) saveSecretFingerprints(runDir, resolved.secrets, resolved.values);
    term.output.info(`Run ${runId} of ${checklist.metadata.title}${options.dryRun ? " (dry run)" : ""}`);
    term.output.info(`Engineer (this session): ${sanitizeLine(engineer)}`);
    term.output.info(`State: ${runDir}`);
    const state = fold(written);
    return await execute({
      loaded,
      runDir,
      state,
      vars: resolved.values,
      secretVars: resolved.secrets,
      options,
      term,
      signal,
      answers,
      journal,
      firstSession: true,
      cwd,
      engineer,
      ...(team ? { team } : {}),
    });
  } finally {
    journal.close();
  }
}

/** The journal port: the local file, and with team state every line in the cluster too, fenced. */
function withTeam(local: FileJournal, team: TeamContext | undefined, checklist: Checklist): FileJournal {
  if (!team) return local;
  const mutating = new Set(
    walkSteps(checklist)
      .filter((r) => isMutatingStep(r.step))
      .map((r) => r.key),
  );
  const teamJournal = new TeamJournal({
    local,
    cluster: team.journal(),
    fence: team.lease,
    isMutating: (key: string) => mutating.has(key.replace(/#\d+$/, "")),
  });
  return {
    ...local,
    append: (e) => teamJournal.append(e),
    ...(teamJournal.write && teamJournal.sync ? { write: teamJournal.write, sync: teamJournal.sync } : {}),
  };
}

/** The team's lease was taken over from an engineer whose lease had expired: journaled like a stale lock. */
function leaseTakeoverEvent(previous: { pid: number; host: string; startedAt: string }): RunEvent {
  return ev({
    type: "lock-taken-over",
    at: new Date().toISOString(),
    previous: { ...previous, why: "the team lease expired (its holder stopped renewing it)" },
  });
}

/** Team state for `resume <run-id>`: the flag or DEPLOYCHECK_STATE, else the `team:` of the run's checklist. */
async function teamForRun(
  options: GlobalOptions,
  runId: string,
  output: Output,
  engineer: string,
): Promise<TeamContext | undefined> {
  const name = checklistOfRunId(runId);
  if (!name) return undefined;
  let target = teamTarget(options);
  if (!target && options.state === undefined && !process.env["DEPLOYCHECK_STATE"]) {
    try {
      target = teamTarget(options, (await loadChecklist(findChecklist(name, process.cwd()))).checklist);
    } catch {
      target = undefined; // no such checklist here: a local run, as before
    }
  }
  if (!target) return undefined;
  return TeamContext.start(target, options, name, runId, sanitizeLine(engineer), (t) => output.warn(t));
}

function takeoverEvent(lock: HeldLock): RunEvent {
  const prev = lock.takenOver!;
  return ev({
    type: "lock-taken-over",
    at: new Date().toISOString(),
    previous: {
      pid: prev.pid,
      host: prev.host,
      startedAt: prev.startedAt,
      ...(typeof prev.runId === "string" ? { runId: prev.runId } : {}),
      why: prev.why,
    },
  });
}

function missingError(missing: string[], options: GlobalOptions): UsageError {
  return new UsageError(
    `${options.answers ? `the answers file ${options.answers} lacks` : "a non-interactive run needs --answers with"} ${missing.length} answer${missing.length > 1 ? "s" : ""}:\n${missing.map((m) => `  ${m}`).join("\n")}`,
    {
      hint: "Nothing was run. Add them to the answers file (item-id/step-id: value), or run interactively.",
    },
  );
}

async function session(
  prepared: Prepared,
  options: GlobalOptions,
  term: Terminal,
  signal: AbortSignal,
  answers: Answers,
): Promise<number> {
  const { loaded, run, engineer } = prepared;
  const { checklist } = loaded;
  const cwd = run.state.environment.cwd || process.cwd();
  // The mode is part of the run: a dry run is continued as a dry run, and a run that mutates for real
  // is never continued as a rehearsal (its record would mix both).
  if (options.dryRun && !run.state.options.dryRun) throw dryRunSwitchError(run, checklist);
  // The run keeps its variables (the latest session's); --var on resume changes them, which must be
  // accepted explicitly; secrets come from --var or env again.
  const declared = checklist.vars ?? {};
  const cliVars: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.state.vars)) {
    if (k in declared && !run.state.secretVars.includes(k) && v !== REDACTED) cliVars[k] = v;
  }
  Object.assign(cliVars, parseVarFlags(options.var));
  const resolved = resolveVars(checklist, cliVars, process.env);
  const journaledVars = journalForm(resolved.values, resolved.secrets);
  const varChanges = compareVars(
    { vars: run.state.vars, secretVars: run.state.secretVars },
    { vars: journaledVars, secretVars: resolved.secrets },
    compareSecrets(run.dir, resolved.values),
  );
  const varChanged = stepsAffectedByVars(
    checklist,
    varChanges.map((c) => c.name),
  );
  const hashes = stepHashes(checklist);
  const edited =
    loaded.sha256 === run.state.checklist.sha256 ? [] : changedSteps(run.state.stepHashes, hashes);
  const reask = stepsToAskAgain(checklist, run.state, [...edited, ...varChanged]);
  const changed = [...new Set([...edited, ...varChanged, ...reask])];
  if (varChanges.length) {
    const accepted = await acceptVarChanges(run, varChanges, varChanged, options, term);
    if (!accepted) return 1;
  }
  const resumedOptions = {
    dryRun: run.state.options.dryRun,
    interactive: term.interactive,
    keepGoing: Boolean(options.keepGoing),
  };
  const resumed = (at: string) =>
    ev({
      type: "run-resumed",
      at,
      checklistSha256: loaded.sha256,
      changedSteps: changed,
      stepHashes: hashes,
      by: { user: osUser(), host: hostname(), engineer },
      vars: journaledVars,
      secretVars: resolved.secrets,
      changedVars: varChanges.map((c) => c.name),
      editedSteps: edited,
      varChangedSteps: varChanged,
      options: resumedOptions,
    });
  const stateAfterResume = fold([...run.events, resumed(new Date().toISOString())]);
  if (!term.interactive) {
    const missing = missingAnswers(
      checklist,
      stateAfterResume,
      answers,
      { ...resolved.values, ...run.state.saved },
      process.env,
    );
    if (missing.length) throw missingError(missing, options);
  }
  const team = prepared.team;
  if (team && loaded.sha256 !== run.state.checklist.sha256)
    await team.files().put("checklist", loaded.source);
  const journal = withTeam(openFileJournal(run.dir), team, checklist);
  try {
    if (prepared.lock.takenOver) await journal.append(takeoverEvent(prepared.lock));
    // A step left running by a session that died must end before anything runs again.
    await settleStepsInFlight(run.state, {
      interactive: term.interactive,
      prompter: term.prompter,
      output: term.output,
      signal,
    });
    const previous = team?.lease.previousHolder();
    if (previous) await journal.append(leaseTakeoverEvent(previous));
    const refs = walkSteps(checklist);
    const done = refs.filter((r) => isFinal(stateAfterResume.steps[r.key])).length;
    term.output.info(
      `Resuming run ${run.id} of ${checklist.metadata.title}${run.state.options.dryRun ? " (dry run)" : ""}: ${done} of ${refs.length} steps have a result`,
    );
    term.output.info(`Engineer (this session): ${sanitizeLine(engineer)}`);
    if (run.state.options.dryRun && !options.dryRun)
      term.output.warn(
        `This run was started with --dry-run: it continues as a dry run (mutating steps are only described). To deploy for real, start a new run: deploycheck run ${shellQuote(run.state.checklist.name)} --new`,
      );
    if (loaded.sha256 !== run.state.checklist.sha256) {
      saveChecklistCopy(run.dir, loaded.source);
      term.output.warn(
        edited.length
          ? `The checklist changed since the run started; these steps changed and run again: ${edited.join(", ")}`
          : "The checklist file changed since the run started, but no step definition did.",
      );
    }
    if (varChanges.length) {
      const again = varChanged.filter((k) => isFinal(run.state.steps[k]));
      term.output.warn(
        `Variables changed: ${varChanges.map((c) => c.name).join(", ")}${again.length ? `; these steps had a result and run again: ${again.join(", ")}` : ""}`,
      );
    }
    if (reask.length) {
      term.output.warn(
        `Secret values are never written to disk; these steps run again to get theirs back: ${reask.join(", ")}`,
      );
    }
    await journal.append(resumed(new Date().toISOString()));
    if (resolved.secrets.length) saveSecretFingerprints(run.dir, resolved.secrets, resolved.values);
    const state = fold(await journal.readAll());
    return await execute({
      loaded,
      runDir: run.dir,
      state,
      vars: resolved.values,
      secretVars: resolved.secrets,
      options,
      term,
      signal,
      answers,
      journal,
      firstSession: false,
      cwd,
      engineer,
      ...(team ? { team } : {}),
    });
  } finally {
    journal.close();
  }
}

/** Resolved variables as the journal keeps them: a secret's value never, its placeholder instead. */
function journalForm(values: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secrets.includes(k) ? REDACTED : v]));
}

function dryRunSwitchError(run: StoredRun, checklist: Checklist): UsageError {
  return new UsageError(
    `run ${run.id} was started for real, not with --dry-run: a dry run cannot continue it (the record would mix steps run and steps only described)`,
    {
      hint: `Nothing was run. Resume it without --dry-run: deploycheck resume ${run.id}; or abandon it and rehearse in a new run: deploycheck run ${shellQuote(checklist.metadata.name)} --dry-run --new`,
    },
  );
}

/**
 * Variables differ from the previous session's: list them and the steps whose resolved definition
 * changes, then accept (--allow-var-change, or a confirmation that defaults to No) or refuse. Nothing
 * has been written or stopped yet: a No leaves the run exactly as it was.
 */
async function acceptVarChanges(
  run: StoredRun,
  changes: readonly VarChange[],
  affected: readonly string[],
  options: GlobalOptions,
  term: Terminal,
): Promise<boolean> {
  const stepLines = affected.map((k) => {
    const s = run.state.steps[k];
    return `  ${k}${isFinal(s) ? ` (had a result: ${s?.status}; runs again)` : ""}`;
  });
  const listing = [
    `Variables differ from the previous session of run ${run.id}:`,
    ...describeVarChanges(changes).map((l) => `  ${l}`),
    affected.length
      ? "Steps whose resolved definition changes:"
      : "No step uses them (no step's resolved definition changes).",
    ...stepLines,
  ].join("\n");
  if (options.allowVarChange) {
    term.output.warn(`${listing}\nAccepted (--allow-var-change).`);
    return true;
  }
  if (!term.interactive)
    throw new UsageError(listing, {
      hint: "Nothing was run or changed. To resume with these values, pass --allow-var-change to accept (with the same --var); to keep the run's values, resume without the --var (or environment value) that changes them.",
    });
  term.output.warn(listing);
  const ok = await term.prompter().confirm("Resume with the changed variables?", { default: false });
  if (!ok) term.output.info(`Nothing was changed or run. Run ${run.id} keeps its variables.`);
  return ok;
}

/** Everything one session of a run needs, new or resumed. */
interface SessionInput {
  loaded: LoadedChecklist;
  runDir: string;
  state: RunState;
  vars: Record<string, string>;
  secretVars: string[];
  options: GlobalOptions;
  term: Terminal;
  signal: AbortSignal;
  answers: Answers;
  journal: FileJournal;
  /** True for a new run (the start notification goes out once). */
  firstSession: boolean;
  cwd: string;
  engineer: string;
  team?: TeamContext;
}

async function execute(input: SessionInput): Promise<number> {
  const { loaded, runDir, vars, secretVars, options, term, journal } = input;
  const notifier = notifierFor(loaded, vars);
  const ports: RunnerPorts = {
    // Created on first use: a non-interactive run never loads @inquirer/prompts.
    prompter: lazyPrompter(term),
    clock: realClock,
    journal,
    output: term.output,
    executors: { loadCheck },
    ...(notifier ? { notifier } : {}),
  };
  const secretValues = secretVars.map((n) => vars[n] ?? "").filter(Boolean);
  const kube = await kubeSettings(options, runDir);
  try {
    return await executeWith(input, ports, secretValues, kube.settings);
  } finally {
    kube.remove();
  }
}

async function executeWith(
  input: SessionInput,
  ports: RunnerPorts,
  secretValues: string[],
  kube: KubeSettings,
): Promise<number> {
  const {
    loaded,
    runDir,
    state,
    vars,
    secretVars,
    options,
    term,
    signal,
    answers,
    firstSession,
    cwd,
    journal,
  } = input;
  const { checklist } = loaded;
  const session: RunSession = {
    runId: state.runId,
    checklist,
    vars,
    secretVars,
    // A plain copy: every run step copies the environment, and reading process.env is several times slower.
    env: { ...process.env },
    cwd,
    interactive: term.interactive,
    // The mode is the run's: a resume of a dry run stays a dry run (session() refuses the other switch).
    dryRun: state.options.dryRun,
    keepGoing: Boolean(options.keepGoing),
    answers,
    ...(options.answers ? { answersPath: options.answers } : {}),
    kube,
    signal,
    engineer: input.engineer,
    firstSession,
    commands:
      (options as SessionOptions).commands?.(state.runId) ??
      followUpCommands(state.runId, options, term.interactive),
    ...(checklist.notifications ? { notifyOn: new Set<NotifyOn>(checklist.notifications.on) } : {}),
    finalize: async (finalState) => {
      const { finalizeRecord } = await import("../record/finalize.js");
      // Sign only the journal this process wrote: a line edited, added or removed behind its back (or a
      // broken chain) refuses the sign-off, exit 2; the record names the journal by its head hash.
      const chain = journal.verifyOnDisk();
      const r = await finalizeRecord({
        runDir,
        state: finalState,
        checklist,
        secrets: secretValues,
        journal: chain,
      });
      if (r.keyWarning) term.output.warn(r.keyWarning);
      return { recordPath: r.recordPath, fingerprint: r.fingerprint };
    },
  };
  try {
    let exitCode: number;
    try {
      exitCode = await runChecklist(session, state, ports);
    } finally {
      term.github?.close();
    }
    // The signed record beside the team's copy of the journal.
    const recordFile = join(runDir, "record.json");
    if (input.team && existsSync(recordFile))
      await input.team.files().put("record", readFileSync(recordFile, "utf8"));
    const summaryFile = process.env["GITHUB_STEP_SUMMARY"];
    if (term.github && summaryFile) await appendStepSummary(summaryFile, state.runId, options, term.output);
    if (options.json) {
      const record = join(runDir, "record.json");
      const result = {
        runId: state.runId,
        checklist: checklist.metadata.name,
        exitCode,
        runDir,
        ...(existsSync(record) ? { record } : {}),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    return exitCode;
  } catch (err) {
    if (err instanceof InterruptedError && err.hint) throw err;
    if (err instanceof InterruptedError || signal.aborted) {
      const { resume } = session.commands ?? followUpCommands(state.runId, options, term.interactive);
      throw new InterruptedError("run interrupted; everything so far is saved", {
        cause: err,
        hint: `Resume it with:\n    ${resume}`,
      });
    }
    throw err;
  }
}

/** The run's Markdown report, appended to the job summary GitHub shows on the run's page. */
async function appendStepSummary(
  file: string,
  runId: string,
  options: GlobalOptions,
  output: Output,
): Promise<void> {
  try {
    const { renderReport } = await import("./commands/export.js");
    const text = await renderReport(runId, options, "md");
    appendFileSync(file, `${text.trimEnd()}\n\n`);
  } catch (err) {
    // The run's result stands; a summary that cannot be written is said, not fatal.
    output.warn(`could not append the report to GITHUB_STEP_SUMMARY (${file}): ${(err as Error).message}`);
  }
}

function lazyPrompter(term: Terminal): Prompter {
  return {
    confirm: (m, o) => term.prompter().confirm(m, o),
    input: (m, o) => term.prompter().input(m, o),
    text: (m, o) => term.prompter().text(m, o),
    select: (m, c, o) => term.prompter().select(m, c, o),
  };
}

/**
 * Steps whose saved value was secret (journaled as [REDACTED]) and is still needed by a step that has no
 * result yet: after a resume the value is gone from memory, so the step that produced it runs again.
 */
export function stepsToAskAgain(checklist: Checklist, state: RunState, edited: readonly string[]): string[] {
  const lost = new Map<string, string>(); // variable -> step key that saved it
  for (const s of Object.values(state.steps)) {
    if (!isFinal(s) || edited.includes(s.key)) continue;
    for (const [name, value] of Object.entries(s.outcome?.saved ?? {})) {
      if (value === REDACTED) lost.set(name, s.key);
    }
  }
  if (lost.size === 0) return [];
  const needed = new Set<string>();
  for (const ref of walkSteps(checklist)) {
    if (isFinal(state.steps[ref.key]) && !edited.includes(ref.key)) continue;
    for (const name of references(JSON.stringify(ref.step))) {
      const key = lost.get(name);
      if (key && key !== ref.key) needed.add(key);
    }
  }
  return [...needed];
}
