// @ts-nocheck
// File-name globs for `file.newest.glob`: `*`, `?`, `[abc]`/`[!abc]` and `{a,b}`, matched against a
// base name. Hand-written because path.matchesGlob is missing (or experimental) on Node 20.12.
import { type UserPattern, userPattern } from "../checklist/user-pattern.js";

/** A glob as an anchored pattern over one path segment, run by RE2 (linear: `*a*a*a*b` cannot hang). */
export function globToRegExp(glob: string): UserPattern {
  let out = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  out += ")".repeat(braces);
  return userPattern(`^${out}$`);
}
