// @ts-nocheck
// Secrets planted in a variable, in command output and in an HTTP response body never reach the state
// dir, the signed record or any export after a real `deploycheck run` (real executors, real server).
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt } from "./record-fixture.js";

const TOKEN = "tok-4be1c0d2a9f38e7b";
const DB_PASSWORD = "pw-71c3e9a0b5d2f846";

let root: string;
let server: Server;
let seenAuth = "";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-leak-run-"));
  server = createServer((req, res) => {
    seenAuth = req.headers.authorization ?? "";
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ ok: true, session: TOKEN, password: DB_PASSWORD }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  await rm(root, { recursive: true, force: true });
});

describe("secrets after a real run", () => {
  it("appear nowhere in the state dir, the record, the exports or the terminal", async () => {
    const port = (server.address() as AddressInfo).port;
    const checklist = `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: leak, title: Leak check, ref: SEC-1 }
vars:
  apiToken: { env: LEAK_API_TOKEN, secret: true }
  apiUrl: { default: "http://127.0.0.1:${port}" }
sections:
  - id: checks
    title: Checks
    items:
      - id: cli
        title: Command output
        steps:
          - id: echo
            run: 'echo "token is \${apiToken}"; echo "db password=$LEAK_DB_PASSWORD"; echo "Authorization: Bearer \${apiToken}"'
      - id: api
        title: HTTP body
        steps:
          - id: get
            http:
              url: "\${apiUrl}/health?token=\${apiToken}"
              headers: { Authorization: "Bearer \${apiToken}" }
              expect: { status: 200, bodyContains: ok }
`;
    await writeFile(join(root, "leak.yaml"), checklist);
    await writeFile(
      join(root, "answers.yaml"),
      `signoff/engineer: Ana\nsignoff/ready: yes\nsignoff/notes: "used ${TOKEN} today"\nsignoff/blockers: ""\n`,
    );
    const env = {
      LEAK_API_TOKEN: TOKEN,
      LEAK_DB_PASSWORD: DB_PASSWORD,
      XDG_CONFIG_HOME: join(root, "config"),
    };
    const stateDir = join(root, "state");
    const run = await cli(
      ["run", "leak.yaml", "--non-interactive", "--answers", "answers.yaml", "--state-dir", stateDir],
      { cwd: root, env },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(seenAuth).toBe(`Bearer ${TOKEN}`); // the secret really was used

    const texts: [string, string][] = [
      ["run stdout", run.stdout],
      ["run stderr", run.stderr],
    ];
    for (const file of await filesUnder(stateDir)) texts.push([file, await readFile(file, "utf8")]);
    const runId = (await readdir(join(stateDir, "runs")))[0]!;
    const recordPath = join(stateDir, "runs", runId, "record.json");
    expect((await cli(["verify", recordPath], { cwd: root, env })).code).toBe(0);
    for (const format of ["md", "html", "junit", "json"]) {
      const r = await cli(["export", runId, "--format", format, "--state-dir", stateDir], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      texts.push([`export ${format}`, r.stdout + r.stderr]);
    }
    expect(texts.some(([name]) => name.endsWith("record.json"))).toBe(true);
    for (const [name, text] of texts) {
      expect(text.includes(TOKEN), `${name} holds the token`).toBe(false);
      expect(text.includes(DB_PASSWORD), `${name} holds the password`).toBe(false);
    }
    const record = JSON.parse(await readFile(recordPath, "utf8"));
    expect(record.variables.apiToken).toBe("[REDACTED]");
    expect(JSON.stringify(record)).toContain("token is [REDACTED]");
    expect(JSON.stringify(record)).toContain("db password=[REDACTED]");
  });
});
