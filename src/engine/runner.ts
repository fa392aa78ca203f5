// The run loop: ask the planner what is next, do it through the ports, append the decision to the
// journal (fsynced) before anything else happens, repeat. Guards first, sign-off last.
import { isManual, isMutating, parseDuration, stepKind } from "../checklist/kinds.js";
import type { Checklist, NestedStep, Step, StepKind } from "../checklist/schema.js";
import { interpolate, type VariableRule, variableRules } from "../checklist/vars.js";
import { type StepRef, walkSteps } from "../checklist/walk.js";
import type { CheckModule } from "../checks/registry.js";
import type { ExecContext, ExecutorPrompter, KubeSettings } from "../checks/types.js";
import { GuardRefusedError, InterruptedError } from "../errors.js";
import { createRedactor, type Redactor, redactDeep } from "../redact.js";
import { longTimeout } from "../timers.js";
import { type Answers, answersPrompter, splitNote } from "./answers.js";
import { EVENT_VERSION, type RunEvent, type StepKey, type StepOutcome } from "./events.js";
import { isOptionalStep, isSettled, nextAction } from "./plan.js";
import type { Choice, RunnerPorts, StepProgress } from "./ports.js";
import { collectSignoff, dryRunReport, finalOutcome } from "./signoff.js";
import { applyOwnedEvent, type RunState } from "./state.js";

export type NotifyOn = "start" | "finish" | "failure";

export interface RunSession {
  runId: string;
  checklist: Checklist;
  /** Declared variables, resolved and unredacted (secret values are only ever held in memory). */
  vars: Record<string, string>;
  secretVars: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  interactive: boolean;
  dryRun: boolean;
  keepGoing: boolean;
  answers: Answers;
  /** The --answers file, for the commands the runner prints. */
  answersPath?: string;
  kube: KubeSettings;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Who overrides, skips and signs off by default (git user.name, else the OS user). */
  engineer: string;
  /** Top-level notifications wanted for this run. */
  notifyOn?: ReadonlySet<NotifyOn>;
  /** True on the first session of a run (the start notification goes out once). */
  firstSession: boolean;
  /**
   * The commands printed for the engineer to type next, complete for where they are (state dir,
   * context, answers, or the demo's own command). Defaults: `deploycheck resume|export <run-id>`.
   */
  commands?: { resume: string; report: string };
  /** Build, sign and write the record; absent when the record module is unavailable. */
  finalize?: (state: RunState) => Promise<{ recordPath: string; fingerprint: string }>;
}

/** After a step's timeout, how long its executor gets to stop before the step ends without it. */
const OVERDUE_GRACE_MS = 10_000;
/** After Ctrl-C, how long an executor gets to stop its children before the runner records the interruption. */
const STOP_GRACE_MS = 3000;

/** An event without `v`, checked against its own member of the union. */
type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "v"> : never) : never;
const ev = (e: EventInput): RunEvent => ({ v: EVENT_VERSION, ...e }) as RunEvent;

type MenuChoice = "retry" | "output" | "override" | "skip" | "abort";

/**
 * "Show full output": what ran, where, how it ended, then the output the step kept (redacted; the
 * terminal output sanitizes it). Details come from the executor (run: command, cwd, exitCode).
 */
export function fullOutput(outcome: StepOutcome | undefined): string {
  const d = outcome?.details ?? {};
  const lines: string[] = [];
  if (typeof d["command"] === "string") lines.push(`command:   ${d["command"]}`);
  if (typeof d["cwd"] === "string") lines.push(`cwd:       ${d["cwd"]}`);
  if (typeof d["exitCode"] === "number") lines.push(`exit code: ${d["exitCode"]}`);
  if (typeof d["signal"] === "string") lines.push(`signal:    ${d["signal"]}`);
  if (typeof d["url"] === "string") lines.push(`url:       ${d["url"]}`);
  if (typeof d["status"] === "number") lines.push(`status:    ${d["status"]}`);
  if (outcome?.summary) lines.push(`result:    ${outcome.summary}`);
  lines.push("", outcome?.output ? outcome.output : "(no output was captured)");
  return lines.join("\n");
}

class Interrupted extends Error {
  // Stryker disable next-line StringLiteral: never shown or compared: attempt() turns it into a fixed "interrupted" result and an InterruptedError.
  override name = "Interrupted";
}

/** Run until the run finishes (exit 0/1), a failure stops it (1), or Ctrl-C (InterruptedError). */
export async function runChecklist(
  session: RunSession,
  initial: RunState,
  ports: RunnerPorts,
): Promise<number> {
  const runner = new Runner(session, structuredClone(initial), ports);
  return runner.run();
}

class Runner {
  private readonly refs: StepRef[];
  private readonly itemTotal: number;
  private readonly secretValues = new Set<string>();
  /** Patterns and secrecy of variables, for run steps that use values where bash evaluates them. */
  private readonly variableRules: Readonly<Record<string, VariableRule>>;
  private redactor: Redactor;
  /** Values saved by steps in this session, unredacted (the journal keeps secret ones redacted). */
  private readonly liveSaved: Record<string, string> = {};
  /** Required steps that failed in this session: the menu (or a stop) applies to them. */
  private readonly failedNow = new Set<StepKey>();
  // Stryker disable next-line StringLiteral: attempt() sets it before any executor can ask a question.
  private currentKey: StepKey = "";
  private lastItem: string | undefined;
  private lastSection: string | undefined;
  private readonly executorPrompter: ExecutorPrompter;
  private progress: StepProgress | undefined;
  /** Every step before this index of `refs` has a final result (see PlanInput.from). */
  private cursor = 0;
  private readonly checks = new Map<StepKind, Promise<CheckModule>>();
  /** A step result was written but not yet fsynced (group commit with the next step-started). */
  private unsynced = false;

  constructor(
    private readonly s: RunSession,
    private readonly state: RunState,
    private readonly ports: RunnerPorts,
  ) {
    this.refs = walkSteps(s.checklist);
    this.variableRules = variableRules(s.checklist);
    this.itemTotal = s.checklist.sections.reduce((n, sec) => n + sec.items.length, 0);
    for (const name of s.secretVars) if (s.vars[name]) this.secretValues.add(s.vars[name]);
    this.redactor = createRedactor(this.secretValues);
    this.executorPrompter = s.interactive
      ? this.suspendingPrompter()
      : answersPrompter(s.answers, () => this.currentKey);
  }

  async run(): Promise<number> {
    try {
      return await this.loop();
    } finally {
      await this.sync();
    }
  }

  private async loop(): Promise<number> {
    if (this.s.firstSession) await this.notify("start", `${this.title()}: run ${this.s.runId} started`);
    for (;;) {
      this.checkInterrupt();
      const action = nextAction({
        checklist: this.s.checklist,
        state: this.state,
        vars: this.vars(),
        env: this.s.env,
        acceptFailures: this.s.keepGoing && !this.s.interactive,
        refs: this.refs,
        from: this.cursor,
      });
      // Stryker disable next-line ConditionalExpression,StringLiteral: only a shortcut; the planner skips settled steps before the cursor anyway.
      if ("ref" in action) this.cursor = this.refs.indexOf(action.ref, this.cursor);
      // Steps start with a durable append (step-started) that commits the last result with it;
      // anything else (a prompt, a post, the record) waits for the disk first.
      if (action.type !== "step" && action.type !== "guard" && action.type !== "not-applicable")
        await this.sync();
      switch (action.type) {
        case "guard":
          await this.guard(action.key, action.step);
          break;
        case "not-applicable":
          this.headers(action.ref);
          await this.append(
            ev({
              type: "step-finished",
              at: this.at(),
              key: action.ref.key,
              attempt: 0,
              durationMs: 0,
              outcome: { status: "not-applicable", summary: action.reason },
            }),
            true,
          );
          this.ports.output.stepResult(
            await this.label(action.ref.step),
            "not-applicable",
            action.reason,
            undefined,
          );
          break;
        // Stryker disable next-line ConditionalExpression: falling through to "failed" does the same for a step that did not fail in this session.
        case "step":
          this.headers(action.ref);
          await this.step(action.ref);
          break;
        case "failed": {
          if (!this.failedNow.has(action.ref.key)) {
            // Failed in an earlier session: resume runs it again.
            this.headers(action.ref);
            await this.step(action.ref);
            break;
          }
          const stop = await this.decide(action.ref);
          if (stop !== undefined) return stop;
          break;
        }
        case "signoff": {
          const refused = await this.signoff();
          if (refused !== undefined) return refused;
          break;
        }
        case "finish":
          return this.finish();
        case "done":
          return this.state.finished?.exitCode ?? 1;
      }
    }
  }

  // ---- steps -----------------------------------------------------------------------------------

  private async guard(key: StepKey, step: Step): Promise<void> {
    const outcome = await this.execute(key, step, await this.label(step), false);
    if (outcome.status === "passed") return;
    const nothingRan = this.refs.every((r) => this.state.steps[r.key] === undefined);
    await this.append(
      ev({
        type: "run-aborted",
        at: this.at(),
        reason: `guard ${key} refused: ${outcome.error ?? outcome.summary}`,
        abandoned: nothingRan,
      }),
    );
    throw new GuardRefusedError(outcome.error ?? outcome.summary, {
      hint: "Nothing was run. Switch to the expected cluster/context (or pass --context) and run again.",
    });
  }

  private async step(ref: StepRef): Promise<void> {
    const outcome = await this.execute(ref.key, ref.step, await this.label(ref.step), isOptionalStep(ref));
    if (outcome.status === "failed" && !isOptionalStep(ref)) {
      this.failedNow.add(ref.key);
      await this.notify(
        "failure",
        `${this.title()}: ${ref.item.title} failed: ${outcome.error ?? outcome.summary} (run ${this.s.runId})`,
      );
    }
  }

  /** Run one step (with its retries), journaling every attempt. Returns the last outcome. */
  private async execute(key: StepKey, step: Step, label: string, optional: boolean): Promise<StepOutcome> {
    const retries = step.retries?.count ?? 0;
    const delayMs = step.retries?.delay ? parseDuration(step.retries.delay) : 0;
    for (let tries = 0; ; tries++) {
      const attempt = (this.state.steps[key]?.attempts ?? 0) + 1;
      const outcome = await this.attempt(key, step, label, attempt, optional);
      if (outcome.status !== "failed" || tries >= retries) return outcome;
      this.ports.output.info(
        `    retrying (${tries + 2}/${retries + 1})${delayMs ? ` in ${Math.round(delayMs / 1000)}s` : ""}`,
      );
      if (delayMs && !(await this.ports.clock.sleep(delayMs, this.s.signal))) this.checkInterrupt();
    }
  }

  private async attempt(
    key: StepKey,
    step: Step,
    label: string,
    attempt: number,
    optional: boolean,
  ): Promise<StepOutcome> {
    const { output, clock } = this.ports;
    if (step.help) output.help(step.help);
    await this.append(ev({ type: "step-started", at: this.at(), key, attempt }));
    const started = clock.now();
    const manual = isManual(step);
    this.currentKey = key;
    this.progress = manual ? undefined : output.stepStart(label);
    let outcome: StepOutcome;
    try {
      outcome = await this.invoke(key, step, this.progress);
    } catch (err) {
      this.progress?.stop();
      this.progress = undefined;
      if (err instanceof Interrupted) {
        const durationMs = clock.now() - started;
        output.stepResult(label, "interrupted", "interrupted", durationMs);
        await this.append(ev({ type: "step-interrupted", at: this.at(), key, attempt, durationMs }));
        throw this.interruptedError();
      }
      throw err;
    }
    this.progress?.stop();
    this.progress = undefined;
    const durationMs = clock.now() - started;
    outcome = this.keep(step, outcome);
    await this.append(ev({ type: "step-finished", at: this.at(), key, attempt, durationMs, outcome }), true);
    // "exit 0 in 195ms" already says how long it took: no second duration beside it.
    const timed = /\bin \d+(?:\.\d+)?(?:ms|s|m)\b/.test(outcome.summary);
    if (step.note !== undefined && outcome.status === "passed") {
      // A note is shown once, as information: nothing was checked, so no ✔.
      const text = this.redactor(interpolate(step.note, this.vars(), this.s.env));
      if (step.title !== undefined) output.stepResult(label, "noted", text, undefined);
      else output.stepResult(text, "noted", "", undefined);
      return outcome;
    }
    output.stepResult(label, outcome.status, this.redactor(outcome.summary), timed ? undefined : durationMs, {
      optional,
      ...(outcome.dryRun ? { dryRun: true } : {}),
    });
    if (outcome.status === "failed" && outcome.output) output.failureTail(tail(outcome.output, 12));
    return outcome;
  }

  /** Secret input answers join the redactor before the outcome is journaled; everything kept is redacted. */
  private keep(step: Step, outcome: StepOutcome): StepOutcome {
    // Keep the unredacted values for later steps of this session (the journaled outcome is redacted).
    Object.assign(this.liveSaved, outcome.saved);
    if (step.input?.secret) {
      if (outcome.answer) this.secretValues.add(outcome.answer);
      for (const v of Object.values(outcome.saved ?? {})) this.secretValues.add(v);
      this.redactor = createRedactor(this.secretValues);
    }
    return redactDeep(outcome, this.redactor);
  }

  /** Call the executor, or describe a mutating step in a dry run. Throws Interrupted on Ctrl-C. */
  private async invoke(
    key: StepKey,
    step: Step | NestedStep,
    progress: StepProgress | undefined,
    /** A nested step (watch) also stops when its parent step is stopped (timeout). */
    parent?: AbortSignal,
  ): Promise<StepOutcome> {
    const check = await this.check(step);
    if (this.s.dryRun && isMutating(step)) {
      return {
        status: "described",
        dryRun: true,
        summary: `would run: ${this.redactor(await this.describe(step))}`,
      };
    }
    const timeoutMs = step.timeout ? parseDuration(step.timeout) : undefined;
    const stepAbort = new AbortController();
    // Ctrl-C aborts the step's signal and ends the race below (the executor then gets a grace to stop).
    let wake: () => void = () => {};
    const interrupted = new Promise<void>((resolve) => {
      wake = () => resolve();
    });
    const onInterrupt = () => {
      // Stryker disable next-line StringLiteral: the message of the internal Interrupted is never read: attempt() prints and journals a fixed "interrupted" and throws an InterruptedError.
      stepAbort.abort(new Interrupted("interrupted"));
      wake();
    };
    // Stryker disable next-line StringLiteral: the message of the internal Interrupted is never read: attempt() prints and journals a fixed "interrupted" and throws an InterruptedError.
    if (this.s.signal.aborted) throw new Interrupted("interrupted");
    // Stryker disable next-line OptionalChaining: onParent is called only when there is a parent.
    const onParent = () => stepAbort.abort(parent?.reason);
    if (parent?.aborted) onParent();
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal fires "abort" once, and the listener is removed in finally.
    parent?.addEventListener("abort", onParent, { once: true });
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal fires "abort" once, and the listener is removed in finally.
    this.s.signal.addEventListener("abort", onInterrupt, { once: true });
    let timedOut = false;
    // The executor stops its work on the abort; should it not (a child it cannot stop, a library that
    // ignores the signal), the step still ends a grace period later: a timeout always bounds the step.
    let onOverdue: () => void = () => {};
    const overdue = new Promise<"overdue">((resolve) => {
      onOverdue = () => resolve("overdue");
    });
    let overdueTimer: { cancel(): void } | undefined;
    const timer =
      timeoutMs === undefined
        ? undefined
        : longTimeout(() => {
            timedOut = true;
            stepAbort.abort(new Error(`timed out after ${step.timeout}`));
            overdueTimer = longTimeout(onOverdue, OVERDUE_GRACE_MS);
          }, timeoutMs);
    const ctx = this.context(key, step, stepAbort.signal, timeoutMs, progress);
    let settled = false;
    const running = check.execute(step, ctx).finally(() => {
      settled = true;
    });
    try {
      const first = await Promise.race([running, interrupted, overdue]);
      if (first === "overdue") {
        const summary = `timed out after ${step.timeout} (still running ${OVERDUE_GRACE_MS / 1000}s later; left behind)`;
        return { status: "failed", summary, error: summary };
      }
      if (this.s.signal.aborted) {
        // Give the executor a moment to stop its child process tree before the journal says so.
        if (!settled) {
          await Promise.race([running.catch(() => undefined), delay(STOP_GRACE_MS)]);
        }
        // Stryker disable next-line StringLiteral: the message of the internal Interrupted is never read: attempt() prints and journals a fixed "interrupted" and throws an InterruptedError.
        throw new Interrupted("interrupted");
      }
      // `interrupted` resolves only once the run's signal is aborted: here the executor answered first.
      const outcome = first as StepOutcome;
      if (timedOut && outcome.status === "failed" && !/timed out/i.test(outcome.summary)) {
        return { ...outcome, summary: `timed out after ${step.timeout}: ${outcome.summary}` };
      }
      return outcome;
    } catch (err) {
      if (err instanceof Interrupted || err instanceof InterruptedError || this.s.signal.aborted) {
        // Stryker disable next-line StringLiteral: the message of the internal Interrupted is never read: attempt() prints and journals a fixed "interrupted" and throws an InterruptedError.
        throw new Interrupted("interrupted");
      }
      const message = err instanceof Error ? err.message : String(err);
      if (timedOut) return { status: "failed", summary: `timed out after ${step.timeout}`, error: message };
      return { status: "failed", summary: message, error: message };
    } finally {
      timer?.cancel();
      overdueTimer?.cancel();
      // One listener per step on the run's signal would pile up over a long run (and warn at 11).
      this.s.signal.removeEventListener("abort", onInterrupt);
      // Stryker disable next-line StringLiteral: a nested step's controller is not used after it returned, aborted or not.
      parent?.removeEventListener("abort", onParent);
    }
  }

  private context(
    key: StepKey,
    step: Step | NestedStep,
    signal: AbortSignal,
    timeoutMs: number | undefined,
    progress: StepProgress | undefined,
  ): ExecContext {
    const { clock } = this.ports;
    const runner = this;
    const watch = this.state.steps[key]?.watch;
    const ctx: ExecContext = {
      key,
      run: {
        checklist: this.s.checklist.metadata.name,
        ...(this.s.checklist.metadata.environment
          ? { environment: this.s.checklist.metadata.environment }
          : {}),
        engineer: this.s.engineer,
        // Computed only when an executor (notify) reads it.
        get progress() {
          return runner.progressText();
        },
      },
      vars: this.vars(),
      variables: this.variableRules,
      env: this.s.env,
      cwd: this.s.cwd,
      signal,
      timeoutMs,
      dryRun: this.s.dryRun,
      interactive: this.s.interactive,
      // Executors redact what they report; the runner redacts again, since the line is printed.
      progress: progress
        ? {
            message: (text) => progress.message(this.redactor(text)),
            fraction: (done, label) => progress.fraction?.(done, this.redactor(label)),
          }
        : { message: () => {} },
      prompter: this.executorPrompter,
      // The redactor changes when a secret answer joins it: always the current one.
      redact: Object.assign((text: string) => this.redactor(text), {
        fragment: (text: string, cut: { start?: boolean; end?: boolean }) =>
          this.redactor.fragment(text, cut),
      }),
      now: () => clock.now(),
      sleep: (ms) => clock.sleep(ms, signal),
      kube: this.s.kube,
      runNested: async (nested, index) => {
        const nestedKey = `${key}#${index + 1}`;
        const saved = this.currentKey;
        try {
          this.currentKey = nestedKey;
          return redactDeep(await this.invoke(nestedKey, nested, progress, signal), this.redactor);
        } finally {
          this.currentKey = saved;
        }
      },
      ...(watch
        ? {
            resume: {
              watchElapsedMs: watch.elapsedMs,
              watchRounds: watch.rounds,
              ...(watch.firstRoundAt ? { watchFirstRoundAt: watch.firstRoundAt } : {}),
            },
          }
        : {}),
      recordProcess: async (group) => {
        // Stryker disable next-line OptionalChaining: the step's step-started is journaled before its executor runs.
        const attempt = this.state.steps[key.split("#")[0] ?? key]?.attempts ?? 0;
        await this.append(ev({ type: "step-process", at: this.at(), key, attempt, ...group }));
      },
      recordWatchRound: async (round, elapsedMs, ok, failed, startedAt) => {
        await this.append(
          ev({
            type: "watch-round",
            at: this.at(),
            key,
            round,
            elapsedMs,
            ok,
            ...(failed === undefined ? {} : { failed: this.redactor(failed) }),
            ...(startedAt === undefined ? {} : { roundStartedAt: startedAt }),
          }),
        );
      },
    };
    // Manual steps of a non-interactive run read their --answers entry.
    const answer = this.s.interactive || !isManual(step) ? undefined : this.s.answers[key];
    if (answer) {
      const { value, note } = splitNote(answer);
      ctx.answer = value;
      if (note !== undefined) ctx.answerNote = note;
    }
    return ctx;
  }

  // ---- failures --------------------------------------------------------------------------------

  /** A required step failed in this session: the menu (interactive) or a stop. Returns an exit code to stop. */
  private async decide(ref: StepRef): Promise<number | undefined> {
    const { output, prompter } = this.ports;
    const label = await this.label(ref.step);
    if (!this.s.interactive) {
      await this.append(
        ev({
          type: "run-aborted",
          at: this.at(),
          reason: `required step ${ref.key} failed`,
          abandoned: false,
        }),
      );
      output.line();
      output.warn(`Stopped: required step ${ref.key} (${label}) failed.`);
      output.info("Fix the cause, then resume the run (add --keep-going to continue past failures):");
      output.info(`  ${this.resumeCommand()}`);
      return 1;
    }
    const s = this.state.steps[ref.key];
    for (;;) {
      const choices: Choice<MenuChoice>[] = [
        { value: "retry", name: "Retry", description: "run the step again" },
        { value: "output", name: "Show full output" },
        ...(ref.step.allowOverride === false
          ? []
          : [
              {
                value: "override" as const,
                name: "Override",
                description: "mark it done by hand (reason required)",
              },
            ]),
        { value: "skip", name: "Skip", description: "leave it not done and move on (reason required)" },
        { value: "abort", name: "Abort", description: "stop here; the run can be resumed later" },
      ];
      const choice = await prompter.select(`${label} failed. What now?`, choices, { default: "retry" });
      switch (choice) {
        case "retry":
          this.failedNow.delete(ref.key);
          await this.step(ref);
          return undefined;
        case "output":
          // Stryker disable next-line OptionalChaining: the menu is shown only for a step that failed in this session.
          output.block(fullOutput(s?.outcome));
          continue;
        case "override":
        case "skip": {
          const reason = (
            await prompter.text(
              choice === "override"
                ? "Why is it done anyway? (recorded; Esc: back to the menu)"
                : "Why skip it? (recorded; Esc: back to the menu)",
              { required: true, escape: true },
            )
          ).trim();
          if (!reason) continue;
          // Printed as journaled: a secret value typed into the reason is not shown either.
          const kept = this.redactor(reason);
          await this.append(
            ev({
              type: choice === "override" ? "step-overridden" : "step-skipped",
              at: this.at(),
              key: ref.key,
              by: this.s.engineer,
              reason: kept,
            }),
          );
          output.stepResult(label, choice === "override" ? "overridden" : "skipped", kept, undefined);
          this.failedNow.delete(ref.key);
          return undefined;
        }
        case "abort":
          await this.append(
            ev({
              type: "run-aborted",
              at: this.at(),
              reason: `aborted after ${ref.key} failed`,
              abandoned: false,
            }),
          );
          output.info("Run aborted; everything so far is saved. Resume it with:");
          output.info(`  ${this.resumeCommand()}`);
          return 1;
      }
    }
  }

  // ---- sign-off --------------------------------------------------------------------------------

  /** The sign-off (engine/signoff.ts); returns an exit code when nothing was signed. */
  private async signoff(): Promise<number | undefined> {
    const result = await collectSignoff({
      checklist: this.s.checklist,
      state: this.state,
      refs: this.refs,
      interactive: this.s.interactive,
      dryRun: this.s.dryRun || this.state.options.dryRun,
      answers: this.s.answers,
      engineer: this.s.engineer,
      runId: this.s.runId,
      ...(this.s.answersPath ? { answersPath: this.s.answersPath } : {}),
      prompter: this.ports.prompter,
      output: this.ports.output,
    });
    if (result.type === "refused") {
      await this.append(ev({ type: "run-aborted", at: this.at(), reason: result.reason, abandoned: false }));
      return 1;
    }
    const { type: _type, ...signed } = result;
    await this.append(ev({ type: "signoff", at: this.at(), ...redactDeep(signed, this.redactor) }));
    return undefined;
  }

  private async finish(): Promise<number> {
    const { output } = this.ports;
    // Success needs every required step passed or overridden (a skip is recorded, not a pass) and "ready".
    const dryRun = this.s.dryRun || this.state.options.dryRun;
    const { exitCode, notDone } = finalOutcome(this.state, this.refs, dryRun);
    if (this.s.finalize) {
      const { recordPath, fingerprint } = await this.s.finalize(this.state);
      output.line();
      output.info(`Record: ${recordPath} (signed, key ${fingerprint})`);
    }
    output.info("Report (Markdown; -o report.html for HTML):");
    output.info(`  ${this.s.commands?.report ?? `deploycheck export ${this.s.runId}`}`);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral,StringLiteral: a fallback never used: finishing comes after the sign-off (plan.ts), whose fields are required.
    const signed = this.state.signoff ?? { ready: false, engineer: "?" };
    await this.notify(
      "finish",
      `${this.title()}: run ${this.s.runId} signed off ${signed.ready ? "ready" : "NOT ready"} by ${signed.engineer}`,
    );
    await this.append(ev({ type: "run-finished", at: this.at(), exitCode }));
    // Stryker disable next-line OptionalChaining: every step finalOutcome lists as not done has a state (finishing comes after every required step settled).
    const notDoneList = notDone.map((r) => `${r.key} (${this.state.steps[r.key]?.status})`).join(", ");
    if (dryRun) output.block(dryRunReport(this.state, this.refs));
    if (dryRun)
      output.info(
        exitCode === 0
          ? "Dry run finished: every required step ran or was described (a dry run is never ready)."
          : `Dry run finished; required steps were not done: ${notDoneList} (exit 1).`,
      );
    else if (exitCode === 0) output.info("Deployment signed off as ready.");
    else if (!signed.ready) output.info("Deployment signed off as NOT ready (exit 1).");
    else output.info(`Signed off as ready, but required steps were not done: ${notDoneList} (exit 1).`);
    return exitCode;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async notify(on: NotifyOn, text: string): Promise<void> {
    const { notifier, output } = this.ports;
    if (!notifier || !this.s.notifyOn?.has(on)) return;
    if (this.s.dryRun) {
      // A notification is a change in the world like any mutating step: a dry run only says so.
      output.info(`  (dry run) would notify (${on}): ${this.redactor(text)}`);
      return;
    }
    await this.sync();
    let result: { ok: boolean; status?: number; error?: string };
    try {
      result = await notifier.post(
        this.redactor(text),
        redactDeep(
          {
            checklist: this.s.checklist.metadata.name,
            run: this.s.runId,
            on,
            engineer: this.state.signoff?.engineer ?? this.s.engineer,
            progress: this.progressText(),
          },
          this.redactor,
        ),
        this.s.signal,
        this.redactor,
      );
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    await this.append(
      ev({
        type: "notification",
        at: this.at(),
        on,
        ok: result.ok,
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(result.error === undefined ? {} : { error: this.redactor(result.error) }),
      }),
    );
    if (!result.ok)
      output.warn(
        `${on} notification not delivered: ${this.redactor(result.error ?? `HTTP ${result.status}`)}`,
      );
  }

  /** Append durably; `lazy` (a step's result) is made durable by the next append or `sync`. */
  private async append(e: RunEvent, lazy = false): Promise<void> {
    // redactDeep returns a deep copy: the state may keep it without cloning it again.
    const safe = redactDeep(e, this.redactor);
    const { journal } = this.ports;
    if (lazy && journal.write && journal.sync) {
      journal.write(safe);
      this.unsynced = true;
    } else {
      await journal.append(safe);
      this.unsynced = false;
    }
    applyOwnedEvent(this.state, safe);
  }

  /** Make lazily written results durable before anything else happens (a prompt, a return, a post). */
  private async sync(): Promise<void> {
    if (!this.unsynced) return;
    // Stryker disable next-line OptionalChaining: unsynced is set only by a lazy write, done only when the journal has sync.
    await this.ports.journal.sync?.();
    this.unsynced = false;
  }

  private vars(): Record<string, string> {
    return { ...this.s.vars, ...this.state.saved, ...this.liveSaved };
  }

  private at(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  /** "12/23 items done": items whose steps all have a final result. */
  private progressText(): string {
    const open = new Set<string>();
    for (const r of this.refs) if (!isSettled(this.state.steps[r.key], r, true)) open.add(r.item.id);
    const done = this.itemTotal - open.size;
    return `${done}/${this.itemTotal} items done`;
  }

  private title(): string {
    return this.s.checklist.metadata.title;
  }

  private headers(ref: StepRef): void {
    const { output } = this.ports;
    if (ref.section.id !== this.lastSection) {
      this.lastSection = ref.section.id;
      output.section(ref.section.title);
    }
    if (ref.item.id !== this.lastItem) {
      this.lastItem = ref.item.id;
      output.item(ref.itemNumber, this.itemTotal, ref.item.title);
      if (ref.item.help) output.help(ref.item.help);
    }
  }

  /** A step kind's check module, loaded once per run (each step asks twice: its label, then its run). */
  private check(step: Step | NestedStep): Promise<CheckModule> {
    const kind = stepKind(step);
    let mod = this.checks.get(kind);
    if (!mod) {
      mod = this.ports.executors.loadCheck(kind);
      // A failed load is not kept: the next step of that kind tries again.
      mod.catch(() => this.checks.delete(kind));
      this.checks.set(kind, mod);
    }
    return mod;
  }

  private async describe(step: Step | NestedStep): Promise<string> {
    try {
      const check = await this.check(step);
      return check.describe(step, this.vars(), { secrets: new Set(this.s.secretVars), env: this.s.env });
    } catch {
      return stepKind(step);
    }
  }

  /** A step's title with its variables filled in (the output lays it out by the terminal's width). */
  private async label(step: Step): Promise<string> {
    const question =
      step.confirm === undefined
        ? undefined
        : typeof step.confirm === "string"
          ? step.confirm
          : step.confirm.prompt;
    // An untitled confirmation is labelled by its question, not by "ask: ... [yes/no]".
    const text =
      step.title !== undefined
        ? interpolate(step.title, this.vars(), this.s.env)
        : question !== undefined
          ? interpolate(question, this.vars(), this.s.env)
          : ((await this.describe(step)).split("\n")[0] ?? stepKind(step));
    return this.redactor(text);
  }

  private checkInterrupt(): void {
    if (this.s.signal.aborted) throw this.interruptedError();
  }

  private interruptedError(): InterruptedError {
    return new InterruptedError("run interrupted; everything so far is saved", {
      hint: `Resume it with:\n    ${this.resumeCommand()}`,
    });
  }

  private resumeCommand(): string {
    return this.s.commands?.resume ?? `deploycheck resume ${this.s.runId}`;
  }

  /** The terminal prompter, hiding the spinner while a question is on screen (rolloutUndo, inconclusive gates). */
  private suspendingPrompter(): ExecutorPrompter {
    const p = this.ports.prompter;
    const around = async <T>(fn: () => Promise<T>): Promise<T> => {
      const progress = this.progress;
      progress?.suspend();
      // Ctrl-C at a question (InterruptedError) ends the step as interrupted: invoke() sees to it.
      try {
        return await fn();
      } finally {
        progress?.resume();
      }
    };
    return {
      confirm: (m, o) => around(() => p.confirm(m, o)),
      input: (m, o) => around(() => p.input(m, o)),
      text: (m, o) => around(() => p.text(m, o)),
    };
  }
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}

function delay(ms: number): Promise<void> {
  // Stryker disable next-line OptionalChaining: Node's timers always have unref.
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
