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

const ReadySchema = Type.Object({
  ok: Type.Boolean(),
  stores: Type.Record(Type.String(), Type.Boolean()),
  unreachable: Type.Array(Type.String({ maxLength: 64 }), { description: "the stores that did not answer" }),
});

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
        summary: "Whether every store answers; `unreachable` names those that do not",
        response: {
          200: ReadySchema,
          503: ReadySchema,
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
      const unreachable = Object.keys(stores).filter((name) => !stores[name]);
      const ok = unreachable.length === 0;
      return reply.status(ok ? 200 : 503).send({ ok, stores, unreachable });
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
