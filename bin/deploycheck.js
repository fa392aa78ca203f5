#!/usr/bin/env node
// Entry point: enable Node's compile cache where it exists (Node >= 22.1), then hand over to the CLI.
import module from "node:module";

if (typeof module.enableCompileCache === "function" && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    module.enableCompileCache();
  } catch {
    // A read-only cache directory must never stop the tool.
  }
}
const { main } = await import("../dist/cli/main.js");
await main();
