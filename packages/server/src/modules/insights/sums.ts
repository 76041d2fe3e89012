import type { FeatureRollupTable } from "../../stores/region-schema.js";
import { addEncoded, BUCKETS, type DenseHistogram, percentile } from "./histogram.js";
import type { FeatureInsight } from "./service.js";

/** One feature's totals over the rollup rows of a window (the insights read path). */
export interface FeatureSums {
  interactions: number;
  /** Distinct tenants with interactions (summed over regions: a tenant lives in one). */
  tenants: number;
  readonly latency: DenseHistogram;
  tokensIn: number;
  tokensOut: number;
  readonly finishReasons: Map<string, number>;
  feedbackPositive: number;
  feedbackNegative: number;
  feedbackCount: number;
  feedbackSum: number;
  labels: number;
  rated: number;
  ratingSum: number;
}

export function newSums(): FeatureSums {
  return {
    interactions: 0,
    tenants: 0,
    latency: new Float64Array(BUCKETS),
    tokensIn: 0,
    tokensOut: 0,
    finishReasons: new Map(),
    feedbackPositive: 0,
    feedbackNegative: 0,
    feedbackCount: 0,
    feedbackSum: 0,
    labels: 0,
    rated: 0,
    ratingSum: 0,
  };
}

/** Adds one stored rollup row, decoding its histogram straight into the dense sums. */
export function addRow(f: FeatureSums, row: FeatureRollupTable): void {
  f.interactions += Number(row.interactions);
  addEncoded(row.latency, f.latency);
  f.tokensIn += Number(row.tokens_in);
  f.tokensOut += Number(row.tokens_out);
  if (row.finish_reasons !== "{}") {
    for (const [r, c] of Object.entries(JSON.parse(row.finish_reasons) as Record<string, number>)) {
      f.finishReasons.set(r, (f.finishReasons.get(r) ?? 0) + c);
    }
  }
  f.feedbackPositive += Number(row.feedback_positive);
  f.feedbackNegative += Number(row.feedback_negative);
  f.feedbackCount += Number(row.feedback_count);
  f.feedbackSum += Number(row.feedback_sum);
  f.labels += Number(row.labels);
  f.rated += Number(row.rated);
  f.ratingSum += Number(row.rating_sum);
}

export function toInsight(feature: string, f: FeatureSums): FeatureInsight {
  return {
    feature,
    interactions: f.interactions,
    tenants: f.tenants,
    latencyMs: {
      p50: percentile(f.latency, 0.5),
      p95: percentile(f.latency, 0.95),
      p99: percentile(f.latency, 0.99),
    },
    tokens: { in: f.tokensIn, out: f.tokensOut },
    feedback: {
      positive: f.feedbackPositive,
      negative: f.feedbackNegative,
      average: f.feedbackCount ? f.feedbackSum / f.feedbackCount : null,
    },
    ratings: { labels: f.labels, average: f.rated ? f.ratingSum / f.rated : null },
    finishReasons: Object.fromEntries([...f.finishReasons].sort()),
  };
}
