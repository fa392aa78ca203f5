// @ts-nocheck
// KEY=VALUE files as shell scripts and dotenv write them (.rollback_state, .env): comments, blank
// lines, an `export ` prefix, single- or double-quoted values, inline comments after unquoted values.

const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/** The pairs of a KEY=VALUE text; the last assignment of a key wins, as when a shell sources it. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(?:#|$)/.test(line)) continue;
    const m = LINE_RE.exec(line);
    if (!m) continue;
    out[m[1]!] = parseValue(m[2]!);
  }
  return out;
}

function parseValue(raw: string): string {
  const value = raw.trim();
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end === -1 ? value.slice(1) : value.slice(1, end);
  }
  if (value.startsWith('"')) {
    let out = "";
    for (let i = 1; i < value.length; i++) {
      const c = value[i]!;
      if (c === '"') break;
      if (c === "\\" && i + 1 < value.length) {
        const next = value[++i]!;
        out += next === "n" ? "\n" : next === "t" ? "\t" : next;
      } else out += c;
    }
    return out;
  }
  // An unquoted value ends where an inline comment starts (whitespace then #).
  return value.replace(/\s+#.*$/, "");
}
