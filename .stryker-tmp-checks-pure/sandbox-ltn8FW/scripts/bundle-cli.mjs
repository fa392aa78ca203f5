#!/usr/bin/env node
// @ts-nocheck
// Build step: dist/cli/main.bundle.js = dist/cli/main.js with commander inlined. Commander is seven
// CommonJS files resolved and compiled one by one at every start-up; one pre-linked file starts faster
// (bench/startup.mjs). Our own modules stay external so that every command shares one copy of each
// (errors.ts classes must be the same objects for `instanceof` in main.ts).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodeModuleBundle } from "./esbuild-options.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

await build({
  ...nodeModuleBundle,
  entryPoints: [path.join(root, "dist/cli/main.js")],
  outfile: path.join(root, "dist/cli/main.bundle.js"),
  plugins: [
    {
      // commander requires node:child_process at load time only for executable subcommands, which
      // deploycheck never uses; loading it costs ~2.5 ms of every start. Defer it to first use instead.
      name: "lazy-child-process",
      setup(b) {
        b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
          args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
            ? { path: "lazy-child-process", namespace: "lazy" }
            : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
          contents:
            'let real; const load = () => (real ??= require("node:child_process"));\n' +
            "module.exports = new Proxy({}, { get: (_t, key) => load()[key], has: (_t, key) => key in load() });\n",
          loader: "js",
        }));
      },
    },
    {
      name: "own-modules-external",
      setup(b) {
        const dist = path.join(root, "dist");
        b.onResolve({ filter: /^\.\.?\// }, (args) =>
          args.kind !== "entry-point" && args.importer.startsWith(dist)
            ? { path: args.path, external: true }
            : undefined,
        );
      },
    },
  ],
});
