// @ts-nocheck
// The npm package as packed: only what the CLI needs, every run-time import a declared dependency, the
// vendored Kubernetes client self-contained and shipped with its licences. The full install-and-run check
// is scripts/pack-smoke.sh (it needs the registry); this one is offline and fast.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

interface Manifest {
  version: string;
  type?: string;
  license?: string;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  files?: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;

// Imported only when dist/vendor/kube-client.js is missing, which the packed file list below rules out:
// the bundle replaces the ~1400-module package (and its ~70 MB of dependencies) at run time.
const BUNDLED_DEV_FALLBACKS = new Set(["@kubernetes/client-node"]);

let packed: string[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js")) || !existsSync(join(ROOT, "dist/vendor/kube-client.js"))) {
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  }
  // --ignore-scripts: the real pack empties and rebuilds dist/ (prepack, prepare), which other e2e suites
  // running at the same time use; the listing needs only the files that are there.
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = JSON.parse(out) as { files: { path: string }[] }[];
  packed = (result[0]?.files ?? []).map((f) => f.path).sort();
});

/** The package a bare import specifier names (`@scope/name/sub` -> `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Bare specifiers in tsc output: static and dynamic imports, re-exports and createRequire() calls. */
function bareImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;"'`]*?\bfrom\s*"([^"]+)"/gm,
    /^\s*import\s*"([^"]+)"/gm,
    /\bimport\s*\(\s*"([^"]+)"\s*\)/g,
    /\bcreateRequire\([^)]*\)\(\s*"([^"]+)"\s*\)/g,
    /\brequire\(\s*"([^"]+)"\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const spec = match[1] ?? "";
      if (!spec.startsWith(".") && !spec.startsWith("/") && !isBuiltin(spec)) found.push(spec);
    }
  }
  return found;
}

describe("npm pack contents", () => {
  it("ships the CLI, its build, the bundled checklists, README and LICENSE, and nothing else", () => {
    for (const needed of [
      "package.json",
      "README.md",
      "LICENSE",
      "bin/deploycheck.js",
      "dist/cli/main.js",
      "dist/vendor/kube-client.js",
      "dist/vendor/kube-client-socks.cjs",
      "dist/vendor/kube-client.LICENSES.txt",
      "dist/vendor/execa.js",
      "dist/vendor/execa.LICENSES.txt",
      "checklists/staging.yaml",
    ]) {
      expect(packed).toContain(needed);
    }
    const top = new Set(["package.json", "README.md", "LICENSE"]);
    const stray = packed.filter((p) => !top.has(p) && !/^(bin|dist|checklists)\//.test(p));
    expect(stray).toEqual([]);
    const devOnly = packed.filter((p) => /\.(map|d\.ts|test\.js|ts)$/.test(p));
    expect(devOnly).toEqual([]);
    expect(packed.filter((p) => p.startsWith("dist/")).length).toBeGreaterThan(50);
  });

  it("every run-time import in dist/ is a dependency, and every dependency is imported", () => {
    const imported = new Map<string, string>();
    for (const file of packed.filter((p) => p.startsWith("dist/") && p.endsWith(".js"))) {
      if (file.startsWith("dist/vendor/")) continue;
      for (const spec of bareImports(readFileSync(join(ROOT, file), "utf8"))) {
        imported.set(packageOf(spec), file);
      }
    }
    const undeclared = [...imported]
      .filter(([name]) => !(name in manifest.dependencies) && !BUNDLED_DEV_FALLBACKS.has(name))
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(undeclared).toEqual([]);
    // The fallback stays a devDependency on purpose; it must not creep into dependencies or go unbundled.
    for (const name of BUNDLED_DEV_FALLBACKS) {
      expect(manifest.devDependencies).toHaveProperty(name);
      expect(manifest.dependencies).not.toHaveProperty(name);
    }
    const unused = Object.keys(manifest.dependencies).filter((name) => !imported.has(name));
    expect(unused).toEqual([]);
  });

  it("the vendored Kubernetes client loads and applies credentials with no node_modules around it", () => {
    const dir = mkdtempSync(join(tmpdir(), "deploycheck-vendor-"));
    try {
      copyFileSync(join(ROOT, "dist/vendor/kube-client.js"), join(dir, "kube-client.mjs"));
      copyFileSync(join(ROOT, "dist/vendor/kube-client-socks.cjs"), join(dir, "kube-client-socks.cjs"));
      const probe = [
        'import { KubeConfig, newClusters, newContexts, newUsers } from "./kube-client.mjs";',
        "const config = (cluster, user) => {",
        "  const kc = new KubeConfig();",
        "  kc.loadFromOptions({",
        '    clusters: newClusters([{ name: "c", cluster }]),',
        '    users: newUsers([{ name: "u", user }]),',
        '    contexts: newContexts([{ name: "x", context: { cluster: "c", user: "u", namespace: "n" } }]),',
        '    currentContext: "x",',
        "  });",
        "  return kc;",
        "};",
        'const kc = config({ server: "http://127.0.0.1:1", "insecure-skip-tls-verify": true }, { token: "t" });',
        "const opts = {};",
        "await kc.applyToHTTPSOptions(opts);",
        // The SOCKS proxy agent lives in the side file, required only for a socks proxy-url.
        'const proxied = config({ server: "https://10.0.0.1", "proxy-url": "socks5://127.0.0.1:1080" }, {});',
        "const popts = {};",
        "await proxied.applyToHTTPSOptions(popts);",
        'console.log(["ok", kc.getCurrentCluster().server, opts.headers.Authorization, popts.agent.proxy.host].join(" "));',
      ].join("\n");
      writeFileSync(join(dir, "probe.mjs"), probe);
      const out = execFileSync(process.execPath, ["probe.mjs"], { cwd: dir, encoding: "utf8" });
      expect(out.trim()).toBe("ok http://127.0.0.1:1 Bearer t 127.0.0.1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ships the licence of every package bundled into the vendored client", () => {
    const text = readFileSync(join(ROOT, "dist/vendor/kube-client.LICENSES.txt"), "utf8");
    expect(text).toMatch(/^@kubernetes\/client-node@\d+\.\d+\.\d+ \(Apache-2\.0\)$/m);
    expect(text).toContain("Apache License");
    const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License$/m);
    expect(license).toContain("Copyright (c) 2026 deploycheck authors");
  });

  it("declares an ES module CLI for Node >= 20.12 with an executable entry point", () => {
    expect(manifest.type).toBe("module");
    expect(manifest.license).toBe("MIT");
    expect(manifest.engines?.["node"]).toBe(">=20.12");
    expect(manifest.bin).toEqual({ deploycheck: "bin/deploycheck.js" });
    expect(readFileSync(join(ROOT, "bin/deploycheck.js"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const version = execFileSync(process.execPath, [join(ROOT, "bin/deploycheck.js"), "--version"], {
      encoding: "utf8",
    });
    expect(version.trim()).toBe(manifest.version);
  });
});
