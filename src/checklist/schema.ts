// The checklist format (apiVersion deploycheck/v1) as zod schemas: the single source of truth.
// Types are inferred from these; `deploycheck schema` prints z.toJSONSchema of ChecklistSchema.

import { z } from "zod";
import {
  DURATION_BOUNDS,
  DURATION_OR_VAR_RE,
  DURATION_RE,
  type DurationBounds,
  durationBoundsProblem,
  ID_RE,
  KUBE_CHECKS,
  NOTIFY_EVENTS,
  STEP_KINDS,
} from "./kinds.js";
import { type KubeNameKind, kubeNameProblem } from "./kube-names.js";
import { MEASURE_UNITS } from "./measure.js";

export * from "./kinds.js";

export const Duration = z
  .string()
  .regex(DURATION_OR_VAR_RE, {
    message: "bad duration: use a number with a unit, e.g. 500ms, 30s, 5m, 1h (or one ${variable})",
  })
  .meta({ description: "A duration such as 500ms, 30s, 5m, 1h or 1h30m, or one ${variable} holding one" });
/** Durations the runner itself applies (step timeout, retry delay): literal only. */
export const LiteralDuration = z
  .string()
  .regex(DURATION_RE, {
    message: "bad duration: use a number with a unit, e.g. 500ms, 30s, 5m, 1h (not a ${variable} here)",
  })
  .meta({ description: "A duration such as 500ms, 30s, 5m, 1h or 1h30m" });

/** A duration (literal or ${variable}) whose literal value must lie within `bounds`. */
function within<T extends z.ZodString>(schema: T, bounds: DurationBounds) {
  return schema.superRefine((value, ctx) => {
    const problem = durationBoundsProblem(value, bounds);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** A Kubernetes name: checked here when literal, after interpolation before any request otherwise. */
function kubeName(kind: KubeNameKind) {
  return z.string().superRefine((value, ctx) => {
    if (value.includes("${")) return;
    const problem = kubeNameProblem(kind, value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

export const Id = z.string().regex(ID_RE, {
  message: "ids are kebab-case: lowercase letters, digits and single dashes (e.g. run-backup)",
});

/** A regular expression given as a string; validate.ts checks that it compiles. */
export const Regex = z.string().meta({ description: "A JavaScript regular expression (no slashes)" });

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const VariableSchema = z.strictObject({
  default: Scalar.optional(),
  env: z.string().optional().meta({ description: "Environment variable the value is read from" }),
  required: z.boolean().optional().meta({ description: "Default: true when there is no default" }),
  secret: z.boolean().optional().meta({ description: "Never shown in output, state, records or reports" }),
  pattern: Regex.optional().meta({
    description:
      "A strict pattern (^...$, literal characters and [classes] only) every value must match before a run step that uses it where bash would evaluate it (arithmetic, variable names, code) runs",
  }),
  description: z.string().optional(),
});

export const RetriesSchema = z.strictObject({
  count: z.number().int().min(0).max(100),
  delay: within(LiteralDuration, DURATION_BOUNDS.retryDelay).optional(),
});

// ---- step kinds ---------------------------------------------------------------------------

export const ConfirmSchema = z.union([
  z.string(),
  z.strictObject({
    prompt: z.string(),
    requireNote: z.boolean().optional().meta({ description: "Ask for a note with the answer" }),
  }),
]);

export const InputSchema = z.strictObject({
  prompt: z.string(),
  pattern: Regex.optional(),
  default: z.string().optional(),
  saveAs: z.string().optional().meta({ description: "Variable name later steps can use as ${name}" }),
  secret: z.boolean().optional(),
});

export const RunExpectSchema = z.strictObject({
  exitCode: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  stdout: Regex.optional(),
  stderr: Regex.optional(),
});

const Command = z.string().meta({
  description:
    "A bash command (bash -c). ${name} and ${env.NAME} refer to values, which reach the command as data; write $${NAME} for a literal ${NAME} (bash's own variable)",
});

export const RunSchema = z.union([
  Command,
  z.strictObject({
    command: Command,
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    expect: RunExpectSchema.optional(),
    saveAs: z.string().optional().meta({ description: "Save trimmed stdout as a variable" }),
  }),
]);

/** Which redirects a request follows: never to another origin unless the step says `any`. */
const FollowRedirects = z.enum(["sameOrigin", "any"]).optional().meta({
  description:
    "Redirects followed: sameOrigin (default) or any; on a hop to another origin the step's headers and body are not sent",
});

/** The largest body prefix a step may keep. */
export const MAX_BODY_BYTES_LIMIT = 64 * 1024 * 1024;

export const HttpSchema = z.strictObject({
  url: z.string(),
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  expect: z
    .strictObject({
      status: z.union([z.number().int(), z.array(z.number().int())]).optional(),
      bodyContains: z.string().optional(),
      json: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: "Dotted paths into the JSON body and their expected values" }),
    })
    .optional(),
  maxLatency: within(Duration, DURATION_BOUNDS.latency).optional(),
  followRedirects: FollowRedirects,
  maxBodyBytes: z.number().int().min(1).max(MAX_BODY_BYTES_LIMIT).optional().meta({
    description:
      "Bytes of the response body kept for bodyContains, json and the excerpt (default 1 MiB); the rest is read and dropped",
  }),
  samples: z.number().int().min(1).max(10000).optional(),
  thresholds: z
    .strictObject({
      p50: within(Duration, DURATION_BOUNDS.latency).optional(),
      p95: within(Duration, DURATION_BOUNDS.latency).optional(),
      p99: within(Duration, DURATION_BOUNDS.latency).optional(),
      errorRate: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .meta({ description: "Fraction of failed samples, 0..1" }),
    })
    .optional(),
});

export const FileSchema = z.strictObject({
  path: z.string(),
  exists: z.boolean().optional(),
  maxAge: within(Duration, DURATION_BOUNDS.age).optional(),
  contains: z.string().optional(),
  newest: z
    .strictObject({
      glob: z.string().optional(),
      maxAge: within(Duration, DURATION_BOUNDS.age).optional(),
    })
    .optional()
    .meta({ description: "path is a directory: its newest entry (matching glob) exists and is recent" }),
  keys: z.array(z.string()).optional().meta({ description: "KEY=VALUE file: these keys are present" }),
  values: z
    .record(z.string(), Scalar)
    .optional()
    .meta({ description: "KEY=VALUE file: these keys have these values" }),
});

const KubeTarget = {
  deployment: kubeName("deployment"),
  namespace: kubeName("namespace").optional(),
};

export const KubeSchema = z.strictObject({
  context: z.strictObject({ matches: Regex }).optional(),
  namespace: z.union([kubeName("namespace"), z.strictObject({ name: kubeName("namespace") })]).optional(),
  rolloutStatus: z.strictObject({ ...KubeTarget }).optional(),
  pods: z
    .strictObject({
      selector: z.string(),
      namespace: kubeName("namespace").optional(),
      min: z.number().int().min(0).optional(),
    })
    .optional(),
  image: z
    .strictObject({
      ...KubeTarget,
      container: kubeName("container").optional(),
      equals: z.string().optional(),
      notEquals: z.string().optional(),
      saveAs: z.string().optional(),
    })
    .optional(),
  history: z.strictObject({ ...KubeTarget, saveAs: z.string().optional() }).optional(),
  resources: z
    .strictObject({
      ...KubeTarget,
      max: z.strictObject({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
      min: z.strictObject({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
    })
    .optional(),
  rolloutUndo: z
    .strictObject({
      ...KubeTarget,
      toRevision: z.union([z.number().int().min(0), z.string()]).optional(),
      wait: z.boolean().optional(),
      saveAs: z.string().optional().meta({ description: "Save the revision rolled back from" }),
    })
    .optional(),
});
export type KubeStep = z.infer<typeof KubeSchema>;

const Comparison = z.strictObject({
  lt: z.number().optional(),
  lte: z.number().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  eq: z.number().optional(),
});

export const PrometheusSchema = z.strictObject({
  url: z.string(),
  query: z.string(),
  expect: Comparison,
  measures: z
    .string()
    .optional()
    .meta({ description: 'What the value is, in words: results read "error rate 0.31% < 10%"' }),
  unit: z.enum(MEASURE_UNITS).optional().meta({
    description:
      "How the value and the bounds are shown: ratio (0.0031 as 0.31%), percent, seconds (0.85 as 850ms), milliseconds",
  }),
  interval: within(Duration, DURATION_BOUNDS.interval).optional(),
  count: z.number().int().min(1).optional(),
  failureLimit: z.number().int().min(0).optional(),
  inconclusiveLimit: z.number().int().min(0).optional(),
  followRedirects: FollowRedirects,
});

export const NotifySchema = z.strictObject({
  webhook: z.string(),
  message: z.string(),
  format: z.enum(["slack", "json"]).optional(),
  followRedirects: FollowRedirects,
});

export const NoteSchema = z.string();

// ---- steps ---------------------------------------------------------------------------------

const commonStepFields = {
  id: Id.optional(),
  title: z.string().optional(),
  help: z.string().optional().meta({ description: "Markdown shown before the step" }),
  when: z
    .union([z.string(), z.boolean()])
    .optional()
    .meta({ description: 'Condition on variables, e.g. "${awsCluster}"; false records not-applicable' }),
  optional: z.boolean().optional(),
  timeout: within(LiteralDuration, DURATION_BOUNDS.timeout).optional(),
  retries: RetriesSchema.optional(),
  allowOverride: z.boolean().optional(),
  mutating: z.boolean().optional(),
};

// One strict object with every kind optional, plus "exactly one kind" as a refinement: this keeps
// zod's unknown-key errors precise (a union of strict objects would report every branch).
const stepFieldsWithoutWatch = {
  ...commonStepFields,
  confirm: ConfirmSchema.optional(),
  input: InputSchema.optional(),
  run: RunSchema.optional(),
  http: HttpSchema.optional(),
  file: FileSchema.optional(),
  kube: KubeSchema.optional(),
  prometheus: PrometheusSchema.optional(),
  notify: NotifySchema.optional(),
  note: NoteSchema.optional(),
};

function refineStep(
  step: Record<string, unknown> & { kube?: KubeStep | undefined },
  ctx: z.RefinementCtx,
): void {
  const kinds = STEP_KINDS.filter((k) => step[k] !== undefined);
  if (kinds.length === 0) {
    ctx.addIssue({
      code: "custom",
      message: `a step needs exactly one kind: ${STEP_KINDS.join(", ")}`,
      params: { deploycheck: "no-kind" },
    });
  } else if (kinds.length > 1) {
    ctx.addIssue({
      code: "custom",
      message: `a step has exactly one kind, this one has ${kinds.join(" and ")}`,
      path: [kinds[1]!],
      params: { deploycheck: "many-kinds" },
    });
  }
  if (step.kube) {
    const checks = KUBE_CHECKS.filter((k) => step.kube?.[k] !== undefined);
    if (checks.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          checks.length === 0
            ? `a kube step needs one check: ${KUBE_CHECKS.join(", ")}`
            : `a kube step has exactly one check, this one has ${checks.join(" and ")}`,
        path: ["kube"],
      });
    }
  }
}

/** A step nested in a watch: any kind but watch (a watch inside a watch has no sensible schedule). */
export const NestedStepSchema = z.strictObject(stepFieldsWithoutWatch).superRefine(refineStep);
export type NestedStep = z.infer<typeof NestedStepSchema>;

export const WatchSchema = z.strictObject({
  duration: within(Duration, DURATION_BOUNDS.watchDuration),
  interval: within(Duration, DURATION_BOUNDS.interval),
  steps: z.array(NestedStepSchema).min(1),
});
export type WatchStep = z.infer<typeof WatchSchema>;

export const StepSchema = z
  .strictObject({ ...stepFieldsWithoutWatch, watch: WatchSchema.optional() })
  .superRefine(refineStep);

export type Step = z.infer<typeof StepSchema>;

export const ItemSchema = z.strictObject({
  id: Id,
  title: z.string(),
  number: z.number().int().optional().meta({ description: "The item's number in the source document" }),
  help: z.string().optional(),
  when: z.union([z.string(), z.boolean()]).optional(),
  optional: z.boolean().optional(),
  steps: z.array(StepSchema).min(1),
});
export type Item = z.infer<typeof ItemSchema>;

export const SectionSchema = z.strictObject({
  id: Id,
  title: z.string(),
  help: z.string().optional(),
  when: z.union([z.string(), z.boolean()]).optional(),
  items: z.array(ItemSchema).min(1),
});
export type Section = z.infer<typeof SectionSchema>;

export const NotificationsSchema = z.strictObject({
  webhook: z.string(),
  on: z.array(z.enum(NOTIFY_EVENTS)).min(1),
  format: z.enum(["slack", "json"]).optional(),
  followRedirects: FollowRedirects,
});

export const SignoffSchema = z.strictObject({
  requireAllRequiredPassed: z.boolean().optional(),
  title: z.string().optional(),
});

export const MetadataSchema = z.strictObject({
  name: Id,
  title: z.string(),
  ref: z.string().optional(),
  environment: z.string().optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
});

/** Team state: the run's lock (a Lease), journal and record kept in this namespace of the run's cluster too. */
export const TeamSchema = z.strictObject({
  kubernetes: z.strictObject({
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a namespace name (lower-case letters, digits and -)")
      .max(63)
      .meta({ description: "Where the Lease and the ConfigMaps of runs live (default deploycheck)" }),
    leaseDurationSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .optional()
      .meta({ description: "How long a holder that stopped renewing keeps the lock (default 30)" }),
  }),
});

export const GuardSchema = StepSchema;

export const ChecklistSchema = z
  .strictObject({
    apiVersion: z.literal("deploycheck/v1"),
    kind: z.literal("Checklist"),
    metadata: MetadataSchema,
    vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), VariableSchema).optional(),
    guards: z.array(GuardSchema).optional(),
    notifications: NotificationsSchema.optional(),
    sections: z.array(SectionSchema).min(1),
    signoff: SignoffSchema.optional(),
    team: TeamSchema.optional(),
  })
  .meta({ title: "deploycheck checklist", description: "A deployment checklist run by deploycheck" });

export type Checklist = z.infer<typeof ChecklistSchema>;
export type Variable = z.infer<typeof VariableSchema>;
export type RunStep = z.infer<typeof RunSchema>;
export type HttpStep = z.infer<typeof HttpSchema>;
export type FileStep = z.infer<typeof FileSchema>;
export type PrometheusStep = z.infer<typeof PrometheusSchema>;
export type NotifyStep = z.infer<typeof NotifySchema>;
export type InputStep = z.infer<typeof InputSchema>;
export type ConfirmStep = z.infer<typeof ConfirmSchema>;
