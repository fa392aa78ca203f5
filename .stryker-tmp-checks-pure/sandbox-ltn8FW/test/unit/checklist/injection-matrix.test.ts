// @ts-nocheck
// The differential injection matrix, through real bash: every bash context x every hostile value is
// either refused by validate (and by the run step before anything runs) or runs with the value arriving
// byte for byte as data; no payload ever runs. For the refused contexts, bash itself is asked whether a
// reference there would have run the payload, so the refusals are not guesses.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Checklist, Step } from "../../../src/checklist/schema.js";
import { analyzeCommand, envNameFor, renderCommand } from "../../../src/checklist/shell-refs.js";
import { validateChecklist } from "../../../src/checklist/validate.js";
import { execute } from "../../../src/checks/run.js";
import { makeContext, tempDir } from "../checks/context.js";
import { PAYLOADS, SAFE, UNSAFE } from "./injection-matrix.js";

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir("dc-matrix-"));
});
afterAll(() => cleanup());

function checklistWith(command: string, pattern?: string): Checklist {
  return {
    apiVersion: "deploycheck/v1",
    kind: "Checklist",
    metadata: { name: "m", title: "M" },
    vars: { v: pattern ? { default: "1", pattern } : { default: "1" } },
    sections: [{ id: "s", title: "S", items: [{ id: "i", title: "I", steps: [{ id: "r", run: command }] }] }],
  };
}

it("has at least 50 contexts and 20 payloads", () => {
  expect(SAFE.length + UNSAFE.length).toBeGreaterThanOrEqual(50);
  expect(PAYLOADS.length).toBeGreaterThanOrEqual(20);
  expect(PAYLOADS.filter((p) => p.includes("touch $MARKER")).length).toBeGreaterThanOrEqual(20);
});

/** Payloads also run through the run executor itself (the rest go through one bash driver per context). */
const THROUGH_EXECUTOR = [0, 7, 9, 17];

describe("safe contexts: the value arrives as data", () => {
  it.each(SAFE.map((c) => [c.name, c] as const))("%s", async (_name, context) => {
    expect(validateChecklist(checklistWith(context.command)).filter((p) => p.severity === "error")).toEqual(
      [],
    );
    const dir = path.join(root, `safe-${SAFE.indexOf(context)}`);
    mkdirSync(dir);
    const failures: string[] = [];
    const check = (p: number, how: string, status: string, detail = "") => {
      const payload = PAYLOADS[p]!;
      const out = path.join(dir, `${how}-out-${p}`);
      const got = existsSync(out) ? readFileSync(out, "utf8") : undefined;
      if (existsSync(path.join(dir, `${how}-pwned-${p}`)))
        failures.push(`${how}: ${JSON.stringify(payload)} RAN`);
      else if (status !== "passed") failures.push(`${how}: ${JSON.stringify(payload)}: ${status} ${detail}`);
      else if (got !== context.expect(payload))
        failures.push(`${how}: ${JSON.stringify(payload)}: got ${JSON.stringify(got)}`);
    };
    // Every payload: the command exactly as the executor renders it, through `bash -c` with the value in
    // the environment, one bash driver for all payloads (fast).
    const rendered = renderCommand(context.command, analyzeCommand(context.command), () => true);
    const env: Record<string, string> = { PATH: process.env["PATH"] ?? "", HOME: dir, R: rendered };
    PAYLOADS.forEach((payload, p) => {
      env[`P${p}`] = payload;
    });
    const driver = `for i in $(seq 0 ${PAYLOADS.length - 1}); do p="P$i"; OUT="$PWD/bash-out-$i" MARKER="$PWD/bash-pwned-$i" ${envNameFor("v")}="\${!p}" bash -c "$R" </dev/null >/dev/null 2>&1 && echo "$i passed" || echo "$i failed"; done`;
    // stdin not a socket: bash would take itself for a remote shell and read ~/.bashrc.
    const r = spawnSync("bash", ["-c", driver], {
      cwd: dir,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    const statuses = r.stdout.trim().split("\n");
    expect(statuses.length, r.stderr).toBe(PAYLOADS.length);
    for (const line of statuses) {
      const [p, status] = line.split(" ");
      check(Number(p), "bash", status!);
    }
    // A few through the run executor itself, from the value in ctx.vars to the file.
    for (const p of THROUGH_EXECUTOR) {
      const ctx = makeContext({
        cwd: dir,
        vars: { v: PAYLOADS[p]! },
        env: {
          PATH: process.env["PATH"],
          HOME: process.env["HOME"],
          OUT: path.join(dir, `exec-out-${p}`),
          MARKER: path.join(dir, `exec-pwned-${p}`),
        },
      });
      const outcome = await execute({ id: "r", run: context.command } as Step, ctx);
      check(p, "exec", outcome.status, `${outcome.summary} ${outcome.output ?? ""}`);
    }
    expect(failures, context.command).toEqual([]);
  });
});

describe("unsafe contexts: refused at validate and before the step runs", () => {
  it.each(UNSAFE.map((c) => [c.name, c] as const))("%s", async (_name, context) => {
    const problems = validateChecklist(checklistWith(context.command)).filter((p) => p.severity === "error");
    expect(problems.length, context.command).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(
      /^\$\{v\} is in .+: .*pass it through `env:` and validate it in your script/,
    );
    expect(problems[0]!.path).toEqual(["sections", 0, "items", 0, "steps", 0, "run"]);
    const dir = path.join(root, `unsafe-${UNSAFE.indexOf(context)}`);
    mkdirSync(dir);
    for (const [p, payload] of PAYLOADS.entries()) {
      const marker = path.join(dir, `pwned-${p}`);
      const ctx = makeContext({
        cwd: dir,
        vars: { v: payload },
        env: { PATH: process.env["PATH"], MARKER: marker },
      });
      const outcome = await execute({ id: "r", run: `${context.command}\ntouch ran` } as Step, ctx);
      expect(outcome.status).toBe("failed");
      expect(outcome.summary).toMatch(/the step did not run$/);
      expect(existsSync(marker)).toBe(false);
    }
    expect(existsSync(path.join(dir, "ran"))).toBe(false);
  });

  const evaluated = UNSAFE.filter((c) => c.bashEvaluates);
  it.each(evaluated.map((c) => [c.name, c] as const))(
    "bash agrees: %s runs a[$(cmd)] even from a reference",
    (_name, context) => {
      const dir = path.join(root, `bash-${UNSAFE.indexOf(context)}`);
      mkdirSync(dir);
      const marker = path.join(dir, "pwned");
      const payload =
        context.name === "printf first argument" ? "-va[$(touch $MARKER)]" : "a[$(touch $MARKER)]";
      const command = renderCommand(context.command, analyzeCommand(context.command), () => true);
      const bash = ["eval", "bash -c", "sh -c in single quotes", "trap"].includes(context.name)
        ? "x; touch $MARKER"
        : payload;
      spawnSync("bash", ["-c", command], {
        cwd: dir,
        env: { PATH: process.env["PATH"], MARKER: marker, [envNameFor("v")]: bash },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
      expect(existsSync(marker), command).toBe(true);
      rmSync(marker);
    },
  );
});

describe("strict patterns", () => {
  it("let with a digits pattern validates, runs with a number, and fails a hostile value before running", async () => {
    const command = 'let n=${v}+1; printf \'%s\' "$n" > "$OUT"';
    expect(validateChecklist(checklistWith(command, "^[0-9]+$"))).toEqual([]);
    const dir = path.join(root, "strict");
    mkdirSync(dir);
    const out = path.join(dir, "out");
    const variables = { v: { pattern: "^[0-9]+$" } };
    const env = { PATH: process.env["PATH"], OUT: out };
    const ok = await execute(
      { id: "r", run: command } as Step,
      makeContext({ cwd: dir, vars: { v: "41" }, variables, env }),
    );
    expect(ok.status).toBe("passed");
    expect(readFileSync(out, "utf8")).toBe("42");
    rmSync(out);
    for (const [p, payload] of PAYLOADS.entries()) {
      const marker = path.join(dir, `pwned-${p}`);
      const bad = await execute(
        { id: "r", run: command } as Step,
        makeContext({ cwd: dir, vars: { v: payload }, variables, env: { ...env, MARKER: marker } }),
      );
      expect(bad.status).toBe("failed");
      expect(bad.summary).toContain("does not match its pattern ^[0-9]+$");
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("a pattern that lets letters or metacharacters through is not strict enough for arithmetic", () => {
    for (const pattern of ["^[0-9a-z]+$", "^.+$", "[0-9]+", "^[0-9]+", "^(1|2)$", "^[^a]+$", "^\\S+$"]) {
      const problems = validateChecklist(checklistWith("let n=${v}+1", pattern));
      expect(problems.length, pattern).toBe(1);
      expect(problems[0]!.message, pattern).toContain("is not strict enough");
    }
    // Names may hold letters.
    expect(validateChecklist(checklistWith("unset ${v}", "^[A-Za-z_][A-Za-z0-9_]*$"))).toEqual([]);
    expect(validateChecklist(checklistWith("unset ${v}", "^[A-Za-z_\\[\\]]+$"))[0]!.message).toContain(
      "is not strict enough",
    );
  });
});
