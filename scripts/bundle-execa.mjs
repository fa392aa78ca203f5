#!/usr/bin/env node
// Build step: bundle execa (about 130 ES modules with its dependencies) into dist/vendor/execa.js. Node 20
// has no compile cache, so loading them one by one is a large part of the start-up of a run's first `run`
// step; one file loads in about half the time. src/checks/run.ts falls back to the package itself.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

await build({
  stdin: { contents: 'export { execa } from "execa";', resolveDir: root, sourcefile: "execa-entry.js" },
  outfile: path.join(root, "dist/vendor/execa.js"),
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "linked",
  logLevel: "warning",
  // Bundled CommonJS dependencies (cross-spawn) call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __dcRequire } from 'node:module'; const require = __dcRequire(import.meta.url);",
  },
});
