// `deploycheck verify <record.json>`: check the signature over the record's content and who signed it: the key
// named with --key or --fingerprint, else the user's own key or one in their trusted-keys (--any-key: any key).
// Exit 0 valid, 1 changed, wrong or untrusted signer, 2 unreadable or not a record.

import type { KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { defaultConfigDir } from "../../record/keys.js";
import { readRecordFile } from "../../record/read.js";
import { parsePublicKey, verifyRecord } from "../../record/sign.js";
import { readTrustStore, trustLine, trustOf } from "../../record/trust.js";
import { sanitizeLine } from "../../sanitize.js";
import type { GlobalOptions } from "../options.js";

interface VerifyOptions extends GlobalOptions {
  context?: string;
  key?: string;
  fingerprint?: string;
  anyKey?: boolean;
}

async function readKey(path: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`--key ${path}: cannot read the file`, { cause: err });
  }
  try {
    return parsePublicKey(text);
  } catch (err) {
    throw new UsageError(`--key ${path}: not an Ed25519 public key in PEM (${(err as Error).message})`, {
      cause: err,
      hint: "Use the signer's signing-key.pub.pem from ~/.config/deploycheck/.",
    });
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The journal's chain head the record names (sha256 of the journal's last line signed), if any. */
function journalOf(record: Record<string, unknown>): { head: string; events: number } | undefined {
  const j = record["journal"] as Record<string, unknown> | undefined;
  const head = str(j?.["head"]);
  const events = j?.["events"];
  return head && /^[0-9a-f]{64}$/.test(head) && typeof events === "number" ? { head, events } : undefined;
}

/**
 * The record to check: a file, or (an argument shaped like a run id that is not a file) the signed record
 * of that run: the team's copy in the cluster when team state is on for it, else the local state dir's.
 */
async function readRecordOrRun(arg: string, options: VerifyOptions): Promise<Record<string, unknown>> {
  const { checklistOfRunId } = await import("../../store/runs.js");
  if (existsSync(arg) || !checklistOfRunId(arg)) return readRecordFile(arg);
  const { clusterCopy } = await import("../team-copy.js");
  const { runDir } = await import("../../store/runs.js");
  const { stateDir } = await import("../options.js");
  const copy = await clusterCopy(options, arg, (t) => process.stderr.write(`deploycheck: ${t}\n`));
  try {
    const file = join(runDir(copy?.stateDir ?? stateDir(options), arg), "record.json");
    if (!existsSync(file))
      throw new UsageError(
        `run ${arg} has no signed record ${copy ? `in ${copy.origin}` : `in ${stateDir(options)}`} (it has not been signed off)`,
        { hint: `Its report so far: deploycheck export ${arg} --format md` },
      );
    return await readRecordFile(file);
  } finally {
    copy?.remove();
  }
}

/** Each session the record lists (who, and which variables it changed), read defensively: the record is untrusted. */
function sessionsOf(
  record: Record<string, unknown>,
): { n: number; kind: string; engineer?: string; changedVariables: string[] }[] | undefined {
  const list = record["sessions"];
  if (!Array.isArray(list)) return undefined;
  return list.map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const changed = Array.isArray(o["changedVariables"])
      ? o["changedVariables"].filter((v): v is string => typeof v === "string")
      : [];
    const engineer = str(o["engineer"]);
    return {
      n: typeof o["n"] === "number" ? o["n"] : i + 1,
      kind: str(o["kind"]) ?? "?",
      ...(engineer === undefined ? {} : { engineer }),
      changedVariables: changed,
    };
  });
}

export async function run(args: string[], options: VerifyOptions): Promise<number> {
  const path = args[0];
  if (!path) throw new UsageError("verify needs a record file", { hint: "deploycheck verify record.json" });
  if (options.fingerprint !== undefined && !/^(SHA256:)?[A-Za-z0-9+/]+=*$/.test(options.fingerprint.trim())) {
    throw new UsageError(`--fingerprint ${options.fingerprint}: expected SHA256:<base64>`);
  }
  const key = options.key ? await readKey(options.key) : undefined;
  const record = await readRecordOrRun(path, options);
  const result = verifyRecord(record, {
    ...(key ? { key } : {}),
    ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
  });

  // Who signed, as far as this user knows: --key/--fingerprint name the signer; else their own key or trusted-keys.
  const explicit = Boolean(key || options.fingerprint);
  const trust =
    result.ok && !explicit ? trustOf(result.fingerprint, readTrustStore(defaultConfigDir())) : undefined;
  const trustText = result.ok
    ? explicit
      ? `signed by ${result.fingerprint}, the key you required`
      : trustLine(result.fingerprint, trust!)
    : undefined;
  const untrusted = trust?.level === "untrusted";
  const refused = untrusted && !options.anyKey;

  const checklist = (record["checklist"] ?? {}) as Record<string, unknown>;
  const signoff = (record["signoff"] ?? undefined) as Record<string, unknown> | undefined;
  const facts = {
    file: path,
    checklist: str(checklist["name"]),
    title: str(checklist["title"]),
    ref: str(checklist["ref"]),
    runId: str(record["runId"]),
    engineer: str(signoff?.["engineer"]),
    ready: typeof signoff?.["ready"] === "boolean" ? signoff["ready"] : undefined,
    signedAt: str(signoff?.["at"]) ?? str(record["createdAt"]),
    fingerprint: result.fingerprint,
    journal: journalOf(record),
    sessions: sessionsOf(record),
  };

  const trustFacts = result.ok
    ? { trust: explicit ? "required" : (trust?.level ?? "untrusted"), trustLine: trustText }
    : {};
  if (options.json) {
    const out = result.ok
      ? refused
        ? { ok: false, reason: "untrusted-signer", error: trustText, ...facts, ...trustFacts }
        : { ok: true, ...facts, ...trustFacts }
      : { ok: false, reason: result.reason, error: result.message, ...facts };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return result.ok && !refused ? 0 : 1;
  }
  if (!result.ok) {
    process.stderr.write(`deploycheck: ${path}: verification FAILED: ${result.message}\n`);
    return 1;
  }
  if (refused) {
    process.stderr.write(
      `deploycheck: ${path}: the signature is valid, but ${trustText}\n` +
        `  If you know this key is the signer's, trust it: deploycheck trust ${result.fingerprint} --name "<who>"\n` +
        `  or name the signer: deploycheck verify ${path} --fingerprint <theirs>; --any-key accepts any key.\n`,
    );
    return 1;
  }
  const rows: [string, string][] = [
    [
      "checklist",
      `${facts.checklist ?? "?"}${facts.title ? ` (${facts.title})` : ""}${facts.ref ? ` ${facts.ref}` : ""}`,
    ],
    ["run", facts.runId ?? "?"],
    ["engineer", facts.engineer ?? "(no sign-off)"],
    ["ready", facts.ready === undefined ? "(no sign-off)" : facts.ready ? "yes" : "no"],
    ["signed at", facts.signedAt ?? "?"],
    ["key", result.fingerprint],
    ["trust", untrusted ? `${trustText} (accepted with --any-key)` : trustText!],
  ];
  rows.push([
    "journal",
    facts.journal
      ? `chain head ${facts.journal.head} (${facts.journal.events} lines)`
      : "no chain head (a record made before journals were hash-chained)",
  ]);
  if (facts.sessions?.length)
    rows.push([
      "sessions",
      facts.sessions
        .map(
          (x) =>
            `${x.n} ${x.kind} by ${sanitizeLine(x.engineer ?? "?")}${x.changedVariables.length ? ` (variables changed: ${sanitizeLine(x.changedVariables.join(", "))})` : ""}`,
        )
        .join("; "),
    ]);
  if (record["finished"] === false) rows.push(["note", "the run was not finished when this record was made"]);
  process.stdout.write(
    `${sanitizeLine(path)}: signature valid\n${rows.map(([k, v]) => `  ${k.padEnd(10)} ${sanitizeLine(v)}`).join("\n")}\n`,
  );
  return 0;
}
