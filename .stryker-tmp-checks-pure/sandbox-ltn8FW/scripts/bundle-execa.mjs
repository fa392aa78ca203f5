#!/usr/bin/env node
// @ts-nocheck
// Build step: bundle execa (about 130 ES modules with its dependencies) into dist/vendor/execa.js, its
// dependencies' licences beside it. Node 20 has no compile cache, so loading the modules one by one is a
// large part of the start-up of a run's first `run` step; one file loads in about half the time.
// src/checks/run.ts falls back to the package itself when there is no bundle.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodeModuleBundle } from "./esbuild-options.mjs";
import { writeVendorLicenses } from "./vendor-licenses.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const result = await build({
  ...nodeModuleBundle,
  stdin: { contents: 'export { execa } from "execa";', resolveDir: root, sourcefile: "execa-entry.js" },
  outfile: path.join(root, "dist/vendor/execa.js"),
  legalComments: "linked",
  metafile: true,
});

writeVendorLicenses({
  metafile: result.metafile,
  root,
  outFile: path.join(root, "dist/vendor/execa.LICENSES.txt"),
  bundleName: "execa.js",
});
