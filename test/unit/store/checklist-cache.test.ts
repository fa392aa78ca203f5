// The checklist cache: a valid checklist loaded once is answered from the cache (same result, no
// re-validation), an edited file is validated afresh, and a broken or unwritable cache only costs time.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadChecklist } from "../../../src/checklist/load.js";
import { ChecklistError } from "../../../src/errors.js";

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
const saved = { xdg: process.env["XDG_CACHE_HOME"], off: process.env["DEPLOYCHECK_NO_CACHE"] };

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-cache-"));
  cacheHome = path.join(dir, "cache");
  process.env["XDG_CACHE_HOME"] = cacheHome;
  delete process.env["DEPLOYCHECK_NO_CACHE"];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved.xdg === undefined) delete process.env["XDG_CACHE_HOME"];
  else process.env["XDG_CACHE_HOME"] = saved.xdg;
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

    // Proof that the second answer came from the cache: an entry edited by hand is what comes back.
    const [entry] = entries();
    const data = JSON.parse(readFileSync(entry!, "utf8"));
    data.checklist.metadata.title = "From the cache";
    writeFileSync(entry!, JSON.stringify(data));
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
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
    expect(JSON.parse(readFileSync(entry!, "utf8")).sha256).toBe(first.sha256);
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
