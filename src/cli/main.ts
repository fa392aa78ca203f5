// Command-line wiring: commander definitions, lazy command imports, and the error -> exit code map.
// The only module that prints errors and calls process.exit.
import { existsSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { DeploycheckError, EnvironmentError } from "../errors.js";
import { explainFsError } from "../fs-errors.js";
import { sanitizeText } from "../sanitize.js";
import type { GlobalOptions } from "./options.js";
import { VERSION } from "./version.js";

// bin/deploycheck.js loads dist/cli/main.bundle.js, this module with commander inlined by
// scripts/bundle-cli.mjs: one pre-linked file instead of commander's CommonJS files (bench/startup.mjs).

type CommandModule = {
  run(args: string[], options: GlobalOptions & Record<string, unknown>): Promise<number>;
};

/** Each command's module is imported only when that command runs, so --help stays light. */
const loaders: Record<string, () => Promise<CommandModule>> = {
  run: () => import("./commands/run.js"),
  resume: () => import("./commands/resume.js"),
  status: () => import("./commands/status.js"),
  runs: () => import("./commands/runs.js"),
  list: () => import("./commands/list.js"),
  show: () => import("./commands/show.js"),
  validate: () => import("./commands/validate.js"),
  export: () => import("./commands/export.js"),
  verify: () => import("./commands/verify.js"),
  trust: () => import("./commands/trust.js"),
  schema: () => import("./commands/schema.js"),
  import: () => import("./commands/import.js"),
  demo: () => import("./commands/demo.js"),
  sandbox: () => import("./commands/sandbox.js"),
};

const collectVar = (value: string, previous: string[] = []): string[] => [...previous, value];

function common(
  cmd: Command,
  which: ReadonlyArray<"vars" | "run" | "start" | "state" | "json" | "context">,
): Command {
  if (which.includes("vars")) {
    cmd.option("--var <key=value>", "set a checklist variable (repeatable)", collectVar, []);
  }
  if (which.includes("state")) {
    cmd.option("--state-dir <dir>", "where runs are kept (default ./.deploycheck, or DEPLOYCHECK_STATE_DIR)");
    cmd.option(
      "--state <where>",
      "team state: kubernetes[:namespace] keeps the lock, journal and record in the cluster too (or DEPLOYCHECK_STATE; default local)",
    );
  }
  if (which.includes("run")) {
    cmd
      .option("--non-interactive", "never prompt (implied when stdin is not a TTY or CI is set)")
      .option("--answers <file>", "YAML answers for manual steps: item-id/step-id: value")
      .option("--dry-run", "run read-only checks, only print what mutating steps would do")
      .option("--keep-going", "in a non-interactive run, continue after a required step fails")
      .option(
        "--engineer <name>",
        "who runs this session (default: the answers' signoff/engineer, DEPLOYCHECK_ENGINEER, git user.name, else user@host)",
      )
      .option(
        "--allow-var-change",
        "resume even though --var (or the environment) changes variables of the run (they are listed first)",
      );
  }
  // Only where a new run can meet an unfinished one (run, demo): `resume` has nothing to choose.
  if (which.includes("start")) {
    cmd
      .option("--resume", "resume the unfinished run of this checklist without asking")
      .option("--new", "abandon the unfinished run of this checklist and start a new one");
  }
  if (which.includes("context"))
    cmd.option("--context <name>", "Kubernetes context to use (default: current)");
  if (which.includes("json")) cmd.option("--json", "machine-readable output");
  return cmd;
}

function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}

function action(name: string, cmd: Command) {
  return async (...args: unknown[]) => {
    // commander passes the positional arguments, then the options object, then the command.
    const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a]));
    const options = { ...cmd.optsWithGlobals() } as GlobalOptions & Record<string, unknown>;
    const loader = loaders[name];
    if (!loader) throw new Error(`no module for command ${name}`);
    const mod = await loader();
    process.exitCode = await mod.run(positional as string[], options);
  };
}

export function buildProgram(): Command {
  const program = new Command("deploycheck")
    .description(
      "Interactive checklist runner for deployments: runs the checks, asks what only a person can, resumes after any interruption, ends with a signed sign-off.",
    )
    .version(VERSION, "-V, --version")
    .addOption(new Option("--no-color", "disable colours (also NO_COLOR)"))
    .showSuggestionAfterError(true)
    .exitOverride();

  const add = (
    name: string,
    args: string,
    description: string,
    opts: Parameters<typeof common>[1],
    ex: string[],
  ) => {
    const cmd = program.command(`${name}${args ? ` ${args}` : ""}`).description(description);
    common(cmd, opts);
    examples(cmd, ex);
    cmd.action(action(name, cmd));
    return cmd;
  };

  add(
    "run",
    "<checklist>",
    "run a checklist (or offer to resume its unfinished run)",
    ["vars", "state", "run", "start", "context", "json"],
    [
      "deploycheck run staging",
      "deploycheck staging --var apiUrl=https://api-staging.example.com",
      "CI=1 deploycheck run staging --answers answers.yaml --new",
    ],
  );
  add(
    "resume",
    "[run-id]",
    "resume a run (default: the most recent unfinished one)",
    ["vars", "state", "run", "context", "json"],
    ["deploycheck resume", "deploycheck resume staging-20261126T063000Z-7f3a"],
  );
  add(
    "status",
    "[run-id]",
    "progress of a run: items done, failed, pending; who and when",
    ["state", "json"],
    ["deploycheck status", "deploycheck status staging-20261126T063000Z-7f3a --json"],
  );
  add(
    "runs",
    "",
    "list runs (id, checklist, state, started, engineer)",
    ["state", "json", "context"],
    ["deploycheck runs", "deploycheck runs --team --state kubernetes:deploycheck"],
  )
    .option("--team", "list the team's runs from the cluster (needs --state kubernetes or DEPLOYCHECK_STATE)")
    .option("--all", "also list runs a guard refused before any step ran");
  add(
    "list",
    "",
    "list the checklists found (name, title, path, item count)",
    ["json"],
    ["deploycheck list"],
  );
  add(
    "show",
    "<checklist>",
    "show the plan: sections, items, steps and exactly what each step will do",
    ["vars", "json"],
    ["deploycheck show staging", "deploycheck show staging --var namespace=staging-2 --json"],
  );
  add(
    "validate",
    "<checklist...>",
    "validate checklists (exit 2 on any error)",
    ["json"],
    ["deploycheck validate staging", "deploycheck validate checklists/*.yaml"],
  );
  add(
    "export",
    "<run>",
    "export a run's sign-off report",
    ["state"],
    [
      "deploycheck export staging-20261126T063000Z-7f3a",
      "deploycheck export .deploycheck/runs/<id>/record.json -o report.html",
      "deploycheck export staging-20261126T063000Z-7f3a --format junit -o junit.xml --force",
    ],
  )
    .option("--format <format>", "md, html, junit or json (default: from the -o extension, else md)")
    .option("-o, --output <file>", "write to a file instead of stdout")
    .option("--force", "overwrite the -o file if it exists");
  add(
    "verify",
    "<record|run>",
    "check a record's signature and content (a file, or a run's signed record: local, or the team's in the cluster)",
    ["json", "state"],
    [
      "deploycheck verify .deploycheck/runs/<id>/record.json",
      "deploycheck verify record.json --fingerprint SHA256:...",
      "deploycheck verify staging-20261126T063000Z-7f3a --state kubernetes:deploycheck",
    ],
  )
    .option("--key <file>", "require this public key (PEM)")
    .option("--fingerprint <fp>", "require this key fingerprint")
    .option("--any-key", "accept a valid signature by any key (default: yours or one in trusted-keys)");
  add(
    "trust",
    "<key>",
    "trust a signer's key: a fingerprint or a public key file, added to trusted-keys",
    [],
    [
      'deploycheck trust SHA256:Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg --name "Ana Lima"',
      "deploycheck trust ana.pub.pem --name Ana",
    ],
  ).option("--name <name>", "who the key belongs to (kept beside the fingerprint)");
  add(
    "schema",
    "",
    "print the JSON Schema of the checklist format (or of the record)",
    [],
    ["deploycheck schema > deploycheck.schema.json", "deploycheck schema --record"],
  ).option("--record", "the JSON Schema of record.json instead");
  add(
    "import",
    "<file>",
    "turn a Markdown or plain-text checklist into checklist YAML ('-' reads stdin)",
    [],
    [
      "deploycheck import docs/staging-checklist.md -o checklists/staging.yaml",
      "pbpaste | deploycheck import - --name staging",
    ],
  )
    .option("-o, --output <file>", "write the YAML here instead of stdout")
    .option("--name <name>", "the checklist name (default: from the file name or title)")
    .option("--force", "overwrite the -o file if it exists");
  add(
    "demo",
    "",
    "run the staging checklist against the built-in sandbox",
    ["vars", "state", "run", "start"],
    [
      "deploycheck demo",
      "deploycheck demo --fail-at extended-monitoring/watch --watch 1m",
      "deploycheck demo --workspace ./demo --resume",
    ],
  )
    .option("--fail-at <step>", "inject a fault at this step to try the failure menu and resume")
    .option("--watch <duration>", "length of the extended-monitoring watch (default 30s in the demo)")
    .option("--workspace <dir>", "use this directory as the demo workspace");
  add(
    "sandbox",
    "",
    "start the sandbox alone: simulated cluster, sample service, webhook sink",
    ["json"],
    ["deploycheck sandbox", "deploycheck sandbox --workspace ./sandbox"],
  ).option("--workspace <dir>", "write the stand-in scripts and answers here (default: a new temp dir)");
  return program;
}

/** Names of commands, so `deploycheck staging` can mean `deploycheck run staging`. */
const COMMANDS = new Set([...Object.keys(loaders), "help"]);

export function normaliseArgv(
  argv: string[],
  isChecklist: (name: string) => boolean = checklistExists,
): string[] {
  const args = argv.slice(2);
  const first = args.findIndex((a) => !a.startsWith("-"));
  const globalOnly = args.slice(0, first === -1 ? args.length : first).every((a) => a === "--no-color");
  const word = first === -1 ? undefined : args[first]!;
  // `deploycheck stauts` is a typo of a command, not a checklist called "stauts": commander then
  // says "unknown command 'stauts'" with its "Did you mean status?".
  if (word !== undefined && globalOnly && !COMMANDS.has(word) && !(nearCommand(word) && !isChecklist(word))) {
    args.splice(first, 0, "run");
  }
  return [...argv.slice(0, 2), ...args];
}

/** Whether `word` is one or two edits away from a command name (a plausible typo of it). */
function nearCommand(word: string): boolean {
  if (/[./]/.test(word)) return false;
  return [...COMMANDS].some((c) => distance(word.toLowerCase(), c) <= (c.length > 4 ? 2 : 1));
}

/** Levenshtein distance with adjacent transpositions (small strings only). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A checklist of that name here (./checklists/NAME.yaml) or a file of that name. */
function checklistExists(name: string): boolean {
  return [name, `checklists/${name}.yaml`, `checklists/${name}.yml`].some((p) => existsSync(p));
}

async function printError(err: unknown): Promise<number> {
  const debug = process.env["DEPLOYCHECK_DEBUG"] === "1";
  if (err instanceof DeploycheckError) {
    // Messages quote checklists, command output and paths: shown without their escape sequences.
    const text = `deploycheck: ${sanitizeText(err.message)}\n${err.hint ? `  ${sanitizeText(err.hint)}\n` : ""}`;
    // On a terminal, prose wraps at words and commands break between arguments with \ (they paste whole).
    const width = process.stderr.isTTY ? process.stderr.columns : undefined;
    if (width) {
      const { commandWords, formatCommand, isCommandLine, wrapText } = await import("../ui/layout.js");
      const laid = text
        .trimEnd()
        .split("\n")
        .map((line) => {
          const indent = line.length - line.trimStart().length;
          return isCommandLine(line)
            ? formatCommand(commandWords(line), width, " ".repeat(indent))
            : wrapText(line, width, indent || 2);
        });
      process.stderr.write(`${laid.join("\n")}\n`);
    } else {
      process.stderr.write(text);
    }
    if (debug) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err as { name?: string; message?: string; stack?: string };
  if (e?.name === "ExitPromptError" || e?.name === "AbortPromptError") {
    process.stderr.write("deploycheck: interrupted\n");
    return 130;
  }
  // Disk full, read-only, permissions, a directory in the way: the machine's doing, not a bug.
  const env = explainFsError(err);
  if (env) return printError(env);
  process.stderr.write(`deploycheck: internal error: ${e?.message ?? String(err)}\n`);
  process.stderr.write(
    debug
      ? `${e?.stack}\n`
      : "  This is a bug in deploycheck. Run again with DEPLOYCHECK_DEBUG=1 to see the stack.\n",
  );
  return 1;
}

/**
 * Every relative path (the state dir, checklists, -o files) needs the working directory. When it was
 * deleted under the shell, Node's recursive mkdir of a relative path retries forever: say so instead.
 */
function checkWorkingDirectory(): void {
  try {
    process.cwd();
  } catch (err) {
    throw new EnvironmentError(
      "the current directory no longer exists (it was deleted or moved after this shell entered it)",
      (err as NodeJS.ErrnoException).code ?? "ENOENT",
      undefined,
      {
        cause: err,
        hint: 'cd to an existing directory (e.g. `cd "$PWD"` if it was re-created) and run the command again.',
      },
    );
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  if (argv.includes("--no-color")) process.env["NO_COLOR"] = "1";
  // `deploycheck show staging | head` closes the pipe early: that is not an error worth a stack.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw err;
  });
  const program = buildProgram();
  try {
    checkWorkingDirectory();
    await program.parseAsync(normaliseArgv(argv));
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors 2 (commander already printed the message).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else {
      process.exitCode = await printError(err);
    }
  }
  // Commands release their handles, but a stray timer or socket must not keep a finished CLI alive.
  // Exit once stdout and stderr have flushed so that piped output is never cut short.
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(code);
}
