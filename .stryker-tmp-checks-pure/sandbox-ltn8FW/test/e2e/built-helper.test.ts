// @ts-nocheck
// The e2e helper's staleness rule: dist/ is rebuilt when missing or when any source is newer than it.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { distIsStale } from "./helpers/built.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), "dc-built-"));
  roots.push(root);
  for (const [file, seconds] of Object.entries(files)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    utimesSync(path, seconds, seconds);
  }
  // Directories old: only the files' times decide.
  for (const file of Object.keys(files)) {
    for (let dir = dirname(join(root, file)); dir !== root; dir = dirname(dir)) utimesSync(dir, 1, 1);
  }
  return root;
}

const PARTS = [
  "dist/cli/main.js",
  "dist/cli/main.bundle.js",
  "dist/vendor/kube-client.js",
  "dist/vendor/execa.js",
];
const built = (at: number) => Object.fromEntries(PARTS.map((p) => [p, at]));

describe("distIsStale", () => {
  it("is stale when a part of the build is missing", () => {
    const { "dist/vendor/execa.js": _omitted, ...rest } = built(2000);
    expect(distIsStale(tree({ ...rest, "src/a.ts": 1000 }))).toBe(true);
  });
  it("is fresh when every source is older than the build", () => {
    const root = tree({ ...built(2000), "src/deep/a.ts": 1000, "package.json": 1000 });
    expect(distIsStale(root)).toBe(false);
  });
  it("is stale when a nested src file, a script or package.json is newer than the oldest part", () => {
    for (const newer of ["src/deep/a.ts", "scripts/bundle.mjs", "package.json"]) {
      const root = tree({ ...built(2000), "dist/cli/main.js": 1500, [newer]: 1800 });
      expect(distIsStale(root), newer).toBe(true);
    }
  });
});
