// A JSON parser for files handed to us by others (records for `verify` and `export`): RFC 8259 exactly as
// JSON.parse accepts it, but a key that appears twice in one object, at any depth and however it is escaped,
// is an error with its line and column, because another parser may read the other value. Objects have no
// prototype, so "__proto__" is a key like any other. Pure.

export class StrictJsonError extends Error {
  override name = "StrictJsonError";
  /** The message without its position. */
  readonly reason: string;
  readonly line: number;
  readonly col: number;
  constructor(message: string, line: number, col: number) {
    super(`${message} at line ${line} column ${col}`);
    this.reason = message;
    this.line = line;
    this.col = col;
  }
}

/** Nesting deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 512;

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseStrictJson(text: string): unknown {
  let i = 0;

  const fail = (message: string, at = i): never => {
    let line = 1;
    let start = 0;
    for (let k = 0; k < at; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        start = k + 1;
      }
    }
    throw new StrictJsonError(message, line, at - start + 1);
  };

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };

  const string = (): string => {
    // text[i] is the opening quote.
    i++;
    let out = "";
    let from = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in a string");
      if (c === 0x5c) {
        out += text.slice(from, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          // Stryker disable next-line Regex: the slice is at most 4 characters, so {4} spans it whole without ^ or $
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
          // A backslash at the end leaves e undefined, which is no key of ESCAPES ("undefined" is not one either).
        } else if (Object.hasOwn(ESCAPES, e as string)) {
          out += ESCAPES[e as string];
          i += 2;
        } else {
          fail("bad escape");
        }
        from = i;
        continue;
      }
      i++;
    }
  };

  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = Object.create(null);
      const seen = new Set<string>();
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const at = i;
        const key = string();
        if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, at);
        seen.add(key);
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail(i >= text.length ? "unexpected end of input" : `unexpected character ${JSON.stringify(c)}`);
  };

  const result = value(0);
  ws();
  if (i < text.length) fail("unexpected text after the JSON value");
  return result;
}
