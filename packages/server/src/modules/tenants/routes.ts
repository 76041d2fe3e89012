import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso, isoOrNull } from "../../http/time.js";
import { actorOf } from "../access/service.js";
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
  readonly guards: Guards;
}

const tenantView = (t: TenantRow) => ({
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
  const operator = deps.guards.user(["operator"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

  app.get(
    "/api/tenants",
    { onRequest: operator, schema: { tags: ["operations"], response: { 200: Type.Array(TenantSchema) } } },
    async () => (await tenants.listTenants()).map(tenantView),
  );
  app.post(
    "/api/tenants",
    {
      onRequest: operator,
      schema: { tags: ["operations"], body: CreateTenantSchema, response: { 201: TenantSchema, ...errors } },
    },
    async (request, reply) => {
      const t = await tenants.createTenant(request.body, actorOf(currentUser(request), "operator"));
      return reply.status(201).send(tenantView(t));
    },
  );
  app.get(
    "/api/tenants/:id",
    {
      onRequest: operator,
      schema: { tags: ["operations"], params: IdParams, response: { 200: TenantSchema, ...errors } },
    },
    async (request) => tenantView(await tenants.getTenant(request.params.id)),
  );
  app.get(
    "/api/tenants/:id/keys",
    {
      onRequest: operator,
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
      onRequest: operator,
      schema: {
        tags: ["operations"],
        summary: "Issue an ingestion key (the secret is in this answer only)",
        params: IdParams,
        body: CreateKeySchema,
        response: { 201: NewKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const k = await tenants.createKey(
        request.params.id,
        actorOf(currentUser(request), "operator"),
        request.body?.label,
      );
      return reply.status(201).send(k);
    },
  );
  app.post(
    "/api/keys/:id/revoke",
    {
      onRequest: operator,
      schema: { tags: ["operations"], params: IdParams, response: { 200: KeySchema, ...errors } },
    },
    async (request) =>
      keyView(await tenants.revokeKey(request.params.id, actorOf(currentUser(request), "operator"))),
  );
};
