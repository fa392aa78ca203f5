// @ts-nocheck
// The built CLI that the end-to-end suites spawn, and one way to build it when dist/ is missing or older
// than the sources (CI's `npm test` builds first; an e2e file run right after a src/ change rebuilds here,
// so a test never passes or fails against a stale dist/).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(ROOT, "bin/deploycheck.js");

const PARTS = [
  "dist/cli/main.js",
  "dist/cli/main.bundle.js",
  "dist/vendor/kube-client.js",
  "dist/vendor/execa.js",
];
/** What the build reads: a change to any of these makes dist/ stale. */
const SOURCES = ["src", "scripts", "package.json", "tsconfig.json", "tsconfig.build.json"];

function newestMtime(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Missing, or older than the newest source file (the time of the build's oldest part counts). */
export function distIsStale(root = ROOT): boolean {
  const built = PARTS.map((p) => statSync(join(root, p), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldestPart = Math.min(...built);
  if (oldestPart === 0) return true;
  return Math.max(...SOURCES.map((s) => newestMtime(join(root, s)))) > oldestPart;
}

/** `npm run build` (tsc and the bundles) once, when the build is missing or stale; one build at a time. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  // Test files run in parallel workers: the first takes the lock and builds, the others wait for it.
  const lock = join(ROOT, ".build-lock");
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`waited 5 minutes for another build (remove ${lock} if none runs)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (distIsStale()) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
