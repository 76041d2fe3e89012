import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../../http/auth.js";
import { ErrorSchema } from "../../../http/schemas.js";
import { iso } from "../../../http/time.js";
import { metaView } from "../routes.js";
import {
  CreateQueueSchema,
  NextSchema,
  QueueIdParams,
  QueueItemParams,
  QueueItemSchema,
  QueueItemsPageSchema,
  QueueItemsQuery,
  QueueSchema,
  SetStateSchema,
} from "./schemas.js";
import type { QueuesService } from "./service.js";
import type { Queue, QueueItem } from "./types.js";

export interface QueuesRoutesDeps {
  readonly queues: QueuesService;
  readonly guards: Guards;
}

const queueView = (q: Queue) => ({
  id: q.id,
  region: q.region,
  name: q.name,
  filter: {
    ...(q.filter.tenantId !== undefined ? { tenant: q.filter.tenantId } : {}),
    ...(q.filter.feature !== undefined ? { feature: q.filter.feature } : {}),
    ...(q.filter.from !== undefined ? { from: iso(q.filter.from) } : {}),
    ...(q.filter.to !== undefined ? { to: iso(q.filter.to) } : {}),
  },
  samplePerFeature: q.samplePerFeature,
  createdBy: q.createdBy,
  createdAt: iso(q.createdAt),
  progress: q.progress,
});

const itemView = (i: QueueItem) => ({
  ...i,
  updatedAt: iso(i.updatedAt),
  interaction: i.interaction ? metaView(i.interaction) : null,
});

const time = (v: string | undefined) => (v === undefined ? undefined : Date.parse(v));

/** Annotation queues: a saved filter sampled into items with a review state; grant-gated, metadata only. */
export const queuesRoutes: FastifyPluginAsyncTypebox<QueuesRoutesDeps> = async (app, deps) => {
  const { queues } = deps;
  const reviewer = deps.guards.user(["reviewer"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
  const tags = ["review"];

  app.post(
    "/api/review/queues",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Create an annotation queue from a filter; `sample` picks N per feature at random",
        body: CreateQueueSchema,
        response: { 201: QueueSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const queue = await queues.create(currentUser(request), {
        region: b.region,
        name: b.name,
        ...(b.tenant !== undefined ? { tenantId: b.tenant } : {}),
        ...(b.feature !== undefined ? { feature: b.feature } : {}),
        ...(b.from !== undefined ? { from: time(b.from) } : {}),
        ...(b.to !== undefined ? { to: time(b.to) } : {}),
        ...(b.sample !== undefined ? { sample: b.sample } : {}),
      });
      return reply.status(201).send(queueView(queue));
    },
  );

  app.get(
    "/api/review/queues",
    { onRequest: reviewer, schema: { tags, response: { 200: Type.Array(QueueSchema), ...errors } } },
    async (request) => (await queues.list(currentUser(request))).map(queueView),
  );

  app.get(
    "/api/review/queues/:id",
    {
      onRequest: reviewer,
      schema: { tags, params: QueueIdParams, response: { 200: QueueSchema, ...errors } },
    },
    async (request) => queueView(await queues.get(currentUser(request), request.params.id)),
  );

  app.get(
    "/api/review/queues/:id/items",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "The queue's items in order with their review state (metadata only)",
        params: QueueIdParams,
        querystring: QueueItemsQuery,
        response: { 200: QueueItemsPageSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await queues.items(currentUser(request), request.params.id, {
        ...(q.state ? { state: q.state } : {}),
        ...(q.after !== undefined ? { after: q.after } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      return { items: page.items.map(itemView), nextAfter: page.nextAfter };
    },
  );

  app.post(
    "/api/review/queues/:id/next",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Your item in review, or the next new one (assigned to you); item null when none is left",
        params: QueueIdParams,
        response: { 200: NextSchema, ...errors },
      },
    },
    async (request) => {
      const r = await queues.next(currentUser(request), request.params.id);
      return { item: r.item ? itemView(r.item) : null, progress: r.progress };
    },
  );

  app.post(
    "/api/review/queues/:id/items/:interactionId",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Set an item's review state: skipped, done, or new (released)",
        params: QueueItemParams,
        body: SetStateSchema,
        response: { 200: QueueItemSchema, ...errors },
      },
    },
    async (request) =>
      itemView(
        await queues.setState(
          currentUser(request),
          request.params.id,
          request.params.interactionId,
          request.body.state,
        ),
      ),
  );
};
