import type { Kysely } from "kysely";
import type { ControlDb } from "../../stores/control-schema.js";
import { tenantsRepo } from "./repo.js";

/** What a capture needs to know of a tenant named in an item. */
export interface ResolvedTenant {
  readonly id: string;
  readonly region: string;
  readonly externalId: string | null;
}

export interface TenantResolver {
  /**
   * The tenants named by `refs` (ids or the vendor's external ids; an id wins over another
   * tenant's equal external id), as ref → tenant; unknown refs are absent. One query for the refs
   * not cached.
   */
  resolve(refs: Iterable<string>): Promise<Map<string, ResolvedTenant>>;
}

/**
 * Resolves tenant refs with a bounded cache. A tenant's id and home region never change, so a
 * found ref stays right; unknown refs are not cached (the tenant may be created a moment later).
 * An external id is cached for at most `ttlMs`, in case the vendor re-points it.
 */
export function createTenantResolver(deps: {
  readonly control: Kysely<ControlDb>;
  readonly now: () => number;
  readonly maxEntries?: number;
  readonly ttlMs?: number;
}): TenantResolver {
  const maxEntries = deps.maxEntries ?? 100_000;
  const ttlMs = deps.ttlMs ?? 60_000;
  const cache = new Map<string, { tenant: ResolvedTenant; until: number }>();
  const remember = (ref: string, tenant: ResolvedTenant, now: number) => {
    if (cache.size >= maxEntries) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(ref, { tenant, until: ref === tenant.id ? Number.POSITIVE_INFINITY : now + ttlMs });
  };

  return {
    async resolve(refs) {
      const now = deps.now();
      const found = new Map<string, ResolvedTenant>();
      const missing: string[] = [];
      for (const ref of new Set(refs)) {
        const hit = cache.get(ref);
        if (hit && hit.until > now) found.set(ref, hit.tenant);
        else missing.push(ref);
      }
      if (missing.length === 0) return found;
      const rows = await tenantsRepo.findTenantsByRefs(deps.control, missing);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const byExternal = new Map(rows.filter((r) => r.externalId !== null).map((r) => [r.externalId, r]));
      for (const ref of missing) {
        const row = byId.get(ref) ?? byExternal.get(ref);
        if (!row) continue;
        const tenant = { id: row.id, region: row.region, externalId: row.externalId };
        found.set(ref, tenant);
        remember(ref, tenant, now);
      }
      return found;
    },
  };
}
