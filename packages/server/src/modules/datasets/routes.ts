import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso } from "../../http/time.js";
import {
  AddItemsResultSchema,
  AddItemsSchema,
  CreateDatasetSchema,
  DatasetIdParams,
  DatasetItemSchema,
  DatasetSchema,
} from "./schemas.js";
import type { DatasetsService } from "./service.js";
import type { Dataset } from "./types.js";

export interface DatasetsRoutesDeps {
  readonly datasets: DatasetsService;
  readonly guards: Guards;
}

const view = (d: Dataset) => ({ ...d, createdAt: iso(d.createdAt) });

/** Datasets: one region, one declared purpose (never training foundation models), grant-gated. */
export const datasetsRoutes: FastifyPluginAsyncTypebox<DatasetsRoutesDeps> = async (app, deps) => {
  const { datasets } = deps;
  const reviewer = deps.guards.user(["reviewer"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
  const tags = ["datasets"];

  app.post(
    "/api/datasets",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Create a dataset in a region for an allowed purpose (needs a grant in that region)",
        body: CreateDatasetSchema,
        response: { 201: DatasetSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(view(await datasets.create(currentUser(request), request.body))),
  );

  app.get(
    "/api/datasets",
    { onRequest: reviewer, schema: { tags, response: { 200: Type.Array(DatasetSchema), ...errors } } },
    async () => (await datasets.list()).map(view),
  );

  app.get(
    "/api/datasets/:id",
    {
      onRequest: reviewer,
      schema: { tags, params: DatasetIdParams, response: { 200: DatasetSchema, ...errors } },
    },
    async (request) => view(await datasets.get(request.params.id)),
  );

  app.get(
    "/api/datasets/:id/items",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "The interactions a dataset holds: ids, tenant, who added them and when (no content)",
        params: DatasetIdParams,
        response: {
          200: Type.Array(DatasetItemSchema),
          ...errors,
        },
      },
    },
    async (request) =>
      (await datasets.items(request.params.id)).map((i) => ({ ...i, addedAt: iso(i.addedAt) })),
  );

  app.post(
    "/api/datasets/:id/items",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Add interactions (each needs a grant covering its tenant); audited per tenant",
        params: DatasetIdParams,
        body: AddItemsSchema,
        response: { 200: AddItemsResultSchema, ...errors },
      },
    },
    async (request) =>
      datasets.addItems(currentUser(request), request.params.id, request.body.interactionIds),
  );

  app.get(
    "/api/datasets/:id/export",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Export as JSON Lines with content; needs grants for every tenant in it; audited",
        params: DatasetIdParams,
        produces: ["application/x-ndjson"],
        response: { 200: Type.String(), ...errors },
      },
    },
    async (request, reply) => {
      const { dataset, body, count } = await datasets.exportJsonl(currentUser(request), request.params.id);
      return reply
        .header("content-type", "application/x-ndjson; charset=utf-8")
        .header("content-disposition", `attachment; filename="dataset-${dataset.id}.jsonl"`)
        .header("cache-control", "no-store")
        .header("x-assent-items", String(count))
        .send(body);
    },
  );
};
