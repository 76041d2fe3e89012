import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import type { TenantRef } from "../consent/types.js";
import type { SubjectHasher } from "./subject-keys.js";

/** What capturing clients need to drop excluded subjects' items before sending them. */
export interface SdkExclusions {
  /** base64url key: check = first 16 bytes (hex) of HMAC-SHA256(key, subject). */
  readonly subjectKey: string;
  readonly excluded: string[];
}

/**
 * Reads the excluded subjects' check values (never the stored hashes) with each tenant's SDK
 * key: for one tenant key's state, and for a service key's snapshot and change events, where a
 * tenant appears only when it has exclusions.
 */
export interface SdkExclusionsReader {
  /** One tenant's: always with its key (a tenant key's state carries it even with none excluded). */
  of(tenant: TenantRef): Promise<SdkExclusions>;
  /** The tenants of `region` (all, or those in `tenantIds`) that exclude someone. */
  inRegion(region: string, tenantIds: readonly string[] | null): Promise<Map<string, SdkExclusions>>;
}

/** Tenants per query when a list is given (well under either dialect's parameter limit). */
const CHUNK = 1000;

export function createSdkExclusionsReader(deps: {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly subjects: Pick<SubjectHasher, "sdkKey">;
}): SdkExclusionsReader {
  const read = async (region: string, tenantIds: readonly string[] | null) => {
    const { db } = regionStore(deps.regions, region);
    const q = db.selectFrom("subject_exclusions").select(["tenant_id", "sdk_check"]);
    if (tenantIds === null) return q.execute();
    const rows = [];
    for (let i = 0; i < tenantIds.length; i += CHUNK)
      rows.push(...(await q.where("tenant_id", "in", tenantIds.slice(i, i + CHUNK)).execute()));
    return rows;
  };
  return {
    async of(tenant) {
      const rows = await read(tenant.region, [tenant.id]);
      return {
        subjectKey: await deps.subjects.sdkKey(tenant),
        excluded: rows.map((r) => r.sdk_check).sort(),
      };
    },
    async inRegion(region, tenantIds) {
      if (tenantIds !== null && tenantIds.length === 0) return new Map();
      const byTenant = new Map<string, string[]>();
      for (const r of await read(region, tenantIds)) {
        const list = byTenant.get(r.tenant_id);
        if (list) list.push(r.sdk_check);
        else byTenant.set(r.tenant_id, [r.sdk_check]);
      }
      const out = new Map<string, SdkExclusions>();
      for (const [id, excluded] of byTenant)
        out.set(id, { subjectKey: await deps.subjects.sdkKey({ id, region }), excluded: excluded.sort() });
      return out;
    },
  };
}
