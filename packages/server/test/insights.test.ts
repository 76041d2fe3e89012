import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { percentileFromBuckets } from "../src/modules/insights/service.js";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe("percentileFromBuckets", () => {
  it("reads the bucket bound where the cumulative count reaches the rank", () => {
    // 10 values: 4 at ≤50 ms, 5 more at ≤100 ms, one at ≤1000 ms.
    const cumulative = [4, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    expect(percentileFromBuckets(cumulative, 10, 900, 0.4)).toBe(50);
    expect(percentileFromBuckets(cumulative, 10, 900, 0.5)).toBe(100);
    expect(percentileFromBuckets(cumulative, 10, 900, 0.99)).toBe(1000);
    expect(percentileFromBuckets(cumulative, 0, null, 0.5)).toBeNull();
    // Beyond the last bound: the maximum seen.
    expect(percentileFromBuckets(new Array(16).fill(0), 1, 90_000, 0.5)).toBe(90_000);
  });
});

describe.each(dialects())("feature insights on %s", (dialect) => {
  let ctx: TestContext;
  let us: TenantFixture;
  let eu: TenantFixture;
  const marker = `INSIGHTMARKER${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    us = await tenantWithAdmin(ctx, "us");
    eu = await tenantWithAdmin(ctx, "eu");
    await sharedInteractions(ctx, us, 10, (i) => ({
      feature: i < 6 ? "sales.email-draft" : "docs.summarize",
      input: `${marker} ${i}`,
      telemetry: { latencyMs: i < 6 ? 40 + i : 2500, tokensIn: 10, tokensOut: 20, feedback: i % 2 ? 1 : -1 },
    }));
    await sharedInteractions(ctx, eu, 4, () => ({
      feature: "sales.email-draft",
      telemetry: { latencyMs: 80, tokensIn: 5, tokensOut: 5 },
    }));
  });
  afterAll(async () => ctx?.close());

  it("aggregates volume, latency, tokens and feedback per feature across regions, without content", async () => {
    const operator = await staffMember(ctx, ["operator"]);
    const res = await ctx.app.inject({
      method: "GET",
      url: "/api/insights/features",
      headers: { cookie: operator.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(marker);
    const body = res.json();
    expect(body.regions.sort()).toEqual(["eu", "us"]);
    const email = body.features.find((f: { feature: string }) => f.feature === "sales.email-draft");
    expect(email).toMatchObject({
      interactions: 10,
      tenants: 2,
      tokens: { in: 6 * 10 + 4 * 5, out: 6 * 20 + 4 * 5 },
      feedback: { positive: 3, negative: 3 },
    });
    expect(email.latencyMs.p50).toBe(50);
    expect(email.latencyMs.p99).toBe(100);
    const docs = body.features.find((f: { feature: string }) => f.feature === "docs.summarize");
    expect(docs).toMatchObject({ interactions: 4, tenants: 1, latencyMs: { p50: 3000 } });
  });

  it("filters by region and tenant, and includes reviewers' ratings", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
    const store = ctx.services.stores.regions.get("eu")!;
    const ids = await store.db
      .selectFrom("interactions")
      .select("id")
      .where("tenant_id", "=", eu.id)
      .execute();
    for (const [i, rating] of [4, 2].entries()) {
      const label = await ctx.app.inject({
        method: "POST",
        url: `/api/review/interactions/${ids[i]!.id}/labels`,
        headers: { cookie: reviewer.cookie },
        payload: { rating, tags: ["tone"] },
      });
      expect(label.statusCode).toBe(201);
    }
    const operator = await staffMember(ctx, ["operator"]);
    const res = await ctx.app.inject({
      method: "GET",
      url: `/api/insights/features?region=eu&tenant=${eu.id}`,
      headers: { cookie: operator.cookie },
    });
    const body = res.json();
    expect(body.features).toHaveLength(1);
    expect(body.features[0]).toMatchObject({
      feature: "sales.email-draft",
      interactions: 4,
      ratings: { labels: 2, average: 3 },
    });
    const unknown = await ctx.app.inject({
      method: "GET",
      url: "/api/insights/features?region=mars",
      headers: { cookie: operator.cookie },
    });
    expect(unknown.statusCode).toBe(400);
  });

  it("is for operators only", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    for (const cookie of [reviewer.cookie, us.adminCookie]) {
      const res = await ctx.app.inject({ method: "GET", url: "/api/insights/features", headers: { cookie } });
      expect(res.statusCode).toBe(403);
    }
    expect((await ctx.app.inject({ method: "GET", url: "/api/insights/features" })).statusCode).toBe(401);
  });
});
