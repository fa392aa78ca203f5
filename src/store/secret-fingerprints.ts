// Whether a secret variable changed between the sessions of a run, without ever writing its value: an
// HMAC-SHA256 of each secret value under a random per-run key, both kept in a private file (0600) of the
// run directory, never in the journal, the record or the team's copy in the cluster. Without the file
// (another machine, a run from an older version, a damaged file) a secret cannot be compared and counts
// as possibly changed.
import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { readStateFile, replaceStateFile } from "./safe-fs.js";

export const SECRET_FINGERPRINTS_FILE = "secret-fingerprints.json";
// Said in messages as "the <WHAT>" and "The <WHAT> was replaced by a link".
const WHAT = "secret fingerprints file";

interface Stored {
  key: string;
  fingerprints: Record<string, string>;
}

/** The stored key and fingerprints, or undefined when the file is missing or not what it should be. */
function read(runDir: string): Stored | undefined {
  let stored: Stored | undefined;
  try {
    stored = decode(readStateFile(join(runDir, SECRET_FINGERPRINTS_FILE), WHAT));
  } catch {
    // not readable (a link, not a file...) or not JSON: nothing kept
  }
  return stored;
}

function decode(text: string | undefined): Stored | undefined {
  if (text === undefined) return undefined;
  // null, numbers, strings and arrays have no string key: refused below.
  const { key, fingerprints } = (JSON.parse(text) ?? {}) as Record<string, unknown>;
  if (typeof key !== "string" || !/^[0-9a-f]{64}$/.test(key)) return undefined;
  if (typeof fingerprints !== "object" || fingerprints === null || Array.isArray(fingerprints))
    return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const [name, fp] of Object.entries(fingerprints)) {
    if (typeof fp === "string" && /^[0-9a-f]{64}$/.test(fp)) out[name] = fp;
  }
  return { key, fingerprints: out };
}

function fingerprint(key: string, name: string, value: string): string {
  return createHmac("sha256", Buffer.from(key, "hex")).update(`${name}\0${value}`).digest("hex");
}

/** For each secret: the same value as the last session's, a different one, or unknown (nothing kept). */
export function compareSecrets(
  runDir: string,
  values: Readonly<Record<string, string>>,
): (name: string) => "same" | "changed" | "unknown" {
  const stored = read(runDir);
  return (name) => {
    const before = stored?.fingerprints[name];
    if (!stored || before === undefined) return "unknown";
    return fingerprint(stored.key, name, values[name] ?? "") === before ? "same" : "changed";
  };
}

/** Keep this session's secret fingerprints (the key is reused, or made once per run). */
export function saveSecretFingerprints(
  runDir: string,
  secrets: readonly string[],
  values: Readonly<Record<string, string>>,
): void {
  const key = read(runDir)?.key ?? randomBytes(32).toString("hex");
  const fingerprints: Record<string, string> = {};
  for (const name of secrets) fingerprints[name] = fingerprint(key, name, values[name] ?? "");
  replaceStateFile(
    join(runDir, SECRET_FINGERPRINTS_FILE),
    `${JSON.stringify({ v: 1, key, fingerprints })}\n`,
    WHAT,
  );
}
