/** What an operator API token may do; each management route names the one scope it needs. */
export const SCOPES = [
  "tenants:read",
  "tenants:write",
  "keys:write",
  "sharing:read",
  "sharing:write",
] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (v: string): v is Scope => (SCOPES as readonly string[]).includes(v);

/** Tokens look like `asmt_…`, distinct from ingestion keys (`ask_…`), so neither is taken for the other. */
export const TOKEN_PREFIX = "asmt_";
