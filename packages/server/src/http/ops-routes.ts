import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import type { Registry } from "prom-client";
import { Type } from "typebox";
import type { Stores } from "../stores/open.js";

export interface OpsRoutesDeps {
  readonly stores: Pick<Stores, "control" | "regions">;
  readonly registry: Registry;
}

async function reachable(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesDeps> = async (app, deps) => {
  app.get(
    "/healthz",
    {
      logLevel: "warn",
      schema: { tags: ["operations"], response: { 200: Type.Object({ ok: Type.Boolean() }) } },
    },
    async () => ({ ok: true }),
  );
  app.get(
    "/readyz",
    {
      logLevel: "warn",
      schema: {
        tags: ["operations"],
        summary: "Whether every store answers",
        response: {
          200: Type.Object({ ok: Type.Boolean(), stores: Type.Record(Type.String(), Type.Boolean()) }),
          503: Type.Object({ ok: Type.Boolean(), stores: Type.Record(Type.String(), Type.Boolean()) }),
        },
      },
    },
    async (_request, reply) => {
      const checks: [string, Promise<boolean>][] = [
        ["control", reachable(() => sql`select 1`.execute(deps.stores.control.db))],
      ];
      for (const [region, store] of deps.stores.regions) {
        checks.push([`region-${region}`, reachable(() => sql`select 1`.execute(store.db))]);
      }
      const stores: Record<string, boolean> = {};
      for (const [name, p] of checks) stores[name] = await p;
      const ok = Object.values(stores).every(Boolean);
      return reply.status(ok ? 200 : 503).send({ ok, stores });
    },
  );
  app.get(
    "/metrics",
    { logLevel: "warn", schema: { tags: ["operations"], hide: false } },
    async (_request, reply) => {
      const body = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(body);
    },
  );
};
