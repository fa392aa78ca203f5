// @ts-nocheck
// Stable ids and variable names for imported checklists: kebab-case slugs of titles, unique in their parent.

export const MAX_ID_LENGTH = 40;

const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "to",
  "of",
  "for",
  "in",
  "is",
  "are",
  "any",
  "if",
  "and",
  "or",
]);

function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * A kebab-case id for a title: parentheticals dropped (when something else remains), at most
 * MAX_ID_LENGTH characters, cut at a dash so that no word is split.
 */
export function slugify(text: string, fallback = "entry"): string {
  const bare = text.replace(/\([^()]*\)/g, " ");
  let slug = words(bare).join("-") || words(text).join("-");
  if (slug.length > MAX_ID_LENGTH) {
    const cut = slug.lastIndexOf("-", MAX_ID_LENGTH);
    slug = cut > 0 ? slug.slice(0, cut) : slug.slice(0, MAX_ID_LENGTH);
  }
  return slug || fallback;
}

/** Hands out ids unique within one parent: the second `verify` becomes `verify-2`, then `verify-3`. */
export class IdScope {
  readonly #taken = new Set<string>();

  take(base: string): string {
    let id = base;
    for (let n = 2; this.#taken.has(id); n++) id = `${base}-${n}`;
    this.#taken.add(id);
    return id;
  }
}

/**
 * A camelCase variable name: `AWS_CLUSTER` -> `awsCluster`, `--base-url` -> `baseUrl`. With `last`, the
 * last words (where the noun of a phrase is): "Hand off to on-call engineer" -> `onCallEngineer`.
 */
export function camelName(text: string, maxWords = 3, last = false): string {
  const all = words(text);
  const meaningful = all.filter((w) => !STOP_WORDS.has(w));
  const pool = meaningful.length ? meaningful : all;
  const picked = last ? pool.slice(-maxWords) : pool.slice(0, maxWords);
  const name = picked.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join("");
  return /^[a-z]/.test(name) ? name : `v${name}`;
}
