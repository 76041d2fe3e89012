import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import {
  CreatedWebhookSchema,
  CreateWebhookSchema,
  WebhookListSchema,
  WebhookParams,
  WebhookSchema,
} from "./schemas.js";
import type { WebhooksService } from "./service.js";

export interface WebhooksRoutesDeps {
  readonly webhooks: WebhooksService;
  readonly guards: Guards;
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

export const webhooksRoutes: FastifyPluginAsyncTypebox<WebhooksRoutesDeps> = async (app, deps) => {
  const { webhooks, guards } = deps;
  const tags = ["admin center"];

  app.get(
    "/api/tenant/webhooks",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags,
        summary: "The tenant's webhooks for access and deletion events, each with its delivery log",
        response: { 200: WebhookListSchema, ...errors },
      },
    },
    async (request) => ({ items: await webhooks.list(tenantAdminOf(request).tenant) }),
  );

  app.post(
    "/api/tenant/webhooks",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags,
        summary: "Register a URL for access and deletion events (HMAC-signed, retried with backoff)",
        description:
          "Each delivery is a JSON body of ids and metadata (never content) with header Assent-Signature: " +
          "sha256=<hex HMAC-SHA256 of the body with the secret>. The secret is answered once.",
        body: CreateWebhookSchema,
        response: { 201: CreatedWebhookSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tenant, actor } = tenantAdminOf(request);
      return reply.status(201).send(await webhooks.create(tenant, request.body.url, actor));
    },
  );

  app.post(
    "/api/tenant/webhooks/:id/enable",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags,
        summary: "Turn a disabled webhook on again",
        params: WebhookParams,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      return webhooks.enable(tenant, request.params.id, actor);
    },
  );

  app.delete(
    "/api/tenant/webhooks/:id",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags,
        summary: "Remove a webhook and its delivery log",
        params: WebhookParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { tenant, actor } = tenantAdminOf(request);
      await webhooks.remove(tenant, request.params.id, actor);
      return reply.status(204).send(null);
    },
  );
};
