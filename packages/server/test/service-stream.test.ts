import type { FastifyInstance } from "fastify";
import { Value } from "typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { buildApp } from "../src/app.js";
import { createChangeLog, parseCursor } from "../src/modules/consent/change-log.js";
import { createPollingChangeTail } from "../src/modules/consent/change-tail.js";
import { AllTenantsSharingSchema } from "../src/modules/consent/schemas.js";
import { createServices, type Services } from "../src/wiring.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type ServiceTenant, serviceKey, serviceTenants, share } from "./service-fixtures.js";
import { openEventStream, type SseEvent } from "./sse.js";

const data = (e: SseEvent | undefined) => JSON.parse(e?.data ?? "null");

describe.each(dialects())("all-tenant sharing with a service key on %s", (dialect) => {
  let ctx: TestContext;
  let base: string;
  let tenants: ServiceTenant[];
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    base = await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    tenants = await serviceTenants(ctx, { us: 2, eu: 1 });
  });
  afterAll(async () => ctx?.close());

  const stream = (key: string, lastEventId?: string) =>
    openEventStream(`${base}/v1/sharing/stream`, {
      authorization: `Bearer ${key}`,
      ...(lastEventId ? { "last-event-id": lastEventId } : {}),
    });

  it("answers every sharing tenant of the key's regions with an ETag", async () => {
    const [us1, , eu1] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant];
    await share(ctx, us1, true);
    await share(ctx, eu1, true);
    const all = await serviceKey(ctx);
    const usOnly = await serviceKey(ctx, ["us"]);
    const get = (key: string, etag?: string) =>
      ctx.app.inject({
        method: "GET",
        url: "/v1/sharing",
        headers: { authorization: `Bearer ${key}`, ...(etag ? { "if-none-match": etag } : {}) },
      });
    const res = await get(all.key);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // Sent pre-serialized (cached per change), so the contract is checked here, not by Fastify.
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Value.Check(AllTenantsSharingSchema, body)).toBe(true);
    expect(body.tenants[us1.id]).toMatchObject({ sharing: "on", region: "us", externalId: us1.externalId });
    expect(body.tenants[eu1.id]).toMatchObject({ sharing: "on", region: "eu" });
    expect(body.tenants[tenants[1]!.id]).toBeUndefined();
    expect((await get(usOnly.key)).json().tenants[eu1.id]).toBeUndefined();
    const etag = res.headers.etag as string;
    expect((await get(all.key, etag)).statusCode).toBe(304);
    await share(ctx, us1, false);
    const after = await get(all.key, etag);
    expect(after.statusCode).toBe(200);
    expect(after.json().version).toBeGreaterThan(body.version);
    expect(after.json().tenants[us1.id]).toBeUndefined();
  });

  it("streams a snapshot, then each change within a second, every event with an id", async () => {
    const [us1, us2] = tenants as [ServiceTenant, ServiceTenant];
    const { key } = await serviceKey(ctx);
    const s = stream(key);
    try {
      const [snap] = await s.waitFor(1);
      expect(snap?.event).toBe("snapshot");
      expect(snap?.id).toBe(data(snap).cursor);
      const toggledAt = Date.now();
      await share(ctx, us2, true);
      const events = await s.waitFor(2, 1000);
      expect(Date.now() - toggledAt).toBeLessThan(1000);
      expect(events[1]?.event).toBe("change");
      expect(data(events[1])).toMatchObject({
        tenant: us2.id,
        sharing: "on",
        region: "us",
        externalId: us2.externalId,
      });
      expect(events[1]?.id).not.toBe(snap?.id);

      // Reconnect from the first change: only the changes missed since, not a snapshot.
      const resumeFrom = events[1]?.id as string;
      await s.close();
      await share(ctx, us2, false);
      await share(ctx, us1, true);
      const resumed = stream(key, resumeFrom);
      try {
        const got = await resumed.waitFor(2);
        expect(got.map((e) => e.event)).toEqual(["change", "change"]);
        expect(got.map((e) => [data(e).tenant, data(e).sharing])).toEqual([
          [us2.id, "off"],
          [us1.id, "on"],
        ]);
        await new Promise((r) => setTimeout(r, 300));
        expect(resumed.events).toHaveLength(2);
      } finally {
        await resumed.close();
      }
      // An id that is no cursor at all starts over with a snapshot.
      const fresh = stream(key, "garbage");
      try {
        expect((await fresh.waitFor(1))[0]?.event).toBe("snapshot");
      } finally {
        await fresh.close();
      }
    } finally {
      await s.close();
    }
  });

  it("sends a snapshot to a reader whose changes are no longer kept", async () => {
    const [us1] = tenants as [ServiceTenant];
    // A change log keeping two changes per region, over the same stores.
    const log = createChangeLog({
      tail: createPollingChangeTail({ regions: ctx.services.stores.regions, pollMs: 50 }),
      regions: ["us", "eu"],
      externalIds: async () => new Map(),
      keep: 2,
    });
    try {
      const before = parseCursor((await ctx.services.allTenants.snapshot(["us", "eu"])).body.cursor) as Map<
        string,
        number
      >;
      for (let i = 0; i < 3; i++) await share(ctx, us1, i % 2 !== 0);
      await share(ctx, us1, true);
      const seen: string[] = [];
      expect(await log.subscribe(["us", "eu"], before, (c) => seen.push(c.tenantId))).toBeNull();
      const now = parseCursor((await ctx.services.allTenants.snapshot(["us", "eu"])).body.cursor)!;
      const sub = await log.subscribe(["us", "eu"], now, (c) => seen.push(c.tenantId));
      expect(sub).not.toBeNull();
      expect(seen).toEqual([]);
      sub?.unsubscribe();
    } finally {
      log.close();
    }
  });

  it("ends the stream of a revoked service key", async () => {
    const { id, key } = await serviceKey(ctx);
    const s = stream(key);
    try {
      await s.waitFor(1);
      await ctx.services.serviceKeys.revoke(id, CLI_ACTOR);
      const events = await s.waitFor(2, 3000);
      expect(events[1]?.event).toBe("revoked");
      expect(await s.ended(3000)).toBe(true);
      const res = await fetch(`${base}/v1/sharing/stream`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it("carries a change made by another process over the same stores", async () => {
    const [, , eu1] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant];
    let other: Services | null = null;
    let otherApp: FastifyInstance | null = null;
    try {
      other = await createServices(ctx.services.config, { clock: ctx.clock });
      otherApp = await buildApp(other, { logger: false });
      const { key } = await serviceKey(ctx);
      const s = stream(key);
      try {
        await s.waitFor(1);
        const state = await other.consent.getState(eu1);
        await other.consent.setSharing(eu1, state.sharing !== "on", CLI_ACTOR);
        const events = await s.waitFor(2, 1000);
        expect(data(events[1])).toMatchObject({
          tenant: eu1.id,
          sharing: state.sharing === "on" ? "off" : "on",
        });
      } finally {
        await s.close();
      }
    } finally {
      await otherApp?.close();
      await other?.close();
    }
  });
});
