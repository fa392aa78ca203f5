// RFC 8785 (JSON Canonicalization Scheme) through the `canonicalize` package: the bytes that are signed.
import canonicalize from "canonicalize";

/** The canonical JSON text of a JSON value (keys sorted, ES number form, no whitespace). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("cannot canonicalize a value that is not JSON");
  return text;
}

export function canonicalBytes(value: unknown): Buffer {
  // Stryker disable next-line StringLiteral: Buffer.from(text, "") encodes UTF-8 too (the default)
  return Buffer.from(canonicalJson(value), "utf8");
}
