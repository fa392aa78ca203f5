// @ts-nocheck
// The `notify` step kind and postNotification (also used by the runner for top-level `notifications:`):
// a Slack incoming-webhook message or a flat JSON object, with a timeout and retries with backoff.
// A failed delivery is a failed step, never silent. The webhook URL is a secret: it is never shown.

import { fill } from "../checklist/describe.js";
import type { NestedStep, NotifyStep, Step } from "../checklist/schema.js";
import { interpolate } from "../checklist/vars.js";
import type { StepOutcome } from "../engine/events.js";
import { excerpt, FetchFailure, fetchText, formatMs } from "./fetch-request.js";
import type { Describer, Executor } from "./types.js";

export type NotifyFormat = "slack" | "json";

export interface NotificationFields {
  checklist: string;
  environment: string;
  engineer?: string;
  /** "12/23 items done" */
  progress: string;
  summary: string;
}

export interface NotificationRequest {
  webhook: string;
  format: NotifyFormat;
  /** The message itself: Slack's `text` (notification and fallback), JSON's `text`. */
  text: string;
  fields: NotificationFields;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Total attempts (default 3). */
  retries?: number;
  /** First delay between attempts, doubled each time (default 1 s). */
  backoffMs?: number;
  signal?: AbortSignal;
  /** Redacts the receiver's answer before it is cut into `error` (default: no redaction). */
  redact?: (text: string) => string;
  /** Redirects to another origin are not followed unless "any" (default "sameOrigin"). */
  followRedirects?: "sameOrigin" | "any";
}

export interface NotificationResult {
  ok: boolean;
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Why the delivery failed (status and body excerpt, or the network error); the URL is never in it. */
  error?: string;
  attempts: number;
  /** Where the webhook redirected to (scheme and host only: the path may hold a token). */
  redirectedTo?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
const MAX_RETRY_AFTER_MS = 30_000;

/** What may be shown of a webhook URL: scheme and host, never the path that holds the token. */
export function redactWebhook(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/[REDACTED]`;
  } catch {
    return "[REDACTED]";
  }
}

/** Slack mrkdwn control characters: escaped so a message cannot make links or @-mentions. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The request body for a format. Slack: `text` plus blocks; json: one flat object. */
export function notificationPayload(format: NotifyFormat, text: string, fields: NotificationFields): unknown {
  if (format === "json") {
    return {
      text,
      checklist: fields.checklist,
      environment: fields.environment,
      ...(fields.engineer ? { engineer: fields.engineer } : {}),
      progress: fields.progress,
      summary: fields.summary,
    };
  }
  const field = (label: string, value: string) => ({
    type: "mrkdwn",
    text: clip(`*${label}*\n${slackEscape(value || "-")}`, 2000),
  });
  const sectionFields = [
    field("Checklist", fields.checklist),
    field("Environment", fields.environment),
    field("Engineer", fields.engineer ?? ""),
    field("Progress", fields.progress),
  ];
  const blocks: unknown[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(text.split("\n")[0] || "deploycheck", 150), emoji: true },
    },
    { type: "section", fields: sectionFields },
  ];
  if (fields.summary) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(slackEscape(fields.summary), 3000) } });
  }
  return { text: slackEscape(text), blocks };
}

/** Permanent refusals (bad token, no such channel) are not retried; 408, 429 and 5xx are. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Post one notification, retrying with exponential backoff. Never throws for a failed delivery. */
export async function postNotification(req: NotificationRequest): Promise<NotificationResult> {
  const attemptsAllowed = Math.max(1, req.retries ?? DEFAULT_ATTEMPTS);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let delay = req.backoffMs ?? DEFAULT_BACKOFF_MS;
  const body = JSON.stringify(notificationPayload(req.format, req.text, req.fields));
  let last: NotificationResult = { ok: false, attempts: 0, error: "not sent" };
  for (let attempt = 1; attempt <= attemptsAllowed; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const res = await fetchText(req.webhook, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body,
        timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
        followRedirects: req.followRedirects ?? "sameOrigin",
      });
      const hop = res.redirects.at(-1);
      const redirectedTo = hop ? { redirectedTo: redactWebhook(hop.to) } : {};
      if (hop && !hop.followed) {
        const hint = hop.crossOrigin ? "; use the URL it redirects to, or set followRedirects: any" : "";
        return {
          ok: false,
          status: res.status,
          attempts: attempt,
          ...redirectedTo,
          error: `HTTP ${res.status}: the webhook redirected to ${redactWebhook(hop.to)}, not followed: ${hop.refused}${hint}`,
        };
      }
      if (res.redirects.some((r) => r.droppedBody)) {
        // A 301/302/303 turns the POST into a GET without the message: nothing was delivered.
        return {
          ok: false,
          status: res.status,
          attempts: attempt,
          ...redirectedTo,
          error: `the webhook redirected (HTTP ${res.redirects.find((r) => r.droppedBody)!.status}) to ${redactWebhook(hop!.to)} and the message was not sent on; use the URL it redirects to`,
        };
      }
      if (res.status >= 200 && res.status < 300)
        return { ok: true, status: res.status, attempts: attempt, ...redirectedTo };
      // Redacted whole, then cut.
      const said = excerpt(req.redact ? req.redact(res.body) : res.body, 200);
      last = {
        ok: false,
        status: res.status,
        attempts: attempt,
        error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${said ? `: ${said}` : ""}`,
      };
      if (!retryable(res.status)) return last;
      const after = Number(res.headers.get("retry-after"));
      if (Number.isFinite(after) && after > 0) retryAfterMs = Math.min(after * 1000, MAX_RETRY_AFTER_MS);
    } catch (err) {
      if (err instanceof FetchFailure && err.aborted) {
        return { ok: false, attempts: attempt, error: "interrupted before the delivery was confirmed" };
      }
      last = { ok: false, attempts: attempt, error: (err as Error).message };
    }
    if (attempt < attemptsAllowed) {
      if (!(await sleep(retryAfterMs ?? delay, req.signal)))
        return { ...last, error: `${last.error}; interrupted` };
      delay *= 2;
    }
  }
  return last;
}

function notifyOf(step: Step | NestedStep): NotifyStep {
  if (!step.notify) throw new Error("notify executor called for another kind");
  return step.notify;
}

export const execute: Executor = async (step, ctx): Promise<StepOutcome> => {
  const n = notifyOf(step);
  const webhook = interpolate(n.webhook, ctx.vars, ctx.env).trim();
  const format: NotifyFormat = n.format ?? "slack";
  // The message may quote secrets through variables; the webhook is masked even when not declared secret.
  const mask = (text: string) => ctx.redact(webhook ? text.split(webhook).join("[REDACTED]") : text);
  // What is posted is redacted too: the receiver (a chat channel) is a sink like any other.
  const text = mask(interpolate(n.message, ctx.vars, ctx.env));
  const shown = redactWebhook(webhook);
  const details: Record<string, unknown> = { webhook: shown, format, message: mask(text) };
  if (!webhook) {
    const why = `no webhook URL: ${n.webhook} is empty`;
    return {
      status: "failed",
      summary: `${why}; set the variable (e.g. --var or its environment variable) to the webhook URL`,
      error: why,
      details,
    };
  }
  try {
    new URL(webhook);
  } catch {
    return {
      status: "failed",
      summary: "the webhook is not a URL",
      error: "the webhook is not a URL",
      details,
    };
  }
  if (ctx.dryRun) {
    return {
      status: "described",
      dryRun: true,
      summary: `would post a ${format} message to ${shown}: ${mask(excerpt(text, 80))}`,
      details,
    };
  }
  const run = ctx.run;
  const result = await postNotification({
    webhook,
    format,
    text,
    fields: {
      checklist: run?.checklist ?? "",
      environment: run?.environment ?? "",
      ...(run?.engineer ? { engineer: run.engineer } : {}),
      progress: run?.progress ?? "",
      summary: text,
    },
    timeoutMs: ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: ctx.signal,
    redact: mask,
    followRedirects: n.followRedirects ?? "sameOrigin",
  });
  if (result.redirectedTo) details["redirectedTo"] = result.redirectedTo;
  details["attempts"] = result.attempts;
  if (result.status !== undefined) details["status"] = result.status;
  if (result.ok) {
    const retried = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
    const via = result.redirectedTo ? `, redirected to ${result.redirectedTo}` : "";
    return {
      status: "passed",
      summary: `posted to ${shown} (HTTP ${result.status})${retried}${via}`,
      details,
    };
  }
  const why = mask(
    `delivery to ${shown} failed after ${result.attempts} attempt${result.attempts === 1 ? "" : "s"}: ${result.error}`,
  );
  return { status: "failed", summary: why, error: why, details };
};

export const describe: Describer = (step, vars, options = {}) => {
  const n = notifyOf(step);
  // Unlike the shared describer, the webhook is shown redacted even when its variable is not secret.
  const webhook = fill(n.webhook, vars, options.env ? { env: options.env } : {});
  const text = fill(n.message, vars, options);
  const target = webhook.includes("${") || !webhook ? n.webhook : redactWebhook(webhook);
  return `post a ${n.format ?? "slack"} message to ${target}: ${excerpt(text, 120)} (timeout ${formatMs(DEFAULT_TIMEOUT_MS)}, ${DEFAULT_ATTEMPTS} attempts)`;
};
