import { forbidden } from "../../errors.js";
import type { Grant } from "../access/grants/types.js";
import { grantCovers } from "../access/grants/types.js";

/** What a set of grants opens in one region: every tenant, or the listed ones. */
export type RegionScope = "all" | ReadonlySet<string>;

export function scopesOf(grants: readonly Grant[]): Map<string, RegionScope> {
  const scopes = new Map<string, RegionScope>();
  for (const g of grants) {
    const current = scopes.get(g.region);
    if (current === "all") continue;
    if (g.tenantId === null) scopes.set(g.region, "all");
    else scopes.set(g.region, new Set([...(current ?? []), g.tenantId]));
  }
  return scopes;
}

export const describeGrants = (grants: readonly Grant[]): string =>
  grants.length === 0
    ? "none"
    : grants
        .map((g) => (g.tenantId ? `${g.region} (tenant ${g.tenantId})` : `${g.region} (all tenants)`))
        .join(", ");

const ASK = "ask for one with POST /api/access-requests and have another staff member approve it";

export function noGrantAtAll(what: string) {
  return forbidden(`${what} needs an active access grant and you hold none; ${ASK}`);
}

/** The grant that opens this tenant's content in this region: the narrowest one, or a 403. */
export function coveringGrant(
  grants: readonly Grant[],
  region: string,
  tenantId: string,
  what: string,
): Grant {
  const grant = grants.find((g) => grantCovers(g, region, tenantId));
  if (!grant) {
    throw forbidden(
      `${what} needs an active access grant for region ${region} covering tenant ${tenantId}; ` +
        `your active grants cover: ${describeGrants(grants)}; ${ASK}`,
    );
  }
  return grant;
}
