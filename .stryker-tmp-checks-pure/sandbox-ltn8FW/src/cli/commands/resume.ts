// @ts-nocheck
// `deploycheck resume [run-id]`: continue a run (default: the most recent unfinished one) at its first
// step without a final result.
import type { GlobalOptions } from "../options.js";
import { resumeCommand } from "../run-session.js";

export async function run(args: string[], options: GlobalOptions): Promise<number> {
  return resumeCommand(args[0], options);
}
