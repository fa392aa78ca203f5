// @ts-nocheck
// Recognising shell commands inside checklist prose, and splitting them into words. Pure.

/** Programs whose name at the start of a line means "this is a command", not prose. */
const PROGRAMS = new Set([
  "kubectl",
  "helm",
  "curl",
  "wget",
  "bash",
  "sh",
  "docker",
  "aws",
  "gcloud",
  "az",
  "gh",
  "git",
  "psql",
  "mysql",
  "redis-cli",
  "terraform",
  "npm",
  "npx",
  "yarn",
  "pnpm",
  "python3",
  "jq",
  "argocd",
  "kustomize",
  "systemctl",
  "ssh",
]);

const SCRIPT_EXT = /\.(?:sh|bash|zsh|py|rb|js|mjs|cjs|ts|pl)$/;
const SCRIPT_DIR = /(?:^|\/)(?:scripts?|bin|hack|tools)\//;
const ENV_ASSIGNMENTS = /^(?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)\s+)+/;

/** `$ kubectl get pods` -> `kubectl get pods`. */
export function stripPrompt(text: string): string {
  return text.replace(/^\$\s+/, "").trim();
}

/** Whether a piece of text is a shell command: a known program, an executable path, after optional VAR=value. */
export function isCommand(text: string): boolean {
  const bare = stripPrompt(text);
  const withoutEnv = bare.replace(ENV_ASSIGNMENTS, "");
  const first = withoutEnv.split(/\s+/)[0] ?? "";
  if (!first) return false;
  if (PROGRAMS.has(first)) return withoutEnv.length > first.length || first === "kubectl";
  if (/^(?:\.{1,2}\/|~\/|\/)/.test(first) && !first.endsWith("/") && !first.includes(",")) {
    if (SCRIPT_EXT.test(first) || SCRIPT_DIR.test(first)) return true;
    // `./deploy` (one component, no extension) is an executable; `./backups/directory` is a path.
    if (/^\.\/[A-Za-z0-9_-]+$/.test(first)) return true;
  }
  // `FOO=bar anything` is a command: prose does not start with an assignment.
  return bare !== withoutEnv;
}

/**
 * A command glued to a remark, as text extracted from PDFs often is:
 * `kubectl rollout undo deployment/x -n staging(to re-apply)` -> command + `(to re-apply)`.
 */
export function splitTrailingRemark(text: string): { command: string; remark?: string } {
  const m = /^(.*?)\s*(\([^()]*[A-Za-z][^()]*\))$/.exec(text.trim());
  // Only prose in the parentheses: `$(date)` or `foo(1)` style shell stays a command.
  if (m && !m[1]!.endsWith("$") && /\s/.test(m[2]!) && m[1]!.trim()) {
    return { command: m[1]!.trim(), remark: m[2]! };
  }
  return { command: text.trim() };
}

/** Split a command line into words the way a shell would for simple commands (quotes, no expansion). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === "\\" && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

/** Split a pipeline at unquoted `|` (not `||`). */
export function pipeline(text: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "|" && text[i + 1] !== "|" && text[i - 1] !== "|") {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

// ---- whole scripts: logical commands, shell state, and what is known to be read-only --------------

/**
 * The logical commands of a script: lines joined at a trailing backslash, blank lines and comments
 * dropped. Each keeps the source line it starts on (0-based offset into the script's lines).
 */
export function logicalCommands(script: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let pending: { text: string; offset: number } | undefined;
  script.split("\n").forEach((raw, i) => {
    const t = raw.trim();
    if (!pending && (!t || t.startsWith("#"))) return;
    const piece = t.endsWith("\\") ? t.slice(0, -1).trimEnd() : t;
    if (pending) pending.text = `${pending.text} ${piece}`.trim();
    else pending = { text: piece, offset: i };
    if (!t.endsWith("\\")) {
      out.push(pending);
      pending = undefined;
    }
  });
  if (pending) out.push(pending);
  return out;
}

/**
 * Whether a script carries shell state from one line to the next (variables, directories, functions,
 * control flow, here-documents): such a script must run as one step, in one shell.
 */
export function carriesState(script: string): boolean {
  return logicalCommands(script).some(({ text }) =>
    /^(?:export|unset|cd|pushd|popd|source|\.|alias|set|shopt|trap|function|local|declare|readonly|eval|exec|if|then|else|elif|fi|for|while|until|do|done|case|esac|select|\{|\}|\(|\))(?:\s|$|;)|^[A-Za-z_][A-Za-z0-9_]*=[^\s]*$|^[A-Za-z_][A-Za-z0-9_]*\(\)|<<-?\s*['"]?\w/.test(
      text,
    ),
  );
}

/** The simple commands of one logical line: split at unquoted `|`, `||`, `&&`, `;` and `&`. */
export function simpleCommands(text: string): { words: string[]; raw: string; piped: boolean }[] {
  const parts: { raw: string; piped: boolean }[] = [];
  let quote: string | undefined;
  let start = 0;
  let piped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "|" || c === ";" || c === "&") {
      const double = text[i + 1] === c;
      parts.push({ raw: text.slice(start, i).trim(), piped });
      piped = c === "|" && !double;
      if (double) i++;
      start = i + 1;
    }
  }
  parts.push({ raw: text.slice(start).trim(), piped });
  return parts
    .filter((p) => p.raw !== "")
    .map((p) => ({ ...p, words: shellWords(p.raw).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) }));
}

/** Filters that only read their input and write to standard output. */
const PIPE_FILTERS = new Set([
  "grep",
  "egrep",
  "fgrep",
  "head",
  "tail",
  "wc",
  "sort",
  "uniq",
  "jq",
  "cut",
  "tr",
  "column",
  "yq",
]);
/** Programs that only read, whatever their (non-redirecting) arguments. */
const READ_PROGRAMS = new Set([
  "cat",
  "grep",
  "egrep",
  "fgrep",
  "ls",
  "stat",
  "test",
  "[",
  "head",
  "tail",
  "wc",
  "echo",
  "printf",
  "pwd",
  "date",
  "whoami",
  "true",
  "jq",
]);
const KUBE_READ_VERBS = new Set([
  "get",
  "describe",
  "logs",
  "top",
  "version",
  "explain",
  "api-resources",
  "api-versions",
  "cluster-info",
]);
const MUTATING_SQL_FUNCTIONS =
  /\b(?:pg_terminate_backend|pg_cancel_backend|setval|nextval|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_create_\w+|pg_drop_\w+|lo_\w+|dblink\w*|pg_advisory\w*|set_config|pg_promote|pg_wal_replay_\w+|pg_read_\w+)\s*\(/i;

function flagValue(words: string[], names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const n of names) {
      if (w === n) return words[i + 1] ?? "";
      if (n.startsWith("--") && w.startsWith(`${n}=`)) return w.slice(n.length + 1);
      if (!n.startsWith("--") && w.startsWith(n) && w.length > n.length) return w.slice(n.length);
    }
  }
  return undefined;
}

function kubeReadOnly(words: string[]): boolean {
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (
      /^-(?:n|l|o|c|f)$|^--(?:namespace|selector|output|container|context|kubeconfig|cluster|user|field-selector|sort-by|since|tail|template)$/.test(
        w,
      )
    )
      i++;
    else if (!w.startsWith("-")) positional.push(w);
  }
  const [verb, sub, third] = positional;
  if (verb === undefined) return false;
  if (KUBE_READ_VERBS.has(verb)) return true;
  if (verb === "rollout") return sub === "status" || sub === "history";
  if (verb === "auth") return sub === "can-i" || sub === "whoami";
  if (verb === "config")
    return sub === "current-context" || sub === "get-contexts" || (sub === "view" && third === undefined);
  return false;
}

function curlReadOnly(words: string[]): boolean {
  const method = flagValue(words, ["-X", "--request"]);
  if (method !== undefined && !/^(?:GET|HEAD)$/i.test(method)) return false;
  return !words.some(
    (w) =>
      /^(?:-d|--data(?:-\w+)?|-F|--form(?:-string)?|-T|--upload-file|--json|-o|-O|--output|--remote-name(?:-all)?|-K|--config|--cookie-jar|-c|-D|--dump-header)(?:=|$)/.test(
        w,
      ) ||
      (/^-[A-Za-z]*[dFTOoKcD]/.test(w) && !w.startsWith("--")),
  );
}

function wgetReadOnly(words: string[]): boolean {
  if (words.some((w) => /^--(?:post-data|post-file|method|body-data|body-file)(?:=|$)/.test(w))) return false;
  // wget writes a file unless told to print (-O -) or only to look (--spider).
  const out = flagValue(words, ["-O", "--output-document"]);
  return words.includes("--spider") || out === "-" || words.some((w) => /^-q?O-$/.test(w));
}

function psqlReadOnly(words: string[]): boolean {
  if (words.some((w) => /^(?:-f|--file)(?:=|$)/.test(w))) return false;
  const sql = flagValue(words, ["-c", "--command"]);
  if (sql === undefined) return false;
  const statements = sql
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    statements.length >= 1 &&
    statements.every(
      (s) =>
        (/^(?:SELECT|SHOW|EXPLAIN(?!\s+ANALY[SZ]E)|TABLE|VALUES)\b/i.test(s) ||
          /^\\(?:d\w*|l|dt|du|conninfo)\b/.test(s)) &&
        !/\bINTO\b/i.test(s) &&
        !MUTATING_SQL_FUNCTIONS.test(s),
    )
  );
}

function oneReadOnly(words: string[], piped: boolean): boolean {
  const [program, sub] = words;
  if (program === undefined) return false;
  if (piped && PIPE_FILTERS.has(program)) return true;
  switch (program) {
    case "kubectl":
    case "oc":
      return kubeReadOnly(words);
    case "curl":
      return curlReadOnly(words);
    case "wget":
      return wgetReadOnly(words);
    case "psql":
      return psqlReadOnly(words);
    case "helm":
      return (
        sub === "list" ||
        sub === "ls" ||
        sub === "status" ||
        sub === "history" ||
        sub === "get" ||
        sub === "version"
      );
    case "terraform":
      return sub === "plan" || sub === "show" || sub === "version" || sub === "validate" || sub === "output";
    case "aws": {
      const op = words.find((w, i) => i >= 2 && !w.startsWith("-"));
      return op !== undefined && /^(?:describe|list|get)-/.test(op) && op !== "get-object";
    }
    case "gcloud": {
      const ops = words.slice(1).filter((w) => !w.startsWith("-"));
      return ops.some((w) => w === "describe" || w === "list" || w === "get-value" || w === "get-iam-policy");
    }
    default:
      return READ_PROGRAMS.has(program);
  }
}

/**
 * Whether a command or script is on the read-only allow-list: every simple command in it is one of
 * kubectl/oc get/describe/logs/top/rollout status/history/auth can-i, curl/wget without a body, method
 * or output file, psql -c SELECT, cat/grep/ls/stat/test (and a few like them), helm list/status/history,
 * terraform plan/show, aws/gcloud describe/list/get; nothing redirects to a file, substitutes a command,
 * or runs as another user. Anything else is treated as changing something.
 */
export function isReadOnly(script: string): boolean {
  const commands = logicalCommands(script);
  if (commands.length === 0) return false;
  return commands.every(({ text }) => {
    // Redirection to a file, command substitution, process substitution: not provably read-only.
    if (/`|\$\(|<\(|>\(/.test(text)) return false;
    const unquoted = text
      .replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''")
      .replace(/[12&]?>{1,2}\s*\/dev\/null|[12]?>&[12]/g, "");
    if (/[<>]/.test(unquoted)) return false;
    const parts = simpleCommands(text);
    return parts.length > 0 && parts.every((p) => oneReadOnly(p.words, p.piped));
  });
}
