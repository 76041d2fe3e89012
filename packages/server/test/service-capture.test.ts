import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { ingest, item } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { type ServiceTenant, serviceKey, serviceTenants, share } from "./service-fixtures.js";

describe.each(dialects())("capture with a service key on %s", (dialect) => {
  let ctx: TestContext;
  let tenants: ServiceTenant[];
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    // Two tenants per region; the first of each region shares, the second does not.
    tenants = await serviceTenants(ctx, { us: 2, eu: 2 });
    await share(ctx, tenants[0]!, true);
    await share(ctx, tenants[2]!, true);
    ctx.clock.advance(1000);
  });
  afterAll(async () => ctx?.close());

  const storedIn = async (region: string, tenantId: string) => {
    const rows = await ctx.services.stores.regions
      .get(region)!
      .db.selectFrom("interactions")
      .select("client_id")
      .where("tenant_id", "=", tenantId)
      .execute();
    return rows.map((r) => r.client_id).sort();
  };

  it("stores a mixed batch per tenant, in each tenant's region, only while that tenant shares", async () => {
    const [usOn, usOff, euOn, euOff] = tenants as [
      ServiceTenant,
      ServiceTenant,
      ServiceTenant,
      ServiceTenant,
    ];
    const { key } = await serviceKey(ctx);
    const batch = [
      item({ id: "m1", tenant: usOn.id }),
      item({ id: "m2", tenant: euOn.externalId }),
      item({ id: "m3", tenant: usOff.externalId }),
      item({ id: "m4", tenant: euOff.id }),
      item({ id: "m5", tenant: usOn.externalId }),
      item({ id: "m6" }),
      item({ id: "m7", tenant: "no-such-tenant" }),
      item({ id: "m8", tenant: euOn.id, feature: "" }),
      item({ id: "m9", tenant: euOn.id }),
    ];
    const res = await ingest(ctx, key, batch);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).not.toHaveProperty("sharing");
    expect(body).toMatchObject({ accepted: 4, dropped: 2, duplicates: 0 });
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([5, 6, 7]);
    expect(body.rejected[0].error).toMatch(/tenant is required/);
    expect(body.rejected[1].error).toMatch(/unknown tenant/);
    expect(body.tenants).toEqual({
      [usOn.id]: { sharing: "on", accepted: 2, dropped: 0, duplicates: 0 },
      [euOn.id]: { sharing: "on", accepted: 2, dropped: 0, duplicates: 0 },
      [usOff.id]: { sharing: "off", accepted: 0, dropped: 1, duplicates: 0 },
      [euOff.id]: { sharing: "off", accepted: 0, dropped: 1, duplicates: 0 },
    });
    expect(await storedIn("us", usOn.id)).toEqual(["m1", "m5"]);
    expect(await storedIn("eu", euOn.id)).toEqual(["m2", "m9"]);
    // Nothing of a tenant lands in the other region's store, nothing of a tenant that is off anywhere.
    expect(await storedIn("eu", usOn.id)).toEqual([]);
    expect(await storedIn("us", euOn.id)).toEqual([]);
    for (const off of [usOff, euOff]) {
      expect(await storedIn("us", off.id)).toEqual([]);
      expect(await storedIn("eu", off.id)).toEqual([]);
    }

    // A retry of the same batch: every stored item is a duplicate, nothing stored twice.
    const again = (await ingest(ctx, key, batch)).json();
    expect(again).toMatchObject({ accepted: 0, dropped: 2, duplicates: 4 });
    expect(again.tenants[usOn.id]).toEqual({ sharing: "on", accepted: 0, dropped: 0, duplicates: 2 });
    expect(await storedIn("us", usOn.id)).toEqual(["m1", "m5"]);
  });

  it("rejects by index the items of tenants outside the key's regions", async () => {
    const [usOn, , euOn] = tenants as [ServiceTenant, ServiceTenant, ServiceTenant];
    const { key } = await serviceKey(ctx, ["us"]);
    const res = await ingest(ctx, key, [
      item({ id: "r1", tenant: euOn.id }),
      item({ id: "r2", tenant: usOn.id }),
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      { index: 0, error: "the tenant's region (eu) is outside the service key's regions" },
    ]);
    expect(Object.keys(body.tenants)).toEqual([usOn.id]);
    expect(await storedIn("eu", euOn.id)).not.toContain("r1");
  });

  it("answers 401 to a revoked service key, and a tenant key keeps its own tenant", async () => {
    const [usOn, usOff] = tenants as [ServiceTenant, ServiceTenant];
    const { id, key } = await serviceKey(ctx);
    expect((await ingest(ctx, key, [item({ tenant: usOn.id })])).statusCode).toBe(200);
    await ctx.services.serviceKeys.revoke(id, CLI_ACTOR);
    const res = await ingest(ctx, key, [item({ tenant: usOn.id })]);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe("invalid_key");

    // A tenant key: its own tenant (by id or external id) or no tenant field; never another tenant.
    const { key: tenantKey } = await ctx.services.tenants.createKey(usOn.id, CLI_ACTOR);
    const mixed = await ingest(ctx, tenantKey, [
      item({ tenant: usOn.externalId }),
      item({ tenant: usOff.id }),
      item({}),
    ]);
    expect(mixed.json()).toMatchObject({ sharing: "on", accepted: 2 });
    expect(mixed.json().rejected.map((r: { index: number }) => r.index)).toEqual([1]);
    expect(mixed.json()).not.toHaveProperty("tenants");
  });

  it("manages service keys over the API for operators, audited", async () => {
    const operator = await ctx.services.users.createUser(
      {
        email: `op-${Date.now()}@vendor.example`,
        password: "correct horse battery staple",
        roles: ["operator"],
      },
      CLI_ACTOR,
    );
    const { token } = await ctx.services.users.signIn(operator.email, "correct horse battery staple");
    const cookie = `assent_session=${token}`;
    const created = await ctx.app.inject({
      method: "POST",
      url: "/api/service-keys",
      headers: { cookie },
      payload: { name: "copilot", regions: ["eu"] },
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json();
    expect(key).toMatch(/^assk_/);
    const bad = await ctx.app.inject({
      method: "POST",
      url: "/api/service-keys",
      headers: { cookie },
      payload: { name: "x", regions: ["mars"] },
    });
    expect(bad.statusCode).toBe(400);
    const list = (
      await ctx.app.inject({ method: "GET", url: "/api/service-keys", headers: { cookie } })
    ).json();
    const listed = list.find((k: { id: string }) => k.id === id);
    expect(listed).toMatchObject({ name: "copilot", regions: ["eu"], revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(key);
    const revoked = await ctx.app.inject({
      method: "POST",
      url: `/api/service-keys/${id}/revoke`,
      headers: { cookie },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const audit = await ctx.services.stores.control.db
      .selectFrom("audit_events")
      .select(["action", "actor_id"])
      .where("target_id", "=", id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["service-key.create", "service-key.revoke"]);
    expect(audit.every((a) => a.actor_id === operator.id)).toBe(true);
  });
});
