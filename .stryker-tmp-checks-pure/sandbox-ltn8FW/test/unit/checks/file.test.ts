// @ts-nocheck
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileStep, Step } from "../../../src/checklist/schema.js";
import { describe as describeFile, execute } from "../../../src/checks/file.js";
import { makeContext, tempDir } from "./context.js";

const step = (file: FileStep): Step => ({ id: "f", file }) as Step;
const NOW = Date.parse("2026-11-26T06:30:00Z");
const MIN = 60_000;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Write a file whose mtime is `ageMs` before NOW. */
function put(rel: string, content: string, ageMs = 0): string {
  const abs = path.join(dir, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  const when = new Date(NOW - ageMs);
  utimesSync(abs, when, when);
  return abs;
}

const ctx = (extra: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ cwd: dir, now: () => NOW, ...extra });

describe("file executor", () => {
  it("passes when the file exists and says where it looked when it does not", async () => {
    put("ready", "");
    expect(await execute(step({ path: "ready" }), ctx())).toMatchObject({
      status: "passed",
      summary: "ready exists",
    });
    const missing = await execute(step({ path: "./backups/db.sql" }), ctx());
    expect(missing).toMatchObject({
      status: "failed",
      summary: `./backups/db.sql: missing (looked in ${dir})`,
    });
    expect(missing.details).toMatchObject({ exists: false, path: path.join(dir, "backups/db.sql") });
  });

  it("expands ~/ to HOME", async () => {
    put("home/.kube/config", "apiVersion: v1\n");
    const out = await execute(
      step({ path: "~/.kube/config", contains: "apiVersion" }),
      ctx({ env: { HOME: path.join(dir, "home") } }),
    );
    expect(out).toMatchObject({ status: "passed", details: { path: path.join(dir, "home/.kube/config") } });
  });

  it("checks absence with exists: false", async () => {
    expect((await execute(step({ path: "lock", exists: false }), ctx())).status).toBe("passed");
    put("lock", "");
    const present = await execute(step({ path: "lock", exists: false }), ctx());
    expect(present.summary).toBe(`lock exists but should not (file in ${dir})`);
  });

  it("compares the age with maxAge in human units", async () => {
    put("old.log", "x", 2 * 60 * MIN + 5 * MIN);
    const old = await execute(step({ path: "old.log", maxAge: "1h" }), ctx());
    expect(old).toMatchObject({ status: "failed", summary: "old.log is 2h 5m old (limit 1h)" });
    expect(old.details).toMatchObject({ ageMs: 125 * MIN, type: "file", size: 1 });
    put("new.log", "x", 12 * MIN);
    const recent = await execute(step({ path: "new.log", maxAge: "1h" }), ctx());
    expect(recent).toMatchObject({ status: "passed", summary: "new.log: 12m old" });
  });

  it("checks that the file contains a text, with variables interpolated", async () => {
    put("deploy.log", "rollout of v1.4.2 complete\n");
    const ok = await execute(
      step({ path: "deploy.log", contains: "v${version} complete" }),
      ctx({ vars: { version: "1.4.2" } }),
    );
    expect(ok.status).toBe("passed");
    const bad = await execute(
      step({ path: "deploy.log", contains: "v${version}" }),
      ctx({ vars: { version: "2.0.0" } }),
    );
    expect(bad.summary).toBe('deploy.log does not contain "v2.0.0"');
  });

  it("finds the newest entry of a directory, filtered by a glob, and checks its age", async () => {
    put("backups/db-1.sql.gz", "", 5 * 60 * MIN);
    put("backups/db-2.sql.gz", "", 30 * MIN);
    put("backups/notes.txt", "", 1 * MIN);
    const any = await execute(step({ path: "./backups", newest: { maxAge: "1h" } }), ctx());
    expect(any).toMatchObject({ status: "passed", summary: "./backups: newest notes.txt, 1m old" });
    const gz = await execute(
      step({ path: "./backups", newest: { glob: "db-*.sql.gz", maxAge: "20m" } }),
      ctx(),
    );
    expect(gz).toMatchObject({ status: "failed", summary: "newest db-2.sql.gz is 30m old (limit 20m)" });
    expect(gz.details).toMatchObject({ entries: 2, newest: { name: "db-2.sql.gz", ageMs: 30 * MIN } });
    const none = await execute(step({ path: "./backups", newest: { glob: "*.tar" } }), ctx());
    expect(none.summary).toBe("no entry matching *.tar in ./backups (3 other entries)");
    mkdirSync(path.join(dir, "empty"));
    const empty = await execute(step({ path: "empty", newest: {} }), ctx());
    expect(empty.summary).toBe("directory empty is empty");
  });

  it("takes a glob in the path's last part as its newest match", async () => {
    put("backups/db-1.sql.gz", "", 3 * 60 * MIN);
    put("backups/db-2.sql.gz", "", 2 * 60 * MIN);
    const old = await execute(step({ path: "backups/db-*.sql.gz", maxAge: "1h" }), ctx());
    expect(old).toMatchObject({
      status: "failed",
      summary: "backups/db-*.sql.gz (db-2.sql.gz) is 2h old (limit 1h)",
    });
    expect(old.details).toMatchObject({ matches: 2, path: path.join(dir, "backups/db-2.sql.gz") });
    const none = await execute(step({ path: "backups/*.tar" }), ctx());
    expect(none).toMatchObject({ status: "failed", details: { matches: 0, exists: false } });
    expect((await execute(step({ path: "nodir/*.tar", exists: false }), ctx())).status).toBe("passed");
  });

  it("reads KEY=VALUE files: every missing key at once, wrong values as expected vs found", async () => {
    put(
      ".rollback_state",
      [
        "# written by pre-deploy-backup.sh",
        "",
        "export PREVIOUS_REVISION=6",
        'PREVIOUS_IMAGE="registry/api:1.4.1"  ',
        "DEPLOYED_AT='2026-11-26T06:00:00Z'",
        "NAMESPACE=staging # inline comment",
      ].join("\n"),
    );
    const ok = await execute(
      step({
        path: ".rollback_state",
        keys: ["PREVIOUS_REVISION", "PREVIOUS_IMAGE", "DEPLOYED_AT"],
        values: { NAMESPACE: "${ns}", PREVIOUS_REVISION: 6 },
      }),
      ctx({ vars: { ns: "staging" } }),
    );
    expect(ok).toMatchObject({
      status: "passed",
      summary: ".rollback_state: 2 keys present, NAMESPACE=staging, PREVIOUS_REVISION=6",
    });
    expect(ok.details?.["values"]).toEqual({ NAMESPACE: "staging", PREVIOUS_REVISION: "6" });

    const bad = await execute(
      step({
        path: ".rollback_state",
        keys: ["PREVIOUS_REVISION", "SNAPSHOT_ID", "BACKUP_FILE"],
        values: { PREVIOUS_IMAGE: "registry/api:1.4.2", NAMESPACE: "staging" },
      }),
      ctx(),
    );
    expect(bad.status).toBe("failed");
    expect(bad.summary).toBe(
      '.rollback_state lacks 2 keys SNAPSHOT_ID, BACKUP_FILE; .rollback_state: PREVIOUS_IMAGE: expected "registry/api:1.4.2", found "registry/api:1.4.1"',
    );
  });

  it("refuses to read a directory as a file, and newest on a file", async () => {
    mkdirSync(path.join(dir, "d"));
    expect((await execute(step({ path: "d", contains: "x" }), ctx())).summary).toBe(
      "d is a directory, not a file",
    );
    put("f", "");
    expect((await execute(step({ path: "f", newest: {} }), ctx())).summary).toBe(
      "f is a file, newest needs a directory",
    );
  });

  it("redacts secret values in what it reports", async () => {
    put("creds.env", "API_TOKEN=abcd-secret-1234\n");
    const out = await execute(
      step({ path: "creds.env", values: { API_TOKEN: "${token}" } }),
      ctx({ vars: { token: "wxyz-secret-9876" }, secrets: ["wxyz-secret-9876", "abcd-secret-1234"] }),
    );
    expect(out.status).toBe("failed");
    expect(JSON.stringify(out)).not.toMatch(/secret-\d/);
  });

  it("describes the check with secrets masked", () => {
    expect(describeFile(step({ path: "${dir}/x", exists: false }), { dir: "/tmp" })).toBe(
      "file /tmp/x: does not exist",
    );
    expect(
      describeFile(
        step({ path: ".rollback_state", keys: ["A"], values: { B: "${t}" } }),
        { t: "s3cret" },
        {
          secrets: new Set(["t"]),
        },
      ),
    ).toBe("file .rollback_state: has keys A, has B=****");
  });
});
