// `deploycheck show`: not built yet (placeholder so the CLI wiring compiles).
import { UsageError } from "../../errors.js";
import type { GlobalOptions } from "../options.js";

export async function run(_args: string[], _options: GlobalOptions): Promise<number> {
  throw new UsageError("`deploycheck show` is not available yet");
}
