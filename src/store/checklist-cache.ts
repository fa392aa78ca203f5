// The checklist cache: validating a checklist is a pure function of its bytes and of the validator's code,
// so a file validated once is answered from `$XDG_CACHE_HOME/deploycheck/checklists/` (else
// ~/.cache/deploycheck/) without loading yaml and zod again. Only valid checklists are cached; every
// problem is re-derived from the source, with positions. Any failure to read or write the cache is ignored:
// it can only make deploycheck slower, never wrong. DEPLOYCHECK_NO_CACHE=1 turns it off.
//
// The cache directory is untrusted (it is not private, and an edited entry would make `run` execute what
// the YAML does not say): every entry is bound to the YAML it claims to be by an HMAC-SHA256 over the
// validator's identity, the path shown, the YAML's sha256 and the entry's body, keyed with a per-user
// secret (`cache-key`, 32 random bytes, 0600) in the config directory beside the signing key. An entry
// whose MAC does not verify is a miss: the file is validated again from its bytes.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Checklist } from "../checklist/schema.js";
import { VERSION } from "../cli/version.js";
import type { ChecklistProblem } from "../errors.js";
import { defaultConfigDir } from "../record/keys.js";

const CACHE_FORMAT = 2;
export const CACHE_KEY_FILE = "cache-key";

export interface CachedChecklist {
  checklist: Checklist;
  warnings: ChecklistProblem[];
}

/** The modules whose code decides a checklist's validity: a change to any of them changes every key. */
const VALIDATOR_MODULES = [
  "parse",
  "schema",
  "kinds",
  "schema-issues",
  "validate",
  "vars",
  "locate",
  "walk",
  "shell-refs",
];

let validatorId: string | undefined;

/** Identity of the validator: tool version plus the size and mtime of each validating module. */
function validator(): string {
  if (validatorId === undefined) {
    const here = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "checklist");
    const ext = path.extname(fileURLToPath(import.meta.url));
    const parts = [String(CACHE_FORMAT), VERSION];
    for (const name of VALIDATOR_MODULES) {
      const s = statSync(path.join(here, `${name}${ext}`));
      parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    }
    validatorId = parts.join("|");
  }
  return validatorId;
}

function cacheDir(env = process.env): string {
  // $HOME as the XDG spec says (os.homedir() reads the process's own environment, not process.env, in a
  // worker thread such as Stryker's vitest runner's).
  const base = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || homedir(), ".cache");
  return path.join(base, "deploycheck", "checklists");
}

const cacheOff = () => process.env["DEPLOYCHECK_NO_CACHE"] === "1";

function entryPath(sha256: string, shown: string): string {
  const key = createHash("sha256").update(`${validator()}\n${shown}\n${sha256}`).digest("hex");
  return path.join(cacheDir(), `${key}.json`);
}

let secret: { dir: string; key: Buffer } | undefined;

/**
 * The per-user cache secret: read from the config dir, created there (0600, exclusively) when `create`
 * and missing. Undefined when it cannot be had safely (a link, readable by others, unreadable): no cache.
 */
function cacheSecret(create: boolean): Buffer | undefined {
  const dir = defaultConfigDir();
  if (secret?.dir === dir) return secret.key;
  const file = path.join(dir, CACHE_KEY_FILE);
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fd: number | undefined;
  try {
    fd = openSync(file, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" || !create) return undefined;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const key = randomBytes(32);
      const w = openSync(file, "wx", 0o600);
      try {
        writeSync(w, key.toString("hex"));
      } finally {
        closeSync(w);
      }
      secret = { dir, key };
      return key;
      // Stryker disable next-line BlockStatement: an empty catch falls through to fstatSync(undefined), whose throw reaches the caller's catch: no cache either way
    } catch {
      // Another process created it first (read it next time), or the config dir is read-only.
      return undefined;
    }
  }
  try {
    const st = fstatSync(fd);
    // Only a private regular file of our own is a secret.
    if (!st.isFile() || (st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid()))
      return undefined;
    const hex = readFileSync(fd, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
    secret = { dir, key: Buffer.from(hex, "hex") };
    return secret.key;
  } catch {
    // unreadable: no cache
  } finally {
    closeSync(fd);
  }
  return undefined;
}

function mac(key: Buffer, sha256: string, shown: string, body: string): Buffer {
  return createHmac("sha256", key).update(`${validator()}\n${shown}\n${sha256}\n${body}`).digest();
}

/** An entry file's text: the MAC (hex) on the first line, the body (JSON) after it. */
function sealEntry(key: Buffer, sha256: string, shown: string, body: string): string {
  return `${mac(key, sha256, shown, body).toString("hex")}\n${body}`;
}

/** For tests: seal an entry body with this user's secret, as deploycheck does (undefined without one). */
export function sealCacheEntryForTest(sha256: string, shown: string, body: string): string | undefined {
  const key = cacheSecret(false);
  return key ? sealEntry(key, sha256, shown, body) : undefined;
}

export function readCachedChecklist(sha256: string, shown: string): CachedChecklist | undefined {
  try {
    if (cacheOff()) return undefined;
    const file = entryPath(sha256, shown);
    const key = cacheSecret(false);
    if (!key) return undefined;
    const text = readFileSync(file, "utf8");
    const cut = text.indexOf("\n");
    if (cut !== 64) return undefined;
    const body = text.slice(cut + 1);
    // Stryker disable next-line MethodExpression: hex decoding stops at the newline at index 64, so the whole text decodes to the same 32 bytes
    if (!timingSafeEqual(Buffer.from(text.slice(0, 64), "hex"), mac(key, sha256, shown, body)))
      return undefined;
    const entry = JSON.parse(body) as Partial<CachedChecklist> & { sha256?: string };
    if (entry.sha256 !== sha256 || !entry.checklist || !Array.isArray(entry.warnings)) return undefined;
    return { checklist: entry.checklist, warnings: entry.warnings };
  } catch {
    // unreadable, damaged or not ours: no cache
  }
  return undefined;
}

export function writeCachedChecklist(sha256: string, shown: string, value: CachedChecklist): void {
  try {
    if (cacheOff()) return;
    const file = entryPath(sha256, shown);
    const key = cacheSecret(true);
    if (!key) return;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const text = sealEntry(key, sha256, shown, JSON.stringify({ sha256, ...value }));
    // Write then rename: a reader sees a whole entry or none.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    // Stryker disable next-line StringLiteral: the temporary name is random per write, so no file is there for "wx" to refuse
    writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
    renameSync(tmp, file);
  } catch {
    // A read-only home or a full disk must never stop a run.
  }
}
