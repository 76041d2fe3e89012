import type { JsonValue } from "../types.js";
import type { Attributes, AttrValue } from "./types.js";

/** A non-empty string attribute. */
export function stringAttr(attrs: Attributes, key: string): string | undefined {
  const v = attrs.get(key);
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/**
 * A count attribute as a number. A value that is there but is not a whole number is returned
 * as it is, so validation rejects the span naming the field rather than losing it silently.
 */
export function countAttr(attrs: Attributes, key: string): AttrValue | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && /^\d{1,15}$/.test(v)) return Number(v);
  return v;
}

export function numberAttr(attrs: Attributes, key: string): number | undefined {
  const v = attrs.get(key);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A string array attribute; a lone string counts as an array of one. */
export function stringsAttr(attrs: Attributes, key: string): string[] {
  const v = attrs.get(key);
  if (typeof v === "string") return v.length ? [v] : [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.length > 0) : [];
}

/**
 * A structured attribute: GenAI content is recorded either as a JSON string or, by newer
 * instrumentations, as a structured value. A string that is not JSON is returned as text.
 */
export function structuredAttr(attrs: Attributes, key: string): JsonValue | undefined {
  const v = attrs.get(key);
  if (v === undefined || v === null || v === "") return undefined;
  return typeof v === "string" ? parseJsonOrText(v) : v;
}

export function parseJsonOrText(s: string): JsonValue {
  const t = s.trimStart();
  if (t.startsWith("[") || t.startsWith("{") || t.startsWith('"')) {
    try {
      return JSON.parse(s) as JsonValue;
    } catch {
      return s;
    }
  }
  return s;
}

/** The first attribute of `keys` that is present, in order. */
export function firstOf<T>(read: (key: string) => T | undefined, keys: readonly string[]): T | undefined {
  for (const k of keys) {
    const v = read(k);
    if (v !== undefined) return v;
  }
  return undefined;
}
