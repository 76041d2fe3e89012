import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso, isoOrNull } from "../../http/time.js";
import {
  AccessLogQuery,
  AccessLogSchema,
  AuditPageSchema,
  AuditQuery,
  VerifyReportSchema,
} from "./schemas.js";
import type { AccessLogEntry, AuditEvent, AuditService } from "./service.js";

export interface AuditRoutesDeps {
  readonly audit: AuditService;
  readonly guards: Guards;
}

const eventView = (e: AuditEvent) => ({ ...e, at: iso(e.at) });
const accessView = (e: AccessLogEntry) => ({
  ...e,
  at: iso(e.at),
  grantEndsAt: isoOrNull(e.grantEndsAt),
  interactionIds: [...e.interactionIds],
});

export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesDeps> = async (app, deps) => {
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };

  app.get(
    "/api/audit",
    {
      onRequest: deps.guards.user(["operator"]),
      schema: {
        tags: ["operations"],
        summary: "The audit log of one chain (control or region-<name>), newest first",
        querystring: AuditQuery,
        response: { 200: AuditPageSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await deps.audit.listEvents({
        chain: q.chain ?? "control",
        ...(q.tenant ? { tenantId: q.tenant } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.from ? { from: Date.parse(q.from) } : {}),
        ...(q.to ? { to: Date.parse(q.to) } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return { items: page.items.map(eventView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    "/api/audit/verify",
    {
      onRequest: deps.guards.user(["operator"]),
      schema: {
        tags: ["operations"],
        summary:
          "Verify every audit chain, as `assent audit verify` does: recomputed and checked against its signed checkpoints",
        description:
          "Reads each chain in full (in pages); the answer names the first broken entry, or ok. Nothing is changed.",
        response: { 200: VerifyReportSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async () => deps.audit.verify(),
  );

  app.get(
    "/api/tenant/access-log",
    {
      onRequest: deps.guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Access transparency: every staff access to this tenant's shared data, newest first",
        querystring: AccessLogQuery,
        response: { 200: AccessLogSchema, ...errors },
      },
    },
    async (request) => {
      const { tenant } = tenantAdminOf(request);
      const page = await deps.audit.accessLog(tenant, {
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
      });
      return { tenant: tenant.id, items: page.items.map(accessView), nextCursor: page.nextCursor };
    },
  );
};
