// @ts-nocheck
// `deploycheck run <checklist>` (and `deploycheck <checklist>`): start a run, or offer to resume the
// unfinished run of the same checklist.
import { UsageError } from "../../errors.js";
import type { GlobalOptions } from "../options.js";
import { runCommand } from "../run-session.js";

export async function run(args: string[], options: GlobalOptions): Promise<number> {
  const [name] = args;
  if (!name) throw new UsageError("which checklist? e.g. deploycheck run staging");
  return runCommand(name, options);
}
