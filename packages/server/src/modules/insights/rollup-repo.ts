import { type Kysely, sql } from "kysely";
import type { FeatureRollupTable, RegionDb } from "../../stores/region-schema.js";
import { type Dialect, forUpdate } from "../../stores/store.js";
import { decodeHistogram, encodeHistogram } from "./histogram.js";
import {
  ALL_TENANTS,
  emptyRollup,
  foldInteractions,
  foldLabels,
  isEmptyRollup,
  keyOf,
  mergeRollup,
  type RolledInteraction,
  type RolledLabel,
  type Rollup,
  type RollupKey,
  type Rollups,
} from "./rollups.js";

type Db = Kysely<RegionDb>;

/** Keys per statement: 15 columns each, well inside both dialects' parameter limits. */
const CHUNK = 200;
/** Rows per read when folding a whole store. */
const FOLD_CHUNK = 20_000;

const n = (v: unknown) => Number(v ?? 0);

export function toRollup(row: FeatureRollupTable): Rollup {
  const finish = JSON.parse(row.finish_reasons) as Record<string, number>;
  return {
    interactions: n(row.interactions),
    latency: decodeHistogram(row.latency),
    tokensIn: n(row.tokens_in),
    tokensOut: n(row.tokens_out),
    finishReasons: new Map(Object.entries(finish)),
    feedbackPositive: n(row.feedback_positive),
    feedbackNegative: n(row.feedback_negative),
    feedbackCount: n(row.feedback_count),
    feedbackSum: n(row.feedback_sum),
    labels: n(row.labels),
    rated: n(row.rated),
    ratingSum: n(row.rating_sum),
  };
}

function toRow(k: RollupKey, r: Rollup): FeatureRollupTable {
  return {
    tenant_id: k.tenantId,
    feature: k.feature,
    day: k.day,
    interactions: r.interactions,
    latency: encodeHistogram(r.latency),
    tokens_in: r.tokensIn,
    tokens_out: r.tokensOut,
    finish_reasons: JSON.stringify(Object.fromEntries([...r.finishReasons].sort())),
    feedback_positive: r.feedbackPositive,
    feedback_negative: r.feedbackNegative,
    feedback_count: r.feedbackCount,
    feedback_sum: r.feedbackSum,
    labels: r.labels,
    rated: r.rated,
    rating_sum: r.ratingSum,
  };
}

const keyList = (keys: readonly RollupKey[]) =>
  sql<boolean>`(tenant_id, feature, day) in (${sql.join(keys.map((k) => sql`(${k.tenantId}, ${k.feature}, ${k.day})`))})`;

const UPDATED_COLUMNS = [
  "interactions",
  "latency",
  "tokens_in",
  "tokens_out",
  "finish_reasons",
  "feedback_positive",
  "feedback_negative",
  "feedback_count",
  "feedback_sum",
  "labels",
  "rated",
  "rating_sum",
] as const;

async function applyChunk(trx: Db, entries: Rollups, sign: 1 | -1): Promise<void> {
  const keys = [...entries.values()].map((e) => e.key);
  // Make the missing rows and lock the existing ones (a no-op update), in key order: two
  // transactions on the same tenant, feature and day then add up instead of one overwriting the
  // other, and always lock in the same order (no deadlock). The read below sees the latest.
  await trx
    .insertInto("feature_rollups")
    .values(keys.map((k) => toRow(k, emptyRollup())))
    .onConflict((oc) =>
      oc
        .columns(["tenant_id", "feature", "day"])
        .doUpdateSet((eb) => ({ interactions: eb.ref("feature_rollups.interactions") })),
    )
    .execute();
  const current = await trx.selectFrom("feature_rollups").selectAll().where(keyList(keys)).execute();
  const keep: FeatureRollupTable[] = [];
  const drop: RollupKey[] = [];
  for (const row of current) {
    const key = { tenantId: row.tenant_id, feature: row.feature, day: n(row.day) };
    const delta = entries.get(keyOf(key));
    if (!delta) continue;
    const r = toRollup(row);
    mergeRollup(r, delta.rollup, sign);
    if (isEmptyRollup(r)) drop.push(key);
    else keep.push(toRow(key, r));
  }
  if (keep.length > 0) {
    await trx
      .insertInto("feature_rollups")
      .values(keep)
      .onConflict((oc) =>
        oc
          .columns(["tenant_id", "feature", "day"])
          .doUpdateSet((eb) => Object.fromEntries(UPDATED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
      )
      .execute();
  }
  if (drop.length > 0) await trx.deleteFrom("feature_rollups").where(keyList(drop)).execute();
}

/** The interaction columns a rollup counts, for `returning` and selects. */
export const ROLLED_COLUMNS = [
  "tenant_id",
  "feature",
  "occurred_at",
  "latency_ms",
  "tokens_in",
  "tokens_out",
  "finish_reason",
  "feedback",
] as const;

function byKey(rows: readonly FeatureRollupTable[]): Rollups {
  const out: Rollups = new Map();
  for (const row of rows) {
    const key = { tenantId: row.tenant_id, feature: row.feature, day: n(row.day) };
    out.set(keyOf(key), { key, rollup: toRollup(row) });
  }
  return out;
}

export interface RollupWindow {
  readonly fromDay: number;
  readonly toDay: number;
  readonly tenantId: string | null;
}

export const rollupRepo = {
  /**
   * Adds (sign 1) or takes away (sign -1) folded rows, in the caller's transaction: one insert,
   * one locking read and one upsert per 200 (tenant, feature, day) groups, whatever the row count.
   */
  async apply(trx: Db, deltas: Rollups, sign: 1 | -1): Promise<void> {
    const entries = [...deltas].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 0; i < entries.length; i += CHUNK) {
      await applyChunk(trx, new Map(entries.slice(i, i + CHUNK)), sign);
    }
  },

  /**
   * Takes deleted rows out of the rollups, in the transaction that deletes them: every purge
   * (withdrawal, delete-now, retention) calls this, and so can subject erasure. Labels must be
   * given with the feature and time of their interaction (read before the interaction goes).
   */
  async subtract(
    trx: Db,
    removed: {
      readonly interactions?: readonly RolledInteraction[];
      readonly labels?: readonly RolledLabel[];
    },
  ): Promise<void> {
    const folded = foldLabels(removed.labels ?? [], foldInteractions(removed.interactions ?? []));
    if (folded.size > 0) await rollupRepo.apply(trx, folded, -1);
  },

  /**
   * Rollup rows of a window of whole days, as stored: one tenant's, or (tenantId null) the
   * region's all-tenant rows, one per feature and day whatever the number of tenants.
   */
  async read(db: Db, w: RollupWindow): Promise<FeatureRollupTable[]> {
    return db
      .selectFrom("feature_rollups")
      .selectAll()
      .where("tenant_id", "=", w.tenantId ?? ALL_TENANTS)
      .where("day", ">=", w.fromDay)
      .where("day", "<=", w.toDay)
      .execute();
  },

  /** How many tenants have interactions of each feature in a window of whole days. */
  async tenantsPerFeature(db: Db, w: RollupWindow): Promise<Map<string, number>> {
    let q = db
      .selectFrom("feature_rollups")
      .select((eb) => ["feature", eb.fn.count<number>("tenant_id").distinct().as("tenants")])
      .where("tenant_id", "<>", ALL_TENANTS)
      .where("day", ">=", w.fromDay)
      .where("day", "<=", w.toDay)
      .where("interactions", ">", 0);
    if (w.tenantId !== null) q = q.where("tenant_id", "=", w.tenantId);
    const rows = await q.groupBy("feature").execute();
    return new Map(rows.map((r) => [r.feature, n(r.tenants)]));
  },

  /** Every rollup row of the store (tests compare it with a recount). */
  async readAll(db: Db): Promise<Rollups> {
    return byKey(await db.selectFrom("feature_rollups").selectAll().execute());
  },

  /** How many interactions of a tenant the store holds: a sum over its rollup rows. */
  async interactionsHeld(db: Db, tenantId: string): Promise<number> {
    const r = await db
      .selectFrom("feature_rollups")
      .select((eb) => eb.fn.sum<number>("interactions").as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirst();
    return n(r?.n);
  },

  /** When the tenant's oldest interaction held occurred (a seek on (tenant_id, occurred_at, id)). */
  async oldestHeld(db: Db, tenantId: string): Promise<number | null> {
    const r = await db
      .selectFrom("interactions")
      .select("occurred_at")
      .where("tenant_id", "=", tenantId)
      .orderBy("occurred_at")
      .limit(1)
      .executeTakeFirst();
    return r ? n(r.occurred_at) : null;
  },

  /** Rollups recounted from the rows themselves, read in chunks by primary key. */
  async recount(db: Db): Promise<Rollups> {
    const out: Rollups = new Map();
    let after: { t: string; id: string } | null = null;
    for (;;) {
      let q = db.selectFrom("interactions").select([...ROLLED_COLUMNS, "id"]);
      if (after) q = q.where(sql<boolean>`(tenant_id, id) > (${after.t}, ${after.id})`);
      const rows = await q.orderBy("tenant_id").orderBy("id").limit(FOLD_CHUNK).execute();
      foldInteractions(rows, out);
      const last = rows[rows.length - 1];
      if (!last || rows.length < FOLD_CHUNK) break;
      after = { t: last.tenant_id, id: last.id };
    }
    const labels = await db
      .selectFrom("labels as l")
      .innerJoin("interactions as i", (j) =>
        j.onRef("i.tenant_id", "=", "l.tenant_id").onRef("i.id", "=", "l.interaction_id"),
      )
      .select([
        "l.tenant_id as tenant_id",
        "i.feature as feature",
        "i.occurred_at as occurred_at",
        "l.rating as rating",
      ])
      .execute();
    foldLabels(labels, out);
    for (const [k, e] of out) if (isEmptyRollup(e.rollup)) out.delete(k);
    return out;
  },

  /**
   * Folds rows stored before migration 006 into the rollups, once: replaces whatever rollups
   * exist with a recount, in one transaction, and clears the pending mark.
   */
  async foldPending(db: Db, dialect: Dialect): Promise<boolean> {
    const pending = await db.selectFrom("rollups_pending").select("id").executeTakeFirst();
    if (!pending) return false;
    await db.transaction().execute(async (trx) => {
      const mark = forUpdate(dialect, trx.selectFrom("rollups_pending").select("id"));
      if (!(await mark.executeTakeFirst())) return;
      await trx.deleteFrom("feature_rollups").execute();
      await rollupRepo.apply(trx, await rollupRepo.recount(trx), 1);
      await trx.deleteFrom("rollups_pending").execute();
    });
    return true;
  },
};
