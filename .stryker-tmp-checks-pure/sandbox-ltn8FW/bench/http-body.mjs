#!/usr/bin/env node
// @ts-nocheck
// Peak RSS of a non-interactive run whose one http step takes SAMPLES samples (default 100) of a
// BODY_MIB MiB body (default 400), against the same run with a 1 KiB body, measured in the same script
// against a local server on 127.0.0.1. Goal: the big-body run stays under 200 MiB, however big the
// bodies: a response is read as a stream and only its first maxBodyBytes (1 MiB) are kept. Peak RSS is
// read inside the process at exit through bench/rss-hook.mjs. Uses dist/: build first.
// SAMPLES=8 BODY_MIB=700 node bench/http-body.mjs is the issue's other case.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin/deploycheck.js");
const hook = path.join(root, "bench/rss-hook.mjs");
const SAMPLES = Number(process.env.SAMPLES ?? 100);
const BODY_MIB = Number(process.env.BODY_MIB ?? 400);
const GOAL_MIB = 200;

if (!existsSync(path.join(root, "dist/cli/main.js"))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(2);
}

// One MiB of JSON-ish text, written again and again: the server holds 1 MiB whatever it sends.
const MIB = Buffer.from(`{"ok":true,"pad":"${"x".repeat(1024 * 1024 - 20)}"}\n`.slice(0, 1024 * 1024));
let bytesSent = 0;
const server = createServer((req, res) => {
  const mib = Number(new URL(req.url ?? "/", "http://x").searchParams.get("mib") ?? 0);
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": String(mib ? mib * MIB.length : 1024),
  });
  if (!mib) {
    bytesSent += 1024;
    res.end(MIB.subarray(0, 1024));
    return;
  }
  let left = mib;
  const pump = () => {
    while (left > 0) {
      left--;
      bytesSent += MIB.length;
      if (!res.write(MIB)) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => {
    left = 0;
  });
  pump();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

const dir = mkdtempSync(path.join(tmpdir(), "deploycheck-http-body-"));
function checklist(name, mib) {
  writeFileSync(
    path.join(dir, `${name}.yaml`),
    `apiVersion: deploycheck/v1
kind: Checklist
metadata: { name: ${name}, title: HTTP body bounds }
sections:
  - id: all
    title: All
    items:
      - id: bodies
        title: Big bodies
        steps:
          - id: sampled
            timeout: 1h
            http:
              url: "http://127.0.0.1:${port}/body?mib=${mib}"
              samples: ${SAMPLES}
              expect: { status: 200, bodyContains: '"ok":true' }
`,
  );
}
checklist("big", BODY_MIB);
checklist("small", 0);
writeFileSync(path.join(dir, "answers.yaml"), "signoff/engineer: bench\nsignoff/ready: yes\n");

function peakKiB(name) {
  const file = path.join(dir, `rss-${name}.txt`);
  rmSync(file, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        hook,
        bin,
        "run",
        `${name}.yaml`,
        "--state-dir",
        path.join(dir, `state-${name}`),
        "--answers",
        "answers.yaml",
      ],
      {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          BENCH_RSS_FILE: file,
          NO_COLOR: "1",
          CI: "1",
          XDG_CONFIG_HOME: path.join(dir, "config"),
        },
      },
    );
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`deploycheck run ${name} exited ${code}:\n${out}`));
      resolve({ kib: Number(readFileSync(file, "utf8")), out });
    });
  });
}

const mib = (kib) => kib / 1024;
let small;
let big;
const started = Date.now();
try {
  small = await peakKiB("small");
  const sentBefore = bytesSent;
  const t0 = Date.now();
  big = await peakKiB("big");
  const seconds = (Date.now() - t0) / 1000;
  const sent = (bytesSent - sentBefore) / MIB.length;
  console.log(`${SAMPLES} samples x 1 KiB body       peak RSS ${mib(small.kib).toFixed(1)} MiB (baseline)`);
  console.log(
    `${SAMPLES} samples x ${BODY_MIB} MiB body    peak RSS ${mib(big.kib).toFixed(1)} MiB  (${(big.kib / small.kib).toFixed(2)}x the baseline; goal < ${GOAL_MIB} MiB); ${sent.toFixed(0)} MiB served in ${seconds.toFixed(1)} s`,
  );
  const line = big.out.split("\n").find((l) => l.includes("samples:"));
  if (line) console.log(`step result: ${line.trim()}`);
} finally {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
const bigMiB = mib(big.kib);
console.log(
  `RESULT ${JSON.stringify({ name: `peak RSS, http step of ${SAMPLES} x ${BODY_MIB} MiB bodies (MiB)`, value: bigMiB, goal: GOAL_MIB, unit: "MiB" })}`,
);
console.error(`(bench/http-body.mjs took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exitCode = bigMiB < GOAL_MIB ? 0 : 1;
