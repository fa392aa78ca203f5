// Interpolation into bash commands that quotes each value for the quoting context it lands in
// (bare word, '...', "...", $'...', inside $(...) or `...`, here-documents), so no value can inject a
// command even where the author wrote "${name}" inside double quotes (plain single-quoting would run
// $(...) there).
import { UsageError } from "../errors.js";
import { ESCAPE_OR_REFERENCE_RE, REFERENCE_RE, shellQuote } from "./vars.js";

type Mode = "bare" | "single" | "double" | "ansi" | "arith";

interface Frame {
  mode: Mode;
  /** What ends this frame: ")" for $(...), "))" for $((...)) and ((...)), "" for the top level. */
  close: ")" | "))" | "";
  /** Open parentheses inside a $(...), so that `$(f (x))` closes at the right one. */
  depth: number;
  /** Inside `[[ ... ]]`, where -eq and friends evaluate their operands as arithmetic. */
  test?: boolean;
}

/** A here-document whose body starts after the current line. */
interface Heredoc {
  delimiter: string;
  /** `<<'EOF'`: the body is taken literally, values go in as they are. */
  quoted: boolean;
  /** `<<-EOF`: leading tabs are stripped from body lines and the delimiter line. */
  stripTabs: boolean;
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
  /**
   * Descriptions only: place values that cannot be placed safely (see `unsafeIn`) anyway, instead
   * of throwing. Never for a command that runs.
   */
  lenient?: boolean;
}

/**
 * Why a value cannot go where it is: bash evaluates arithmetic ($((...)), ((...)), and the operands
 * of -eq & co. in [[ ]]) after expansion, and `a[$(cmd)]` there runs cmd whatever the quoting.
 */
function unsafeIn(frame: Frame, value: string): string | undefined {
  if (frame.mode === "arith" && !/^-?\d+$/.test(value)) return "is used in arithmetic but is not an integer";
  if (frame.test && value.includes("[") && /[$`]/.test(value))
    return "could run a command through arithmetic evaluation in [[ ]]";
  return undefined;
}

/** Replace ${name} and ${env.NAME} in a bash command; unknown names stay as written. */
export function interpolateCommand(
  command: string,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  options: ShellInterpolateOptions = {},
): string {
  const stack: Frame[] = [{ mode: "bare", close: "", depth: 0 }];
  const pending: Heredoc[] = [];
  let out = "";
  let i = 0;
  while (i < command.length) {
    const frame = stack[stack.length - 1]!;
    const c = command[i]!;
    if (c === "$" && command[i + 1] === "$" && command[i + 2] === "{") {
      // `$${NAME}`: a literal `${NAME}` for bash (its own variable), never a reference.
      out += "${";
      i += 3;
      continue;
    }
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
        const unsafe = value === undefined || options.lenient ? undefined : unsafeIn(frame, value);
        if (unsafe) {
          throw new UsageError(`the value of \${${ref}} ${unsafe}`, {
            hint: "Check the variable's value, or pass it to the command in an environment variable.",
          });
        }
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
      case "arith":
        if (c === "(") frame.depth++;
        else if (c === ")") {
          if (frame.depth > 0) frame.depth--;
          else {
            stack.pop();
            const closing = next === ")" ? "))" : ")";
            out += closing;
            i += closing.length;
            continue;
          }
        }
        break;
      case "double":
        if (c === "\\" && next !== undefined) {
          out += c + next;
          i += 2;
          continue;
        }
        if (c === '"') frame.mode = "bare";
        else if (c === "$" && next === "(" && command[i + 2] === "(") {
          stack.push({ mode: "arith", close: "))", depth: 0 });
          out += "$((";
          i += 3;
          continue;
        } else if (c === "$" && next === "(") {
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
      case "bare": {
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
        const wordStart = i === 0 || /[\s;&|(!]/.test(command[i - 1]!);
        if (c === "[" && next === "[" && wordStart) {
          frame.test = true;
          out += "[[";
          i += 2;
          continue;
        }
        if (c === "]" && next === "]" && frame.test) {
          frame.test = false;
          out += "]]";
          i += 2;
          continue;
        }
        if ((c === "$" && next === "(" && command[i + 2] === "(") || (c === "(" && next === "(")) {
          // Arithmetic: $((...)) or ((...)); `<<` in there is a shift, not a here-document.
          stack.push({ mode: "arith", close: "))", depth: 0 });
          const opening = c === "$" ? "$((" : "((";
          out += opening;
          i += opening.length;
          continue;
        }
        if (c === "<" && next === "<") {
          if (command[i + 2] === "<") {
            out += "<<<"; // a here-string: its word is an ordinary word
            i += 3;
            continue;
          }
          const op = hereDocOperator(command, i);
          pending.push(op.heredoc);
          out += command.slice(i, op.end);
          i = op.end;
          continue;
        }
        if (c === "\n" && pending.length) {
          out += c;
          i++;
          for (const doc of pending.splice(0)) {
            const body = hereDocBody(command, i, doc, values, env, options);
            out += body.text;
            i = body.end;
          }
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
    }
    out += c;
    i++;
  }
  return out;
}

/** `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"` or `<<\\EOF` starting at `start`. */
function hereDocOperator(command: string, start: number): { heredoc: Heredoc; end: number } {
  let j = start + 2;
  const stripTabs = command[j] === "-";
  if (stripTabs) j++;
  while (command[j] === " " || command[j] === "\t") j++;
  let word = "";
  let quoted = false;
  while (j < command.length && !/[\s;&|<>()]/.test(command[j]!)) {
    const ch = command[j]!;
    if (ch === "'" || ch === '"') {
      const close = command.indexOf(ch, j + 1);
      const stop = close === -1 ? command.length : close;
      word += command.slice(j + 1, stop);
      quoted = true;
      j = stop + 1;
    } else if (ch === "\\") {
      word += command[j + 1] ?? "";
      quoted = true;
      j += 2;
    } else {
      word += ch;
      j++;
    }
  }
  return { heredoc: { delimiter: word, quoted, stripTabs }, end: Math.min(j, command.length) };
}

/**
 * The body of a here-document from `start` through its delimiter line. In an unquoted one bash
 * expands $, ` and \\, so values are escaped for that; in a quoted one they go in literally. Either
 * way a value holding the delimiter line would end the document early, so it is refused.
 */
function hereDocBody(
  command: string,
  start: number,
  doc: Heredoc,
  values: Record<string, string>,
  env: Record<string, string | undefined>,
  options: ShellInterpolateOptions,
): { text: string; end: number } {
  const isDelimiter = (line: string) => (doc.stripTabs ? line.replace(/^\t+/, "") : line) === doc.delimiter;
  let out = "";
  let i = start;
  while (i < command.length) {
    const nl = command.indexOf("\n", i);
    const stop = nl === -1 ? command.length : nl + 1;
    const line = command.slice(i, stop);
    i = stop;
    if (isDelimiter(line.replace(/\n$/, ""))) return { text: out + line, end: i };
    const filled = line.replace(ESCAPE_OR_REFERENCE_RE, (whole, ref: string | undefined) => {
      if (ref === undefined) return "${";
      if (options.unsetEnvAsShellVar && ref.startsWith("env.") && env[ref.slice(4)] === undefined)
        return doc.quoted ? whole : `\${${ref.slice(4)}}`;
      if (options.mask?.has(ref)) return "****";
      const value = resolve(ref, values, env);
      if (value === undefined) return whole;
      return doc.quoted ? value : value.replace(/[\\$`]/g, "\\$&");
    });
    // The line was not the delimiter, so a delimiter line now comes from a value: it would end the
    // document early and run the rest of the value as commands.
    if (filled.replace(/\n$/, "").split("\n").some(isDelimiter)) {
      throw new UsageError(`a variable's value would end the here-document (<<${doc.delimiter}) early`, {
        hint: "Use another here-document delimiter, or pass the value in an environment variable.",
      });
    }
    out += filled;
  }
  return { text: out, end: i };
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
  if (mode === "double" || mode === "arith") return `\${${name}}`;
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
    case "arith":
      // Only integers get here when running (unsafeIn); a description shows anything else escaped.
      return /^-?\d+$/.test(value) ? value : value.replace(/[\\$`"]/g, "\\$&");
  }
}
