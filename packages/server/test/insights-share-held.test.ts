import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../src/clock.js";
import { sharedInteractions, signIn, staffMember, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("insights percentiles, opt-in rate and data held on %s", (dialect) => {
  let ctx: TestContext;
  let sharer: TenantFixture;
  let operator: { cookie: string };
  const marker = `HELDMARKER${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    sharer = await tenantWithAdmin(ctx, "us");
    // Two tenants that never share: one in each region.
    await tenantWithAdmin(ctx, "us");
    await tenantWithAdmin(ctx, "eu");
    // 100 latencies 1..100 ms × 10: the true p50 is 500, p95 950, p99 990 — far from any
    // bucket bound a coarse histogram would answer (1,500 / 3,000 / 3,000).
    await sharedInteractions(ctx, sharer, 100, (i) => ({
      feature: "docs.summarize",
      input: `${marker} ${i}`,
      telemetry: { latencyMs: (i + 1) * 10, tokensIn: 3, tokensOut: 7 },
    }));
    ctx.clock.advance(DAY_MS);
    // A day later the admin's session has ended: sign in again.
    sharer = { ...sharer, adminCookie: await signIn(ctx, sharer.adminEmail) };
    await sharedInteractions(ctx, sharer, 5, () => ({ feature: "sales.email-draft" }));
    operator = await staffMember(ctx, ["operator"]);
  });
  afterAll(async () => ctx?.close());

  it("answers real percentiles, token totals, volume per feature and day, and the share of tenants sharing", async () => {
    const res = await ctx.app.inject({
      method: "GET",
      url: "/api/insights/features",
      headers: { cookie: operator.cookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(res.body).not.toContain(marker);
    const docs = body.features.find((f: { feature: string }) => f.feature === "docs.summarize");
    for (const [p, truth] of [
      ["p50", 500],
      ["p95", 950],
      ["p99", 990],
    ] as const) {
      expect(Math.abs(docs.latencyMs[p] - truth)).toBeLessThanOrEqual(truth * 0.01);
    }
    expect(body.totals).toMatchObject({
      interactions: 105,
      tokensIn: 300 + 5 * 312,
      tokensOut: 700 + 5 * 190,
    });
    expect(body.optIn).toMatchObject({ tenants: 3, sharing: 1 });
    expect(body.optIn.rate).toBeCloseTo(1 / 3, 5);
    const days = body.daily.map((d: { day: string; feature: string; interactions: number }) => [
      d.feature,
      d.interactions,
    ]);
    expect(days).toEqual(
      expect.arrayContaining([
        ["docs.summarize", 100],
        ["sales.email-draft", 5],
      ]),
    );
    expect(body.daily[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("shows the tenant admin how much of their data is held now: per feature, per day, the oldest item", async () => {
    const res = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/data-held",
      headers: { cookie: sharer.adminCookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    const held = res.json();
    expect(res.body).not.toContain(marker);
    expect(held).toMatchObject({ tenant: sharer.id, region: "us", interactions: 105, labels: 0 });
    expect(
      held.features.map((f: { feature: string; interactions: number }) => [f.feature, f.interactions]),
    ).toEqual([
      ["docs.summarize", 100],
      ["sales.email-draft", 5],
    ]);
    expect(held.features[1].days).toHaveLength(1);
    const store = ctx.services.stores.regions.get("us")!;
    const oldest = await store.db
      .selectFrom("interactions")
      .select((eb) => eb.fn.min("occurred_at").as("t"))
      .where("tenant_id", "=", sharer.id)
      .executeTakeFirstOrThrow();
    expect(held.oldest).toBe(new Date(Number(oldest.t)).toISOString());
    const staff = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/data-held",
      headers: { cookie: operator.cookie },
    });
    expect(staff.statusCode).toBe(403);
  });
});
