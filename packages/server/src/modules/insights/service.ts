import { type Clock, DAY_MS, dayOf } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { badRequest } from "../../errors.js";
import { readBudget } from "../../read-budget.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import { type DailyVolume, dailyVolumes } from "./daily.js";
import { rollupRepo } from "./rollup-repo.js";
import { addRow, type FeatureSums, newSums, toInsight } from "./sums.js";

/**
 * Aggregates per feature for operators: volume, latency percentiles, tokens, user feedback and
 * reviewers' ratings. Read from the feature rollups only (never the interactions, never content),
 * over whole UTC days, so the cost depends on tenants × features × days, not on row counts.
 */
export interface FeatureInsight {
  readonly feature: string;
  readonly interactions: number;
  readonly tenants: number;
  /** Within 1 % of the true percentile (see histogram.ts); null without latencies. */
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
  readonly finishReasons: Readonly<Record<string, number>>;
}

/** The share of tenants sharing now, over the regions read. */
export interface SharingShare {
  readonly tenants: number;
  readonly sharing: number;
  /** sharing / tenants, null without tenants. */
  readonly rate: number | null;
}

export interface InsightsQuery {
  readonly region?: string;
  readonly tenantId?: string;
  readonly from?: number;
  readonly to?: number;
}

export interface InsightsService {
  /** Window [from, to) as whole UTC days: the day of `from` (after retention) to the day of `to`. */
  features(query: InsightsQuery): Promise<{
    from: number;
    to: number;
    regions: string[];
    features: FeatureInsight[];
    totals: { interactions: number; tokensIn: number; tokensOut: number };
    /** Volume per feature and UTC day, for charts. */
    daily: DailyVolume[];
    /** The share of tenants of the regions read that share now (the opt-in rate). */
    optIn: SharingShare;
  }>;
  /** What the store holds of one tenant now: per feature and day (rollups), and its oldest item. */
  held(tenant: { id: string; region: string }): Promise<DataHeld>;
  /** Folds rows stored before the rollups existed into them, once per region store. */
  foldPendingRollups(): Promise<void>;
}

export interface DataHeld {
  readonly interactions: number;
  readonly labels: number;
  /** occurredAt of the oldest interaction held, or null when none is. */
  readonly oldest: number | null;
  readonly features: readonly {
    readonly feature: string;
    readonly interactions: number;
    readonly days: readonly { readonly day: number; readonly interactions: number }[];
  }[];
}

export interface InsightsDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  /** A request over this answers 503 with Retry-After (default 2,000 ms). */
  readonly readBudgetMs?: number;
  /** Tenants of a region and how many share now (the opt-in rate). */
  readonly countSharing: (region: string) => Promise<{ tenants: number; sharing: number }>;
}

export function createInsightsService(deps: InsightsDeps): InsightsService {
  return {
    async foldPendingRollups() {
      for (const store of deps.regions.values()) await rollupRepo.foldPending(store.db, store.dialect);
    },

    async features(query) {
      const now = deps.clock.now();
      // Nothing older than the retention period is readable, aggregated or not: the first day
      // read is the first one wholly inside it.
      const oldestDay = Math.ceil((now - deps.program.retentionDays * DAY_MS) / DAY_MS);
      const fromDay = Math.max(query.from === undefined ? oldestDay : dayOf(query.from), oldestDay);
      const toDay = dayOf(Math.min(query.to ?? now, now));
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
        throw badRequest("invalid_window", "from must be before to");
      }
      const regions = query.region ? [query.region] : [...deps.regions.keys()];
      const stores = regions.map((r) => regionStore(deps.regions, r));
      const budget = readBudget("GET /api/insights/features", deps.readBudgetMs ?? 2000);
      const perFeature = new Map<string, FeatureSums>();
      const sumsOf = (feature: string) => {
        let f = perFeature.get(feature);
        if (!f) {
          f = newSums();
          perFeature.set(feature, f);
        }
        return f;
      };
      const w = { fromDay, toDay, tenantId: query.tenantId ?? null };
      const daily = dailyVolumes();
      const share = { tenants: 0, sharing: 0 };
      for (const [i, { db }] of stores.entries()) {
        // At most features × retention days rows (one tenant's, or the all-tenant ones).
        const [rows, tenants] = await Promise.all([
          rollupRepo.read(db, w),
          rollupRepo.tenantsPerFeature(db, w),
        ]);
        for (const row of rows) {
          addRow(sumsOf(row.feature), row);
          daily.add(row);
        }
        const c = await deps.countSharing(regions[i] as string);
        share.tenants += c.tenants;
        share.sharing += c.sharing;
        for (const [feature, count] of tenants) sumsOf(feature).tenants += count;
        await budget.next();
      }
      const features = [...perFeature]
        .filter(([, f]) => f.interactions > 0)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([feature, f]) => toInsight(feature, f));
      const totals = { interactions: 0, tokensIn: 0, tokensOut: 0 };
      for (const f of features) {
        totals.interactions += f.interactions;
        totals.tokensIn += f.tokens.in;
        totals.tokensOut += f.tokens.out;
      }
      return {
        from: fromDay * DAY_MS,
        to: (toDay + 1) * DAY_MS,
        regions,
        features,
        totals,
        daily: daily.rows(),
        optIn: { ...share, rate: share.tenants ? share.sharing / share.tenants : null },
      };
    },

    async held(tenant) {
      const db = regionStore(deps.regions, tenant.region).db;
      const [rows, oldest] = await Promise.all([
        rollupRepo.read(db, {
          fromDay: 0,
          toDay: 2_147_483_647,
          tenantId: tenant.id,
        }),
        rollupRepo.oldestHeld(db, tenant.id),
      ]);
      const byFeature = new Map<
        string,
        { interactions: number; days: { day: number; interactions: number }[] }
      >();
      let interactions = 0;
      let labels = 0;
      for (const r of rows) {
        const n = Number(r.interactions);
        interactions += n;
        labels += Number(r.labels);
        if (n === 0) continue;
        let f = byFeature.get(r.feature);
        if (!f) {
          f = { interactions: 0, days: [] };
          byFeature.set(r.feature, f);
        }
        f.interactions += n;
        f.days.push({ day: Number(r.day), interactions: n });
      }
      return {
        interactions,
        labels,
        oldest,
        features: [...byFeature]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([feature, f]) => ({
            feature,
            interactions: f.interactions,
            days: f.days.sort((a, b) => a.day - b.day),
          })),
      };
    },
  };
}
