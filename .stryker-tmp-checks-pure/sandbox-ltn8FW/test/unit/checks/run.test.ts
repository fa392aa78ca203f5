// @ts-nocheck
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Step } from "../../../src/checklist/schema.js";
import { describe as describeRun, execute, LiveLines } from "../../../src/checks/run.js";
import { makeContext, tempDir } from "./context.js";

const step = (run: Step["run"], extra: Partial<Step> = {}): Step => ({ id: "s", run, ...extra }) as Step;

/** Running and not a zombie waiting for init to reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return process.platform !== "linux";
  }
}

/** Wait for a condition (the vitest timeout bounds the wait; nothing here asserts on wall time). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

function pidsIn(file: string): number[] {
  return readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
}

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

describe("run executor", () => {
  it("passes on exit 0 and says how long it took", async () => {
    const out = await execute(step("echo hello"), makeContext({ cwd: dir }));
    expect(out.status).toBe("passed");
    expect(out.summary).toMatch(/^exit 0 in \d+(\.\d)?m?s$/);
    expect(out.output).toBe("hello");
    expect(out.details).toMatchObject({ exitCode: 0, cwd: dir });
  });

  it("fails on an unexpected exit code and accepts listed ones", async () => {
    const failed = await execute(step("exit 3"), makeContext({ cwd: dir }));
    expect(failed).toMatchObject({ status: "failed", summary: "exit 3 (expected 0)" });
    const listed = await execute(step({ command: "exit 3", expect: { exitCode: [0, 3] } }), makeContext());
    expect(listed.status).toBe("passed");
    const other = await execute(step({ command: "exit 2", expect: { exitCode: [0, 3] } }), makeContext());
    expect(other.summary).toBe("exit 2 (expected 0 or 3)");
  });

  it("checks stdout and stderr against regular expressions", async () => {
    const cmd = "echo 'replicas: 3'; echo 'warning: slow' >&2";
    const ok = await execute(
      step({ command: cmd, expect: { stdout: "^replicas: 3$", stderr: "slow" } }),
      makeContext(),
    );
    expect(ok.status).toBe("passed");
    const badOut = await execute(step({ command: cmd, expect: { stdout: "replicas: 4" } }), makeContext());
    expect(badOut).toMatchObject({ status: "failed", summary: "stdout did not match /replicas: 4/" });
    const badErr = await execute(step({ command: cmd, expect: { stderr: "^error" } }), makeContext());
    expect(badErr.summary).toBe("stderr did not match /^error/");
  });

  it("keeps stdout and stderr interleaved in the output tail", async () => {
    const out = await execute(
      step("echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three"),
      makeContext(),
    );
    expect(out.output).toBe("one\ntwo\nthree");
  });

  it("saves trimmed stdout with saveAs", async () => {
    const out = await execute(step({ command: "printf '  7\\n\\n'", saveAs: "revision" }), makeContext());
    expect(out.saved).toEqual({ revision: "7" });
    expect(out.summary).toMatch(/, saved revision=7$/);
  });

  it("runs in cwd relative to the run directory with the step's env interpolated", async () => {
    mkdirSync(path.join(dir, "sub"));
    const ctx = makeContext({ cwd: dir, vars: { who: "staging" } });
    const out = await execute(
      step({ command: 'pwd; echo "$GREETING"', cwd: "sub", env: { GREETING: "hi ${who}" }, saveAs: "x" }),
      ctx,
    );
    expect(out.saved?.["x"]).toBe(`${path.join(dir, "sub")}\nhi staging`);
    const missing = await execute(step({ command: "true", cwd: "nope" }), ctx);
    expect(missing.summary).toBe(`working directory ${path.join(dir, "nope")} does not exist`);
  });

  it("passes KUBECONFIG on to commands", async () => {
    const out = await execute(
      step({ command: 'echo "$KUBECONFIG"', saveAs: "k" }),
      makeContext({ kube: { kubeconfig: "/tmp/sandbox.kubeconfig" } }),
    );
    expect(out.saved?.["k"]).toBe("/tmp/sandbox.kubeconfig");
  });

  it("explains a missing script, a missing command and a script that is not executable", async () => {
    const ctx = makeContext({ cwd: dir });
    const script = await execute(step("./scripts/x.sh verify"), ctx);
    expect(script).toMatchObject({ status: "failed", summary: `./scripts/x.sh: not found in ${dir}` });
    const cmd = await execute(step("no-such-tool-xyz --version"), ctx);
    expect(cmd.summary).toBe("no-such-tool-xyz: command not found on PATH");
    writeFileSync(path.join(dir, "plain.sh"), "echo hi\n");
    chmodSync(path.join(dir, "plain.sh"), 0o644);
    const notExec = await execute(step("./plain.sh"), ctx);
    expect(notExec.summary).toBe("./plain.sh: not executable (chmod +x?)");
    writeFileSync(path.join(dir, "inner.sh"), "#!/bin/bash\necho start\nmissing-inner-tool\n");
    chmodSync(path.join(dir, "inner.sh"), 0o755);
    const inner = await execute(step("./inner.sh"), ctx);
    expect(inner.summary).toBe("missing-inner-tool: command not found on PATH (./inner.sh line 3)");
  });

  it("passes shell metacharacters in variables as data, in every quoting context", async () => {
    const values = [
      "$(touch x)",
      "`touch x`",
      "a; touch x",
      "it's",
      'say "hi"',
      "two\nlines",
      "back\\slash $HOME",
    ];
    for (const value of values) {
      const ctx = makeContext({ cwd: dir, vars: { v: value } });
      for (const command of [
        "printf '%s' ${v}",
        "printf '%s' \"${v}\"",
        "printf '%s' 'pre ${v} post'",
        "printf '%s' \"pre ${v} post\"",
        "printf '%s' \"$(printf '%s' \"${v}\")\"",
        "printf '%s' $'${v}'",
        "cat <<EOF\n${v}\nEOF",
        "cat <<-END\n\t${v}\n\tEND",
        "( cat <<EOF\n${v}\nEOF\n)",
      ]) {
        const out = await execute(step({ command, saveAs: "out" }), ctx);
        expect(out.status, `${command} with ${JSON.stringify(value)}`).toBe("passed");
        const expected = command.includes("pre ") ? `pre ${value} post` : value;
        expect(out.saved?.["out"], `${command} with ${JSON.stringify(value)}`).toBe(expected.trim());
      }
    }
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });

  it("passes a value holding the here-document's delimiter line as data", async () => {
    const ctx = makeContext({ cwd: dir, vars: { v: "x\nEOF\ntouch x" } });
    const out = await execute(step({ command: "cat <<EOF\n${v}\nEOF", saveAs: "o" }), ctx);
    expect(out.status).toBe("passed");
    expect(out.saved).toEqual({ o: "x\nEOF\ntouch x" });
    expect(existsSync(path.join(dir, "x"))).toBe(false);
  });

  it("uses a value in arithmetic only under a strict pattern, checked before the step runs", async () => {
    const variables = { n: { pattern: "^[0-9]+$" }, pin: { pattern: "^[0-9]+$", secret: true } };
    const ctx = (vars: Record<string, string>) => makeContext({ cwd: dir, vars, variables });
    const sum = await execute(step({ command: "echo $(( ${n} + 1 ))", saveAs: "n" }), ctx({ n: "41" }));
    expect(sum.saved).toEqual({ n: "42" });
    const bad = await execute(step("let x=${n}+1; touch ran"), ctx({ n: "a[$(touch x)]" }));
    expect(bad.status).toBe("failed");
    expect(bad.summary).toBe(
      'the value of ${n} ("a[$(touch x)]") does not match its pattern ^[0-9]+$ (it is used in an argument of `let` (arithmetic), where bash evaluates it): the step did not run',
    );
    const secret = await execute(step("let x=${pin}+1"), ctx({ pin: "12a" }));
    expect(secret.summary).toContain("(****)");
    expect(secret.summary).not.toContain("12a");
    const noPattern = await execute(
      step("[[ ${trick} -eq 0 ]]"),
      makeContext({ cwd: dir, vars: { trick: "a[$(touch x)]" } }),
    );
    expect(noPattern.summary).toBe(
      "${trick} has no strict pattern and it is used in an operand of [[ -eq ]] (arithmetic): the step did not run",
    );
    expect(existsSync(path.join(dir, "x"))).toBe(false);
    expect(existsSync(path.join(dir, "ran"))).toBe(false);
  });

  it("never shows an unfinished line as progress, and keeps a giant one bounded", () => {
    const live = new LiveLines();
    expect(live.push("half of a li")).toBeUndefined();
    expect(live.push("ne\nnext ")).toEqual({ line: "half of a line", cut: false });
    expect(live.push("x".repeat(10_000))).toBeUndefined();
    const long = live.push("y\r");
    expect(long?.cut).toBe(true);
    expect(long?.line.length).toBeLessThanOrEqual(4097);
    expect(live.push("\n\n  \n")).toBeUndefined();
    // Every line of a private key block is masked, not only the BEGIN line a pattern knows.
    const key = live.push("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
    expect(key?.line).toBe("[REDACTED]");
    expect(live.push("QUJDRA==\n")?.line).toBe("[REDACTED]");
    expect(live.push("-----END OPENSSH PRIVATE KEY-----\n")?.line).toBe("[REDACTED]");
    expect(live.push("done\n")?.line).toBe("done");
  });

  it("masks each line of a secret that spans lines in the live message", async () => {
    const secret = "first-line-of-it\nsecond-line-of-it";
    const ctx = makeContext({ secrets: [secret] });
    const out = await execute(step(`printf '%s\\n' "$S"; sleep 0.2; echo done`), {
      ...ctx,
      env: { ...ctx.env, S: secret },
    });
    expect(out.output).toBe("[REDACTED]\ndone");
    expect(ctx.messages.join("\n")).not.toMatch(/first-line|second-line/);
  });

  it("redacts secret values from the output, the command and the summary", async () => {
    const ctx = makeContext({ vars: { token: "s3cr3t-t0ken-value" }, secrets: ["s3cr3t-t0ken-value"] });
    const out = await execute(step({ command: "echo using ${token}; echo done", saveAs: "o" }), ctx);
    expect(out.output).toBe("using [REDACTED]\ndone");
    expect(JSON.stringify(out.details)).not.toContain("s3cr3t");
    expect(out.summary).not.toContain("s3cr3t");
    expect(ctx.messages.join("\n")).not.toContain("s3cr3t");
    // The saved value itself stays exact: later steps need it; the journal redacts it.
    expect(out.saved?.["o"]).toBe("using s3cr3t-t0ken-value\ndone");
  });

  it("redacts a long secret saved with saveAs before the summary cuts it (no prefix survives)", async () => {
    const token = `tk_${"a1b2c3d4e5".repeat(10)}`.slice(0, 100);
    const ctx = makeContext({ vars: { token }, secrets: [token] });
    const out = await execute(step({ command: "echo ${token}", saveAs: "copy" }), ctx);
    expect(out.summary).toMatch(/saved copy=\[REDACTED\]$/);
    expect(out.summary).not.toContain(token.slice(0, 16));
    expect(JSON.stringify(out.details) + (out.output ?? "")).not.toContain(token.slice(0, 16));
  });

  it("shows only complete lines as progress: a secret printed in two chunks is redacted whole", async () => {
    const secret = "split-secret-0123456789abcdef";
    const ctx = makeContext({ vars: { s: secret }, secrets: [secret] });
    // The first half, a pause long enough for it to arrive alone, then the rest of the line.
    const out = await execute(
      step(`printf 'before\n%s' "\${S:0:14}"; sleep 0.3; printf '%s\nafter\n' "\${S:14}"`, {}),
      { ...ctx, env: { ...ctx.env, S: secret } },
    );
    expect(out.status).toBe("passed");
    expect(out.output).toBe("before\n[REDACTED]\nafter");
    const shown = ctx.messages.join("\n");
    expect(shown).not.toContain(secret.slice(0, 10));
    // The first half arrived alone (the sleep): the unfinished line was never shown.
    expect(ctx.messages).toContain("before");
    expect(ctx.messages).not.toContain(secret.slice(0, 14));
  });

  it("keeps only the last 40 lines, caps memory, and shows the latest line as progress", async () => {
    const ctx = makeContext();
    const out = await execute(step("seq 1 200000"), ctx);
    expect(out.status).toBe("passed");
    const lines = out.output!.split("\n");
    expect(lines).toHaveLength(40);
    expect(lines.at(-1)).toBe("200000");
    expect(out.details?.["outputTruncated"]).toBe(true);
    expect(ctx.messages.at(-1)).toBe("200000");
  });

  it("kills the whole process tree on timeout and says it timed out", async () => {
    const pidFile = path.join(dir, "pids");
    const ctx = makeContext({ cwd: dir, signal: AbortSignal.timeout(400), timeoutMs: 400 });
    // An hour of sleep: had the executor waited for the tree, the test itself would time out.
    const out = await execute(
      step(
        `sleep 3600 & echo $! >> ${pidFile}; bash -c 'sleep 3600 & echo $! >> ${pidFile}; wait' & echo $$ >> ${pidFile}; echo waiting; wait`,
      ),
      ctx,
    );
    expect(out).toMatchObject({ status: "failed", summary: "timed out after 400ms", output: "waiting" });
    const pids = pidsIn(pidFile);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  });

  it("calls an abort at the step's deadline a timeout, whatever the abort reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("timed out after 300ms")), 300);
    const out = await execute(step("sleep 30"), makeContext({ signal: controller.signal, timeoutMs: 300 }));
    expect(out.summary).toBe("timed out after 300ms");
  });

  it("escalates to SIGKILL for processes that ignore SIGTERM", async () => {
    const pidFile = path.join(dir, "pids");
    const controller = new AbortController();
    const ctx = makeContext({ cwd: dir, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const out = await execute(step(`trap '' TERM; sleep 30 & echo $! > ${pidFile}; sleep 30`), ctx);
    expect(out.summary).toBe("cancelled");
    const [pid] = pidsIn(pidFile);
    expect(isRunning(pid!)).toBe(false);
  });

  it("stops background jobs the command left behind instead of waiting for them", async () => {
    const pidFile = path.join(dir, "pids");
    const termFile = path.join(dir, "term");
    // The leftover job says which signal ended it: SIGTERM as soon as bash exited (not the SIGKILL
    // that follows the grace period), and the step did not wait for its hour of sleep.
    const out = await execute(
      step(
        `bash -c 'trap "echo TERM > ${termFile}; exit 0" TERM; echo $$ > ${pidFile}; sleep 3600 & wait' & until [ -s ${pidFile} ]; do sleep 0.01; done; echo started`,
      ),
      makeContext({ cwd: dir }),
    );
    expect(out.status).toBe("passed");
    expect(out.output).toBe("started");
    await until(() => !isRunning(pidsIn(pidFile)[0]!));
    expect(readFileSync(termFile, "utf8").trim()).toBe("TERM");
  });

  it("does not start when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const out = await execute(
      step(`touch ${path.join(dir, "ran")}`),
      makeContext({ signal: controller.signal }),
    );
    expect(out.summary).toBe("cancelled");
    expect(existsSync(path.join(dir, "ran"))).toBe(false);
  });

  it("only describes a mutating step in dry-run", async () => {
    const out = await execute(
      step(`touch ${path.join(dir, "ran")}`, { mutating: true }),
      makeContext({ dryRun: true }),
    );
    expect(out).toMatchObject({ status: "described", dryRun: true });
    expect(out.summary).toBe(`dry run, would do: $ touch ${path.join(dir, "ran")}`);
    expect(existsSync(path.join(dir, "ran"))).toBe(false);
  });

  it("describes the command as written, with the values beside it and secrets masked", () => {
    const vars = { ns: "staging", name: "my app", token: "abc123" };
    expect(describeRun(step("kubectl -n ${ns} get deploy ${name}"), vars)).toBe(
      '$ kubectl -n ${ns} get deploy ${name} (with ns="staging", name="my app")',
    );
    expect(
      describeRun(
        step({ command: 'curl -H "X-Token: ${token}" "${name}" ${env.URL}', expect: { exitCode: [0, 1] } }),
        vars,
        {
          secrets: new Set(["token"]),
        },
      ),
    ).toBe(
      '$ curl -H "X-Token: ${token}" "${name}" ${env.URL} (with token=****, name="my app"); expect exit code 0 or 1',
    );
    expect(
      describeRun(step({ command: "echo ${env.URL}", cwd: "scripts", saveAs: "x" }), vars, {
        env: { URL: "http://x" },
      }),
    ).toBe(
      '$ echo ${env.URL} (with env.URL="http://x"); in scripts; expect exit code 0; stdout saved as ${x}',
    );
  });
});
