import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Guards, sessionToken, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import type { UsersService } from "../access/service.js";
import { SSE_HEADERS } from "./routes.js";
import type { ConsentService } from "./service.js";
import type { SharingState } from "./types.js";

export interface AdminStreamDeps {
  readonly consent: Pick<ConsentService, "getState" | "subscribe">;
  readonly users: Pick<UsersService, "authenticate">;
  readonly guards: Guards;
  /** How often an open stream re-checks its session, so a signed-out or disabled admin is cut off. */
  readonly sessionCheckMs?: number;
}

/**
 * The admin center's push channel: a `sharing` event (state and version only) at once and on
 * every change of the tenant's setting, by anyone (another admin, a vendor console's API token).
 * The web app refetches what it shows when one arrives.
 */
export const adminStreamRoutes: FastifyPluginAsyncTypebox<AdminStreamDeps> = async (app, deps) => {
  app.get(
    "/api/tenant/sharing/stream",
    {
      onRequest: deps.guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Server-Sent Events: a `sharing` event at once and on every change of the setting",
        description:
          "Each event is `{sharing, version}`. The stream ends (event `ended`) once the session does.",
        response: { 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { tenant } = tenantAdminOf(request);
      const ref = { id: tenant.id, region: tenant.region };
      const state = await deps.consent.getState(ref);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, SSE_HEADERS);
      const send = (s: SharingState) => {
        res.write(
          `id: ${s.version}\nevent: sharing\ndata: ${JSON.stringify({ sharing: s.sharing, version: s.version })}\n\n`,
        );
      };
      res.write("retry: 2000\n\n");
      send(state);
      const unsubscribe = deps.consent.subscribe(ref, send, state.version);
      const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
      ping.unref();
      const token = sessionToken(request) ?? "";
      const sessionCheck = setInterval(async () => {
        const still = await deps.users.authenticate(token).catch(() => request.user ?? null);
        if (still === null || still.disabled) {
          res.write(`event: ended\ndata: {"error":"session_ended"}\n\n`);
          res.end();
        }
      }, deps.sessionCheckMs ?? 5000);
      sessionCheck.unref();
      request.raw.on("close", () => {
        clearInterval(sessionCheck);
        clearInterval(ping);
        unsubscribe();
      });
    },
  );
};
