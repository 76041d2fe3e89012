import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ProgramConfig } from "../../config.js";
import { currentCaller, type Guards, tenantAdminOf } from "../../http/auth.js";
import { bearerCredential } from "../../http/credentials.js";
import { ErrorSchema } from "../../http/schemas.js";
import type { TenantRow } from "../tenants/repo.js";
import type { TenantsService } from "../tenants/service.js";
import type { AllTenantsSharing } from "./all-tenants.js";
import type { AllTenantStreams } from "./all-tenants-stream.js";
import {
  AdminSharingSchema,
  AllTenantsSharingSchema,
  MachineSharingSchema,
  ProgramOverviewSchema,
  SetSharingSchema,
} from "./schemas.js";
import type { ConsentService } from "./service.js";
import type { SharingState } from "./types.js";
import { machineSharingView, programView, tenantSharingView } from "./views.js";

export interface ConsentRoutesDeps {
  readonly consent: ConsentService;
  readonly tenants: Pick<TenantsService, "authenticateKey" | "regions">;
  /** How often an open stream re-checks its key, so a revoked key is cut off. */
  readonly streamKeyCheckMs?: number;
  readonly program: ProgramConfig;
  readonly guards: Guards;
  /** Service keys: every tenant's setting at once, and the all-tenant stream. */
  readonly allTenants: Pick<AllTenantsSharing, "snapshot">;
  readonly allTenantStreams: Pick<AllTenantStreams, "open">;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

const etagOf = (s: SharingState) => `"${s.tenantId}-${s.version}-${s.sharing}"`;

export const consentRoutes: FastifyPluginAsyncTypebox<ConsentRoutesDeps> = async (app, deps) => {
  const { consent, guards } = deps;

  const adminView = (tenant: TenantRow) => tenantSharingView(consent, tenant, deps.program);

  app.get(
    "/api/tenant/sharing",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "The data-sharing setting of the signed-in admin's tenant, with its history",
        response: { 200: AdminSharingSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => adminView(tenantAdminOf(request).tenant),
  );

  app.get(
    "/api/program",
    {
      onRequest: guards.user([]),
      schema: {
        tags: ["admin center"],
        summary: "The data-sharing program and the regions it runs in (for forms and notices)",
        response: { 200: ProgramOverviewSchema, 401: ErrorSchema },
      },
    },
    async () => {
      const { region: _region, ...program } = programView(deps.program, "");
      return { program, regions: deps.tenants.regions() };
    },
  );

  app.put(
    "/api/tenant/sharing",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Turn sharing on or off (takes effect at once)",
        body: SetSharingSchema,
        response: { 200: AdminSharingSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      await consent.setSharing(tenant, request.body.enabled, actor);
      return adminView(tenant);
    },
  );

  app.get(
    "/v1/sharing",
    {
      onRequest: guards.ingestKey,
      schema: {
        tags: ["ingestion"],
        summary:
          "The sharing state of the ingestion key's tenant (a service key: of every tenant that shares)",
        security: [{ ingestionKey: [] }],
        response: {
          200: Type.Union([MachineSharingSchema, AllTenantsSharingSchema]),
          304: Type.Null(),
          401: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const caller = currentCaller(request);
      if (caller.kind === "service") {
        const { body, etag } = await deps.allTenants.snapshot(caller.key.regions);
        void reply.header("etag", etag).header("cache-control", "no-cache");
        if (request.headers["if-none-match"] === etag) return reply.status(304).send(null);
        return body;
      }
      const { key } = caller;
      const state = await consent.getState({ id: key.tenantId, region: key.region });
      const etag = etagOf(state);
      void reply.header("etag", etag).header("cache-control", "no-cache");
      if (request.headers["if-none-match"] === etag) return reply.status(304).send(null);
      return machineSharingView(state);
    },
  );

  app.get(
    "/v1/sharing/stream",
    {
      onRequest: guards.ingestKey,
      schema: {
        tags: ["ingestion"],
        summary: "Server-Sent Events: a `sharing` event at once and on every change",
        description:
          "With a service key: a `snapshot` event (the body of GET /v1/sharing), then one `change` event per change " +
          "of one tenant; every event has an id, and a reconnect with Last-Event-ID gets only the missed changes " +
          "(or a new snapshot when they are no longer kept).",
        security: [{ ingestionKey: [] }],
      },
    },
    async (request, reply) => {
      const caller = currentCaller(request);
      if (caller.kind === "service") {
        reply.hijack();
        reply.raw.writeHead(200, SSE_HEADERS);
        const lastEventId = request.headers["last-event-id"];
        await deps.allTenantStreams.open(
          reply.raw,
          caller.key,
          typeof lastEventId === "string" ? lastEventId : undefined,
        );
        return;
      }
      const { key } = caller;
      const tenant = { id: key.tenantId, region: key.region };
      const state = await consent.getState(tenant);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, SSE_HEADERS);
      const send = (s: SharingState) => {
        res.write(`id: ${s.version}\nevent: sharing\ndata: ${JSON.stringify(machineSharingView(s))}\n\n`);
      };
      res.write("retry: 1000\n\n");
      send(state);
      const unsubscribe = consent.subscribe(tenant, send, state.version);
      const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
      ping.unref();
      // A key revoked while its stream is open ends the stream: the client reconnects and gets 401.
      const secret = bearerCredential(request.headers.authorization) ?? "";
      const keyCheck = setInterval(async () => {
        const still = await deps.tenants.authenticateKey(secret).catch(() => key);
        if (still === null) {
          res.write(`event: revoked\ndata: {"error":"invalid_key"}\n\n`);
          res.end();
        }
      }, deps.streamKeyCheckMs ?? 5000);
      keyCheck.unref();
      request.raw.on("close", () => {
        clearInterval(keyCheck);
        clearInterval(ping);
        unsubscribe();
      });
    },
  );
};
