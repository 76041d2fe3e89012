import { queryOptions } from "@tanstack/react-query";
import type { Query } from "./client.js";
import { accessApi, adminApi, opsApi, programApi, reviewApi } from "./endpoints.js";

/**
 * Every server read the app makes, as TanStack Query options: one key per resource, so a mutation
 * invalidates by prefix (`keys.access` after an approval refreshes every list of requests).
 */
export const keys = {
  access: ["access-requests"] as const,
  tenant: ["tenant"] as const,
  review: ["review"] as const,
  ops: ["ops"] as const,
  program: ["program"] as const,
};

/** The pending requests an approver sees (also counted in the navigation: one query, one cache). */
export const PENDING = { state: "pending", limit: 100 } as const;

/**
 * How often a screen showing state other people change asks again while it is in view: 10 s, or
 * what localStorage "assent:poll-ms" says (at least 200 ms; the browser tests shorten it).
 */
export const LIVE_MS = ((): number => {
  try {
    const set = Number(globalThis.localStorage?.getItem("assent:poll-ms"));
    return Number.isFinite(set) && set >= 200 ? set : 10_000;
  } catch {
    return 10_000;
  }
})();

export const queries = {
  program: () =>
    queryOptions({ queryKey: keys.program, queryFn: programApi.overview, staleTime: 5 * 60_000 }),

  accessRequests: (query: { state?: string; limit?: number }) =>
    queryOptions({
      queryKey: [...keys.access, query] as const,
      queryFn: () => accessApi.list(query),
      refetchInterval: LIVE_MS,
    }),

  sharing: () => queryOptions({ queryKey: [...keys.tenant, "sharing"] as const, queryFn: adminApi.sharing }),
  accounts: () =>
    queryOptions({ queryKey: [...keys.tenant, "accounts"] as const, queryFn: adminApi.accounts }),
  accessLog: (cursor: string | null) =>
    queryOptions({
      queryKey: [...keys.tenant, "access-log", cursor] as const,
      queryFn: () => adminApi.accessLog(cursor),
      // Only the newest page changes as staff read.
      refetchInterval: cursor === null ? LIVE_MS : false,
    }),

  /** `grants`: how many grants the reviewer holds; a change (an approval) reloads the queue at once. */
  reviewQueue: (query: Query, grants = 0) =>
    queryOptions({
      queryKey: [...keys.review, "queue", query, grants] as const,
      queryFn: () => reviewApi.queue(query),
      refetchInterval: query.cursor ? false : LIVE_MS,
    }),
  interaction: (id: string) =>
    // Each read is an audited access: read once, never in the background.
    queryOptions({
      queryKey: [...keys.review, "interaction", id] as const,
      queryFn: () => reviewApi.read(id),
      staleTime: Number.POSITIVE_INFINITY,
      refetchOnWindowFocus: false,
    }),

  tenants: () => queryOptions({ queryKey: [...keys.ops, "tenants"] as const, queryFn: opsApi.tenants }),
  keysOf: (tenantId: string) =>
    queryOptions({
      queryKey: [...keys.ops, "tenants", tenantId, "keys"] as const,
      queryFn: () => opsApi.keys(tenantId),
    }),
  serviceKeys: () =>
    queryOptions({ queryKey: [...keys.ops, "service-keys"] as const, queryFn: opsApi.serviceKeys }),
  tokens: () => queryOptions({ queryKey: [...keys.ops, "tokens"] as const, queryFn: opsApi.tokens }),
  users: () => queryOptions({ queryKey: [...keys.ops, "users"] as const, queryFn: opsApi.users }),
  insights: (query: Query) =>
    queryOptions({
      queryKey: [...keys.ops, "insights", query] as const,
      queryFn: () => opsApi.insights(query),
    }),
  audit: (query: Query) =>
    queryOptions({
      queryKey: [...keys.ops, "audit", query] as const,
      queryFn: () => opsApi.audit(query),
      refetchInterval: query.cursor ? false : LIVE_MS,
    }),
};
