// @ts-nocheck
// Renders the exported HTML report in headless Chromium and keeps the screenshots under test-artifacts/
// (CI uploads them; people look at them). Chromium is a test prerequisite: CI installs it.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_ID } from "../unit/record/builders.js";
import { cli, ensureBuilt, makeStateDir, ROOT, type StateFixture, UNFINISHED_ID } from "./record-fixture.js";

const CANDIDATES = [
  process.env["CHROMIUM"],
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];
const ARTIFACTS = join(ROOT, "test-artifacts");

function chromium(): string {
  const found = CANDIDATES.find((c): c is string => c !== undefined && existsSync(c));
  if (!found)
    throw new Error(
      "headless Chromium is needed for this test: apt-get install -y chromium (or set CHROMIUM)",
    );
  return found;
}

function chromiumRun(html: string, output: string[], profile: string): Promise<void> {
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    ...output,
    pathToFileURL(html).href,
  ];
  return new Promise((done, fail) => {
    execFile(chromium(), args, { timeout: 60_000 }, (err, _stdout, stderr) =>
      err ? fail(new Error(`chromium failed: ${err.message}\n${stderr}`)) : done(),
    );
  });
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
    true,
  );
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let root: string;
let fx: StateFixture;
beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "deploycheck-chromium-"));
  fx = await makeStateDir(root);
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("HTML report in headless Chromium", () => {
  it.each([
    ["report-html-signed", RUN_ID],
    ["report-html-unfinished", UNFINISHED_ID],
  ])(
    "renders %s to a PNG",
    async (name, id) => {
      const html = join(root, `${name}.html`);
      const r = await cli(["export", id, "--format", "html", "-o", html, "--state-dir", fx.stateDir]);
      expect(r.code, r.stderr).toBe(0);
      const png = join(ARTIFACTS, `${name}.png`);
      await rm(png, { force: true });
      await chromiumRun(
        html,
        [`--screenshot=${png}`, "--window-size=1200,2000"],
        join(root, `profile-${name}`),
      );
      const bytes = await readFile(png);
      expect(bytes.length).toBeGreaterThan(20_000);
      expect(pngSize(bytes)).toEqual({ width: 1200, height: 2000 });
    },
    90_000,
  );

  it("prints to a PDF of a few pages", async () => {
    const html = join(root, "print.html");
    const r = await cli(["export", RUN_ID, "--format", "html", "-o", html, "--state-dir", fx.stateDir]);
    expect(r.code, r.stderr).toBe(0);
    const pdf = join(ARTIFACTS, "report-html-signed.pdf");
    await rm(pdf, { force: true });
    await chromiumRun(html, ["--no-pdf-header-footer", `--print-to-pdf=${pdf}`], join(root, "profile-pdf"));
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const pages = bytes.toString("latin1").match(/\/Type\s*\/Page\b(?!s)/g) ?? [];
    // Six items with their evidence and the sign-off: a page or a few, not a ream.
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(pages.length).toBeLessThanOrEqual(4);
  }, 90_000);
});
