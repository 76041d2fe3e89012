/**
 * Bulk seeding for the multi-tenant benchmarks: tens of thousands of tenants written straight
 * into the stores, in a few transactions, with fsync off meanwhile. Made through the services
 * one by one they would take minutes; what is measured is reading and following their sharing
 * state, not creating them. Rows as the tenants and consent services write them.
 */
import { sql } from "kysely";
import { newId } from "../../packages/server/src/ids.js";
import type { Services } from "../../packages/server/src/wiring.js";

export interface SeededTenant {
  readonly id: string;
  readonly region: string;
  readonly externalId: string;
}

const CHUNK = 500;

/** `count` tenants spread over `regions`, every `shareEvery`-th one sharing since `now`. */
export async function seedTenants(
  services: Services,
  opts: { count: number; regions: readonly string[]; shareEvery: number; prefix: string },
): Promise<SeededTenant[]> {
  const { stores } = services;
  const now = Date.now();
  const tenants: SeededTenant[] = Array.from({ length: opts.count }, (_, i) => ({
    id: `${opts.prefix}${i}`,
    region: opts.regions[i % opts.regions.length] as string,
    externalId: `ext-${opts.prefix}${i}`,
  }));
  const all = [stores.control, ...stores.regions.values()];
  for (const s of all) await sql`pragma synchronous = OFF`.execute(s.db);
  try {
    await stores.control.db.transaction().execute(async (trx) => {
      for (let i = 0; i < tenants.length; i += CHUNK) {
        await trx
          .insertInto("tenants")
          .values(
            tenants.slice(i, i + CHUNK).map((t) => ({
              id: t.id,
              name: `Bench tenant ${t.id}`,
              region: t.region,
              external_id: t.externalId,
              created_at: now,
              created_by: null,
            })),
          )
          .execute();
      }
    });
    for (const region of opts.regions) {
      const store = stores.regions.get(region);
      if (!store) throw new Error(`no store for region ${region}`);
      const mine = tenants
        .map((t, i) => ({ t, on: i % opts.shareEvery === 0 }))
        .filter((x) => x.t.region === region);
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < mine.length; i += CHUNK) {
          const chunk = mine.slice(i, i + CHUNK).map((x) => ({ ...x, periodId: x.on ? newId() : null }));
          const periods = chunk.filter((x) => x.periodId !== null);
          if (periods.length > 0) {
            await trx
              .insertInto("sharing_periods")
              .values(
                periods.map((x) => ({
                  tenant_id: x.t.id,
                  id: x.periodId as string,
                  opted_in_at: now,
                  opted_in_by: "bench",
                  opted_out_at: null,
                  opted_out_by: null,
                  delete_by: null,
                  deleted_at: null,
                  receipt: null,
                })),
              )
              .execute();
          }
          await trx
            .insertInto("sharing_state")
            .values(
              chunk.map((x) => ({
                tenant_id: x.t.id,
                enabled: x.on ? 1 : 0,
                since: now,
                period_id: x.periodId,
                version: x.on ? 1 : 0,
              })),
            )
            .execute();
        }
      });
    }
  } finally {
    for (const s of all) await sql`pragma synchronous = FULL`.execute(s.db);
  }
  return tenants;
}
