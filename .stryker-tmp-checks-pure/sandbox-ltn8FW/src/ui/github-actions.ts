// @ts-nocheck
// Under GitHub Actions (GITHUB_ACTIONS=true): each item's output folds into a ::group::, each failed
// required step becomes an ::error annotation, and output that came from a command is fenced with
// ::stop-commands:: so that nothing it prints is taken as a workflow command. Escaping follows
// GitHub's rules for workflow commands: data %, CR, LF; properties also ":" and ",".
import { randomUUID } from "node:crypto";
import type { Output } from "../engine/ports.js";
import { sanitizeText } from "../sanitize.js";

/** A workflow command's message (sanitized first: titles and summaries come from checklists and commands). */
export function escapeData(text: string): string {
  return sanitizeText(text).replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** A workflow command's property value (title=...). */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** Whether this process runs as a GitHub Actions step. */
export function inGitHubActions(env: Record<string, string | undefined>): boolean {
  return env["GITHUB_ACTIONS"] === "true";
}

export interface GitHubActionsOutput extends Output {
  /** Close the open group (at the end of the session). */
  close(): void;
}

/** `inner` with groups, annotations and fenced command output; `write` goes to the same stream. */
export function githubActionsOutput(
  inner: Output,
  write: (text: string) => void,
  token: () => string = randomUUID,
): GitHubActionsOutput {
  let open = false;
  let item = "";
  const end = () => {
    if (open) write("::endgroup::\n");
    open = false;
  };
  /** Text that came from a command: no line of it may act as a workflow command. */
  const fenced = (print: () => void) => {
    const t = token().replaceAll("-", "");
    write(`::stop-commands::${t}\n`);
    try {
      print();
    } finally {
      write(`::${t}::\n`);
    }
  };
  return {
    ...inner,
    section(title) {
      end();
      inner.section(title);
    },
    item(number, total, title) {
      end();
      item = `[${number}/${total}] ${title}`;
      write(`::group::${escapeData(item)}\n`);
      open = true;
      inner.item(number, total, title);
    },
    stepResult(label, mark, summary, durationMs, flags = {}) {
      inner.stepResult(label, mark, summary, durationMs, flags);
      if (mark === "failed" && !flags.optional) {
        write(
          `::error title=${escapeProperty(`${item ? `${item}: ` : ""}${label}`)}::${escapeData(summary)}\n`,
        );
      }
    },
    failureTail(text) {
      fenced(() => inner.failureTail(text));
    },
    block(text) {
      fenced(() => inner.block(text));
    },
    close: end,
  };
}
