import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DAY_MS } from "../../clock.js";
import { type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso } from "../../http/time.js";
import { DataHeldSchema, InsightsQuerySchema, InsightsSchema } from "./schemas.js";
import type { InsightsService } from "./service.js";

export interface InsightsRoutesDeps {
  readonly insights: InsightsService;
  readonly guards: Guards;
}

/** A UTC day number as YYYY-MM-DD. */
const dayIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

const time = (v: string | undefined) => (v === undefined ? undefined : Date.parse(v));

export const insightsRoutes: FastifyPluginAsyncTypebox<InsightsRoutesDeps> = async (app, deps) => {
  app.get(
    "/api/insights/features",
    {
      onRequest: deps.guards.user(["operator"]),
      schema: {
        tags: ["operations"],
        summary:
          "Aggregates per feature: volume, latency percentiles, tokens, feedback, ratings (no content)",
        querystring: InsightsQuerySchema,
        response: { 200: InsightsSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const result = await deps.insights.features({
        region: q.region,
        tenantId: q.tenant,
        from: time(q.from),
        to: time(q.to),
      });
      return { ...result, from: iso(result.from), to: iso(result.to) };
    },
  );

  app.get(
    "/api/tenant/data-held",
    {
      onRequest: deps.guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary:
          "How much of your tenant's shared data is held now: per feature and day, and the oldest item",
        response: { 200: DataHeldSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { tenant } = tenantAdminOf(request);
      const held = await deps.insights.held({ id: tenant.id, region: tenant.region });
      void reply.header("cache-control", "no-store");
      return {
        tenant: tenant.id,
        region: tenant.region,
        interactions: held.interactions,
        labels: held.labels,
        oldest: held.oldest === null ? null : iso(held.oldest),
        features: held.features.map((f) => ({
          feature: f.feature,
          interactions: f.interactions,
          days: f.days.map((d) => ({ day: dayIso(d.day), interactions: d.interactions })),
        })),
      };
    },
  );
};
