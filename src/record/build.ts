// state + checklist -> the record without its signature. Pure: the time is passed in, nothing is read.
// Every string passes through the redactor (defence in depth: executors already redact their output).

import { isMutating, stepKind } from "../checklist/kinds.js";
import type { Checklist, Item, Section, Step } from "../checklist/schema.js";
import { guardKey, stepId, stepKey } from "../checklist/walk.js";
import type { RunState, StepState } from "../engine/state.js";
import { createRedactor, type Redactor, redactDeep } from "../redact.js";
import { RECORD_SCHEMA_ID } from "./format.js";
import type { ItemRecord, SectionRecord, StepRecord, UnsignedRecord } from "./schema.js";
import { countItems, itemStatus, stepRecordStatus } from "./status.js";

/** The record keeps the last part of a step's output; the journal and terminal already showed it. */
export const OUTPUT_TAIL_CHARS = 8000;

export interface BuildOptions {
  /** When the record is built (the caller's clock). */
  now: Date;
  /** Redacts secret values and credential patterns; default: patterns only. */
  redact?: Redactor;
  /** The journal the record was built from: its head hash (sha256 of its last line) and line count. */
  journal?: { head: string; events: number };
}

function stepKindLabel(step: Step): string {
  const kind = stepKind(step);
  if (!step.kube) return kind;
  const check = Object.keys(step.kube).find((k) => (step.kube as Record<string, unknown>)[k] !== undefined);
  return check ? `kube.${check}` : kind;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(text.length - OUTPUT_TAIL_CHARS)}` : text;
}

function stepRecord(key: string, id: string, step: Step, s: StepState | undefined): StepRecord {
  const o = s?.outcome;
  const rec: StepRecord = {
    key,
    id,
    title: step.title,
    kind: stepKindLabel(step),
    status: stepRecordStatus(s),
    optional: step.optional ?? false,
    mutating: isMutating(step),
    attempts: s?.attempts ?? 0,
    startedAt: s?.startedAt,
    finishedAt: s?.finishedAt,
    durationMs: s?.durationMs,
    summary: o?.summary,
    error: o?.error,
    details: o?.details,
    output: o?.output === undefined ? undefined : tail(o.output),
    answer: o?.answer,
    note: o?.note,
    dryRun: o?.dryRun,
    interrupted: s?.status === "interrupted" ? true : undefined,
    watch: s?.watch,
    override: s?.override,
    skip: s?.skip,
    session: s?.session,
  };
  return rec;
}

function itemRecord(item: Item, number: number, state: RunState): ItemRecord {
  const steps = item.steps.map((step, i) =>
    stepRecord(stepKey(item, step, i), stepId(step, i), step, state.steps[stepKey(item, step, i)]),
  );
  // An optional item never blocks: its steps count as optional for its status.
  const forStatus = item.optional ? steps.map((s) => ({ ...s, optional: true })) : steps;
  // Stryker disable next-line MethodExpression,ConditionalExpression: sort() puts undefined last, so [0] is the earliest start with or without the filter
  const started = steps.map((s) => s.startedAt).filter((t): t is string => t !== undefined);
  const finished = steps.map((s) => s.finishedAt).filter((t): t is string => t !== undefined);
  return {
    number: item.number ?? number,
    id: item.id,
    title: item.title,
    status: itemStatus(forStatus),
    required: !item.optional,
    startedAt: started.sort()[0],
    finishedAt: finished.sort().at(-1),
    durationMs: steps.reduce((n, s) => n + (s.durationMs ?? 0), 0),
    steps,
  };
}

/** Sections with their items and steps, in checklist order. */
export function buildSections(state: RunState, checklist: Checklist): SectionRecord[] {
  let position = 0;
  return checklist.sections.map((section: Section) => ({
    id: section.id,
    title: section.title,
    items: section.items.map((item) => {
      position += 1;
      return itemRecord(item, position, state);
    }),
  }));
}

// Lone UTF-16 surrogates (a tail cut inside a pair) cannot be canonicalized or signed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function buildRecord(state: RunState, checklist: Checklist, options: BuildOptions): UnsignedRecord {
  const redact = options.redact ?? createRedactor();
  const sections = buildSections(state, checklist);
  const guards = (checklist.guards ?? []).map((step, i) =>
    stepRecord(guardKey(i), stepId(step, i), step, state.steps[guardKey(i)]),
  );
  const env = state.environment;
  // Without --context the runner does not know the context up front; a kube context check saw it.
  const observedContext = [...guards, ...sections.flatMap((sec) => sec.items.flatMap((i) => i.steps))]
    .filter((step) => step.kind === "kube.context" && step.status !== "pending")
    .map((step) => step.details?.["context"])
    .find((c): c is string => typeof c === "string" && c !== "");
  const record: UnsignedRecord = {
    schema: RECORD_SCHEMA_ID,
    runId: state.runId,
    checklist: {
      name: state.checklist.name,
      title: state.checklist.title,
      ref: state.checklist.ref,
      environment: checklist.metadata.environment,
      path: state.checklist.path,
      sha256: state.checklist.sha256,
    },
    variables: Object.fromEntries(
      Object.entries(state.vars).map(([k, v]) => [k, state.secretVars.includes(k) ? "[REDACTED]" : v]),
    ),
    secretVariables: [...state.secretVars],
    saved: { ...state.saved },
    environment: {
      kubeContext: env.kubeContext ?? observedContext,
      gitSha: env.gitSha,
      host: env.host,
      user: env.user,
      toolVersion: env.toolVersion,
      node: env.node,
      platform: env.platform,
      cwd: env.cwd,
      engineer: env.engineer,
    },
    dryRun: state.options.dryRun,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    createdAt: options.now.toISOString(),
    finished: state.signoff !== undefined || state.finished !== undefined,
    aborted: state.aborted,
    guards,
    sections,
    summary: countItems(sections.flatMap((s) => s.items)),
    notifications: state.notifications.map((n) => ({ ...n })),
    resumes: state.resumes.map((r) => {
      // Journals before 0.x did not tell why a step ran again: all of them counted as changed.
      const changed =
        r.editedSteps || r.varChangedSteps
          ? [...new Set([...(r.editedSteps ?? []), ...(r.varChangedSteps ?? [])])]
          : [...r.changedSteps];
      return {
        at: r.at,
        changedSteps: changed,
        ...(r.changedVars ? { changedVariables: [...r.changedVars] } : {}),
        ...(r.editedSteps || r.varChangedSteps ? { rerunSteps: [...r.changedSteps] } : {}),
        ...(r.by ? { by: `${r.by.engineer ?? r.by.user} (${r.by.user}@${r.by.host})` } : {}),
      };
    }),
    sessions: state.sessions.map((x) => ({
      n: x.n,
      kind: x.kind,
      at: x.at,
      engineer: x.engineer,
      user: x.user,
      host: x.host,
      dryRun: x.dryRun,
      ...(x.vars
        ? {
            variables: Object.fromEntries(
              Object.entries(x.vars).map(([k, v]) => [k, x.secretVars?.includes(k) ? "[REDACTED]" : v]),
            ),
          }
        : {}),
      changedVariables: [...x.changedVars],
    })),
    ...(options.journal ? { journal: { head: options.journal.head, events: options.journal.events } } : {}),
    signoff: state.signoff
      ? {
          engineer: state.signoff.engineer,
          ready: state.signoff.ready,
          notes: state.signoff.notes,
          blockers: state.signoff.blockers,
          at: state.signoff.at,
        }
      : undefined,
  };
  const clean = redactDeep(record, (text) => redact(text.replace(LONE_SURROGATE, "\uFFFD")));
  // A JSON round trip drops undefined fields and turns non-JSON numbers into null, so the record in
  // memory is exactly what is written, signed and later verified.
  return JSON.parse(JSON.stringify(clean)) as UnsignedRecord;
}
