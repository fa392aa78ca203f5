// `deploycheck demo`: the bundled staging checklist against the built-in sandbox (simulated cluster,
// sample service with its Prometheus API, webhook sink), in a workspace with stand-in scripts, run by
// the same code as `deploycheck run`. Everything it starts stops when it ends, Ctrl-C included.
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve } from "node:path";
import { DURATION_RE, parseDuration } from "../../checklist/kinds.js";
import { shellQuote } from "../../checklist/vars.js";
import { InterruptedError, UsageError } from "../../errors.js";
import { sanitizeLine } from "../../sanitize.js";
import { commandWords, formatCommand, isCommandLine, terminalWidth, wrapText } from "../../ui/layout.js";
import { type GlobalOptions, isInteractive } from "../options.js";
import type { SessionOptions } from "../run-session.js";

export interface DemoOptions extends GlobalOptions {
  failAt?: string;
  watch?: string;
  workspace?: string;
}

/** The watch's interval for a demo watch of this length: a handful of rounds, at least 1 s apart. */
export function watchIntervalFor(durationMs: number): string {
  return `${Math.max(1000, Math.min(10_000, Math.round(durationMs / 3)))}ms`;
}

export async function run(_args: string[], options: DemoOptions): Promise<number> {
  const watch = options.watch ?? "30s";
  if (!DURATION_RE.test(watch)) {
    throw new UsageError(`--watch ${watch}: not a duration`, {
      hint: "For example --watch 30s or --watch 2m.",
    });
  }
  const originalCwd = process.cwd();
  const startedAt = Date.now();

  const [
    { onPath, prepareWorkspace, readSandboxPorts, writeKubectlStandIn, writeSandboxPorts, writeDemoAnswers },
    { startSandbox },
  ] = await Promise.all([import("../../sandbox/demo-workspace.js"), import("../../sandbox/start.js")]);
  const { loadChecklist } = await import("../../checklist/load.js");
  const { bundledDir } = await import("../../checklist/find.js");
  const checklistPath = join(bundledDir(), "staging.yaml");
  const { checklist } = await loadChecklist(checklistPath);
  // A bad --fail-at is refused before anything is created or started.
  if (options.failAt) (await import("../../sandbox/demo-faults.js")).checkFailAt(checklist, options.failAt);
  const workspace = resolve(options.workspace ?? (await mkdtemp(join(tmpdir(), "deploycheck-demo-"))));
  await mkdir(workspace, { recursive: true });
  // A relative --state-dir means relative to where the command was typed, not to the workspace.
  const state = resolve(originalCwd, options.stateDir ?? join(workspace, ".deploycheck"));

  await prepareWorkspace(workspace);
  const sandbox = await startSandbox({
    dir: join(workspace, ".sandbox"),
    ports: await readSandboxPorts(workspace),
    traffic: true,
  });
  const { decorateChecks } = await import("../../checks/registry.js");
  const savedEnv = { ...process.env };
  try {
    await writeSandboxPorts(workspace, {
      service: sandbox.service.port,
      prometheus: sandbox.prometheus.port,
      sink: sandbox.sink.port,
    });
    let banner = "";
    if (options.failAt) {
      const { planFault } = await import("../../sandbox/demo-faults.js");
      const plan = planFault(checklist, options.failAt, sandbox, workspace);
      decorateChecks(plan.decorator);
      banner = `  fault:           ${plan.key} will fail once: ${plan.description}\n`;
    }
    Object.assign(process.env, sandbox.env, { DEMO_NODE: process.execPath });
    if (!onPath("kubectl")) {
      // Nothing else installed: item 22's `kubectl get namespace` still works, through a stand-in.
      const bin = await writeKubectlStandIn(workspace);
      Object.assign(process.env, {
        PATH: `${bin}${delimiter}${process.env["PATH"] ?? ""}`,
        DEMO_KUBE_SERVER: sandbox.kube.url,
        DEMO_KUBE_CONTEXT: "staging-sandbox",
      });
    }
    // kubectl (run steps) against the sandbox: plain list+watch, as the simulated server expects.
    process.env["KUBE_FEATURE_WatchListClient"] ??= "false";

    const interactive = isInteractive(options);
    // The sandbox stops with the demo: its run continues through the demo (same workspace, same URLs).
    const again = [
      "deploycheck demo --workspace",
      shellQuote(workspace),
      ...(options.stateDir ? ["--state-dir", shellQuote(state)] : []),
      ...(options.watch ? ["--watch", shellQuote(watch)] : []),
      ...(options.var ?? []).flatMap((v) => ["--var", shellQuote(v)]),
      ...(options.answers ? ["--answers", shellQuote(resolve(originalCwd, options.answers))] : []),
      ...(options.nonInteractive ? ["--non-interactive"] : []),
      ...(options.engineer && sanitizeLine(options.engineer) === options.engineer
        ? ["--engineer", shellQuote(options.engineer)]
        : []),
      "--resume",
    ].join(" ");
    const shownPath = (p: string) =>
      relative(originalCwd, p).startsWith("..") ? p : relative(originalCwd, p);
    let answers = options.answers ? resolve(originalCwd, options.answers) : undefined;
    if (!interactive && !answers) answers = await writeDemoAnswers(workspace, checklist, "Demo Engineer");

    const watchVars = [`watchDuration=${watch}`, `watchInterval=${watchIntervalFor(parseDuration(watch))}`];
    const vars = [
      `apiUrl=${sandbox.service.url}`,
      `prometheusUrl=${sandbox.prometheus.url}`,
      // Without --watch the watch is a default: a resumed demo run keeps the window it started with.
      ...(options.watch ? watchVars : []),
      "gateInterval=2s",
      ...(options.var ?? []),
    ];
    const width = terminalWidth(process.stdout);
    process.stdout.write(
      [
        "deploycheck demo: the staging checklist against a built-in sandbox",
        `  workspace:       ${workspace}`,
        `  Kubernetes API:  ${sandbox.kube.url}  (simulated; context staging-sandbox)`,
        `  sample service:  ${sandbox.service.url}`,
        `  Prometheus API:  ${sandbox.prometheus.url}`,
        `  webhook sink:    ${sandbox.sink.url}/received`,
        `  watch:           ${watch}`,
        ...(answers && !interactive ? [`  answers:         ${answers}`] : []),
        "",
        interactive
          ? "You answer the confirmations. Ctrl-C stops and keeps the run; resume it with:"
          : "Ctrl-C stops and keeps the run; resume it with:",
        `  ${again}`,
        "",
      ]
        .map((line) =>
          isCommandLine(line) ? formatCommand(commandWords(line), width) : wrapText(line, width, 19),
        )
        .join("\n") + banner,
    );
    if (banner) process.stdout.write("\n");

    process.chdir(workspace);
    const { runCommand } = await import("../run-session.js");
    let code: number;
    try {
      code = await runCommand(checklistPath, {
        ...options,
        var: vars,
        ...(options.watch ? {} : { varDefaults: watchVars }),
        stateDir: state,
        ...(answers ? { answers } : {}),
        commands: (runId: string) => ({
          resume: again,
          report: `deploycheck export ${shellQuote(shownPath(join(state, "runs", runId, "record.json")))}`,
        }),
      } as SessionOptions);
    } catch (err) {
      if (err instanceof InterruptedError) {
        throw new InterruptedError(err.message, {
          cause: err,
          hint: `The sandbox stops with the demo; resume the run through the demo (same workspace and URLs):\n    ${again}`,
        });
      }
      throw err;
    }
    printRecord(state, workspace, originalCwd, startedAt);
    return code;
  } finally {
    decorateChecks(undefined);
    process.chdir(originalCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    await sandbox.close();
  }
}

/** Where the newest run's record is, and how to verify and export it; false when there is none. */
function printRecord(state: string, workspace: string, cwd: string, since: number): boolean {
  const runs = join(state, "runs");
  if (!existsSync(runs)) return false;
  const newest = readdirSync(runs)
    .map((id) => ({ id, record: join(runs, id, "record.json") }))
    .filter((r) => existsSync(r.record))
    .sort((a, b) => statSync(b.record).mtimeMs - statSync(a.record).mtimeMs)[0];
  // Only a record written by this session: an older run's record is not news.
  if (!newest || statSync(newest.record).mtimeMs < since) return false;
  const shown = relative(cwd, newest.record).startsWith("..") ? newest.record : relative(cwd, newest.record);
  process.stdout.write(
    [
      "",
      `Signed record: ${shown}`,
      "Verify it:",
      `  deploycheck verify ${shellQuote(shown)}`,
      `The workspace (scripts, backups, .rollback_state, runs) is ${workspace}; delete it when done.`,
      "",
    ].join("\n"),
  );
  return true;
}
