// @ts-nocheck
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two cores on CI: e2e suites spawn the CLI and servers, so keep parallelism modest.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
