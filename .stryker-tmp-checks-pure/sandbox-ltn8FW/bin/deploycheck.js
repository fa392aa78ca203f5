#!/usr/bin/env node
// @ts-nocheck
// Entry point: enable Node's compile cache where it exists (Node >= 22.1), then hand over to the CLI.
import module from "node:module";

// Deprecations raised inside dependencies (the Kubernetes client's node-fetch stack uses punycode and
// url.parse) say nothing an engineer can act on and would clutter every run on newer Node versions.
const QUIET_DEPRECATIONS = new Set(["DEP0040", "DEP0169"]);
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const code = typeof rest[0] === "object" && rest[0] !== null ? rest[0].code : rest[1];
  if (QUIET_DEPRECATIONS.has(code)) return;
  return emitWarning.call(process, warning, ...rest);
};

if (typeof module.enableCompileCache === "function" && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    module.enableCompileCache();
  } catch {
    // A read-only cache directory must never stop the tool.
  }
}
// main.bundle.js is main.js with commander inlined (scripts/bundle-cli.mjs); a plain tsc build lacks it.
let cli;
try {
  cli = await import("../dist/cli/main.bundle.js");
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes("main.bundle.js")) throw err;
  cli = await import("../dist/cli/main.js");
}
const { main } = cli;
await main();
