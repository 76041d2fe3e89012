import { API_SCOPES, type ApiScope } from "@assent/sdk/contract/staff";

/** What an operator API token may do (one list, in the contract the web app offers too). */
export const SCOPES = API_SCOPES;
export type Scope = ApiScope;

export const isScope = (v: string): v is Scope => (SCOPES as readonly string[]).includes(v);

/** Tokens look like `asmt_…`, distinct from ingestion keys (`ask_…`), so neither is taken for the other. */
export const TOKEN_PREFIX = "asmt_";
