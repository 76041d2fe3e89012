import type { Kysely } from "kysely";
import { iso } from "../../http/time.js";
import { sha256Hex } from "../../ids.js";
import type { ControlDb } from "../../stores/control-schema.js";
import type { RegionDb } from "../../stores/region-schema.js";
import type { Store } from "../../stores/store.js";
import type { SdkExclusionsReader } from "../scopes/sdk-exclusions.js";
import { tenantsRepo } from "../tenants/repo.js";
import { type Cursor, cursorVersion, formatCursor, type StreamedChange } from "./change-log.js";
import { consentRepo } from "./repo.js";
import { parseFeatures } from "./service.js";

/** One sharing tenant in a snapshot (a tenant not listed is off). */
export interface TenantSharingView {
  sharing: "on";
  since: string;
  region: string;
  externalId?: string;
  /** The features shared; absent: every feature. */
  features?: string[];
  /** With excluded subjects only: the key to check subjects with, and the excluded check values. */
  subjectKey?: string;
  excluded?: string[];
}

/** GET /v1/sharing with a service key, and the `snapshot` event of its stream. */
export interface SharingSnapshot {
  readonly tenants: Record<string, TenantSharingView>;
  /** Grows with every change of the covered regions (the sum of their change-log sequences). */
  readonly version: number;
  /** Where the snapshot stands in each region's change log: `Last-Event-ID` resumes from it. */
  readonly cursor: string;
}

export interface AllTenantsSharing {
  /**
   * The tenants of `regions` that share, and the cursor they are current at; `json` is `body`
   * serialized once per region set and cursor (10 MB at 100,000 tenants), sent as it is by
   * `GET /v1/sharing` and the streams' `snapshot` events instead of serializing per request.
   */
  snapshot(
    regions: readonly string[],
  ): Promise<{ body: SharingSnapshot; json: Buffer; cursor: Cursor; etag: string }>;
}

/** A `change` event of the all-tenant stream. */
export const changeView = (c: StreamedChange) => ({
  tenant: c.tenantId,
  sharing: c.sharing,
  since: iso(c.since),
  region: c.region,
  ...(c.externalId !== null ? { externalId: c.externalId } : {}),
  ...(c.sharing === "on" && c.features !== null ? { features: [...c.features] } : {}),
  ...(c.sharing === "on" && c.exclusions !== null ? c.exclusions : {}),
});

export function createAllTenantsSharing(deps: {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly control: Kysely<ControlDb>;
  /** The tenants of a region that exclude someone, with what the SDK checks subjects with. */
  readonly exclusions?: Pick<SdkExclusionsReader, "inRegion">;
}): AllTenantsSharing {
  // The last snapshot per set of regions: many streams (re)connecting at one cursor share it.
  const cache = new Map<string, { cursor: string; body: SharingSnapshot; json: Buffer; etag: string }>();

  return {
    async snapshot(regionList) {
      const regions = [...regionList].filter((r) => deps.regions.has(r)).sort();
      const cursor = new Map<string, number>();
      // The cursor is read before the states: a change landing in between is in the states and
      // sent again as a change event (harmless: events carry states), never missed.
      for (const r of regions)
        cursor.set(r, await consentRepo.headSeq((deps.regions.get(r) as Store<RegionDb>).db));
      const cursorText = formatCursor(cursor);
      const cacheKey = regions.join(",");
      const cached = cache.get(cacheKey);
      if (cached && cached.cursor === cursorText) {
        return { body: cached.body, json: cached.json, cursor, etag: cached.etag };
      }

      const tenants: Record<string, TenantSharingView> = {};
      for (const r of regions) {
        for (const row of await consentRepo.sharingOn((deps.regions.get(r) as Store<RegionDb>).db)) {
          const features = parseFeatures(row.features);
          tenants[row.tenant_id] = {
            sharing: "on",
            since: iso(row.since),
            region: r,
            ...(features !== null ? { features } : {}),
          };
        }
        for (const [id, e] of (await deps.exclusions?.inRegion(r, null)) ?? []) {
          const t = tenants[id];
          if (t) Object.assign(t, e);
        }
      }
      const external = await tenantsRepo.externalIds(deps.control, { regions });
      for (const [id, ext] of external) {
        const t = tenants[id];
        if (t) t.externalId = ext;
      }
      const body: SharingSnapshot = { tenants, version: cursorVersion(cursor), cursor: cursorText };
      const etag = `"s-${sha256Hex(`${cacheKey}|${cursorText}`).slice(0, 32)}"`;
      const json = Buffer.from(JSON.stringify(body));
      cache.set(cacheKey, { cursor: cursorText, body, json, etag });
      return { body, json, cursor, etag };
    },
  };
}
