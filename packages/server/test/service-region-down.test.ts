import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ingest, item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type ServiceTenant, serviceKey, serviceTenants, share } from "./service-fixtures.js";

/**
 * SPEC, Multi-tenant services: a region store that is unavailable makes a service key's mixed
 * batch answer 503 with Retry-After; the other regions' items are stored (nothing valid of theirs
 * is lost), and a retry with the same ids stores the rest and finds the others duplicates.
 * The eu store is made unavailable for real: on SQLite another connection holds its write lock
 * (with a short busy timeout, the gate's BEGIN IMMEDIATE fails SQLITE_BUSY); on PostgreSQL the
 * gate's backend, once seen waiting on a lock of the eu schema, is terminated by an administrator
 * (57P01, as when the server restarts).
 */
describe.each(dialects())("a service key's batch with a region store down on %s", (dialect) => {
  let ctx: TestContext;
  let tenants: ServiceTenant[];
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    tenants = await serviceTenants(ctx, { us: 2, eu: 2 });
    for (const t of tenants) await share(ctx, t, true);
    ctx.clock.advance(1000);
  });
  afterAll(async () => ctx?.close());

  const storedIn = async (region: string, tenantId: string) =>
    (
      await ctx.services.stores.regions
        .get(region)!
        .db.selectFrom("interactions")
        .select("client_id")
        .where("tenant_id", "=", tenantId)
        .execute()
    )
      .map((r) => r.client_id)
      .sort();

  /** Runs `during` while the eu store cannot take the batch's transaction. */
  async function withEuDown<T>(during: () => Promise<T>): Promise<T> {
    const eu = ctx.services.stores.regions.get("eu")!;
    if (dialect === "sqlite") {
      const other = new Database(eu.file!);
      eu.sqlite!.pragma("busy_timeout = 50");
      try {
        other.exec("begin immediate");
        return await during();
      } finally {
        other.exec("rollback");
        other.close();
        eu.sqlite!.pragma("busy_timeout = 10000");
      }
    }
    const url = inject("pgUrl")!;
    const locker = new pg.Client({ connectionString: url });
    const admin = new pg.Client({ connectionString: url });
    await locker.connect();
    await admin.connect();
    try {
      await locker.query("begin");
      await locker.query(`lock table "${eu.schema}".sharing_state in access exclusive mode`);
      const { rows } = await locker.query<{ pid: number }>("select pg_backend_pid() as pid");
      const lockerPid = rows[0]!.pid;
      const pending = during();
      // The gate's backend waits behind the lock: terminate it (a restart as the store sees it).
      for (;;) {
        const waiting = await admin.query<{ pid: number }>(
          "select pid from pg_stat_activity where $1 = any(pg_blocking_pids(pid))",
          [lockerPid],
        );
        if (waiting.rows.length > 0) {
          for (const w of waiting.rows) await admin.query("select pg_terminate_backend($1)", [w.pid]);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return await pending;
    } finally {
      await locker.query("rollback").catch(() => {});
      await locker.end();
      await admin.end();
    }
  }

  it("answers 503 with Retry-After, keeps the other region's items, and a retry of the same ids completes", async () => {
    const [us1, us2, eu1, eu2] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant, ServiceTenant];
    const { key } = await serviceKey(ctx);
    const batch = [
      item({ id: "d1", tenant: us1.id }),
      item({ id: "d2", tenant: eu1.externalId }),
      item({ id: "d3", tenant: us2.externalId }),
      item({ id: "d4", tenant: eu2.id }),
      item({ id: "d5", tenant: us1.externalId }),
    ];
    const down = await withEuDown(() => ingest(ctx, key, batch));
    expect(down.statusCode).toBe(503);
    expect(down.headers["retry-after"]).toBe("1");
    expect(down.json()).toMatchObject({ error: "store_unavailable" });
    // The us region's transaction committed; the eu region's never did.
    expect(await storedIn("us", us1.id)).toEqual(["d1", "d5"]);
    expect(await storedIn("us", us2.id)).toEqual(["d3"]);
    expect(await storedIn("eu", eu1.id)).toEqual([]);
    expect(await storedIn("eu", eu2.id)).toEqual([]);

    const retry = await ingest(ctx, key, batch);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ accepted: 2, duplicates: 3, dropped: 0, rejected: [] });
    expect(retry.json().tenants[eu1.id]).toEqual({ sharing: "on", accepted: 1, dropped: 0, duplicates: 0 });
    expect(retry.json().tenants[us1.id]).toEqual({ sharing: "on", accepted: 0, dropped: 0, duplicates: 2 });
    expect(await storedIn("eu", eu1.id)).toEqual(["d2"]);
    expect(await storedIn("eu", eu2.id)).toEqual(["d4"]);
    expect(await storedIn("us", us1.id)).toEqual(["d1", "d5"]);
  });
});
