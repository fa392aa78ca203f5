#!/usr/bin/env node
// Build step: bundle the parts of @kubernetes/client-node deploycheck uses into dist/vendor/kube-client.js.
// The package is ~1400 ES modules; loading them one by one costs Node most of a second, one bundled file a
// fraction of that, paid when the first kube step runs. src/kube/client.ts falls back to the package itself.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { writeVendorLicenses } from "./vendor-licenses.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const result = await build({
  stdin: {
    contents:
      'export { KubeConfig, CoreV1Api, AppsV1Api, Watch, setHeaderOptions, PatchStrategy } from "@kubernetes/client-node";',
    resolveDir: root,
    sourcefile: "kube-client-entry.js",
  },
  outfile: path.join(root, "dist/vendor/kube-client.js"),
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __dcRequire } from 'node:module'; const require = __dcRequire(import.meta.url);",
  },
});

// The bundle copies third-party code into our package: their licences ship beside it.
writeVendorLicenses({
  metafile: result.metafile,
  root,
  outFile: path.join(root, "dist/vendor/kube-client.LICENSES.txt"),
  bundleName: "kube-client.js",
});
