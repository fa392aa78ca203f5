// @ts-nocheck
// Hostile values from every source a run takes them from (--var, an answers file's input, interactive
// input, a saveAs of a command's output, the environment) reach run commands, env: and cwd: as data:
// the whole engine with the real run executor and real bash, a fake prompter and clock.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import { parseVarFlags, resolveVars } from "../../../src/checklist/vars.js";
import { loadCheck } from "../../../src/checks/registry.js";
import { type Answers, parseAnswers } from "../../../src/engine/answers.js";
import { EVENT_VERSION, type RunEvent } from "../../../src/engine/events.js";
import { type RunSession, runChecklist } from "../../../src/engine/runner.js";
import { fold } from "../../../src/engine/state.js";
import { FakePrompter, ports, type Scripted } from "../../helpers/fakes.js";
import { PAYLOADS } from "../checklist/injection-matrix.js";
import { tempDir } from "../checks/context.js";

const READY: Answers = { "signoff/ready": { value: "yes" }, "signoff/engineer": { value: "ann" } };
const SIGNOFF: Scripted[] = [
  { q: "Engineer", a: "ann" },
  { q: "ready", a: true },
  { q: "Notes", a: "" },
  { q: "Blockers", a: "" },
];

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir("dc-sources-"));
});
afterAll(() => cleanup());

/** Steps that use ${v}: a bare word, a nested "$( )", a here-document, env: and cwd:. */
function consumers(withCwd: boolean): Step[] {
  const steps: Step[] = [
    { id: "bare", run: "printf '%s' ${v} > \"$OUT/bare\"" },
    { id: "nested", run: 'printf \'%s\' "$(printf \'%s\' "${v}")" > "$OUT/nested"' },
    { id: "heredoc", run: 'cat > "$OUT/heredoc" <<EOF\n${v}\nEOF' },
    { id: "env", run: { command: 'printf \'%s\' "$X" > "$OUT/env"', env: { X: "${v}" } } },
  ];
  if (withCwd) steps.push({ id: "cwd", run: { command: 'printf \'%s\' "$PWD" > "$OUT/cwd"', cwd: "${v}" } });
  return steps;
}

function checklistFor(source: Step | undefined, withCwd: boolean): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "sources", title: "Sources" },
    ...(source ? {} : { vars: { v: {} } }),
    sections: [
      {
        id: "s",
        title: "S",
        items: [{ id: "i", title: "I", steps: [...(source ? [source] : []), ...consumers(withCwd)] }],
      },
    ],
  };
}

/** A directory named like the value, when a file name can be (for cwd:). */
const dirName = (v: string) => v !== "" && v !== "." && v !== ".." && !v.includes("/") && !v.includes("\0");

async function runWith(
  c: Checklist,
  over: Partial<RunSession>,
  script: Scripted[],
  caseDir: string,
): Promise<{ code: number | undefined; out: string }> {
  const out = path.join(caseDir, "out");
  mkdirSync(out, { recursive: true });
  const start: RunEvent = {
    v: EVENT_VERSION,
    type: "run-started",
    at: "2026-11-30T06:30:00.000Z",
    runId: "sources-1",
    checklist: { name: c.metadata.name, title: c.metadata.title, path: "/x.yaml", sha256: "s" },
    vars: over.vars ?? {},
    secretVars: [],
    environment: { host: "h", user: "u", toolVersion: "0", node: "20", platform: "linux", cwd: caseDir },
    options: { dryRun: false, interactive: over.interactive ?? false, keepGoing: true },
    stepHashes: {},
  };
  const p = ports({ prompter: new FakePrompter(script), executors: { loadCheck } });
  p.journal.events.push(start);
  const session: RunSession = {
    runId: "sources-1",
    checklist: c,
    vars: {},
    secretVars: [],
    env: { PATH: process.env["PATH"], OUT: out, MARKER: path.join(caseDir, "pwned") },
    cwd: caseDir,
    interactive: false,
    dryRun: false,
    keepGoing: true,
    answers: READY,
    kube: {},
    signal: new AbortController().signal,
    engineer: "ann",
    firstSession: true,
    ...over,
  };
  const code = await runChecklist(session, fold([start]), p);
  return { code, out };
}

/** What each consumer must have written for the value v. */
function expectArrived(out: string, v: string, caseDir: string, withCwd: boolean) {
  const read = (name: string) =>
    existsSync(path.join(out, name)) ? readFileSync(path.join(out, name), "utf8") : undefined;
  expect(read("bare")).toBe(v);
  expect(read("nested")).toBe(v.replace(/\n+$/, ""));
  expect(read("heredoc")).toBe(`${v}\n`);
  expect(read("env")).toBe(v);
  if (withCwd) expect(read("cwd")).toBe(path.join(caseDir, v));
  expect(existsSync(path.join(caseDir, "pwned"))).toBe(false);
}

describe("hostile values from each source arrive as data", () => {
  it("--var", async () => {
    for (const [n, payload] of PAYLOADS.entries()) {
      const caseDir = path.join(root, `var-${n}`);
      const withCwd = dirName(payload);
      if (withCwd) mkdirSync(path.join(caseDir, payload), { recursive: true });
      const c = checklistFor(undefined, withCwd);
      const { values } = resolveVars(c, parseVarFlags([`v=${payload}`]), {});
      const r = await runWith(c, { vars: values }, [], caseDir);
      expectArrived(r.out, payload, caseDir, withCwd);
      expect(r.code).toBe(0);
    }
  });

  // An input step refuses an empty answer, so the empty payload has nothing to arrive there.
  const answerable = PAYLOADS.filter((p) => p !== "");

  it("an answers file's input", async () => {
    for (const [n, payload] of answerable.entries()) {
      const caseDir = path.join(root, `answers-${n}`);
      const withCwd = dirName(payload);
      if (withCwd) mkdirSync(path.join(caseDir, payload), { recursive: true });
      const source: Step = { id: "ask", input: { prompt: "Value?", saveAs: "v" } };
      const answers = parseAnswers(
        stringify({ "i/ask": payload, "signoff/ready": "yes", "signoff/engineer": "ann" }),
        "answers.yaml",
      );
      const r = await runWith(checklistFor(source, withCwd), { answers }, [], caseDir);
      expectArrived(r.out, payload, caseDir, withCwd);
    }
  });

  it("interactive input", async () => {
    for (const [n, payload] of answerable.entries()) {
      const caseDir = path.join(root, `interactive-${n}`);
      const withCwd = dirName(payload);
      if (withCwd) mkdirSync(path.join(caseDir, payload), { recursive: true });
      const source: Step = { id: "ask", input: { prompt: "Value?", saveAs: "v" } };
      const r = await runWith(
        checklistFor(source, withCwd),
        { interactive: true },
        [{ q: "Value?", a: payload }, ...SIGNOFF],
        caseDir,
      );
      expectArrived(r.out, payload, caseDir, withCwd);
    }
  });

  it("a saveAs of a command's output (trimmed)", async () => {
    for (const [n, payload] of PAYLOADS.entries()) {
      const caseDir = path.join(root, `saved-${n}`);
      const saved = payload.trim();
      const withCwd = dirName(saved);
      if (withCwd) mkdirSync(path.join(caseDir, saved), { recursive: true });
      const source: Step = { id: "produce", run: { command: "printf '%s' \"$PAYLOAD\"", saveAs: "v" } };
      const r = await runWith(
        checklistFor(source, withCwd),
        {
          env: {
            PATH: process.env["PATH"],
            OUT: path.join(caseDir, "out"),
            MARKER: path.join(caseDir, "pwned"),
            PAYLOAD: payload,
          },
        },
        [],
        caseDir,
      );
      expectArrived(r.out, saved, caseDir, withCwd);
    }
  });
});
