import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso, isoOrNull } from "../../http/time.js";
import { actorOf } from "../access/service.js";
import type { ServiceKeyRow } from "./repo.js";
import {
  CreateServiceKeySchema,
  NewServiceKeySchema,
  ServiceKeyIdParams,
  ServiceKeySchema,
} from "./schemas.js";
import type { ServiceKeysService } from "./service.js";

export interface ServiceKeysRoutesDeps {
  readonly serviceKeys: ServiceKeysService;
  readonly guards: Guards;
}

const view = (k: ServiceKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  regions: k.regions === null ? null : [...k.regions],
  createdAt: iso(k.createdAt),
  revokedAt: isoOrNull(k.revokedAt),
});

export const serviceKeysRoutes: FastifyPluginAsyncTypebox<ServiceKeysRoutesDeps> = async (app, deps) => {
  const { serviceKeys } = deps;
  const operator = deps.guards.user(["operator"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

  app.get(
    "/api/service-keys",
    {
      onRequest: operator,
      schema: { tags: ["operations"], response: { 200: Type.Array(ServiceKeySchema), ...errors } },
    },
    async () => (await serviceKeys.list()).map(view),
  );
  app.post(
    "/api/service-keys",
    {
      onRequest: operator,
      schema: {
        tags: ["operations"],
        summary:
          "Issue a service key: captures for every tenant of its regions (the secret is in this answer only)",
        body: CreateServiceKeySchema,
        response: { 201: NewServiceKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const k = await serviceKeys.create(request.body, actorOf(currentUser(request), "operator"));
      return reply.status(201).send(k);
    },
  );
  app.post(
    "/api/service-keys/:id/revoke",
    {
      onRequest: operator,
      schema: {
        tags: ["operations"],
        summary: "Revoke a service key at once (its open sharing streams end)",
        params: ServiceKeyIdParams,
        response: { 200: ServiceKeySchema, ...errors },
      },
    },
    async (request) =>
      view(await serviceKeys.revoke(request.params.id, actorOf(currentUser(request), "operator"))),
  );
};
