// Decoding journal events: a journal line is untrusted input (anyone who can write the state dir can
// edit it), so every event read back is checked against its schema before the fold sees it. Loaded only
// where a journal written by another process is read (resume, status, export): a new run never loads zod.
//
// Objects are loose: a field added later by another part of deploycheck is kept, not rejected; a field
// this schema knows must have its type. Adding an event type to `RunEvent` without a schema here fails
// to compile (`SCHEMAS` below is keyed by every event type).
import { z } from "zod";
import { REDACTED } from "../redact.js";
import type { RunEvent, RunEventType } from "./events.js";

/** `<item-id>/<step-id>` or `guard/<n>`: ids of the checklist's documented shape. */
export const STEP_KEY_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits");
const Time = z.string().min(1);
const StepKey = z.string().regex(STEP_KEY_RE, "expected <item-id>/<step-id>");
/** A step key, or a watch's nested step `<item-id>/<step-id>#<n>` (process groups are journaled per command). */
const ProcessKey = z
  .string()
  .regex(
    new RegExp(`${STEP_KEY_RE.source.slice(0, -1)}(?:#[1-9][0-9]*)?$`),
    "expected <item-id>/<step-id>[#<n>]",
  );
const StringMap = z.record(z.string(), z.string());
const VarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a variable name");
/** A session's variables as journaled: a secret's value is never there, only its placeholder. */
const noSecretValue = ({ vars, secretVars }: { vars?: Record<string, string>; secretVars?: string[] }) =>
  !vars || !secretVars || secretVars.every((n) => [REDACTED, ""].includes(vars[n] ?? ""));
const base = { v: z.literal(1), at: Time, prev: Hash.optional() };
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ ...base, ...shape });

const Outcome = z.looseObject({
  status: z.enum(["passed", "failed", "not-applicable"]),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  output: z.string().optional(),
  saved: StringMap.optional(),
  dryRun: z.boolean().optional(),
  error: z.string().optional(),
  answer: z.string().optional(),
  note: z.string().optional(),
});

const SCHEMAS: Record<RunEventType, z.ZodType> = {
  "run-started": loose({
    type: z.literal("run-started"),
    runId: z.string(),
    checklist: z.looseObject({
      name: z.string(),
      title: z.string(),
      ref: z.string().optional(),
      path: z.string(),
      sha256: z.string(),
    }),
    vars: StringMap,
    secretVars: z.array(z.string()),
    environment: z.looseObject({
      host: z.string(),
      user: z.string(),
      toolVersion: z.string(),
      node: z.string(),
      platform: z.string(),
      cwd: z.string(),
      gitSha: z.string().optional(),
      kubeContext: z.string().optional(),
      engineer: z.string().optional(),
    }),
    options: z.looseObject({ dryRun: z.boolean(), interactive: z.boolean(), keepGoing: z.boolean() }),
    stepHashes: z.record(StepKey, z.string()),
  }),
  "run-resumed": loose({
    type: z.literal("run-resumed"),
    checklistSha256: z.string(),
    changedSteps: z.array(StepKey),
    stepHashes: z.record(StepKey, z.string()),
    by: z.looseObject({ user: z.string(), host: z.string(), engineer: z.string().optional() }).optional(),
    vars: z.record(VarName, z.string()).optional(),
    secretVars: z.array(VarName).optional(),
    changedVars: z.array(VarName).optional(),
    editedSteps: z.array(StepKey).optional(),
    varChangedSteps: z.array(StepKey).optional(),
    options: z
      .looseObject({ dryRun: z.boolean(), interactive: z.boolean(), keepGoing: z.boolean() })
      .optional(),
  }).refine(noSecretValue, { message: "a secret variable's value is journaled", path: ["vars"] }),
  "lock-taken-over": loose({
    type: z.literal("lock-taken-over"),
    previous: z.looseObject({
      pid: z.number(),
      host: z.string(),
      startedAt: z.string().optional(),
      runId: z.string().optional(),
      why: z.string().optional(),
    }),
  }),
  "step-started": loose({ type: z.literal("step-started"), key: StepKey, attempt: z.number().int() }),
  "step-finished": loose({
    type: z.literal("step-finished"),
    key: StepKey,
    attempt: z.number().int(),
    durationMs: z.number(),
    outcome: Outcome,
  }),
  "step-interrupted": loose({
    type: z.literal("step-interrupted"),
    key: StepKey,
    attempt: z.number().int(),
    durationMs: z.number(),
  }),
  "step-overridden": loose({
    type: z.literal("step-overridden"),
    key: StepKey,
    by: z.string(),
    reason: z.string(),
  }),
  "step-skipped": loose({
    type: z.literal("step-skipped"),
    key: StepKey,
    by: z.string(),
    reason: z.string(),
  }),
  "step-process": loose({
    type: z.literal("step-process"),
    key: ProcessKey,
    attempt: z.number().int(),
    pgid: z.number().int(),
    host: z.string(),
    startTime: z.string().optional(),
    bootId: z.string().optional(),
    marker: z.string().optional(),
  }),
  "watch-round": loose({
    type: z.literal("watch-round"),
    key: StepKey,
    round: z.number().int(),
    elapsedMs: z.number(),
    ok: z.boolean(),
    failed: z.string().optional(),
    roundStartedAt: z.string().optional(),
  }),
  notification: loose({
    type: z.literal("notification"),
    on: z.enum(["start", "finish", "failure"]),
    ok: z.boolean(),
    status: z.number().optional(),
    error: z.string().optional(),
  }),
  signoff: loose({
    type: z.literal("signoff"),
    engineer: z.string(),
    ready: z.boolean(),
    notes: z.string(),
    blockers: z.string(),
  }),
  "run-aborted": loose({ type: z.literal("run-aborted"), reason: z.string(), abandoned: z.boolean() }),
  "run-finished": loose({ type: z.literal("run-finished"), exitCode: z.number().int() }),
};

export type DecodeResult = { ok: true; event: RunEvent } | { ok: false; message: string };

/** Check one parsed journal line; the message names the field and what is wrong with it. */
export function decodeEvent(value: unknown): DecodeResult {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, message: "not a deploycheck event (expected a JSON object)" };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { ok: false, message: 'not a deploycheck event (no "type")' };
  const schema = Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type as RunEventType] : undefined;
  if (!schema) return { ok: false, message: `unknown event type ${JSON.stringify(type).slice(0, 80)}` };
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, event: r.data as RunEvent };
  // A failed parse reports at least one issue, and every check here is on a field (the one refinement
  // names `vars`): the path is never empty.
  const issue = r.error.issues[0]!;
  const where = issue.path.map(String).join(".");
  // A bad key of a map (a step key, a variable name): say what the key should be, not only that it is bad
  // (zod gives the key's own issues, at least one).
  const inner = issue.code === "invalid_key" ? issue.issues[0]!.message : undefined;
  return { ok: false, message: `${type} event: ${where}: ${inner ?? issue.message}` };
}
