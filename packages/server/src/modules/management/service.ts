import type { Actor } from "../../actor.js";
import { badRequest, notFound } from "../../errors.js";
import type { ConsentService } from "../consent/service.js";
import type { SharingState, SharingValue } from "../consent/types.js";
import type { TenantRow } from "../tenants/repo.js";
import type { TenantsService } from "../tenants/service.js";
import type { ApiTokenRow } from "../tokens/repo.js";

export interface TenantWithSharing {
  readonly tenant: TenantRow;
  readonly sharing: SharingValue;
  readonly since: number;
}

export interface TenantsPage {
  readonly items: TenantWithSharing[];
  readonly nextCursor: string | null;
}

/** The person a vendor's admin console acts for. */
export interface ConsolePerson {
  readonly email: string;
  readonly name?: string;
}

export interface ManagementService {
  /** Tenants in id order with their sharing state; one state query per region per page. */
  listTenants(cursor: string | undefined, limit: number): Promise<TenantsPage>;
  /** The tenant named by its id or its external id; 404 otherwise. */
  resolveTenant(ref: string): Promise<TenantRow>;
  setSharingOnBehalf(
    tenant: TenantRow,
    enabled: boolean,
    person: ConsolePerson,
    token: Pick<ApiTokenRow, "id" | "name">,
    features?: readonly string[],
  ): Promise<SharingState>;
}

export interface ManagementDeps {
  readonly tenants: Pick<TenantsService, "listTenantsPage" | "findTenantByRef">;
  readonly consent: Pick<ConsentService, "readStates" | "setSharing">;
}

export const DEFAULT_PAGE = 100;

const encodeCursor = (id: string) => Buffer.from(id, "utf8").toString("base64url");
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) {
    throw badRequest("invalid_cursor", "cursor must be a nextCursor from an earlier page");
  }
  return id;
}

/** The actor of a change a console makes for a named person through a token: both are recorded. */
export const onBehalfActor = (person: ConsolePerson, token: Pick<ApiTokenRow, "id" | "name">): Actor => ({
  id: token.id,
  role: "api-token",
  label: person.email,
  via: { tokenId: token.id, tokenName: token.name, ...(person.name ? { actorName: person.name } : {}) },
});

export function createManagementService(deps: ManagementDeps): ManagementService {
  return {
    async listTenants(cursor, limit) {
      const after = cursor === undefined ? null : decodeCursor(cursor);
      // One row more than asked tells whether another page follows, without a count.
      const rows = await deps.tenants.listTenantsPage(after, limit + 1);
      const page = rows.slice(0, limit);
      const byRegion = new Map<string, string[]>();
      for (const t of page) byRegion.set(t.region, [...(byRegion.get(t.region) ?? []), t.id]);
      const states = new Map<string, SharingState>();
      const perRegion = await Promise.all(
        [...byRegion].map(([region, ids]) => deps.consent.readStates(region, ids)),
      );
      for (const s of perRegion.flat()) states.set(s.tenantId, s);
      const last = page.at(-1);
      return {
        items: page.map((tenant) => {
          const s = states.get(tenant.id);
          return { tenant, sharing: s?.sharing ?? "off", since: s?.since ?? tenant.createdAt };
        }),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    },

    async resolveTenant(ref) {
      const tenant = await deps.tenants.findTenantByRef(ref);
      if (!tenant) throw notFound(`tenant ${ref}`);
      return tenant;
    },

    setSharingOnBehalf: (tenant, enabled, person, token, features) =>
      deps.consent.setSharing(tenant, enabled, onBehalfActor(person, token), features),
  };
}
