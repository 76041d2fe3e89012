import { badRequest } from "../errors.js";
import type { RegionDb } from "./region-schema.js";
import type { Store } from "./store.js";

/** The region stores by region name, as opened from `config.regions`. */
export type RegionStores = ReadonlyMap<string, Store<RegionDb>>;

/**
 * The one way to reach a region's store. An unknown region is always the same answer: 400
 * `unknown_region`, naming the configured regions (a tenant's region is checked when it is made,
 * so for a tenant this only happens when a region was removed from the configuration).
 */
export function regionStore(regions: RegionStores, region: string): Store<RegionDb> {
  const store = regions.get(region);
  if (!store) {
    throw badRequest(
      "unknown_region",
      `region "${region}" is not configured (configured: ${[...regions.keys()].join(", ")})`,
    );
  }
  return store;
}
