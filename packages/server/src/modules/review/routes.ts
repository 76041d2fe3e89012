import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso } from "../../http/time.js";
import type { InteractionMeta } from "../capture/types.js";
import {
  ComparisonBodySchema,
  CoveredTenantSchema,
  InteractionIdParams,
  LabelBodySchema,
  LabelSchema,
  LabelSchemaSchema,
  QueuePageSchema,
  QueueQuery,
  ReviewedInteractionSchema,
} from "./schemas.js";
import type { ReviewService } from "./service.js";
import type { Label } from "./types.js";

export interface ReviewRoutesDeps {
  readonly review: ReviewService;
  readonly guards: Guards;
}

export const metaView = (m: InteractionMeta) => ({
  id: m.id,
  tenantId: m.tenantId,
  region: m.region,
  clientId: m.clientId,
  feature: m.feature,
  conversationId: m.conversationId,
  occurredAt: iso(m.occurredAt),
  capturedAt: iso(m.capturedAt),
  telemetry: { ...m.telemetry, attributes: { ...m.telemetry.attributes } },
});

const labelView = (l: Label) => ({
  id: l.id,
  interactionId: l.interactionId,
  reviewerId: l.reviewerId,
  grantId: l.grantId,
  rating: l.rating,
  tags: [...l.tags],
  note: l.note,
  correctedOutput: l.correctedOutput,
  kind: l.kind,
  comparedWith: l.comparedWith,
  preference: l.preference,
  createdAt: iso(l.createdAt),
});

/** The reviewer workbench: queue (metadata), audited content reads, labels. All need a grant. */
export const reviewRoutes: FastifyPluginAsyncTypebox<ReviewRoutesDeps> = async (app, deps) => {
  const { review } = deps;
  const reviewer = deps.guards.user(["reviewer"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
  const tags = ["review"];

  app.get(
    "/api/review/label-schema",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "What a label may hold in this program: rating scale, tag vocabulary, corrected output",
        response: { 200: LabelSchemaSchema, ...errors },
      },
    },
    async () => {
      const s = review.labelSchema();
      return { ...s, rating: { ...s.rating, names: [...s.rating.names] }, tags: [...s.tags] };
    },
  );

  app.get(
    "/api/review/tenants",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary:
          "Tenants your active grants open (name and region), for pickers; scope=all: every tenant, to ask for access to one",
        querystring: Type.Object(
          { scope: Type.Optional(Type.Union([Type.Literal("covered"), Type.Literal("all")])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(CoveredTenantSchema),
          ...errors,
        },
      },
    },
    async (request) =>
      request.query.scope === "all" ? review.tenantDirectory() : review.coveredTenants(currentUser(request)),
  );

  app.get(
    "/api/review/interactions",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "The review queue: metadata of interactions your active grants cover, newest first",
        querystring: QueueQuery,
        response: { 200: QueuePageSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await review.queue(currentUser(request), {
        ...(q.tenant ? { tenantId: q.tenant } : {}),
        ...(q.region ? { region: q.region } : {}),
        ...(q.feature ? { feature: q.feature } : {}),
        ...(q.from ? { from: Date.parse(q.from) } : {}),
        ...(q.to ? { to: Date.parse(q.to) } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return { items: page.items.map(metaView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/api/review/interactions/:id",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "One interaction with content; needs a grant covering its region and tenant; audited",
        params: InteractionIdParams,
        response: { 200: ReviewedInteractionSchema, ...errors },
      },
    },
    async (request, reply) => {
      const r = await review.read(currentUser(request), request.params.id);
      void reply.header("cache-control", "no-store");
      return {
        ...metaView(r),
        input: r.input,
        output: r.output,
        grantId: r.grantId,
        labels: r.labels.map(labelView),
      };
    },
  );

  app.post(
    "/api/review/interactions/:id/labels",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary:
          "Label an interaction (rating, tags, note and corrected output sealed with the interaction's key); with queueId its queue item is done",
        params: InteractionIdParams,
        body: LabelBodySchema,
        response: { 201: LabelSchema, ...errors },
      },
    },
    async (request, reply) => {
      const label = await review.addLabel(currentUser(request), request.params.id, request.body);
      return reply.status(201).send(labelView(label));
    },
  );

  app.post(
    "/api/review/comparisons",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary:
          "Compare two interactions of one tenant and feature side by side: a preference label (a, b or tie) on a, audited like a label",
        body: ComparisonBodySchema,
        response: { 201: LabelSchema, ...errors },
      },
    },
    async (request, reply) => {
      const label = await review.compare(currentUser(request), request.body);
      return reply.status(201).send(labelView(label));
    },
  );
};
