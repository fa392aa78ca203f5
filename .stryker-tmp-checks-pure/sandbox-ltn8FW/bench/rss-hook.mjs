// @ts-nocheck
// Loaded with --import into a measured process: at exit, write its peak RSS (KiB) to $BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

const out = process.env.BENCH_RSS_FILE;
if (out) process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
