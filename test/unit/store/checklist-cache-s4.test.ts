// The checklist cache as an attacker and an auditor see it: where entries go, what an entry is byte for
// byte (name, MAC, body, mode), when the per-user secret is read, created or refused, and that no
// descriptor of the secret is left open.
import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayPath, loadChecklist } from "../../../src/checklist/load.js";
import { VERSION } from "../../../src/cli/version.js";
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

const HEX = "0123456789abcdef".repeat(4);
const saved = {
  xdg: process.env["XDG_CACHE_HOME"],
  config: process.env["XDG_CONFIG_HOME"],
  off: process.env["DEPLOYCHECK_NO_CACHE"],
  home: process.env["HOME"],
};
const restore = (name: string, value: string | undefined) => {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
};

let dir: string;
let cacheHome: string;
let configHome: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-cache-s4-"));
  cacheHome = path.join(dir, "cache");
  process.env["XDG_CACHE_HOME"] = cacheHome;
  configHome = path.join(dir, "config");
  process.env["XDG_CONFIG_HOME"] = configHome;
  delete process.env["DEPLOYCHECK_NO_CACHE"];
  file = path.join(dir, "t.yaml");
  writeFileSync(file, checklist("First"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  restore("XDG_CACHE_HOME", saved.xdg);
  restore("XDG_CONFIG_HOME", saved.config);
  restore("DEPLOYCHECK_NO_CACHE", saved.off);
  restore("HOME", saved.home);
});

const keyDir = () => path.join(configHome, "deploycheck");
const keyFile = () => path.join(keyDir(), CACHE_KEY_FILE);
const plantKey = (content = HEX, mode = 0o600) => {
  mkdirSync(keyDir(), { recursive: true, mode: 0o700 });
  writeFileSync(keyFile(), content, { mode });
};
const entriesIn = (base: string) => {
  const d = path.join(base, "deploycheck", "checklists");
  return existsSync(d) ? readdirSync(d).map((f) => path.join(d, f)) : [];
};

/** Every descriptor this process holds open on a file under `root`. */
const openUnder = (root: string): string[] =>
  readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    })
    .filter((target) => target.startsWith(root));

/** The validator's identity as the header of checklist-cache.ts defines it, from the modules on disk. */
const VALIDATOR_MODULES = [
  "parse",
  "schema",
  "kinds",
  "schema-issues",
  "validate",
  "vars",
  "locate",
  "walk",
  "shell-refs",
];
const checklistSrc = fileURLToPath(new URL("../../../src/checklist/", import.meta.url));
// Taken once, as deploycheck does (the test that touches a module restores its time only to the ms).
let identity: string | undefined;
const validatorId = () => {
  identity ??= [
    "2",
    VERSION,
    ...VALIDATOR_MODULES.map((name) => {
      const s = statSync(path.join(checklistSrc, `${name}.ts`));
      return `${name}:${s.size}:${s.mtimeMs}`;
    }),
  ].join("|");
  return identity;
};

/** An entry edited to another title and sealed with this user's secret: a hit shows "From the cache". */
const editedEntry = (entry: string, sha256: string): string => {
  const text = readFileSync(entry, "utf8");
  const data = JSON.parse(text.slice(text.indexOf("\n") + 1));
  data.checklist.metadata.title = "From the cache";
  return sealCacheEntryForTest(sha256, displayPath(file), JSON.stringify(data)) ?? "no secret";
};

describe("where entries go and what they are", () => {
  it.each([
    ["XDG_CACHE_HOME unset", undefined],
    ["XDG_CACHE_HOME empty", ""],
  ])("%s: entries go under ~/.cache/deploycheck/checklists", async (_what, xdg) => {
    const home = path.join(dir, "home");
    mkdirSync(home);
    process.env["HOME"] = home;
    restore("XDG_CACHE_HOME", xdg);
    await loadChecklist(file);
    expect(entriesIn(path.join(home, ".cache"))).toHaveLength(1);
  });

  it("names an entry by the validator, the path shown and the YAML's sha256, and seals it with the secret", async () => {
    plantKey();
    const first = await loadChecklist(file);
    const shown = displayPath(file);
    const id = validatorId();
    const name = createHash("sha256").update(`${id}\n${shown}\n${first.sha256}`).digest("hex");
    const entry = path.join(cacheHome, "deploycheck", "checklists", `${name}.json`);
    expect(entriesIn(cacheHome)).toEqual([entry]);
    const body = JSON.stringify({
      sha256: first.sha256,
      checklist: first.checklist,
      warnings: first.warnings,
    });
    const macHex = createHmac("sha256", Buffer.from(HEX, "hex"))
      .update(`${id}\n${shown}\n${first.sha256}\n${body}`)
      .digest("hex");
    expect(readFileSync(entry, "utf8")).toBe(`${macHex}\n${body}`);
    expect(statSync(entry).mode & 0o777).toBe(0o600);
  });

  it("takes the validator's identity once per process: a module touched later does not move the entries", async () => {
    const first = await loadChecklist(file);
    validatorId();
    const [entry] = entriesIn(cacheHome);
    const walk = path.join(checklistSrc, "walk.ts");
    const before = statSync(walk);
    try {
      utimesSync(walk, before.atime, new Date(before.mtimeMs + 10_000));
      writeFileSync(entry!, editedEntry(entry!, first.sha256));
      expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
      expect(entriesIn(cacheHome)).toEqual([entry]);
    } finally {
      utimesSync(walk, before.atime, before.mtime);
    }
  });

  it("an entry with anything between its 64-digit MAC and the newline is a miss", async () => {
    const first = await loadChecklist(file);
    const [entry] = entriesIn(cacheHome);
    const sealed = editedEntry(entry!, first.sha256);
    // Sealed as a hit (proof), then the same with one character inserted after the MAC.
    writeFileSync(entry!, sealed);
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
    writeFileSync(entry!, `${sealed.slice(0, 64)}z${sealed.slice(64)}`);
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
  });
});

describe("the per-user secret", () => {
  it("is remembered once created: deleting the file later does not unseal what this process wrote", async () => {
    const first = await loadChecklist(file);
    expect(readFileSync(keyFile(), "utf8")).toMatch(/^[0-9a-f]{64}$/);
    rmSync(keyFile());
    const [entry] = entriesIn(cacheHome);
    writeFileSync(entry!, editedEntry(entry!, first.sha256));
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
    expect(existsSync(keyFile())).toBe(false);
  });

  it("is remembered once read: a key replaced later is not used by this process", async () => {
    plantKey();
    const first = await loadChecklist(file);
    plantKey("f".repeat(64));
    const [entry] = entriesIn(cacheHome);
    const edited = editedEntry(entry!, first.sha256);
    // Sealed with the first key, the one read.
    expect(edited.slice(0, 64)).toBe(
      createHmac("sha256", Buffer.from(HEX, "hex"))
        .update(`${validatorId()}\n${displayPath(file)}\n${first.sha256}\n${edited.slice(65)}`)
        .digest("hex"),
    );
    writeFileSync(entry!, edited);
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("From the cache");
  });

  it("is never created by a read: not for a test seal, not for a checklist that fails to validate", async () => {
    expect(sealCacheEntryForTest("0".repeat(64), "t.yaml", "{}")).toBeUndefined();
    expect(existsSync(keyDir())).toBe(false);
    writeFileSync(file, checklist("First", "\n            timout: 5s"));
    await expect(loadChecklist(file)).rejects.toThrow();
    expect(existsSync(keyDir())).toBe(false);
    expect(existsSync(cacheHome)).toBe(false);
  });

  const refused: [string, () => void][] = [
    [
      "a link to a valid key",
      () => {
        mkdirSync(keyDir(), { recursive: true, mode: 0o700 });
        writeFileSync(path.join(dir, "real-key"), HEX, { mode: 0o600 });
        symlinkSync(path.join(dir, "real-key"), keyFile());
      },
    ],
    [
      "a FIFO (opened without waiting for a writer)",
      () => {
        mkdirSync(keyDir(), { recursive: true, mode: 0o700 });
        execFileSync("mkfifo", ["-m", "600", keyFile()]);
      },
    ],
    ["readable by the group", () => plantKey(HEX, 0o640)],
  ];
  // Only root can give a file to another user.
  if (process.getuid?.() === 0) {
    refused.push([
      "owned by another user",
      () => {
        plantKey();
        chownSync(keyFile(), 65534, 65534);
      },
    ]);
  }
  it.each(refused)("%s: is no secret, and nothing is written to the cache", async (_what, plant) => {
    plant();
    expect(sealCacheEntryForTest("0".repeat(64), "t.yaml", "{}")).toBeUndefined();
    expect((await loadChecklist(file)).checklist.metadata.title).toBe("First");
    expect(existsSync(cacheHome)).toBe(false);
  });

  it("leaves no descriptor open on the secret, created or read", async () => {
    await loadChecklist(file);
    expect(existsSync(keyFile())).toBe(true);
    expect(openUnder(configHome)).toEqual([]);
    // Another config dir with a planted key: read, not created.
    configHome = path.join(dir, "config2");
    process.env["XDG_CONFIG_HOME"] = configHome;
    plantKey();
    writeFileSync(file, checklist("Second"));
    await loadChecklist(file);
    expect(sealCacheEntryForTest("0".repeat(64), "t.yaml", "{}")).toMatch(/^[0-9a-f]{64}\n\{\}$/);
    expect(openUnder(configHome)).toEqual([]);
  });
});
