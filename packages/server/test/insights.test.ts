import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/errors.js";
import {
  addTo,
  BUCKETS,
  bucketOf,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  percentile,
  toDense,
} from "../src/modules/insights/histogram.js";
import { createInsightsService } from "../src/modules/insights/service.js";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe("latency histogram", () => {
  it("reads any percentile within 1 % of the true value, and subtracts exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const h: Histogram = new Map();
          for (const v of values) addTo(h, bucketOf(v), 1);
          const sorted = [...values].sort((a, b) => a - b);
          for (const p of [0.5, 0.95, 0.99]) {
            const truth = sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
            const read = percentile(toDense(h), p) as number;
            // Within 1 % of the truth, plus the rounding of the answer to a whole millisecond.
            expect(Math.abs(read - truth)).toBeLessThanOrEqual(truth * 0.01 + 0.5);
          }
          const again = decodeHistogram(encodeHistogram(h));
          for (const v of values) addTo(again, bucketOf(v), -1);
          expect(again.size).toBe(0);
        },
      ),
    );
    expect(percentile(new Float64Array(BUCKETS), 0.5)).toBeNull();
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
    expect(res.statusCode, res.body).toBe(200);
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
    // Latencies 40–45 ms (6) and 80 ms (4): the median is the 5th value, p99 the 10th.
    expect(email.latencyMs.p50).toBe(44);
    expect(email.latencyMs.p99).toBe(80);
    const docs = body.features.find((f: { feature: string }) => f.feature === "docs.summarize");
    expect(docs).toMatchObject({ interactions: 4, tenants: 1 });
    expect(Math.abs(docs.latencyMs.p50 - 2500)).toBeLessThanOrEqual(25);

    // Volume per feature and UTC day, summed over regions (all of it made today here).
    const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    expect(body.daily).toEqual([
      { day: today, feature: "docs.summarize", interactions: 4, tokensIn: 40, tokensOut: 80 },
      { day: today, feature: "sales.email-draft", interactions: 10, tokensIn: 80, tokensOut: 140 },
    ]);
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

  it("answers 503 with Retry-After, instead of running on, once a read is over its budget", async () => {
    const insights = createInsightsService({
      regions: ctx.services.stores.regions,
      clock: ctx.clock,
      program: { retentionDays: 30 },
      countSharing: async () => ({ tenants: 0, sharing: 0 }),
      readBudgetMs: 0,
    });
    const err = await insights.features({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: "read_over_budget", headers: { "retry-after": "5" } });
    const within = createInsightsService({
      regions: ctx.services.stores.regions,
      clock: ctx.clock,
      program: { retentionDays: 30 },
      countSharing: async () => ({ tenants: 0, sharing: 0 }),
    });
    expect((await within.features({})).features.length).toBeGreaterThan(0);
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
