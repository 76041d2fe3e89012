import { type Kysely, sql } from "kysely";
import type { InteractionTable, LabelTable, RegionDb } from "../../stores/region-schema.js";
import { rollupRepo } from "../insights/rollup-repo.js";
import { foldLabels } from "../insights/rollups.js";

export type InteractionMetaRow = Omit<InteractionTable, "content">;

/** Every interaction column but the ciphertext: the queue never loads content. */
const META_COLUMNS = [
  "tenant_id",
  "id",
  "client_id",
  "period_id",
  "key_id",
  "feature",
  "conversation_id",
  "occurred_at",
  "captured_at",
  "model",
  "provider",
  "latency_ms",
  "tokens_in",
  "tokens_out",
  "finish_reason",
  "feedback",
  "attributes",
] as const;

const newestFirst = (a: InteractionMetaRow, b: InteractionMetaRow) =>
  Number(b.occurred_at) - Number(a.occurred_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export interface QueueQuery {
  /** null: every tenant of the region. */
  readonly tenantIds: readonly string[] | null;
  readonly feature?: string;
  readonly from?: number;
  readonly to?: number;
  /** Retention: only interactions that occurred after this. */
  readonly notBefore: number;
  readonly after?: { readonly occurredAt: number; readonly id: string };
  readonly limit: number;
}

export const reviewRepo = {
  /** Where an interaction lives (metadata only), if it is still within retention. */
  async findMeta(db: Kysely<RegionDb>, id: string, notBefore: number): Promise<InteractionMetaRow | null> {
    return (
      (await db
        .selectFrom("interactions")
        .select(META_COLUMNS)
        .where("id", "=", id)
        .where("occurred_at", ">", notBefore)
        .executeTakeFirst()) ?? null
    );
  },

  async findMetaMany(
    db: Kysely<RegionDb>,
    ids: readonly string[],
    notBefore: number,
  ): Promise<{ id: string; tenant_id: string; period_id: string }[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom("interactions")
      .select(["id", "tenant_id", "period_id"])
      .where("id", "in", [...ids])
      .where("occurred_at", ">", notBefore)
      .execute();
  },

  /**
   * Newest first by (occurredAt, id), after the cursor. The cursor is a row-value comparison, so
   * each filter combination seeks on an index ending in (occurred_at, id) (migration 007) and page
   * 100 costs what page 1 costs. Several tenants: one seek per tenant, merged.
   */
  async queue(db: Kysely<RegionDb>, q: QueueQuery): Promise<InteractionMetaRow[]> {
    if (q.tenantIds !== null && q.tenantIds.length > 1) {
      const pages = await Promise.all(q.tenantIds.map((t) => reviewRepo.queue(db, { ...q, tenantIds: [t] })));
      return pages.flat().sort(newestFirst).slice(0, q.limit);
    }
    let query = db.selectFrom("interactions").select(META_COLUMNS).where("occurred_at", ">", q.notBefore);
    if (q.tenantIds !== null) query = query.where("tenant_id", "=", q.tenantIds[0] ?? "");
    if (q.feature !== undefined) query = query.where("feature", "=", q.feature);
    if (q.from !== undefined) query = query.where("occurred_at", ">=", q.from);
    if (q.to !== undefined) query = query.where("occurred_at", "<", q.to);
    if (q.after)
      query = query.where(sql<boolean>`(occurred_at, id) < (${q.after.occurredAt}, ${q.after.id})`);
    return query.orderBy("occurred_at", "desc").orderBy("id", "desc").limit(q.limit).execute();
  },

  async labels(db: Kysely<RegionDb>, tenantId: string, interactionId: string): Promise<LabelTable[]> {
    return db
      .selectFrom("labels")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "=", interactionId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  },

  /** Inserts a label and adds its rating to the rollup of the interaction's feature and day. */
  async insertLabel(trx: Kysely<RegionDb>, row: LabelTable): Promise<void> {
    await trx.insertInto("labels").values(row).execute();
    const about = await trx
      .selectFrom("interactions")
      .select(["feature", "occurred_at"])
      .where("tenant_id", "=", row.tenant_id)
      .where("id", "=", row.interaction_id)
      .executeTakeFirst();
    if (!about) return;
    const folded = foldLabels([{ tenant_id: row.tenant_id, rating: row.rating, ...about }]);
    await rollupRepo.apply(trx, folded, 1);
  },
};
