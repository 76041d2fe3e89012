import type { Kysely } from "kysely";
import type { columnTypes } from "./types.js";

/** The hash-chained audit log; each store holds its own chain. Part of each store's first migration. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
export async function auditTables(db: Kysely<any>, t: ReturnType<typeof columnTypes>): Promise<void> {
  await db.schema
    .createTable("audit_events")
    .addColumn("seq", t.time, (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("at", t.time, (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("actor_role", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("tenant_id", "text")
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("grant_id", "text")
    .addColumn("reason", "text")
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_events_tenant")
    .on("audit_events")
    .columns(["tenant_id", "seq"])
    .execute();
  // One row: the chain's head. Appends lock it, so the chain stays linear under concurrency.
  await db.schema
    .createTable("audit_head")
    .addColumn("id", t.int, (c) => c.primaryKey())
    .addColumn("seq", t.time, (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await db
    .insertInto("audit_head")
    .values({ id: 1, seq: 0, hash: "0".repeat(64) })
    .execute();
}

/**
 * Signed checkpoints of the chain's head (issue 16): each row says "event `seq` had hash `hash`",
 * signed with an Ed25519 key the database does not hold. Added by migration 005b (control) and
 * 007 (regions).
 */
export async function auditCheckpointTable(
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
  db: Kysely<any>,
  t: ReturnType<typeof columnTypes>,
): Promise<void> {
  await db.schema
    .createTable("audit_checkpoints")
    .addColumn("seq", t.time, (c) => c.primaryKey())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("at", t.time, (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .execute();
}
