// The sign-off record (record.json, `schema: deploycheck/record/v1`) as zod schemas: the single source
// of truth for its shape, its TypeScript types and `deploycheck schema --record`.
import { z } from "zod";

import { RECORD_SCHEMA_ID } from "./format.js";

export { RECORD_SCHEMA_ID };

export const RECORD_STATUSES = [
  "passed",
  "failed",
  "overridden",
  "skipped",
  "not-applicable",
  "described",
  "pending",
] as const;
export const RecordStatus = z.enum(RECORD_STATUSES).meta({
  description:
    "pending: the run ended (or was exported) before this had a final result; described: a dry run only described it (not run)",
});
export type RecordStatus = z.infer<typeof RecordStatus>;

const IsoTime = z.string().meta({ description: "ISO 8601 time (UTC)" });

export const DecisionSchema = z.object({
  by: z.string(),
  reason: z.string(),
  at: IsoTime,
});
export type RecordDecision = z.infer<typeof DecisionSchema>;

export const StepRecordSchema = z.object({
  key: z.string().meta({ description: "<item-id>/<step-id>, or guard/<n>" }),
  id: z.string(),
  title: z.string().optional(),
  kind: z.string(),
  status: RecordStatus,
  optional: z.boolean(),
  mutating: z.boolean(),
  attempts: z.number().int().min(0),
  startedAt: IsoTime.optional(),
  finishedAt: IsoTime.optional(),
  durationMs: z.number().min(0).optional(),
  summary: z.string().optional().meta({ description: "One line: exit 0, 200 OK in 41ms, 3/3 pods ready" }),
  error: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  output: z.string().optional().meta({ description: "Tail of the captured output, redacted" }),
  answer: z.string().optional(),
  note: z.string().optional(),
  dryRun: z.boolean().optional(),
  interrupted: z.boolean().optional(),
  watch: z
    .object({
      rounds: z.number().int(),
      elapsedMs: z.number(),
      firstRoundAt: IsoTime.optional().meta({ description: "When the first round started" }),
    })
    .optional(),
  override: DecisionSchema.optional(),
  skip: DecisionSchema.optional(),
  session: z.number().int().min(1).optional().meta({
    description:
      "The session (1-based index into sessions) that gave this result: the step ran with that session's variables",
  }),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

export const ItemRecordSchema = z.object({
  number: z.number().int().meta({ description: "1-based position in the checklist (or its own number)" }),
  id: z.string(),
  title: z.string(),
  status: RecordStatus,
  required: z.boolean(),
  startedAt: IsoTime.optional(),
  finishedAt: IsoTime.optional(),
  durationMs: z.number().min(0),
  steps: z.array(StepRecordSchema),
});
export type ItemRecord = z.infer<typeof ItemRecordSchema>;

export const SectionRecordSchema = z.object({
  id: z.string(),
  title: z.string(),
  items: z.array(ItemRecordSchema),
});
export type SectionRecord = z.infer<typeof SectionRecordSchema>;

export const SummaryCountsSchema = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  overridden: z.number().int(),
  skipped: z.number().int(),
  notApplicable: z.number().int(),
  described: z.number().int().meta({ description: "Dry run: items with a step only described, not run" }),
  pending: z.number().int(),
  requiredFailures: z.number().int().meta({ description: "Required items failed without override" }),
});
export type SummaryCounts = z.infer<typeof SummaryCountsSchema>;

export const SignoffRecordSchema = z.object({
  engineer: z.string(),
  ready: z.boolean(),
  notes: z.string(),
  blockers: z.string(),
  at: IsoTime,
});
export type SignoffRecord = z.infer<typeof SignoffRecordSchema>;

export const SessionRecordSchema = z.object({
  n: z.number().int().min(1),
  kind: z.enum(["start", "resume"]),
  at: IsoTime,
  engineer: z.string().optional().meta({ description: "Who ran this session (settled once at its start)" }),
  user: z.string().optional(),
  host: z.string().optional(),
  dryRun: z.boolean(),
  variables: z.record(z.string(), z.string()).optional().meta({
    description:
      "The resolved variables this session ran with; secret values are [REDACTED]. Absent: not journaled (an older version resumed it)",
  }),
  changedVariables: z.array(z.string()).meta({
    description:
      "Variables whose value differs from the previous session's (accepted with a confirmation or --allow-var-change)",
  }),
});
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export const SignatureSchema = z.object({
  algorithm: z.literal("Ed25519"),
  publicKey: z.string().meta({ description: "The signer's public key, PEM (SPKI)" }),
  fingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]+=*$/)
    .meta({ description: "SHA256: + base64 of the sha256 of the public key's SPKI DER" }),
  value: z.string().meta({
    description:
      "base64 Ed25519 signature over the RFC 8785 canonical JSON of the record without `signature`",
  }),
});
export type Signature = z.infer<typeof SignatureSchema>;

export const RecordSchema = z
  .object({
    schema: z.literal(RECORD_SCHEMA_ID),
    runId: z.string(),
    checklist: z.object({
      name: z.string(),
      title: z.string(),
      ref: z.string().optional(),
      environment: z.string().optional(),
      path: z.string(),
      sha256: z.string(),
    }),
    variables: z.record(z.string(), z.string()).meta({
      description:
        "Resolved variables of the last session; secret values are [REDACTED]. Each session's are in sessions[]",
    }),
    secretVariables: z.array(z.string()),
    saved: z.record(z.string(), z.string()).meta({
      description: "Values steps saved during the run (saveAs), e.g. the revision before a rollback",
    }),
    environment: z.object({
      kubeContext: z.string().optional(),
      gitSha: z.string().optional(),
      host: z.string(),
      user: z.string(),
      toolVersion: z.string(),
      node: z.string(),
      platform: z.string(),
      cwd: z.string(),
      engineer: z.string().optional().meta({ description: "Who started the run" }),
    }),
    dryRun: z.boolean(),
    startedAt: IsoTime,
    updatedAt: IsoTime.meta({ description: "Time of the last journal event" }),
    createdAt: IsoTime.meta({ description: "When this record was built" }),
    finished: z.boolean().meta({ description: "false: an export of a run that has not reached sign-off" }),
    aborted: z.object({ at: IsoTime, reason: z.string(), abandoned: z.boolean() }).optional(),
    guards: z.array(StepRecordSchema),
    sections: z.array(SectionRecordSchema),
    summary: SummaryCountsSchema,
    notifications: z.array(
      z.object({ on: z.string(), ok: z.boolean(), at: IsoTime, error: z.string().optional() }),
    ),
    resumes: z.array(
      z.object({
        at: IsoTime,
        changedSteps: z.array(z.string()).meta({
          description:
            "Steps whose definition (checklist edited) or resolved definition (changedVariables) changed; their earlier results were discarded and they ran again",
        }),
        changedVariables: z.array(z.string()).optional(),
        rerunSteps: z.array(z.string()).optional().meta({
          description:
            "Every step whose earlier result was discarded on this resume: changedSteps, and steps run again to get back a secret value they had saved",
        }),
        by: z.string().optional().meta({ description: "Who resumed: engineer (user@host)" }),
      }),
    ),
    sessions: z.array(SessionRecordSchema).optional().meta({
      description: "Every session of the run, the start first: who ran it, with which variables",
    }),
    journal: z
      .object({
        head: z.string().regex(/^[0-9a-f]{64}$/),
        events: z.number().int().nonnegative(),
      })
      .optional()
      .meta({
        description:
          "The hash-chained journal this record was built from: sha256 (hex) of its last line, and its number of lines",
      }),
    signoff: SignoffRecordSchema.optional(),
    signature: SignatureSchema.optional(),
  })
  .meta({ title: "deploycheck record", description: "The signed sign-off record of one deploycheck run" });

export type DeployRecord = z.infer<typeof RecordSchema>;
export type UnsignedRecord = Omit<DeployRecord, "signature">;
export type SignedRecord = DeployRecord & { signature: Signature };
