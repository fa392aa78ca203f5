#!/usr/bin/env node
// @ts-nocheck
// prepack step: empty dist/ so the build that `npm pack` runs next (prepare) leaves no stale output from
// renamed or deleted sources in the tarball (tsc only ever adds and overwrites files).
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

rmSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist"), {
  recursive: true,
  force: true,
});
