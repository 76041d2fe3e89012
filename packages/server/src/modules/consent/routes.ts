import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ProgramConfig } from "../../config.js";
import { currentCaller, type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import type { ScopesService } from "../scopes/service.js";
import type { TenantRow } from "../tenants/repo.js";
import type { TenantsService } from "../tenants/service.js";
import type { AllTenantsSharing } from "./all-tenants.js";
import type { AllTenantStreams } from "./all-tenants-stream.js";
import { RETRY, type SharingStreams } from "./open-streams.js";
import {
  AdminSharingSchema,
  AllTenantsSharingSchema,
  MachineSharingSchema,
  ProgramOverviewSchema,
  SetSharingSchema,
} from "./schemas.js";
import type { ConsentService } from "./service.js";
import { createTenantStreams } from "./tenant-streams.js";
import type { SharingState } from "./types.js";
import { machineSharingView, programView, tenantSharingView } from "./views.js";

export interface ConsentRoutesDeps {
  readonly consent: ConsentService;
  readonly tenants: Pick<TenantsService, "regions">;
  /** Every open stream of the process: heartbeats, bounded buffers, revoked keys (open-streams.ts). */
  readonly streams: Pick<SharingStreams, "add">;
  /** The program with its features merged from configuration and the management API. */
  readonly program: () => Promise<ProgramConfig>;
  readonly guards: Guards;
  /** Service keys: every tenant's setting at once, and the all-tenant stream. */
  readonly allTenants: Pick<AllTenantsSharing, "snapshot">;
  readonly allTenantStreams: Pick<AllTenantStreams, "open">;
  /** Scope history for the admin view; excluded subjects' check values for capturing clients. */
  readonly scopes: Pick<ScopesService, "history" | "sdkExclusions">;
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

  const adminView = async (tenant: TenantRow) =>
    tenantSharingView(consent, tenant, await deps.program(), deps.scopes);
  /** A tenant key's view: its state, plus what it needs to drop excluded subjects' items. */
  const keyView = async (s: SharingState) => ({
    ...machineSharingView(s),
    ...(s.sharing === "on" ? await deps.scopes.sdkExclusions({ id: s.tenantId, region: s.region }) : {}),
  });
  const keyEvents = new WeakMap<SharingState, Promise<Buffer>>();
  /** The SSE `sharing` event of a state for tenant keys, read and serialized once per state. */
  const keyEvent = (s: SharingState): Promise<Buffer> => {
    let event = keyEvents.get(s);
    if (event === undefined) {
      event = keyView(s)
        .catch(() => machineSharingView(s))
        .then((view) => Buffer.from(`id: ${s.version}\nevent: sharing\ndata: ${JSON.stringify(view)}\n\n`));
      keyEvents.set(s, event);
    }
    return event;
  };
  /** A tenant's streams of this process share one subscription and each event's bytes. */
  const tenantStreams = createTenantStreams({
    read: (tenant) => consent.getState(tenant),
    subscribe: consent.subscribe,
    event: keyEvent,
  });

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
      const { region: _region, ...program } = programView(await deps.program(), "");
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
      await consent.setSharing(tenant, request.body.enabled, actor, request.body.features);
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
        const { json, etag } = await deps.allTenants.snapshot(caller.key.regions);
        void reply.header("etag", etag).header("cache-control", "no-cache");
        if (request.headers["if-none-match"] === etag) return reply.status(304).send(null);
        // Serialized once per change (all-tenants.ts), not through the response schema per
        // request: at 100,000 tenants that took ~2 s each time.
        // (A Buffer is sent as it is; the typed send only knows the schema's object shapes.)
        return reply.type("application/json; charset=utf-8").send(json as never);
      }
      const { key } = caller;
      const state = await consent.getState({ id: key.tenantId, region: key.region });
      const etag = etagOf(state);
      void reply.header("etag", etag).header("cache-control", "no-cache");
      if (request.headers["if-none-match"] === etag) return reply.status(304).send(null);
      return keyView(state);
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
      const state = await tenantStreams.state(tenant);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, SSE_HEADERS);
      let leave: (() => void) | null = null;
      let ended = false;
      // A key revoked while its stream is open ends the stream: the client reconnects and gets 401.
      const stream = deps.streams.add(res, { kind: "tenant", id: key.keyId }, () => {
        ended = true;
        leave?.();
      });
      stream.send(RETRY);
      if (!ended) leave = tenantStreams.join(tenant, state, stream);
    },
  );
};
