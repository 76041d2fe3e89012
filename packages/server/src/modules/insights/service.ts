import { type Clock, DAY_MS } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { badRequest } from "../../errors.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import { type FeatureRow, insightsRepo, LATENCY_BOUNDS } from "./repo.js";

/**
 * Aggregates per feature for operators: volume, latency percentiles, tokens, user feedback and
 * reviewers' ratings. Metadata only — no content is read, so no grant is needed.
 */
export interface FeatureInsight {
  readonly feature: string;
  readonly interactions: number;
  readonly tenants: number;
  /** Upper bound of the histogram bucket holding the percentile; null without latencies. */
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
  };
  readonly tokens: { readonly in: number; readonly out: number };
  readonly feedback: {
    readonly positive: number;
    readonly negative: number;
    readonly average: number | null;
  };
  readonly ratings: { readonly labels: number; readonly average: number | null };
}

export interface InsightsQuery {
  readonly region?: string;
  readonly tenantId?: string;
  readonly from?: number;
  readonly to?: number;
}

export interface InsightsService {
  features(
    query: InsightsQuery,
  ): Promise<{ from: number; to: number; regions: string[]; features: FeatureInsight[] }>;
}

export interface InsightsDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
}

/** The bucket bound where the cumulative count first reaches the percentile. */
export function percentileFromBuckets(
  cumulative: readonly number[],
  total: number,
  max: number | null,
  p: number,
) {
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  for (let i = 0; i < cumulative.length; i++) {
    if ((cumulative[i] ?? 0) >= rank) return LATENCY_BOUNDS[i] ?? null;
  }
  return max;
}

function merge(a: FeatureRow, b: FeatureRow): FeatureRow {
  return {
    feature: a.feature,
    interactions: a.interactions + b.interactions,
    tenants: a.tenants + b.tenants,
    withLatency: a.withLatency + b.withLatency,
    latencyBuckets: a.latencyBuckets.map((v, i) => v + (b.latencyBuckets[i] ?? 0)),
    latencyMax: Math.max(a.latencyMax ?? 0, b.latencyMax ?? 0) || null,
    tokensIn: a.tokensIn + b.tokensIn,
    tokensOut: a.tokensOut + b.tokensOut,
    feedbackPositive: a.feedbackPositive + b.feedbackPositive,
    feedbackNegative: a.feedbackNegative + b.feedbackNegative,
    feedbackCount: a.feedbackCount + b.feedbackCount,
    feedbackSum: a.feedbackSum + b.feedbackSum,
  };
}

export function createInsightsService(deps: InsightsDeps): InsightsService {
  return {
    async features(query) {
      const now = deps.clock.now();
      // Nothing older than the retention period is readable, aggregated or not.
      const oldest = now - deps.program.retentionDays * DAY_MS;
      const from = Math.max(query.from ?? oldest, oldest);
      const to = Math.min(query.to ?? now, now);
      if (from > to) throw badRequest("invalid_window", "from must be before to");
      const regions = query.region ? [query.region] : [...deps.regions.keys()];
      const stores = regions.map((r) => regionStore(deps.regions, r));
      const rows = new Map<string, FeatureRow>();
      const ratings = new Map<string, { labels: number; ratingSum: number; rated: number }>();
      const window = { from, to, tenantId: query.tenantId ?? null };
      for (const { db } of stores) {
        for (const row of await insightsRepo.features(db, window)) {
          const seen = rows.get(row.feature);
          rows.set(row.feature, seen ? merge(seen, row) : row);
        }
        for (const [feature, x] of await insightsRepo.ratings(db, window)) {
          const seen = ratings.get(feature) ?? { labels: 0, ratingSum: 0, rated: 0 };
          ratings.set(feature, {
            labels: seen.labels + x.labels,
            ratingSum: seen.ratingSum + x.ratingSum,
            rated: seen.rated + x.rated,
          });
        }
      }
      const features = [...rows.values()]
        .sort((a, b) => a.feature.localeCompare(b.feature))
        .map((r): FeatureInsight => {
          const rating = ratings.get(r.feature);
          const pct = (p: number) => percentileFromBuckets(r.latencyBuckets, r.withLatency, r.latencyMax, p);
          return {
            feature: r.feature,
            interactions: r.interactions,
            tenants: r.tenants,
            latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
            tokens: { in: r.tokensIn, out: r.tokensOut },
            feedback: {
              positive: r.feedbackPositive,
              negative: r.feedbackNegative,
              average: r.feedbackCount ? r.feedbackSum / r.feedbackCount : null,
            },
            ratings: {
              labels: rating?.labels ?? 0,
              average: rating?.rated ? rating.ratingSum / rating.rated : null,
            },
          };
        });
      return { from, to, regions, features };
    },
  };
}
