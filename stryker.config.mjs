// Mutation testing of the core (npm run mutate; TESTING.md has the scores and how to read them).
// Incremental: a rerun only tests mutants whose code or tests changed (reports/stryker-incremental.json).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  concurrency: 2,
  // Not into the sandbox: other groups' sandboxes (they run side by side), reports and test output.
  ignorePatterns: [".stryker-tmp*", "reports", "test-artifacts", "coverage", ".deploycheck"],
  timeoutMS: 5_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  mutate: [
    "src/engine/**/*.ts",
    "src/store/**/*.ts",
    "src/record/**/*.ts",
    "src/redact.ts",
    "src/checklist/validate.ts",
    "src/checklist/vars.ts",
    "src/checklist/shell-refs.ts",
    "src/kube/rollout.ts",
    "src/kube/history.ts",
    "src/kube/wait.ts",
    "src/checks/prometheus.ts",
    "src/checks/http.ts",
    "src/checks/watch.ts",
    "src/import/convert.ts",
  ],
};
