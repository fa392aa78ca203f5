// The built CLI that the end-to-end suites spawn, and one way to build it when dist/ is missing
// (CI's `npm test` builds first; a single e2e file run on a fresh checkout builds here).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(ROOT, "bin/deploycheck.js");

/** `npm run build` (tsc and the bundles) once, when the build is missing. */
export function ensureBuilt(): void {
  const parts = [
    "dist/cli/main.js",
    "dist/cli/main.bundle.js",
    "dist/vendor/kube-client.js",
    "dist/vendor/execa.js",
  ];
  if (parts.every((p) => existsSync(join(ROOT, p)))) return;
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}
