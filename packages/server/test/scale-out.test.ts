import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { notifyChannel } from "../src/stores/postgres.js";
import { item, staffUser, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type ServeProcess, startServe } from "./serve-process.js";
import { serviceKey } from "./service-fixtures.js";
import { openEventStream } from "./sse.js";

/**
 * Two real `assent serve` processes on the same PostgreSQL stores (issue 10, ADR 0010). Their
 * poll interval is a minute, so a change can only arrive within a second by LISTEN/NOTIFY.
 */
const MASTER_KEY = randomBytes(32).toString("base64");

/** `promise`, or a failure naming `step` after `ms`. */
function within<T>(ms: number, step: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.skipIf(!dialects().includes("postgres"))("scale-out on PostgreSQL: two serve processes", () => {
  let ctx: TestContext;
  let a: ServeProcess;
  let b: ServeProcess;
  let tenant: TenantFixture;
  let purged: TenantFixture;

  const serve = () =>
    startServe({
      tenant: false,
      env: {
        ASSENT_CONTROL_STORE: ctx.services.config.controlStore,
        ASSENT_REGIONS: JSON.stringify(ctx.services.config.regions),
        ASSENT_MASTER_KEY: MASTER_KEY,
        ASSENT_LOG_LEVEL: "warn",
      },
      // No per-key rate limit: the concurrent-capture test sends as fast as both processes answer,
      // and a 429 there would say nothing about the gate.
      config: {
        sharingPollMs: 60_000,
        jobs: { intervalSeconds: 1 },
        program: { withdrawalDeleteDays: 0 },
        ingest: { rateLimitPerMinute: 0 },
      },
    });

  const toggle = async (through: ServeProcess, t: TenantFixture, enabled: boolean) => {
    const res = await fetch(`${through.url}/api/tenant/sharing`, {
      method: "PUT",
      headers: { cookie: t.adminCookie, "content-type": "application/json" },
      body: JSON.stringify({ enabled }),
    });
    expect(res.status).toBe(200);
  };

  const capture = (through: ServeProcess, key: string, items: unknown[]) =>
    fetch(`${through.url}/v1/interactions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ interactions: items }),
    });

  const regionDb = () => {
    const store = ctx.services.stores.regions.get("us");
    if (!store) throw new Error("no region us");
    return store.db;
  };

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { regions: ["us"] });
    tenant = await tenantWithAdmin(ctx);
    purged = await tenantWithAdmin(ctx);
    [a, b] = await Promise.all([serve(), serve()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await ctx?.close();
  });

  it("a toggle through one process reaches a tenant key's stream on the other within a second", async () => {
    const stream = openEventStream(`${b.url}/v1/sharing/stream`, { authorization: `Bearer ${tenant.key}` });
    try {
      await stream.waitFor(1);
      for (const [n, enabled] of [true, false, true, false].entries()) {
        await toggle(a, tenant, enabled);
        const t0 = Date.now();
        const events = await stream.waitFor(n + 2, 1000);
        expect(Date.now() - t0).toBeLessThan(1000);
        expect(JSON.parse(events[n + 1]?.data ?? "{}").sharing).toBe(enabled ? "on" : "off");
      }
    } finally {
      await stream.close();
    }
  });

  it("a toggle through one process reaches a service key's stream on the other within a second", async () => {
    const { key } = await serviceKey(ctx);
    const stream = openEventStream(`${b.url}/v1/sharing/stream`, { authorization: `Bearer ${key}` });
    try {
      await stream.waitFor(1);
      expect(stream.events[0]?.event).toBe("snapshot");
      await toggle(a, tenant, true);
      const t0 = Date.now();
      const events = await stream.waitFor(2, 1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(JSON.parse(events[1]?.data ?? "{}")).toMatchObject({ tenant: tenant.id, sharing: "on" });
      await toggle(a, tenant, false);
    } finally {
      await stream.close();
    }
  });

  // This test has hung past its timeout in some full runs, cause not yet found (issue 10): each
  // step is bounded so that a failure names the step.
  it("a revoked key ends its stream on the other process within a second", async () => {
    const made = await within(
      10_000,
      "creating the key",
      ctx.services.tenants.createKey(tenant.id, CLI_ACTOR),
    );
    const operator = await within(10_000, "signing in an operator", staffUser(ctx, ["operator"]));
    const stream = openEventStream(`${b.url}/v1/sharing/stream`, { authorization: `Bearer ${made.key}` });
    try {
      await stream.waitFor(1);
      const res = await fetch(`${a.url}/api/keys/${made.id}/revoke`, {
        method: "POST",
        headers: { cookie: operator.cookie, "x-assent-request": "1" },
        // Bounded, so a hang names this step rather than the test's timeout.
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      const t0 = Date.now();
      await stream.waitFor(2, 1000);
      expect(stream.events[1]?.event).toBe("revoked");
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      await stream.close();
    }
  });

  it("a change made while the listener's connection is down still reaches the stream", async () => {
    const stream = openEventStream(`${b.url}/v1/sharing/stream`, { authorization: `Bearer ${tenant.key}` });
    const admin = new pg.Client({ connectionString: inject("pgUrl") ?? undefined });
    await admin.connect();
    try {
      await stream.waitFor(1);
      const schema = ctx.services.stores.regions.get("us")?.schema ?? null;
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where query = $1 and pid <> pg_backend_pid()",
        [`LISTEN "${notifyChannel(schema)}"`],
      );
      // At least the listener of the process holding the stream (listeners start on first use).
      expect(killed.rowCount).toBeGreaterThanOrEqual(1);
      await toggle(a, tenant, true);
      const events = await stream.waitFor(2, 3000);
      expect(JSON.parse(events[1]?.data ?? "{}").sharing).toBe("on");
      await toggle(a, tenant, false);
      await stream.waitFor(3, 1000);
    } finally {
      await admin.end();
      await stream.close();
    }
  });

  it("concurrent capture through both processes while toggling stores nothing outside a sharing period", async () => {
    let stop = false;
    let sent = 0;
    let accepted = 0;
    // A loop that fails stops every loop and the toggling at once, so the test fails with the
    // loop's own error instead of waiting out its timeout.
    let failure: unknown = null;
    const loop = async (through: ServeProcess) => {
      try {
        while (!stop) {
          const batch = Array.from({ length: 10 }, () => item({ id: `c-${randomBytes(8).toString("hex")}` }));
          const res = await capture(through, tenant.key, batch);
          expect(res.status).toBe(200);
          sent += batch.length;
          accepted += Number(((await res.json()) as { accepted?: number }).accepted ?? 0);
        }
      } catch (err) {
        failure ??= err;
        stop = true;
      }
    };
    const loops = [loop(a), loop(b), loop(a), loop(b)];
    for (let i = 0; i < 10 && !stop; i++) {
      const on = i % 2 === 0;
      await toggle(on ? a : b, tenant, on);
      // Each period takes some captures before it closes, however slow the machine is.
      const before = accepted;
      if (on)
        await vi.waitFor(
          () => {
            if (failure) return;
            expect(accepted).toBeGreaterThan(before);
          },
          { timeout: 50_000, interval: 20 },
        );
    }
    stop = true;
    await Promise.all(loops);
    if (failure) throw failure;
    expect(sent).toBeGreaterThan(0);

    const db = regionDb();
    const outside = await sql<{ n: number }>`
      select count(*)::int as n from interactions i
      where i.tenant_id = ${tenant.id} and not exists (
        select 1 from sharing_periods p
        where p.tenant_id = i.tenant_id and p.id = i.period_id
          and i.captured_at >= p.opted_in_at
          and (p.opted_out_at is null or i.captured_at <= p.opted_out_at))`.execute(db);
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from interactions where tenant_id = ${tenant.id}`.execute(db);
    expect(stored.rows[0]?.n).toBeGreaterThan(0);
    expect(outside.rows[0]?.n).toBe(0);
  }, 90_000);

  it("a withdrawal purge due on both processes runs once", async () => {
    await toggle(a, purged, true);
    const items = Array.from({ length: 25 }, () => item({ id: `p-${randomBytes(8).toString("hex")}` }));
    expect((await capture(b, purged.key, items)).status).toBe(200);
    // withdrawalDeleteDays 0: the purge is due at once, and both processes' jobs run every second.
    await toggle(b, purged, false);
    const db = regionDb();
    const deadline = Date.now() + 20_000;
    let receipts: { details: string }[] = [];
    while (Date.now() < deadline) {
      receipts = (
        await sql<{ details: string }>`
          select details::text as details from audit_events
          where tenant_id = ${purged.id} and action = 'purge.withdrawal'`.execute(db)
      ).rows;
      if (receipts.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Give the other process several job runs in which it could purge the period a second time.
    await new Promise((r) => setTimeout(r, 3000));
    receipts = (
      await sql<{ details: string }>`
        select details::text as details from audit_events
        where tenant_id = ${purged.id} and action = 'purge.withdrawal'`.execute(db)
    ).rows;
    expect(receipts).toHaveLength(1);
    expect(JSON.parse(receipts[0]?.details ?? "{}").interactions).toBe(25);
  }, 40_000);
});
