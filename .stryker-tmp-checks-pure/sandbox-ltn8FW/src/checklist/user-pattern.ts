// @ts-nocheck
// Regular expressions written by users (expect.stdout/stderr, input.pattern, context.matches, globs,
// PromQL label matchers) run on RE2 (re2js, pure JS): linear time whatever the pattern and the text, so
// `^(a+)+$` on a long line cannot freeze the runner. RE2 has no backreferences or lookaround.
import { RE2JS } from "re2js";

export interface UserPattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in the text (like RegExp.prototype.test). */
  test(text: string): boolean;
}

const cache = new Map<string, UserPattern>();

/** Compile a user pattern (`multiline`: ^ and $ match at line ends). Throws on a pattern RE2 cannot run. */
export function userPattern(source: string, options: { multiline?: boolean } = {}): UserPattern {
  const key = `${options.multiline ? "m" : "-"}${source}`;
  let pattern = cache.get(key);
  if (!pattern) {
    const re = RE2JS.compile(source, options.multiline ? RE2JS.MULTILINE : 0);
    pattern = { source, test: (text) => re.matcher(text).find() };
    if (cache.size > 500) cache.clear();
    cache.set(key, pattern);
  }
  return pattern;
}

/** Why RE2 cannot run the pattern, or undefined when it can. */
export function userPatternProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, "");
    return `${why} (patterns use RE2 syntax, which runs in linear time: no backreferences or lookaround)`;
  }
}
