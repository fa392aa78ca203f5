// `deploycheck resume`: not built yet (placeholder so the CLI wiring compiles).
import { UsageError } from "../../errors.js";
import type { GlobalOptions } from "../options.js";

export async function run(_args: string[], _options: GlobalOptions): Promise<number> {
  throw new UsageError("`deploycheck resume` is not available yet");
}
