// The sign-off's effects: build the record, sign it with the user's key and write record.json atomically
// (temp file, fsync, rename, fsync of the directory) so that a crash never leaves half a record.
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Checklist } from "../checklist/schema.js";
import type { RunState } from "../engine/state.js";
import { explainFsError } from "../fs-errors.js";
import { createRedactor } from "../redact.js";
import { buildRecord } from "./build.js";
import { defaultConfigDir, exposedKeyWarning, loadOrCreateSigningKey, PRIVATE_KEY_FILE } from "./keys.js";
import type { SignedRecord } from "./schema.js";
import { signRecord } from "./sign.js";

export const RECORD_FILE = "record.json";

export interface FinalizeInput {
  runDir: string;
  state: RunState;
  checklist: Checklist;
  /** Where the signing key lives; default `$XDG_CONFIG_HOME/deploycheck` or `~/.config/deploycheck`. */
  configDir?: string;
  now?: Date;
  /** Values of secret variables, redacted again from everything in the record. */
  secrets?: string[];
  /** The journal's head hash and line count at sign-off (verified by the caller). */
  journal?: { head: string; events: number };
}

export interface FinalizeResult {
  recordPath: string;
  fingerprint: string;
  record: SignedRecord;
  /** True when this sign-off created the user's key pair. */
  keyCreated: boolean;
  /** Said when the private key file was readable by others (it may have been exposed). */
  keyWarning?: string;
}

/** Write a file so that readers see the old content or the whole new content, never a torn one. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  // "wx": a new file of our own (a link planted at the temporary name is refused, never written through);
  // private, like every state file. The rename replaces a link at `path` instead of following it.
  const handle = await open(tmp, "wx", 0o600);
  try {
    // Stryker disable next-line StringLiteral: writeFile(text, "") writes UTF-8 too (the default)
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temporary file exists here (opened with "wx"), so rm needs no force
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the temporary file exists here (written and closed), so rm needs no force
    await rm(tmp, { force: true });
    // Name the file that could not be replaced, not the temporary one, which is gone now.
    (err as NodeJS.ErrnoException).path = path;
    throw err;
  }
  // The rename itself is durable only once the directory entry is flushed (not possible on Windows).
  if (process.platform !== "win32") {
    const dir = await open(dirname(path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

export function serializeRecord(record: unknown): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export async function finalizeRecord(input: FinalizeInput): Promise<FinalizeResult> {
  const now = input.now ?? new Date();
  const unsigned = buildRecord(input.state, input.checklist, {
    now,
    redact: createRedactor(input.secrets ?? []),
    ...(input.journal ? { journal: input.journal } : {}),
  });
  const configDir = input.configDir ?? defaultConfigDir();
  const { privateKey, created, exposedMode } = await loadOrCreateSigningKey(configDir);
  const record = signRecord(unsigned, privateKey);
  const recordPath = join(input.runDir, RECORD_FILE);
  try {
    await writeFileAtomic(recordPath, serializeRecord(record));
  } catch (err) {
    throw explainFsError(err, { path: recordPath, action: "write the record" }) ?? err;
  }
  return {
    recordPath,
    fingerprint: record.signature.fingerprint,
    record,
    keyCreated: created,
    ...(exposedMode === undefined
      ? {}
      : { keyWarning: exposedKeyWarning(join(configDir, PRIVATE_KEY_FILE), exposedMode) }),
  };
}
