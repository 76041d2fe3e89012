import type { Kysely, Selectable } from "kysely";
import type { AuditEventTable } from "../../stores/audit-schema.js";
import type { RegionDb, WebhookDeliveryTable, WebhookTable } from "../../stores/region-schema.js";

type Db = Kysely<RegionDb>;

/** Webhooks, their deliveries and the dispatcher's place in the region's audit chain. */
export const webhooksRepo = {
  async insert(db: Db, row: WebhookTable): Promise<void> {
    await db.insertInto("webhooks").values(row).execute();
  },
  async list(db: Db, tenantId: string): Promise<WebhookTable[]> {
    return db
      .selectFrom("webhooks")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at")
      .execute();
  },
  async find(db: Db, tenantId: string, id: string): Promise<WebhookTable | null> {
    return (
      (await db
        .selectFrom("webhooks")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst()) ?? null
    );
  },
  async remove(db: Db, tenantId: string, id: string): Promise<void> {
    await db
      .deleteFrom("webhook_deliveries")
      .where("tenant_id", "=", tenantId)
      .where("hook_id", "=", id)
      .execute();
    await db.deleteFrom("webhooks").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  },
  async setState(
    db: Db,
    id: string,
    set: Partial<Pick<WebhookTable, "failures" | "disabled_at" | "disabled_reason">>,
  ): Promise<void> {
    await db.updateTable("webhooks").set(set).where("id", "=", id).execute();
  },
  async live(db: Db): Promise<WebhookTable[]> {
    return db.selectFrom("webhooks").selectAll().where("disabled_at", "is", null).execute();
  },
  async cursor(db: Db): Promise<number | null> {
    const row = await db.selectFrom("webhook_cursor").select("seq").where("id", "=", 1).executeTakeFirst();
    return row ? Number(row.seq) : null;
  },
  async setCursor(db: Db, seq: number): Promise<void> {
    await db
      .insertInto("webhook_cursor")
      .values({ id: 1, seq })
      .onConflict((oc) => oc.column("id").doUpdateSet({ seq }))
      .execute();
  },
  /** The last event appended before `at` (0 when none). */
  async seqBefore(db: Db, at: number): Promise<number> {
    const r = await db
      .selectFrom("audit_events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .where("at", "<", at)
      .executeTakeFirst();
    return r?.seq === null || r?.seq === undefined ? 0 : Number(r.seq);
  },
  async eventsAfter(db: Db, seq: number, limit: number): Promise<Selectable<AuditEventTable>[]> {
    return db
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", ">", seq)
      .orderBy("seq")
      .limit(limit)
      .execute();
  },
  async enqueue(db: Db, rows: readonly WebhookDeliveryTable[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto("webhook_deliveries")
      .values([...rows])
      .onConflict((oc) => oc.columns(["hook_id", "event_id"]).doNothing())
      .execute();
  },
  async due(db: Db, now: number, limit: number): Promise<WebhookDeliveryTable[]> {
    return db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("state", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(limit)
      .execute();
  },
  async updateDelivery(
    db: Db,
    id: string,
    set: Partial<
      Pick<
        WebhookDeliveryTable,
        "state" | "attempts" | "next_attempt_at" | "last_status" | "last_error" | "delivered_at"
      >
    >,
  ): Promise<void> {
    await db.updateTable("webhook_deliveries").set(set).where("id", "=", id).execute();
  },
  /** A disabled hook's deliveries still waiting are given up. */
  async failPending(db: Db, hookId: string, reason: string): Promise<void> {
    await db
      .updateTable("webhook_deliveries")
      .set({ state: "failed", last_error: reason })
      .where("hook_id", "=", hookId)
      .where("state", "=", "pending")
      .execute();
  },
  async recentDeliveries(
    db: Db,
    tenantId: string,
    hookId: string,
    limit: number,
  ): Promise<WebhookDeliveryTable[]> {
    return db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("hook_id", "=", hookId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  },
};
