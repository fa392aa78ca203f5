// An attacker's leak test of the built CLI: secrets with every shell metacharacter, a 100-character
// token, a 3-character value, a token a command prints in two chunks with a pause between them, bodies
// cut by the excerpt and by maxBodyBytes with a secret across the cut, `set -x` output, and redirects
// from one local origin to a second one. The run is on a pseudo-terminal (`script`), so the live
// progress line is drawn. Afterwards no secret, in any form it could be written in (raw, JSON-, HTML-,
// XML-, Markdown- or URL-escaped), and no 16-character prefix of one, is in the terminal output, the state dir,
// record.json, the md/html/junit/json exports, `status`, or anything the second origin received.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md } from "../../src/report/markdown.js";
import { BIN, cli, ensureBuilt } from "./record-fixture.js";

const SHELLY = "it's-a-pa$$word";
const META = `q"uo'te\`s\\ba$(ck)|&;<>*?[]{}~!#^% end`;
const TOKEN = `tk_${"9f8e7d6c5b4a3210".repeat(7)}`.slice(0, 100);
const PIN = "~^%";
const SECRETS = { SHELLY, META, TOKEN, PIN };

/** Every form a secret could be written in by a sink, and (for long ones) its 16-character prefix. */
function forms(secret: string): string[] {
  const html = (s: string) =>
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  const all = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    html(secret),
    html(secret).replace(/&#39;/g, "&apos;"),
    html(secret).replace(/&#39;/g, "&#x27;"),
    encodeURIComponent(secret),
    md(secret),
  ];
  return [...new Set(all.flatMap((f) => (f.length > 16 ? [f, f.slice(0, 16)] : [f])))];
}

let root: string;
let a: Server;
let b: Server;
let originA: string;
let originB: string;
const seenA: string[] = [];
const seenB: string[] = [];

function record(into: string[], req: IncomingMessage, body: string): void {
  into.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
}

function serve(
  into: string[],
  route: (req: IncomingMessage, url: URL) => [number, Record<string, string>, string],
) {
  return createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      record(into, req, body);
      const [status, headers, out] = route(req, new URL(req.url ?? "/", "http://x"));
      res.writeHead(status, headers);
      res.end(out);
    });
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** The built CLI on a pseudo-terminal (util-linux `script`): what a person's terminal would show. */
function onTerminal(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // A wide terminal, so that the live line is not cut before the part of it that could leak.
  const command = `stty cols 400 rows 50; ${[process.execPath, BIN, ...args].map(quote).join(" ")}`;
  return new Promise((done, fail) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", CI: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, out }));
  });
}

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-secret-leak-"));
  b = serve(seenB, () => [
    200,
    { "content-type": "application/json" },
    JSON.stringify({ ok: true, at: "b" }),
  ]);
  originB = await listen(b);
  a = serve(seenA, (_req, url) => {
    const json = { "content-type": "application/json" };
    switch (url.pathname) {
      case "/excerpt": {
        // The token runs across the 2000-character excerpt cut; the others are whole.
        const head = `{"ok":true,"pad":"${"p".repeat(1960)}`;
        return [
          200,
          json,
          `${head}${TOKEN}","shelly":${JSON.stringify(SHELLY)},"meta":${JSON.stringify(META)}}`,
        ];
      }
      case "/big":
        // The token runs across the 3000-byte maxBodyBytes cut.
        return [200, { "content-type": "text/plain" }, `ok ${"x".repeat(2947)}${TOKEN}${"y".repeat(5000)}`];
      case "/r307":
        return [307, { location: `${originB}/landing?t=${encodeURIComponent(TOKEN)}` }, ""];
      case "/r302":
        return [302, { location: `${originB}/landing` }, ""];
      case "/hook":
        return [308, { location: `${originB}/hook` }, ""];
      default:
        return [404, {}, ""];
    }
  });
  originA = await listen(a);
});
afterAll(async () => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await rm(root, { recursive: true, force: true });
});

describe("secrets of every shape after a real run on a terminal", () => {
  it("leave no trace in the terminal, the state dir, the record, the exports, status or a second origin", async () => {
    const checklist = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: leak, title: Leak check, ref: SEC-2 }
vars:
  shelly: { env: LEAK_SHELLY, secret: true }
  meta: { env: LEAK_META, secret: true }
  token: { env: LEAK_TOKEN, secret: true }
  pin: { env: LEAK_PIN, secret: true }
  a: { default: "${originA}" }
sections:
  - id: checks
    title: Checks
    items:
      - id: cli
        title: Command output
        steps:
          - id: echo
            run: 'printf "%s\\n" "\${shelly}" "\${meta}" "pin \${pin}" "\${token}"'
          - id: env
            run:
              command: 'echo "$S $M $P"; echo "$T" >&2'
              env: { S: "\${shelly}", M: "\${meta}", P: "\${pin}", T: "\${token}" }
          - id: split
            run:
              command: 'printf "%s" "$T" | head -c 50; sleep 0.8; printf "%s\\n" "$T" | tail -c +51; sleep 0.3; echo done'
              env: { T: "\${token}" }
          - id: xtrace
            run:
              command: 'set -x; true "$S" "$M"'
              env: { S: "\${shelly}", M: "\${meta}" }
          - id: saved
            run:
              command: 'printf "%s\\n" "$T"'
              env: { T: "\${token}" }
              saveAs: copied
          - id: use-saved
            run: 'echo "copy: \${copied}"'
      - id: api
        title: HTTP
        steps:
          - id: excerpt
            http: { url: "\${a}/excerpt", headers: { X-Api-Key: "\${token}" }, expect: { bodyContains: '"ok":true' } }
          - id: cut
            http: { url: "\${a}/big", maxBodyBytes: 3000, expect: { bodyContains: ok } }
          - id: not-followed
            http:
              url: "\${a}/r307"
              method: POST
              headers: { X-Api-Key: "\${token}", Authorization: "Bearer \${meta}" }
              body: { password: "\${shelly}", pin: "\${pin}" }
              expect: { status: 307 }
          - id: followed
            http:
              url: "\${a}/r302"
              headers: { X-Api-Key: "\${token}", Authorization: "Bearer \${meta}", X-Pin: "\${pin}" }
              followRedirects: any
              expect: { status: 200, json: { at: b } }
          - id: posted-on
            http:
              url: "\${a}/r302"
              method: POST
              body: { password: "\${shelly}", token: "\${token}" }
              followRedirects: any
              expect: { status: 200 }
          - id: webhook
            optional: true
            notify: { webhook: "\${a}/hook", message: "deploying with \${shelly} and \${token}", format: json }
`;
    await writeFile(join(root, "leak.yaml"), checklist);
    await writeFile(
      join(root, "answers.yaml"),
      `signoff/engineer: Ana\nsignoff/ready: yes\nsignoff/notes: ${JSON.stringify(`used ${TOKEN} and ${SHELLY}`)}\nsignoff/blockers: ""\n`,
    );
    const env = {
      LEAK_SHELLY: SHELLY,
      LEAK_META: META,
      LEAK_TOKEN: TOKEN,
      LEAK_PIN: PIN,
      XDG_CONFIG_HOME: join(root, "config"),
    };
    const stateDir = join(root, "state");
    const run = await onTerminal(
      ["run", "leak.yaml", "--non-interactive", "--answers", "answers.yaml", "--state-dir", stateDir],
      root,
      env,
    );
    expect(run.code, run.out).toBe(0);

    // The secrets really were used: sent to the first origin, printed by the commands.
    const toA = seenA.join("\n");
    expect(toA).toContain(`"x-api-key":"${TOKEN}"`);
    expect(toA).toContain(JSON.stringify({ password: SHELLY, pin: PIN }));
    const runId = (await readdir(join(stateDir, "runs")))[0]!;
    const recordPath = join(stateDir, "runs", runId, "record.json");
    const record = JSON.parse(await readFile(recordPath, "utf8"));
    const steps = Object.fromEntries(
      record.sections.flatMap((s: { items: { steps: { key: string }[] }[] }) =>
        s.items.flatMap((i) => i.steps.map((st) => [st.key, st])),
      ),
    );
    expect(steps["cli/echo"].output).toBe("[REDACTED]\n[REDACTED]\npin [REDACTED]\n[REDACTED]");
    expect(steps["cli/split"].output).toBe("[REDACTED]\ndone");
    expect(steps["cli/saved"].summary).toMatch(/saved copied=\[REDACTED\]$/);
    expect(steps["api/not-followed"].summary).toContain(
      `redirect to ${originB}/landing?t=[REDACTED] not followed`,
    );
    expect(steps["api/followed"].summary).toContain(
      `redirected to ${originB}/landing (another origin: headers x-api-key, authorization, x-pin not sent there)`,
    );
    expect(steps["api/cut"].details.bodyTruncated).toBe(true);
    expect(steps["api/webhook"].status).toBe("failed");
    // The second origin got only what no secret was in: a GET for the followed redirect and the
    // GET a 302 makes of the POST; the 307 and the webhook's 308 were not followed.
    expect(seenB.map((s) => s.split("\n")[0])).toEqual(["GET /landing", "GET /landing"]);

    const texts: [string, string][] = [["terminal", run.out]];
    for (const file of await filesUnder(stateDir)) texts.push([file, await readFile(file, "utf8")]);
    expect((await cli(["verify", recordPath], { cwd: root, env })).code).toBe(0);
    for (const format of ["md", "html", "junit", "json"]) {
      const r = await cli(["export", runId, "--format", format, "--state-dir", stateDir], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      texts.push([`export ${format}`, r.stdout + r.stderr]);
    }
    const status = await cli(["status", runId, "--state-dir", stateDir], { cwd: root, env });
    texts.push(["status", status.stdout + status.stderr]);
    texts.push(["second origin's request log", seenB.join("\n")]);
    expect(texts.some(([name]) => name.endsWith("record.json"))).toBe(true);
    expect(texts.some(([name]) => name.endsWith("journal.jsonl"))).toBe(true);

    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const form of forms(secret)) {
        for (const [where, text] of texts) {
          if (text.includes(form)) leaks.push(`${name} as ${JSON.stringify(form)} in ${where}`);
        }
      }
    }
    if (process.env["LEAK_DUMP"]) await writeFile(process.env["LEAK_DUMP"], run.out);
    expect(leaks).toEqual([]);
    // A run, verify, four exports and status, each a fresh CLI process: 15 s alone, more on a busy machine.
  }, 180_000);
});
