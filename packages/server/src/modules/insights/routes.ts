import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso } from "../../http/time.js";
import { InsightsQuerySchema, InsightsSchema } from "./schemas.js";
import type { InsightsService } from "./service.js";

export interface InsightsRoutesDeps {
  readonly insights: InsightsService;
  readonly guards: Guards;
}

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
};
