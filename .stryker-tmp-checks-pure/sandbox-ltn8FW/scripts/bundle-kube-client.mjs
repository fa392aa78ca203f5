#!/usr/bin/env node
// @ts-nocheck
// Build step: bundle the part of @kubernetes/client-node deploycheck uses (KubeConfig: kubeconfig files,
// credentials, TLS, proxies) into dist/vendor/kube-client.js. The package is ~1400 ES modules and its
// generated API layer alone is over a megabyte once minified; deploycheck sends its own requests
// (src/kube/transport.ts), so the bundle stays ~200 kB and loads in a few ms. src/kube/client.ts falls back
// to the package itself when there is no bundle. `--metafile` prints what is in it, by package.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodeModuleBundle } from "./esbuild-options.mjs";
import { writeVendorLicenses } from "./vendor-licenses.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "dist/vendor/kube-client.js");

/**
 * Two imports of config.js whose code paths deploycheck never takes, replaced by light stubs:
 * - `./gen/index.js` (the generated API classes, models and ObjectSerializer) is used only by
 *   KubeConfig.makeApiClient, which deploycheck does not call;
 * - `node-fetch` (with whatwg-url, tr46 and the deprecated punycode) is used only for `Headers` in
 *   KubeConfig.applyToFetchOptions, which deploycheck does not call either; the stub hands out the global
 *   Headers (on first use) so that it would still work.
 * - `js-yaml` is used only by KubeConfig.loadFromString/loadFromFile; deploycheck parses the kubeconfig
 *   files itself (src/kube/kubeconfig.ts, needed for the context guard anyway) and hands the client the
 *   merged entries (loadFromOptions).
 * And one that is needed only sometimes, loaded when used: `socks-proxy-agent` (with socks, ip-address,
 * smart-buffer, agent-base and debug, ~80 kB whose set-up runs at import) serves only a cluster with a
 * `proxy-url: socks5://...`; it goes to its own file, required when KubeConfig creates that agent.
 * Everything else KubeConfig reaches (the exec/oidc/azure/gcp/file auth plugins, the http(s) proxy agent)
 * stays: a kubeconfig may need any of them.
 */
const STUBS = {
  "node-fetch":
    // A function, not `globalThis.Headers` itself: reading that global makes Node load undici (~10 ms).
    "export function Headers(init) { return new globalThis.Headers(init); }\n" +
    "export default function fetch() { throw new Error('node-fetch is not bundled in deploycheck'); }\n",
  "js-yaml":
    "const missing = () => { throw new Error('js-yaml is not bundled in deploycheck'); };\n" +
    "export default { load: missing, dump: missing };\n",
  "socks-proxy-agent":
    "export class SocksProxyAgent {\n" +
    "  constructor(...args) { return new (require('./kube-client-socks.cjs').SocksProxyAgent)(...args); }\n" +
    "}\n",
  "client-node-gen":
    "const missing = () => { throw new Error('the generated Kubernetes API is not bundled in deploycheck'); };\n" +
    "export const createConfiguration = missing;\n" +
    "export class ServerConfiguration { constructor() { missing(); } }\n",
};

const stubs = {
  name: "deploycheck-stubs",
  setup(b) {
    b.onResolve({ filter: /^(node-fetch|js-yaml|socks-proxy-agent)$/ }, (args) =>
      args.namespace === "stub" ? undefined : { path: args.path, namespace: "stub" },
    );
    b.onResolve({ filter: /^\.\/kube-client-socks\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: "client-node-gen", namespace: "stub" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: STUBS[args.path], loader: "js" }));
  },
};

const result = await build({
  ...nodeModuleBundle,
  stdin: {
    contents:
      'export { KubeConfig } from "@kubernetes/client-node/dist/config.js";\n' +
      'export { newClusters, newContexts, newUsers } from "@kubernetes/client-node/dist/config_types.js";',
    resolveDir: root,
    sourcefile: "kube-client-entry.js",
  },
  outfile,
  legalComments: "linked",
  metafile: true,
  plugins: [stubs],
});

// The SOCKS proxy agent on its own, as CommonJS so that the stub above can require() it synchronously.
const socks = await build({
  // Resolved from the client package, whose dependency it is.
  stdin: {
    contents: 'module.exports = require("socks-proxy-agent");',
    resolveDir: path.dirname(createRequire(import.meta.url).resolve("@kubernetes/client-node/package.json")),
    sourcefile: "kube-client-socks-entry.cjs",
  },
  outfile: path.join(root, "dist/vendor/kube-client-socks.cjs"),
  bundle: true,
  minify: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});

// The bundles copy third-party code into our package: their licences ship beside them.
writeVendorLicenses({
  metafile: { inputs: { ...result.metafile.inputs, ...socks.metafile.inputs } },
  root,
  outFile: path.join(root, "dist/vendor/kube-client.LICENSES.txt"),
  bundleName: "kube-client.js and kube-client-socks.cjs",
});

if (process.argv.includes("--metafile")) {
  const output =
    result.metafile.outputs[path.relative(process.cwd(), outfile)] ??
    Object.values(result.metafile.outputs)[0];
  const byPackage = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file)?.[1] ?? file;
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  console.log(`${outfile}: ${output.bytes} bytes`);
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
    console.log(`${String(bytes).padStart(9)}  ${name}`);
  }
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
}
