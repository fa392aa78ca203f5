// Interpolation into bash commands that quotes each value for the quoting context it lands in
// (bare word, '...', "...", $'...', inside $(...) or `...`), so no value can inject a command even
// where the author wrote "${name}" inside double quotes (plain single-quoting would run $(...) there).
import { REFERENCE_RE, shellQuote } from "./vars.js";

type Mode = "bare" | "single" | "double" | "ansi";

interface Frame {
  mode: Mode;
  /** What ends this command substitution: ")" for $(...), "" for the top level. */
  close: ")" | "";
  /** Open parentheses inside a $(...), so that `$(f (x))` closes at the right one. */
  depth: number;
}

const REF_AT = new RegExp(REFERENCE_RE.source, "y");

export interface ShellInterpolateOptions {
  /** Replace these variables' values by **** (for descriptions). */
  mask?: ReadonlySet<string>;
  /**
   * Show `${env.NAME}` missing from `env` as the shell variable the child would read ("${NAME}"),
   * for descriptions made without the run's environment. Otherwise it becomes "" (as interpolate does).
   */
  unsetEnvAsShellVar?: boolean;
}

/** Replace ${name} and ${env.NAME} in a bash command; unknown names stay as written. */
export function interpolateCommand(
  command: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  options: ShellInterpolateOptions = {},
): string {
  const stack: Frame[] = [{ mode: "bare", close: "", depth: 0 }];
  let out = "";
  let i = 0;
  while (i < command.length) {
    const frame = stack[stack.length - 1]!;
    const c = command[i]!;
    if (c === "$" && command[i + 1] === "{") {
      REF_AT.lastIndex = i;
      const m = REF_AT.exec(command);
      if (m) {
        const ref = m[1]!;
        if (options.unsetEnvAsShellVar && ref.startsWith("env.") && env[ref.slice(4)] === undefined) {
          out += shellVariableFor(frame.mode, ref.slice(4));
          i += m[0].length;
          continue;
        }
        // A masked value is only ever shown, never run: print it bare.
        const value = options.mask?.has(ref) ? "****" : resolve(ref, values, env);
        out +=
          value === undefined
            ? m[0]
            : value === "****" && options.mask?.has(ref)
              ? value
              : quoteFor(frame.mode, value);
        i += m[0].length;
        continue;
      }
    }
    const next = command[i + 1];
    switch (frame.mode) {
      case "single":
        if (c === "'") frame.mode = "bare";
        break;
      case "ansi":
        if (c === "\\" && next !== undefined) {
          out += c + next;
          i += 2;
          continue;
        }
        if (c === "'") frame.mode = "bare";
        break;
      case "double":
        if (c === "\\" && next !== undefined) {
          out += c + next;
          i += 2;
          continue;
        }
        if (c === '"') frame.mode = "bare";
        else if (c === "$" && next === "(") {
          stack.push({ mode: "bare", close: ")", depth: 0 });
          out += "$(";
          i += 2;
          continue;
        } else if (c === "`") {
          const sub = backticks(command, i, true, values, env, options);
          out += sub.text;
          i = sub.end;
          continue;
        }
        break;
      case "bare":
        if (c === "\\" && next !== undefined) {
          out += c + next;
          i += 2;
          continue;
        }
        if (c === "#" && (i === 0 || /[\s;&|()]/.test(command[i - 1]!))) {
          // A comment runs to the end of the line; its quotes quote nothing.
          const end = command.indexOf("\n", i);
          const stop = end === -1 ? command.length : end;
          out += command.slice(i, stop);
          i = stop;
          continue;
        }
        if (c === "'") frame.mode = "single";
        else if (c === '"') frame.mode = "double";
        else if (c === "$" && next === "'") {
          frame.mode = "ansi";
          out += "$'";
          i += 2;
          continue;
        } else if (c === "$" && next === "(") {
          stack.push({ mode: "bare", close: ")", depth: 0 });
          out += "$(";
          i += 2;
          continue;
        } else if (c === "(" && frame.close === ")") frame.depth++;
        else if (c === ")" && frame.close === ")") {
          if (frame.depth > 0) frame.depth--;
          else stack.pop();
        } else if (c === "`") {
          const sub = backticks(command, i, false, values, env, options);
          out += sub.text;
          i = sub.end;
          continue;
        }
        break;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * `...` starting at `start`: bash removes one level of backslashes from the body before parsing it
 * as a command, so the body is unescaped, interpolated as a command of its own, and escaped again.
 */
function backticks(
  command: string,
  start: number,
  inDouble: boolean,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  options: ShellInterpolateOptions,
): { text: string; end: number } {
  let j = start + 1;
  while (j < command.length && command[j] !== "`") j += command[j] === "\\" ? 2 : 1;
  const body = command.slice(start + 1, Math.min(j, command.length));
  const special = inDouble ? /\\([\\`$"])/g : /\\([\\`$])/g;
  const inner = interpolateCommand(body.replace(special, "$1"), values, env, options);
  const escaped = inner.replace(inDouble ? /[\\`$"]/g : /[\\`$]/g, "\\$&");
  return { text: `\`${escaped}${j < command.length ? "`" : ""}`, end: j + 1 };
}

function resolve(
  ref: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
): string | undefined {
  if (ref.startsWith("env.")) return env[ref.slice(4)] ?? "";
  return Object.hasOwn(values, ref) ? values[ref] : undefined;
}

/** A reference to the shell variable NAME, written for the given quoting context. */
function shellVariableFor(mode: Mode, name: string): string {
  if (mode === "double") return `\${${name}}`;
  if (mode === "bare") return `"\${${name}}"`;
  return `'"\${${name}}"'`;
}

/** The value as literal text in the given quoting context. */
function quoteFor(mode: Mode, value: string): string {
  switch (mode) {
    case "bare":
      return shellQuote(value);
    case "single":
      // Close the quote, add the value's quotes escaped, reopen: '...'\''...'
      return value.replace(/'/g, `'\\''`);
    case "double":
      return value.replace(/[\\$`"]/g, "\\$&");
    case "ansi":
      return value.replace(/[\\']/g, "\\$&");
  }
}
