import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ProgramConfig } from "../../config.js";
import { ErrorSchema } from "../../http/schemas.js";
import { namingUnknownProperties } from "../../http/strict-body.js";
import { iso } from "../../http/time.js";
import { currentToken, type ManagementGuards, managementActor } from "../../http/token-auth.js";
import { AdminSharingSchema } from "../consent/schemas.js";
import type { ConsentService } from "../consent/service.js";
import { tenantSharingView } from "../consent/views.js";
import { tenantView } from "../tenants/routes.js";
import { TenantSchema } from "../tenants/schemas.js";
import type { TenantsService } from "../tenants/service.js";
import {
  ExternalIdParams,
  SharingOnBehalfSchema,
  TenantRefParams,
  TenantsPageSchema,
  TenantsQuery,
  UpsertTenantSchema,
} from "./schemas.js";
import { DEFAULT_PAGE, type ManagementService } from "./service.js";

export interface ManagementRoutesDeps {
  readonly management: ManagementService;
  readonly tenants: Pick<TenantsService, "listTenants" | "upsertTenantByExternalId">;
  readonly consent: Pick<ConsentService, "getState" | "periods">;
  /** The program with its features merged from configuration and the management API. */
  readonly program: () => Promise<ProgramConfig>;
  readonly scoped: ManagementGuards["scoped"];
}

const security: Record<string, string[]>[] = [{ apiToken: [] }, { session: [] }];

/**
 * The management API for automation and vendors' own admin consoles (SPEC "Management API"):
 * operator API tokens with scopes; the read routes also take an operator's session.
 */
export const managementRoutes: FastifyPluginAsyncTypebox<ManagementRoutesDeps> = async (app, deps) => {
  const { management } = deps;
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

  app.get(
    "/api/tenants",
    {
      onRequest: deps.scoped("tenants:read", { operatorSession: true }),
      schema: {
        tags: ["management"],
        summary:
          "Tenants with their sharing state, paged ({items, nextCursor}) when `limit` or `cursor` is given or a token is used; " +
          "an operator's session without either gets every tenant as a plain array (the Operations screen)",
        security,
        querystring: TenantsQuery,
        response: { 200: Type.Union([TenantsPageSchema, Type.Array(TenantSchema)]), ...errors },
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      if (!request.apiToken && cursor === undefined && limit === undefined) {
        return (await deps.tenants.listTenants()).map(tenantView);
      }
      const page = await management.listTenants(cursor, limit ?? DEFAULT_PAGE);
      return {
        items: page.items.map((t) => ({ ...tenantView(t.tenant), sharing: t.sharing, since: iso(t.since) })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.put(
    "/api/tenants/by-external-id/:externalId",
    {
      onRequest: deps.scoped("tenants:write", { operatorSession: true }),
      schemaErrorFormatter: namingUnknownProperties,
      schema: {
        tags: ["management"],
        summary:
          "Create or rename the tenant with this external id (idempotent); its region is fixed once set (409)",
        security,
        params: ExternalIdParams,
        body: UpsertTenantSchema,
        response: { 200: TenantSchema, 201: TenantSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tenant, created } = await deps.tenants.upsertTenantByExternalId(
        request.params.externalId,
        request.body,
        managementActor(request),
      );
      return reply.status(created ? 201 : 200).send(tenantView(tenant));
    },
  );

  app.get(
    "/api/tenants/:id/sharing",
    {
      onRequest: deps.scoped("sharing:read", { operatorSession: true }),
      schema: {
        tags: ["management"],
        summary:
          "A tenant's data-sharing setting and history, as its admin center shows it (id or external id)",
        security,
        params: TenantRefParams,
        response: { 200: AdminSharingSchema, ...errors },
      },
    },
    async (request) =>
      tenantSharingView(
        deps.consent,
        await management.resolveTenant(request.params.id),
        await deps.program(),
      ),
  );

  app.put(
    "/api/tenants/:id/sharing",
    {
      onRequest: deps.scoped("sharing:write"),
      schemaErrorFormatter: namingUnknownProperties,
      schema: {
        tags: ["management"],
        summary:
          "Turn a tenant's sharing on or off on behalf of a named tenant admin; recorded as that person via this token",
        security: [{ apiToken: [] }],
        params: TenantRefParams,
        body: SharingOnBehalfSchema,
        response: { 200: AdminSharingSchema, ...errors },
      },
    },
    async (request) => {
      const tenant = await management.resolveTenant(request.params.id);
      await management.setSharingOnBehalf(
        tenant,
        request.body.enabled,
        request.body.actor,
        currentToken(request),
        request.body.features,
      );
      return tenantSharingView(deps.consent, tenant, await deps.program());
    },
  );
};
