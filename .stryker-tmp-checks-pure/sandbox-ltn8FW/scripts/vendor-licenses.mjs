// @ts-nocheck
// Build step: the licence notices for code bundled into dist/vendor/, one file next to the bundle.
// Bundling copies third-party code into our package, so their licences (MIT, Apache-2.0 with NOTICE
// files, ISC, BSD...) must travel with it; the bundles' sources carry no legal comments to do that.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const NOTICE_FILE = /^(licen[cs]e|copying|notice)(\..*)?$/i;

/** The package directory (relative to root) an esbuild input path belongs to, or undefined for our own code. */
function packageDirOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const nameLength = parts[at + 1]?.startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + nameLength).join("/");
}

/**
 * Write the notices for every package esbuild's metafile says went into the bundle; returns the bundled
 * packages as name@version. Throws when a bundled package has neither a licence field nor a licence file,
 * so a new dependency cannot slip into the bundle without one.
 */
export function writeVendorLicenses({ metafile, root, outFile, bundleName }) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input);
    if (dir) dirs.add(dir);
  }
  const entries = [];
  for (const dir of dirs) {
    const abs = path.join(root, dir);
    const manifest = JSON.parse(readFileSync(path.join(abs, "package.json"), "utf8"));
    const files = readdirSync(abs)
      .filter((f) => NOTICE_FILE.test(f))
      .sort();
    const license = typeof manifest.license === "string" ? manifest.license : undefined;
    if (!license && files.length === 0) {
      throw new Error(`${dir}: bundled into ${bundleName} but declares no licence`);
    }
    entries.push({ id: `${manifest.name}@${manifest.version}`, license, files, abs });
  }
  entries.sort((a, b) => a.id.localeCompare(b.id));

  const out = [
    `Third-party software bundled into ${bundleName}, with the licence each is distributed under.`,
    "",
  ];
  for (const entry of entries) {
    out.push("=".repeat(78), `${entry.id}${entry.license ? ` (${entry.license})` : ""}`, "=".repeat(78));
    for (const file of entry.files) {
      out.push(`--- ${file}`, readFileSync(path.join(entry.abs, file), "utf8").trimEnd(), "");
    }
    if (entry.files.length === 0) out.push(`(no licence file shipped; licence: ${entry.license})`, "");
  }
  writeFileSync(outFile, `${out.join("\n")}\n`);
  return entries.map((e) => e.id);
}
