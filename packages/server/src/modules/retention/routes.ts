import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ProgramConfig } from "../../config.js";
import { type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { AdminSharingSchema } from "../consent/schemas.js";
import type { ConsentService } from "../consent/service.js";
import { adminSharingView } from "../consent/views.js";
import { ReceiptListQuery, ReceiptListSchema } from "./schemas.js";
import type { RetentionService } from "./service.js";

export interface RetentionRoutesDeps {
  readonly retention: Pick<RetentionService, "deleteNow" | "listReceipts">;
  readonly consent: Pick<ConsentService, "getState" | "periods">;
  /** The program with its features merged from configuration and the management API. */
  readonly program: () => Promise<ProgramConfig>;
  readonly guards: Guards;
}

export const retentionRoutes: FastifyPluginAsyncTypebox<RetentionRoutesDeps> = async (app, deps) => {
  app.post(
    "/api/tenant/sharing/delete-now",
    {
      onRequest: deps.guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Delete now: purge the data of every closed sharing period at once (sharing must be off)",
        description:
          "Destroys the periods' data keys, then deletes their interactions, labels and dataset items, and " +
          "records a deletion receipt per period (shown in periods[].receipt). Answers like GET " +
          "/api/tenant/sharing; 409 while sharing is on.",
        response: { 200: AdminSharingSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      await deps.retention.deleteNow(tenant, actor);
      const [state, periods] = await Promise.all([
        deps.consent.getState(tenant),
        deps.consent.periods(tenant),
      ]);
      return adminSharingView(tenant, state, periods, await deps.program());
    },
  );

  app.get(
    "/api/tenant/deletion-receipts",
    {
      onRequest: deps.guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Deletion receipts of the tenant (withdrawal, delete-now and retention), newest first",
        querystring: ReceiptListQuery,
        response: { 200: ReceiptListSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => {
      const { tenant } = tenantAdminOf(request);
      return deps.retention.listReceipts(tenant, {
        limit: request.query.limit ?? 100,
        cursor: request.query.cursor ?? null,
      });
    },
  );
};
