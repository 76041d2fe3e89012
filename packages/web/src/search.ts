/**
 * List filters live in the URL as plain query strings (`?feature=sales.draft&limit=50`), so a
 * filtered view can be bookmarked, shared and restored with Back. Values are strings; a value
 * equal to its default, or empty, is left out of the URL.
 */

export type SearchRecord = Record<string, unknown>;

/** Parses `?a=1&b=x` into `{a: "1", b: "x"}` (the router's parseSearch: no JSON, only strings). */
export function parseSearch(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search.startsWith("?") ? search.slice(1) : search)) out[k] = v;
  return out;
}

/** The router's stringifySearch: strings as they are, empties left out; "" when nothing is left. */
export function stringifySearch(search: SearchRecord): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    if (v === undefined || v === null || v === "") continue;
    params.set(k, typeof v === "string" ? v : String(v));
  }
  const qs = params.toString();
  return qs ? `?${qs}` : "";
}

/** One filter field: its default, and (optionally) the only values it may take or a maximum length. */
export interface FieldSpec {
  readonly default: string;
  readonly oneOf?: readonly string[];
  readonly maxLength?: number;
}

export type FilterSpec = Record<string, FieldSpec>;
export type FiltersOf<S extends FilterSpec> = { [K in keyof S]: string };
/** What the URL holds for a filter: only the fields that differ from their defaults. */
export type SearchOf<S extends FilterSpec> = { [K in keyof S]?: string };

/** Reads the filters from a URL's search: unknown keys dropped, bad values replaced by the default. */
export function filtersFromSearch<S extends FilterSpec>(spec: S, search: SearchRecord): FiltersOf<S> {
  const out = {} as Record<string, string>;
  for (const [name, field] of Object.entries(spec)) {
    const raw = search[name];
    const value = typeof raw === "string" ? raw : typeof raw === "number" ? String(raw) : undefined;
    const ok =
      value !== undefined &&
      (!field.oneOf || field.oneOf.includes(value)) &&
      (field.maxLength === undefined || value.length <= field.maxLength);
    out[name] = ok ? value : field.default;
  }
  return out as FiltersOf<S>;
}

/** The URL's search for some filters: trimmed, and only what differs from the defaults. */
export function searchFromFilters<S extends FilterSpec>(spec: S, filters: FiltersOf<S>): SearchOf<S> {
  const out = {} as Record<string, string>;
  for (const [name, field] of Object.entries(spec)) {
    const value = (filters[name] ?? "").trim();
    if (value !== "" && value !== field.default) out[name] = value;
  }
  return out as SearchOf<S>;
}

/** A route's validateSearch for a filter spec: keeps only the fields that differ from the defaults. */
export const validateFilters =
  <S extends FilterSpec>(spec: S) =>
  (search: SearchRecord): SearchOf<S> =>
    searchFromFilters(spec, filtersFromSearch(spec, search));

const LIMITS = ["10", "25", "50", "100"] as const;

export const QUEUE_FILTERS = {
  tenant: { default: "", maxLength: 64 },
  region: { default: "", maxLength: 32 },
  feature: { default: "", maxLength: 128 },
  from: { default: "", maxLength: 32 },
  to: { default: "", maxLength: 32 },
  limit: { default: "25", oneOf: LIMITS },
} satisfies FilterSpec;

export const AUDIT_FILTERS = {
  chain: { default: "control", maxLength: 64 },
  tenant: { default: "", maxLength: 64 },
  action: { default: "", maxLength: 64 },
  actor: { default: "", maxLength: 64 },
  from: { default: "", maxLength: 32 },
  to: { default: "", maxLength: 32 },
} satisfies FilterSpec;

/** The pairwise comparison: `a` and `b`, the two interactions shown side by side. */
export const COMPARE_PAIR = {
  a: { default: "", maxLength: 64 },
  b: { default: "", maxLength: 64 },
} satisfies FilterSpec;

export const INSIGHTS_FILTERS = {
  region: { default: "", maxLength: 32 },
  tenant: { default: "", maxLength: 64 },
  from: { default: "", maxLength: 32 },
  to: { default: "", maxLength: 32 },
} satisfies FilterSpec;
