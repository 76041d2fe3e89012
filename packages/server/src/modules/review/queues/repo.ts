import type { ReviewState } from "@assent/sdk/contract";
import { type Kysely, sql } from "kysely";
import type { RegionDb, ReviewQueueItemTable, ReviewQueueTable } from "../../../stores/region-schema.js";
import type { QueueFilter } from "./types.js";

type Db = Kysely<RegionDb>;

/** Inserted per statement: well under both dialects' bound-parameter limits. */
const CHUNK = 200;

export interface SampleQuery extends QueueFilter {
  /** null: every tenant of the region. */
  readonly tenantIds: readonly string[] | null;
  readonly notBefore: number;
  readonly limit: number;
  /** Pick at random (a fair slice) rather than the newest. */
  readonly random: boolean;
}

export const queuesRepo = {
  async insert(trx: Db, queue: ReviewQueueTable, items: readonly ReviewQueueItemTable[]): Promise<void> {
    await trx.insertInto("review_queues").values(queue).execute();
    for (let i = 0; i < items.length; i += CHUNK) {
      await trx
        .insertInto("review_queue_items")
        .values(items.slice(i, i + CHUNK))
        .execute();
    }
  },

  async find(db: Db, id: string): Promise<ReviewQueueTable | null> {
    return (await db.selectFrom("review_queues").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  },

  async list(db: Db): Promise<ReviewQueueTable[]> {
    return db.selectFrom("review_queues").selectAll().orderBy("id", "desc").limit(200).execute();
  },

  /** Features the filter can match, from the rollups (one row per feature and day, not per row). */
  async features(db: Db, tenantIds: readonly string[] | null, fromDay: number): Promise<string[]> {
    let q = db
      .selectFrom("feature_rollups")
      .select("feature")
      .distinct()
      .where("day", ">=", fromDay)
      .where("interactions", ">", 0);
    // The all-tenant rows ("") cover every tenant of the region.
    q = tenantIds === null ? q.where("tenant_id", "=", "") : q.where("tenant_id", "in", [...tenantIds]);
    const rows = await q.orderBy("feature").execute();
    return rows.map((r) => r.feature);
  },

  /** Ids of one feature's interactions matching the filter: a random sample, or the newest. */
  async sample(db: Db, feature: string, q: SampleQuery) {
    let query = db
      .selectFrom("interactions")
      .select(["tenant_id", "id", "feature"])
      .where("feature", "=", feature)
      .where("occurred_at", ">", q.notBefore);
    if (q.tenantIds !== null) query = query.where("tenant_id", "in", [...q.tenantIds]);
    if (q.from !== undefined) query = query.where("occurred_at", ">=", q.from);
    if (q.to !== undefined) query = query.where("occurred_at", "<", q.to);
    query = q.random
      ? query.orderBy(sql`random()`)
      : query.orderBy("occurred_at", "desc").orderBy("id", "desc");
    return query.limit(q.limit).execute();
  },

  async progress(db: Db, queueIds: readonly string[]): Promise<Map<string, Map<ReviewState, number>>> {
    const out = new Map<string, Map<ReviewState, number>>();
    if (queueIds.length === 0) return out;
    const rows = await db
      .selectFrom("review_queue_items")
      .select((eb) => ["queue_id", "state", eb.fn.countAll<number>().as("n")])
      .where("queue_id", "in", [...queueIds])
      .groupBy(["queue_id", "state"])
      .execute();
    for (const r of rows) {
      let m = out.get(r.queue_id);
      if (!m) {
        m = new Map();
        out.set(r.queue_id, m);
      }
      m.set(r.state, Number(r.n));
    }
    return out;
  },

  /** Items in queue order after `afterPosition`, optionally of one state. */
  async items(
    db: Db,
    queueId: string,
    opts: { state?: ReviewState; afterPosition?: number; limit: number },
  ): Promise<ReviewQueueItemTable[]> {
    let q = db.selectFrom("review_queue_items").selectAll().where("queue_id", "=", queueId);
    if (opts.state) q = q.where("state", "=", opts.state);
    if (opts.afterPosition !== undefined) q = q.where("position", ">", opts.afterPosition);
    return q.orderBy("position").limit(opts.limit).execute();
  },

  async item(db: Db, queueId: string, interactionId: string): Promise<ReviewQueueItemTable | null> {
    return (
      (await db
        .selectFrom("review_queue_items")
        .selectAll()
        .where("queue_id", "=", queueId)
        .where("interaction_id", "=", interactionId)
        .executeTakeFirst()) ?? null
    );
  },

  /** The user's item in review (resumed first), else the first new items of the given tenants. */
  async candidates(db: Db, queueId: string, userId: string, tenantIds: readonly string[] | null) {
    const mine = await db
      .selectFrom("review_queue_items")
      .selectAll()
      .where("queue_id", "=", queueId)
      .where("state", "=", "in-review")
      .where("assignee_id", "=", userId)
      .orderBy("position")
      .limit(1)
      .execute();
    if (mine.length > 0) return mine;
    let q = db
      .selectFrom("review_queue_items")
      .selectAll()
      .where("queue_id", "=", queueId)
      .where("state", "=", "new");
    if (tenantIds !== null) q = q.where("tenant_id", "in", [...tenantIds]);
    return q.orderBy("position").limit(20).execute();
  },

  /** Takes a new item for the user; false when someone else took it first. */
  async claim(trx: Db, item: ReviewQueueItemTable, userId: string, now: number): Promise<boolean> {
    if (item.state === "in-review" && item.assignee_id === userId) return true;
    const r = await trx
      .updateTable("review_queue_items")
      .set({ state: "in-review", assignee_id: userId, updated_at: now })
      .where("tenant_id", "=", item.tenant_id)
      .where("queue_id", "=", item.queue_id)
      .where("interaction_id", "=", item.interaction_id)
      .where("state", "=", "new")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async setState(
    trx: Db,
    key: { queueId: string; tenantId: string; interactionId: string },
    state: ReviewState,
    assigneeId: string | null,
    now: number,
  ): Promise<void> {
    await trx
      .updateTable("review_queue_items")
      .set({ state, assignee_id: assigneeId, updated_at: now })
      .where("tenant_id", "=", key.tenantId)
      .where("queue_id", "=", key.queueId)
      .where("interaction_id", "=", key.interactionId)
      .execute();
  },

  /** Labelled from the queue: the item is done, by whoever labelled it. */
  async finish(
    trx: Db,
    queueId: string,
    tenantId: string,
    interactionId: string,
    userId: string,
    now: number,
  ) {
    await queuesRepo.setState(trx, { queueId, tenantId, interactionId }, "done", userId, now);
  },
};
