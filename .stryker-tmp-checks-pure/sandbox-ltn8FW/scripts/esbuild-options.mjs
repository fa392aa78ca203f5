// @ts-nocheck
// esbuild settings every build-time bundle shares: one minified ES module for Node 20, with a require()
// for the CommonJS code bundled into it.
export const nodeModuleBundle = {
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __dcRequire } from 'node:module'; const require = __dcRequire(import.meta.url);",
  },
};
