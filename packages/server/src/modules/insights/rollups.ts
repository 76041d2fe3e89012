import { dayOf } from "../../clock.js";
import { addTo, bucketOf, type Histogram, mergeInto } from "./histogram.js";

/**
 * What one (tenant, feature, UTC day) of interactions adds up to: the unit insights and "how much
 * is held" read, kept in step with the rows by capture, labelling and every purge. Every field
 * adds and subtracts exactly, so a delete takes out precisely what its rows put in.
 */
export interface Rollup {
  interactions: number;
  latency: Histogram;
  tokensIn: number;
  tokensOut: number;
  finishReasons: Map<string, number>;
  feedbackPositive: number;
  feedbackNegative: number;
  feedbackCount: number;
  feedbackSum: number;
  labels: number;
  rated: number;
  ratingSum: number;
}

export interface RollupKey {
  readonly tenantId: string;
  readonly feature: string;
  readonly day: number;
}

/** Rollups by key; `keyOf` makes the map key. */
export type Rollups = Map<string, { readonly key: RollupKey; readonly rollup: Rollup }>;

/** The metadata of an interaction a rollup counts (column names as stored). */
export interface RolledInteraction {
  readonly tenant_id: string;
  readonly feature: string;
  readonly occurred_at: number | string;
  readonly latency_ms: number | null;
  readonly tokens_in: number | null;
  readonly tokens_out: number | null;
  readonly finish_reason: string | null;
  readonly feedback: number | null;
}

/** A label, with the feature and time of the interaction it is about. */
export interface RolledLabel {
  readonly tenant_id: string;
  readonly feature: string;
  readonly occurred_at: number | string;
  readonly rating: number | null;
}

export const keyOf = (k: RollupKey) => `${k.tenantId}\u0000${k.feature}\u0000${k.day}`;

export function emptyRollup(): Rollup {
  return {
    interactions: 0,
    latency: new Map(),
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

/** Adds `from` (or takes it away, sign -1) into `into`. */
export function mergeRollup(into: Rollup, from: Rollup, sign: 1 | -1 = 1): void {
  into.interactions += sign * from.interactions;
  mergeInto(into.latency, from.latency, sign);
  into.tokensIn += sign * from.tokensIn;
  into.tokensOut += sign * from.tokensOut;
  for (const [r, c] of from.finishReasons) {
    const next = (into.finishReasons.get(r) ?? 0) + sign * c;
    if (next === 0) into.finishReasons.delete(r);
    else into.finishReasons.set(r, next);
  }
  into.feedbackPositive += sign * from.feedbackPositive;
  into.feedbackNegative += sign * from.feedbackNegative;
  into.feedbackCount += sign * from.feedbackCount;
  into.feedbackSum += sign * from.feedbackSum;
  into.labels += sign * from.labels;
  into.rated += sign * from.rated;
  into.ratingSum += sign * from.ratingSum;
}

/** True when nothing is counted any more (the row can go). */
export const isEmptyRollup = (r: Rollup) => r.interactions === 0 && r.labels === 0;

/**
 * The tenant id of the rollup rows that sum every tenant of a region: the all-tenant insights
 * read one row per feature and day instead of one per tenant. Never a real tenant id.
 */
export const ALL_TENANTS = "";

function slot(into: Rollups, tenantId: string, feature: string, day: number): Rollup {
  const key = { tenantId, feature, day };
  const k = keyOf(key);
  let entry = into.get(k);
  if (!entry) {
    entry = { key, rollup: emptyRollup() };
    into.set(k, entry);
  }
  return entry.rollup;
}

/** The tenant's rollup and the region's all-tenant rollup that a row counts in. */
function slots(into: Rollups, tenantId: string, feature: string, occurredAt: number | string): Rollup[] {
  const day = dayOf(Number(occurredAt));
  return [slot(into, tenantId, feature, day), slot(into, ALL_TENANTS, feature, day)];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Folds interactions into per-(tenant, feature, day) rollups and the all-tenant ones. */
export function foldInteractions(rows: Iterable<RolledInteraction>, into: Rollups = new Map()): Rollups {
  for (const row of rows) {
    const latency = num(row.latency_ms);
    const feedback = num(row.feedback);
    for (const r of slots(into, row.tenant_id, row.feature, row.occurred_at)) {
      r.interactions += 1;
      if (latency !== null) addTo(r.latency, bucketOf(latency), 1);
      r.tokensIn += num(row.tokens_in) ?? 0;
      r.tokensOut += num(row.tokens_out) ?? 0;
      if (row.finish_reason !== null) {
        r.finishReasons.set(row.finish_reason, (r.finishReasons.get(row.finish_reason) ?? 0) + 1);
      }
      if (feedback !== null) {
        r.feedbackCount += 1;
        r.feedbackSum += feedback;
        if (feedback > 0) r.feedbackPositive += 1;
        if (feedback < 0) r.feedbackNegative += 1;
      }
    }
  }
  return into;
}

/** Folds labels into the rollups of the interactions they are about. */
export function foldLabels(rows: Iterable<RolledLabel>, into: Rollups = new Map()): Rollups {
  for (const row of rows) {
    const rating = num(row.rating);
    for (const r of slots(into, row.tenant_id, row.feature, row.occurred_at)) {
      r.labels += 1;
      if (rating !== null) {
        r.rated += 1;
        r.ratingSum += rating;
      }
    }
  }
  return into;
}
