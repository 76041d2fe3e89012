import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorSchema } from "../../http/schemas.js";
import { namingUnknownProperties } from "../../http/strict-body.js";
import { iso, isoOrNull } from "../../http/time.js";
import { type ManagementGuards, managementActor } from "../../http/token-auth.js";
import {
  FeatureBody,
  FeatureIdParams,
  ProgramFeatureListSchema,
  ProgramFeatureSchema,
  RetiredFeatureSchema,
} from "./schemas.js";
import type { ProgramFeature, ProgramFeaturesService, RetiredFeature } from "./service.js";

export interface ProgramFeaturesRoutesDeps {
  readonly features: ProgramFeaturesService;
  readonly scoped: ManagementGuards["scoped"];
}

export const featureView = (f: ProgramFeature) => ({
  id: f.id,
  name: f.name,
  description: f.description,
  source: f.source,
  updatedAt: isoOrNull(f.updatedAt),
  updatedBy: f.updatedBy,
});

const retiredView = (f: RetiredFeature) => ({
  ...featureView(f),
  retiredAt: iso(f.retiredAt),
  retiredBy: f.retiredBy,
});

const security: Record<string, string[]>[] = [{ apiToken: [] }, { session: [] }];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

/**
 * The program's AI features through the management API (SPEC "Consent scopes"): list, declare or
 * change, retire. An operator's session passes too (the Operations screen).
 */
export const programFeaturesRoutes: FastifyPluginAsyncTypebox<ProgramFeaturesRoutesDeps> = async (
  app,
  deps,
) => {
  app.get(
    "/api/program/features",
    {
      onRequest: deps.scoped("sharing:read", { operatorSession: true }),
      schema: {
        tags: ["management"],
        summary:
          "The program's AI features tenants may choose: the configuration's, then those declared through this API",
        security,
        response: { 200: ProgramFeatureListSchema, ...errors },
      },
    },
    async () => ({ items: (await deps.features.list()).map(featureView) }),
  );

  app.put(
    "/api/program/features/:featureId",
    {
      onRequest: deps.scoped("program:write", { operatorSession: true }),
      schemaErrorFormatter: namingUnknownProperties,
      schema: {
        tags: ["management"],
        summary:
          "Declare a feature, or change its name and description (brings a retired one back); 409 for a configured one",
        description:
          "A feature declared later is shared by tenants sharing every feature, and by no tenant that chose features until its admin adds it.",
        security,
        params: FeatureIdParams,
        body: FeatureBody,
        response: { 200: ProgramFeatureSchema, 201: ProgramFeatureSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { feature, created } = await deps.features.upsert(
        request.params.featureId,
        request.body,
        managementActor(request),
      );
      return reply.status(created ? 201 : 200).send(featureView(feature));
    },
  );

  app.delete(
    "/api/program/features/:featureId",
    {
      onRequest: deps.scoped("program:write", { operatorSession: true }),
      schema: {
        tags: ["management"],
        summary:
          "Retire a feature declared through this API: no longer offered to tenant admins (idempotent); 409 for a configured one",
        description:
          "Tenants that chose it keep it in their choice until they change it; items of it are still gated by each tenant's choice.",
        security,
        params: FeatureIdParams,
        response: { 200: RetiredFeatureSchema, ...errors },
      },
    },
    async (request) =>
      retiredView(await deps.features.retire(request.params.featureId, managementActor(request))),
  );
};
