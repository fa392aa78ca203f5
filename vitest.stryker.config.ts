// Vitest settings for mutation testing (npm run mutate): the unit suites only. The e2e suites run the
// built dist/, which Stryker does not mutate, so they could never kill a mutant and only cost time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
    reporters: ["default"],
  },
});
