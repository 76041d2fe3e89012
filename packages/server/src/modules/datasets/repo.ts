import type { Kysely } from "kysely";
import type { DatasetItemTable, DatasetTable, RegionDb } from "../../stores/region-schema.js";

export const datasetsRepo = {
  async insert(db: Kysely<RegionDb>, row: DatasetTable): Promise<void> {
    await db.insertInto("datasets").values(row).execute();
  },

  async find(db: Kysely<RegionDb>, id: string): Promise<DatasetTable | null> {
    return (await db.selectFrom("datasets").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  },

  async list(db: Kysely<RegionDb>): Promise<DatasetTable[]> {
    return db.selectFrom("datasets").selectAll().orderBy("id", "desc").limit(500).execute();
  },

  async countItems(db: Kysely<RegionDb>, datasetIds: readonly string[]): Promise<Map<string, number>> {
    if (datasetIds.length === 0) return new Map();
    const rows = await db
      .selectFrom("dataset_items")
      .select((eb) => ["dataset_id", eb.fn.countAll().as("n")])
      .where("dataset_id", "in", [...datasetIds])
      .groupBy("dataset_id")
      .execute();
    return new Map(rows.map((r) => [r.dataset_id, Number(r.n)]));
  },

  /** Inserts items not already in the dataset; returns how many were new. */
  async insertItems(db: Kysely<RegionDb>, rows: readonly DatasetItemTable[]): Promise<number> {
    if (rows.length === 0) return 0;
    const res = await db
      .insertInto("dataset_items")
      .values([...rows])
      .onConflict((oc) => oc.columns(["tenant_id", "dataset_id", "interaction_id"]).doNothing())
      .returning("interaction_id")
      .execute();
    return res.length;
  },

  async items(db: Kysely<RegionDb>, datasetId: string): Promise<DatasetItemTable[]> {
    return db
      .selectFrom("dataset_items")
      .selectAll()
      .where("dataset_id", "=", datasetId)
      .orderBy("added_at")
      .orderBy("interaction_id")
      .execute();
  },

  /** Ratings and tags of the given interactions (notes stay sealed: they are not exported). */
  async labels(db: Kysely<RegionDb>, tenantId: string, interactionIds: readonly string[]) {
    if (interactionIds.length === 0) return [];
    return db
      .selectFrom("labels")
      .select(["interaction_id", "rating", "tags"])
      .where("tenant_id", "=", tenantId)
      .where("interaction_id", "in", [...interactionIds])
      .orderBy("created_at")
      .execute();
  },
};
