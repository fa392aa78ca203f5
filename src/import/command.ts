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
