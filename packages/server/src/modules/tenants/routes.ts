import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ErrorSchema } from "../../http/schemas.js";
import { iso, isoOrNull } from "../../http/time.js";
import { type ManagementGuards, managementActor } from "../../http/token-auth.js";
import type { IngestionKeyRow, TenantRow } from "./repo.js";
import {
  CreateKeySchema,
  CreateTenantSchema,
  IdParams,
  KeySchema,
  NewKeySchema,
  TenantSchema,
} from "./schemas.js";
import type { TenantsService } from "./service.js";

export interface TenantsRoutesDeps {
  readonly tenants: TenantsService;
  /** Operators with a session, or management API tokens with the scope each route names. */
  readonly scoped: ManagementGuards["scoped"];
}

export const tenantView = (t: TenantRow) => ({
  id: t.id,
  name: t.name,
  region: t.region,
  externalId: t.externalId,
  createdAt: iso(t.createdAt),
});
const keyView = (k: IngestionKeyRow) => ({
  id: k.id,
  tenantId: k.tenantId,
  prefix: k.prefix,
  label: k.label,
  createdAt: iso(k.createdAt),
  revokedAt: isoOrNull(k.revokedAt),
});

export const tenantsRoutes: FastifyPluginAsyncTypebox<TenantsRoutesDeps> = async (app, deps) => {
  const { tenants } = deps;
  const read = deps.scoped("tenants:read", { operatorSession: true });
  const write = deps.scoped("tenants:write", { operatorSession: true });
  const keys = deps.scoped("keys:write", { operatorSession: true });
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

  // GET /api/tenants (paged, with sharing state) is in modules/management.
  app.post(
    "/api/tenants",
    {
      onRequest: write,
      schema: { tags: ["operations"], body: CreateTenantSchema, response: { 201: TenantSchema, ...errors } },
    },
    async (request, reply) => {
      const t = await tenants.createTenant(request.body, managementActor(request));
      return reply.status(201).send(tenantView(t));
    },
  );
  app.get(
    "/api/tenants/:id",
    {
      onRequest: read,
      schema: { tags: ["operations"], params: IdParams, response: { 200: TenantSchema, ...errors } },
    },
    async (request) => tenantView(await tenants.getTenant(request.params.id)),
  );
  app.get(
    "/api/tenants/:id/keys",
    {
      onRequest: read,
      schema: { tags: ["operations"], params: IdParams, response: { 200: Type.Array(KeySchema), ...errors } },
    },
    async (request) => {
      await tenants.getTenant(request.params.id);
      return (await tenants.listKeys(request.params.id)).map(keyView);
    },
  );
  app.post(
    "/api/tenants/:id/keys",
    {
      onRequest: keys,
      schema: {
        tags: ["operations"],
        summary: "Issue an ingestion key (the secret is in this answer only)",
        params: IdParams,
        body: CreateKeySchema,
        response: { 201: NewKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const k = await tenants.createKey(request.params.id, managementActor(request), request.body?.label);
      return reply.status(201).send(k);
    },
  );
  app.post(
    "/api/keys/:id/revoke",
    {
      onRequest: keys,
      schema: { tags: ["operations"], params: IdParams, response: { 200: KeySchema, ...errors } },
    },
    async (request) => keyView(await tenants.revokeKey(request.params.id, managementActor(request))),
  );
};
