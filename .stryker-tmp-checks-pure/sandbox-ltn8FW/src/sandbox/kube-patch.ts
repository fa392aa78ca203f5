// @ts-nocheck
// PATCH bodies the simulated API server accepts: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and the
// part of strategic merge patch kubectl relies on (lists of named objects, such as containers, merge by name).

export class PatchError extends Error {
  override name = "PatchError";
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Operation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Json; key: string } {
  let cur: Json = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)] as Json;
    else if (cur && typeof cur === "object") cur = cur[part] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined || cur === null || typeof cur !== "object") {
      throw new PatchError(`doc is missing path: "${path}"`);
    }
  }
  return { parent: cur, key: parts[parts.length - 1]! };
}

function get(doc: Json, path: string): Json {
  const parts = pointer(path);
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts, path);
  const value = Array.isArray(parent) ? parent[Number(key)] : (parent as Record<string, Json>)[key];
  if (value === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  return value;
}

function put(doc: Json, path: string, value: Json, mode: "add" | "replace"): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new PatchError(`index out of range in "${path}"`);
    }
    if (mode === "add") parent.splice(index, 0, value);
    else if (index < parent.length) parent[index] = value;
    else throw new PatchError(`doc is missing path: "${path}"`);
  } else {
    const obj = parent as Record<string, Json>;
    if (mode === "replace" && !(key in obj)) throw new PatchError(`doc is missing key: "${path}"`);
    obj[key] = value;
  }
  return doc;
}

function remove(doc: Json, path: string): Json {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw new PatchError(`doc is missing path: "${path}"`);
    parent.splice(index, 1);
  } else {
    const obj = parent as Record<string, Json>;
    if (!(key in obj)) throw new PatchError(`doc is missing key: "${path}"`);
    delete obj[key];
  }
  return doc;
}

/** Apply an RFC 6902 JSON patch to a copy of the document. */
export function applyJsonPatch<T>(document: T, operations: unknown): T {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch is an array of operations");
  let doc = structuredClone(document) as unknown as Json;
  for (const raw of operations as Operation[]) {
    switch (raw.op) {
      case "add":
        doc = put(doc, raw.path, structuredClone(raw.value ?? null), "add");
        break;
      case "replace":
        doc = put(doc, raw.path, structuredClone(raw.value ?? null), "replace");
        break;
      case "remove":
        doc = remove(doc, raw.path);
        break;
      case "copy":
        doc = put(doc, raw.path, structuredClone(get(doc, raw.from ?? "")), "add");
        break;
      case "move": {
        const value = get(doc, raw.from ?? "");
        doc = remove(doc, raw.from ?? "");
        doc = put(doc, raw.path, value, "add");
        break;
      }
      case "test":
        if (JSON.stringify(get(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw new PatchError(`testing value ${raw.path} failed`);
        }
        break;
      default:
        throw new PatchError(`unexpected kind: ${JSON.stringify(raw.op)}`);
    }
  }
  return doc as unknown as T;
}

/** Apply an RFC 7386 merge patch (null deletes a key, objects merge, everything else replaces). */
export function applyMergePatch<T>(document: T, patch: unknown): T {
  const merge = (target: Json, p: Json): Json => {
    if (p === null || typeof p !== "object" || Array.isArray(p)) return structuredClone(p);
    const base: Record<string, Json> =
      target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete base[k];
      else base[k] = merge(base[k] as Json, v);
    }
    return base;
  };
  return merge(structuredClone(document) as unknown as Json, patch as Json) as unknown as T;
}

/**
 * Strategic merge patch, simplified: like a merge patch, except that a list of objects with a `name` (containers,
 * env, volumes) merges element by element by name (`$patch: delete` removes one), and directives such as
 * `$setElementOrder/...` and `$retainKeys` are dropped.
 */
export function applyStrategicMergePatch<T>(document: T, patch: unknown): T {
  const named = (v: unknown): v is Array<Record<string, Json>> =>
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((e) => e && typeof e === "object" && typeof (e as { name?: unknown }).name === "string");
  const merge = (target: Json, p: Json): Json => {
    if (named(p) && (named(target) || (Array.isArray(target) && target.length === 0))) {
      const out = structuredClone(target as Array<Record<string, Json>>);
      for (const element of p) {
        const i = out.findIndex((e) => e["name"] === element["name"]);
        if (element["$patch"] === "delete") {
          if (i >= 0) out.splice(i, 1);
        } else if (i >= 0) {
          out[i] = merge(out[i]!, element) as Record<string, Json>;
        } else {
          out.push(merge({}, element) as Record<string, Json>);
        }
      }
      return out;
    }
    if (p === null || typeof p !== "object" || Array.isArray(p)) return structuredClone(p);
    if (p["$patch"] === "replace") {
      const { $patch: _, ...rest } = p;
      return structuredClone(rest);
    }
    const base: Record<string, Json> =
      target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(p)) {
      if (k.startsWith("$setElementOrder/") || k === "$retainKeys" || k === "$patch") continue;
      if (v === null) delete base[k];
      else base[k] = merge(base[k] as Json, v);
    }
    return base;
  };
  return merge(structuredClone(document) as unknown as Json, patch as Json) as unknown as T;
}

export type PatchType = "json" | "merge" | "strategic";

/** The patch type of a Content-Type header, or undefined when it is not a patch type. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json-patch+json") return "json";
  if (type === "application/merge-patch+json") return "merge";
  if (type === "application/strategic-merge-patch+json") return "strategic";
  return undefined;
}

export function applyPatch<T>(document: T, type: PatchType, body: unknown): T {
  if (type === "json") return applyJsonPatch(document, body);
  return type === "strategic" ? applyStrategicMergePatch(document, body) : applyMergePatch(document, body);
}
