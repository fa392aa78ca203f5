// What a checklist file's bytes must be before YAML sees them: at most MAX_CHECKLIST_BYTES, UTF-8, no NUL.
// Pure: bytes in, the text or the problem (with line:col) out.
import { isUtf8 } from "node:buffer";
import type { ChecklistProblem } from "../errors.js";

/** Checklists are written by people: 4 MiB is far above any real one and far below what hurts. */
export const MAX_CHECKLIST_BYTES = 4 * 1024 * 1024;

/** A size in MiB with one decimal, as the size limit's messages say it. */
export const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function sizeProblem(file: string, size: number): ChecklistProblem {
  return {
    file,
    line: 1,
    col: 1,
    path: "",
    message: `the file is ${mib(size)}; a checklist may be at most ${mib(MAX_CHECKLIST_BYTES)} (is this the right file?)`,
  };
}

/** 1-based line and column (in characters) of a byte offset. */
function position(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    start = i + 1;
  }
  // Count characters, not bytes: continuation bytes (10xxxxxx) do not start one.
  let col = 1;
  for (let i = start; i < offset; i++) if ((bytes[i]! & 0xc0) !== 0x80) col++;
  return { line, col };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (WHATWG rules), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The file's text, or the problem with its bytes: invalid UTF-8 or a NUL, at file:line:col. */
export function decodeChecklistBytes(
  bytes: Buffer,
  file: string,
): { text: string; problem?: undefined } | { problem: ChecklistProblem } {
  if (bytes.length > MAX_CHECKLIST_BYTES) return { problem: sizeProblem(file, bytes.length) };
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const byte = bytes[at] ?? 0;
    return {
      problem: {
        file,
        ...position(bytes, at),
        path: "",
        message: `not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, "0")}); save the file as UTF-8`,
      },
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      problem: {
        file,
        ...position(bytes, nul),
        path: "",
        message: "a NUL byte: a checklist is text (is this a binary file, or saved as UTF-16?)",
      },
    };
  }
  return { text: bytes.toString("utf8") };
}
