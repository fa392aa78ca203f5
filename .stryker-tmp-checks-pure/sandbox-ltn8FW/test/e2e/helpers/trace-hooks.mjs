// @ts-nocheck
// Module resolution hook (runs on the loader thread): append each resolved URL to $DC_TRACE_FILE.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const file = process.env.DC_TRACE_FILE;
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
