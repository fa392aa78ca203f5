// Vitest settings for mutation testing (npm run mutate): the unit suites only. The e2e suites run the
// built dist/, which Stryker does not mutate, so they could never kill a mutant and only cost time.
import { defineConfig } from "vitest/config";

// STRYKER_TESTS narrows the suites for a run over one module group (comma-separated globs, e.g.
// "test/unit/engine/**/*.test.ts"): the initial run then takes seconds, not minutes. A mutant only those
// suites miss may still be killed by another one, so a narrowed score is a lower bound.
const include = process.env["STRYKER_TESTS"]?.split(",").filter(Boolean) ?? ["test/unit/**/*.test.ts"];

export default defineConfig({
  test: {
    include,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
    reporters: ["default"],
  },
});
