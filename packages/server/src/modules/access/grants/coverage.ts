import { forbidden } from "../../../errors.js";
import type { Grant } from "./types.js";

/**
 * Grant coverage, in one place: what a staff member's active grants open (review, datasets).
 * A grant opens content of one region: every tenant of it, or one tenant.
 */

/** Whether a grant opens content of this tenant in this region. */
export const grantCovers = (g: Grant, region: string, tenantId: string): boolean =>
  g.region === region && (g.tenantId === null || g.tenantId === tenantId);

/** The first grant opening this tenant's content in this region, or null. */
export const findCovering = (grants: readonly Grant[], region: string, tenantId: string): Grant | null =>
  grants.find((g) => grantCovers(g, region, tenantId)) ?? null;

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

// Plain words: reviewers read this in the web app, where an API path means nothing.
const ASK = "request access (with a reason) and have another staff member approve it";

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
  const grant = findCovering(grants, region, tenantId);
  if (!grant) {
    throw forbidden(
      `${what} needs an active access grant for region ${region} covering tenant ${tenantId}; ` +
        `your active grants cover: ${describeGrants(grants)}; ${ASK}`,
    );
  }
  return grant;
}
