// @ts-nocheck
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_ID } from "../unit/record/builders.js";
import { cli, ensureBuilt, makeStateDir, type StateFixture, UNFINISHED_ID } from "./record-fixture.js";

let root: string;
let fx: StateFixture;
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-export-"));
  fx = await makeStateDir(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("deploycheck export", () => {
  it("exports a signed run by id as Markdown on stdout", async () => {
    const r = await cli(["export", RUN_ID, "--format", "md", "--state-dir", fx.stateDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `deploycheck: ${join(fx.stateDir, "runs", RUN_ID, "record.json")}: signed by your own key ${fx.fingerprint}\n`,
    );
    expect(r.stdout.split("\n")[0]).toBe("# Staging Deployment Hardening and Rollback Checklist");
    expect(r.stdout).toContain("- [x] 1. Pre-Deployment Backup — passed");
    expect(r.stdout).toContain(fx.fingerprint);
    expect(r.stdout).not.toContain("UNFINISHED");
  });

  it("exports a record.json path to a file with -o, in every format", async () => {
    for (const format of ["html", "junit", "json", "md"]) {
      const out = join(root, `report.${format}`);
      const r = await cli(["export", fx.recordPath, "--format", format, "-o", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("");
      const text = await readFile(out, "utf8");
      if (format === "html") expect(text).toMatch(/^<!doctype html>/);
      if (format === "junit") expect(XMLValidator.validate(text)).toBe(true);
      if (format === "json") expect(text).toBe(await readFile(fx.recordPath, "utf8"));
    }
    // The JSON export is the signed record itself: it still verifies.
    expect((await cli(["verify", join(root, "report.json")])).code).toBe(0);
  });

  it("builds an unsigned report from the journal of an unfinished run, marked UNFINISHED RUN", async () => {
    const md = await cli(["export", UNFINISHED_ID, "--format", "md"], {
      env: { DEPLOYCHECK_STATE_DIR: fx.stateDir },
    });
    expect(md.code).toBe(0);
    expect(md.stdout.split("\n").slice(0, 4).join("\n")).toContain("UNFINISHED RUN");
    expect(md.stdout).toContain("*pending*");
    expect(md.stderr).toContain("UNFINISHED RUN");

    const json = await cli(["export", UNFINISHED_ID, "--format", "json", "--state-dir", fx.stateDir]);
    const record = JSON.parse(json.stdout);
    expect(record).toMatchObject({ schema: "deploycheck/record/v1", runId: UNFINISHED_ID, finished: false });
    expect(record.signature).toBeUndefined();
    const verify = await cli(["verify", join(fx.stateDir, "runs", UNFINISHED_ID, "journal.jsonl")]);
    expect(verify.code).toBe(2);
  });

  it("takes the format from the -o extension (default md) and never overwrites a file without --force", async () => {
    const html = join(root, "inferred.html");
    const r = await cli(["export", fx.recordPath, "-o", html]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(html, "utf8")).toMatch(/^<!doctype html>/);
    const xml = join(root, "inferred.xml");
    expect((await cli(["export", fx.recordPath, "-o", xml])).code).toBe(0);
    expect(XMLValidator.validate(await readFile(xml, "utf8"))).toBe(true);
    const md = await cli(["export", fx.recordPath]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# /);

    const again = await cli(["export", fx.recordPath, "--format", "md", "-o", html]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`-o ${html}: the file exists`);
    expect(again.stderr).toContain("--force");
    expect(await readFile(html, "utf8")).toMatch(/^<!doctype html>/);
    const forced = await cli(["export", fx.recordPath, "--format", "md", "-o", html, "--force"]);
    expect(forced.code).toBe(0);
    expect(await readFile(html, "utf8")).toMatch(/^# /);

    const unknown = await cli(["export", fx.recordPath, "-o", join(root, "report.pdf")]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('cannot tell the format from ".pdf"');
  });

  it("exit 2 for an unknown format, run or file", async () => {
    const f = await cli(["export", RUN_ID, "--format", "pdf", "--state-dir", fx.stateDir]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("--format pdf: unknown format");
    const run = await cli([
      "export",
      "staging-20261126T063000Z-ffff",
      "--format",
      "md",
      "--state-dir",
      fx.stateDir,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no run staging-20261126T063000Z-ffff");
    const file = await cli(["export", join(root, "missing.json"), "--format", "md"]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("no such file");
    const out = await cli(["export", fx.recordPath, "--format", "md", "-o", join(root, "no/such/dir/r.md")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("cannot write the report (ENOENT)");
    expect(out.stderr).not.toContain("internal error");
  });

  it("a tampered record exports as not signed, with a warning", async () => {
    const { writeFile } = await import("node:fs/promises");
    const path = join(root, "tampered.json");
    await writeFile(path, (await readFile(fx.recordPath, "utf8")).replace("Ana Lima", "Mallory"));
    const r = await cli(["export", path, "--format", "md"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("signature does not match");
    expect(r.stdout).toContain("Not signed.");
    expect(r.stdout).not.toContain("SHA256:");
  });
});

describe("secrets", () => {
  // The signed run's exports are covered after a real run in record-leak.test.ts; here the record built
  // from a journal that (unlike the runner's) still holds raw secrets.
  it("appear nowhere in the record or in any export of an unfinished run", async () => {
    const secrets = { token: "tok-0c7a3b1f9e2d4c6a", password: "pw-9d2f8e1a7b3c5d0e" };
    const dir = await mkdtemp(join(tmpdir(), "deploycheck-leak-"));
    try {
      const leak = await makeStateDir(dir, { secrets, secretValues: [secrets.token] });
      const texts = [await readFile(leak.recordPath, "utf8")];
      for (const format of ["md", "html", "junit", "json"]) {
        const r = await cli(["export", UNFINISHED_ID, "--format", format, "--state-dir", leak.stateDir], {
          env: { API_TOKEN: secrets.token },
        });
        expect(r.code, r.stderr).toBe(0);
        texts.push(r.stdout, r.stderr);
      }
      for (const text of texts) {
        expect(text.includes(secrets.token)).toBe(false);
        expect(text.includes(secrets.password)).toBe(false);
      }
      expect(texts.join("").includes("[REDACTED]")).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
