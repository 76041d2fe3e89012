import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { EvidenceBundleSchema, JwksSchema, NoticeStatusSchema } from "./schemas.js";
import type { EvidenceService } from "./service.js";

export interface EvidenceRoutesDeps {
  readonly evidence: EvidenceService;
  readonly guards: Guards;
}

export const evidenceRoutes: FastifyPluginAsyncTypebox<EvidenceRoutesDeps> = async (app, deps) => {
  const { evidence, guards } = deps;

  app.get(
    "/.well-known/assent-keys.json",
    {
      schema: {
        tags: ["evidence"],
        summary: "The public keys that sign consent records, deletion receipts and audit checkpoints (JWKS)",
        response: { 200: JwksSchema },
      },
    },
    async (_request, reply) => {
      void reply.header("cache-control", "public, max-age=300");
      return evidence.jwks();
    },
  );

  app.get(
    "/api/tenant/evidence",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "The tenant's evidence bundle: signed consent records and receipts, access log, public keys",
        description: "Verify it offline with `assent evidence verify FILE` (docs/evidence.md).",
        response: { 200: EvidenceBundleSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { tenant } = tenantAdminOf(request);
      void reply.header("content-disposition", `attachment; filename="assent-evidence-${tenant.id}.json"`);
      const bundle = await evidence.bundle(tenant);
      // Object spreads: the response schema takes each record whole, as a plain object.
      return {
        ...bundle,
        records: bundle.records.map((r) => ({ ...r })),
        receipts: bundle.receipts.map((r) => ({ ...r })),
        accessLog: bundle.accessLog.map((e) => ({ ...e })),
      };
    },
  );

  app.get(
    "/api/tenant/notice",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "The program's notice: the version the tenant accepted, the current one and what changed",
        response: { 200: NoticeStatusSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => evidence.noticeStatus(tenantAdminOf(request).tenant),
  );

  app.post(
    "/api/tenant/notice/accept",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Accept the current notice: new purposes apply to the tenant from now on (a consent record)",
        response: { 200: NoticeStatusSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      return evidence.acceptNotice(tenant, actor);
    },
  );
};
