import { type Kysely, sql } from "kysely";
import type { RegionDb } from "../../stores/region-schema.js";

/** Upper bounds (ms) of the latency histogram; percentiles are read off it. */
export const LATENCY_BOUNDS = [
  50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 30_000, 60_000,
] as const;

export interface FeatureRow {
  readonly feature: string;
  readonly interactions: number;
  readonly tenants: number;
  readonly withLatency: number;
  /** Cumulative counts at each of LATENCY_BOUNDS. */
  readonly latencyBuckets: readonly number[];
  readonly latencyMax: number | null;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly feedbackPositive: number;
  readonly feedbackNegative: number;
  readonly feedbackCount: number;
  readonly feedbackSum: number;
}

export interface Window {
  readonly from: number;
  readonly to: number;
  readonly tenantId: string | null;
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export const insightsRepo = {
  /** One pass over the window's metadata, grouped by feature. Never touches content. */
  async features(db: Kysely<RegionDb>, w: Window): Promise<FeatureRow[]> {
    let q = db
      .selectFrom("interactions")
      .select((eb) => [
        "feature",
        eb.fn.countAll().as("interactions"),
        eb.fn.count("tenant_id").distinct().as("tenants"),
        eb.fn.count("latency_ms").as("with_latency"),
        eb.fn.max("latency_ms").as("latency_max"),
        eb.fn.sum("tokens_in").as("tokens_in"),
        eb.fn.sum("tokens_out").as("tokens_out"),
        sql<number>`sum(case when feedback > 0 then 1 else 0 end)`.as("fb_pos"),
        sql<number>`sum(case when feedback < 0 then 1 else 0 end)`.as("fb_neg"),
        eb.fn.count("feedback").as("fb_count"),
        eb.fn.sum("feedback").as("fb_sum"),
        ...LATENCY_BOUNDS.map((b, i) =>
          sql<number>`sum(case when latency_ms <= ${sql.lit(b)} then 1 else 0 end)`.as(`le_${i}`),
        ),
      ])
      .where("occurred_at", ">", w.from)
      .where("occurred_at", "<=", w.to);
    if (w.tenantId) q = q.where("tenant_id", "=", w.tenantId);
    const rows = (await q.groupBy("feature").orderBy("feature").execute()) as Record<string, unknown>[];
    return rows.map((r) => ({
      feature: String(r.feature),
      interactions: n(r.interactions),
      tenants: n(r.tenants),
      withLatency: n(r.with_latency),
      latencyBuckets: LATENCY_BOUNDS.map((_, i) => n(r[`le_${i}`])),
      latencyMax: r.latency_max === null ? null : n(r.latency_max),
      tokensIn: n(r.tokens_in),
      tokensOut: n(r.tokens_out),
      feedbackPositive: n(r.fb_pos),
      feedbackNegative: n(r.fb_neg),
      feedbackCount: n(r.fb_count),
      feedbackSum: n(r.fb_sum),
    }));
  },

  /** Reviewers' ratings per feature, over labels of interactions in the window. */
  async ratings(
    db: Kysely<RegionDb>,
    w: Window,
  ): Promise<Map<string, { labels: number; ratingSum: number; rated: number }>> {
    let q = db
      .selectFrom("labels as l")
      .innerJoin("interactions as i", (j) =>
        j.onRef("i.tenant_id", "=", "l.tenant_id").onRef("i.id", "=", "l.interaction_id"),
      )
      .select((eb) => [
        "i.feature as feature",
        eb.fn.countAll().as("labels"),
        eb.fn.count("l.rating").as("rated"),
        eb.fn.sum("l.rating").as("rating_sum"),
      ])
      .where("i.occurred_at", ">", w.from)
      .where("i.occurred_at", "<=", w.to);
    if (w.tenantId) q = q.where("i.tenant_id", "=", w.tenantId);
    const rows = await q.groupBy("i.feature").execute();
    return new Map(
      rows.map((r) => [r.feature, { labels: n(r.labels), rated: n(r.rated), ratingSum: n(r.rating_sum) }]),
    );
  },
};
