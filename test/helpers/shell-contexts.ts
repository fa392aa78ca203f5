// How the shell-refs suites read an analysis: one string per reference, in order.
import { analyzeCommand } from "../../src/checklist/shell-refs.js";

/** Each reference's refusal, or its unsafe kind and context, or else its placement. */
export const contexts = (command: string): string[] =>
  analyzeCommand(command).refs.map(
    (r) => r.refused ?? (r.unsafe ? `${r.unsafe.kind}: ${r.unsafe.context}` : r.placement),
  );

/** The same with the placement always shown, and refusals marked as such. */
export const placedContexts = (command: string): string[] =>
  analyzeCommand(command).refs.map((r) =>
    r.refused
      ? `refused: ${r.refused}`
      : r.unsafe
        ? `${r.placement} ${r.unsafe.kind}: ${r.unsafe.context}`
        : r.placement,
  );
