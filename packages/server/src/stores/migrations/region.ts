import { type Kysely, sql } from "kysely";
import { auditCheckpointTable, auditTables } from "./audit-tables.js";
import { columnTypes, type MigrationSet } from "./types.js";

// Frozen in time: a migration never imports application code and is never edited once landed.
// Every region table leads with tenant_id, so a region can later be distributed by tenant.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
type AnyDb = Kysely<any>;

export const regionMigrations: MigrationSet = (dialect) => {
  const t = columnTypes(dialect);
  return {
    "001_foundation": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("sharing_state")
          .addColumn("tenant_id", "text", (c) => c.primaryKey())
          .addColumn("enabled", t.int, (c) => c.notNull())
          .addColumn("since", t.time, (c) => c.notNull())
          .addColumn("period_id", "text")
          .addColumn("version", t.int, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("sharing_periods")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("opted_in_at", t.time, (c) => c.notNull())
          .addColumn("opted_in_by", "text", (c) => c.notNull())
          .addColumn("opted_out_at", t.time)
          .addColumn("opted_out_by", "text")
          .addColumn("delete_by", t.time)
          .addColumn("deleted_at", t.time)
          .addColumn("receipt", t.json)
          .execute();
        await db.schema
          .createIndex("sharing_periods_tenant")
          .on("sharing_periods")
          .columns(["tenant_id", "opted_in_at"])
          .execute();
        await db.schema
          .createTable("data_keys")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("period_id", "text", (c) => c.notNull())
          .addColumn("day", t.int, (c) => c.notNull())
          .addColumn("wrapped", t.bytes, (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addUniqueConstraint("data_keys_tenant_period_day", ["tenant_id", "period_id", "day"])
          .execute();
        await db.schema
          .createTable("interactions")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.notNull())
          .addColumn("client_id", "text")
          .addColumn("period_id", "text", (c) => c.notNull())
          .addColumn("key_id", "text", (c) => c.notNull())
          .addColumn("feature", "text", (c) => c.notNull())
          .addColumn("conversation_id", "text")
          .addColumn("occurred_at", t.time, (c) => c.notNull())
          .addColumn("captured_at", t.time, (c) => c.notNull())
          .addColumn("content", t.bytes, (c) => c.notNull())
          .addColumn("model", "text")
          .addColumn("provider", "text")
          .addColumn("latency_ms", t.int)
          .addColumn("tokens_in", t.int)
          .addColumn("tokens_out", t.int)
          .addColumn("finish_reason", "text")
          .addColumn("feedback", t.int)
          .addColumn("attributes", t.json)
          .addPrimaryKeyConstraint("interactions_pk", ["tenant_id", "id"])
          .addUniqueConstraint("interactions_client_id", ["tenant_id", "client_id"])
          .execute();
        await db.schema.createIndex("interactions_id").on("interactions").column("id").execute();
        await db.schema
          .createIndex("interactions_tenant_occurred")
          .on("interactions")
          .columns(["tenant_id", "occurred_at"])
          .execute();
        await db.schema
          .createIndex("interactions_occurred")
          .on("interactions")
          .column("occurred_at")
          .execute();
        await db.schema.createIndex("interactions_key").on("interactions").column("key_id").execute();
        await db.schema
          .createIndex("interactions_period")
          .on("interactions")
          .columns(["tenant_id", "period_id"])
          .execute();
        await auditTables(db, t);
      },
    },
    "002_review": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("labels")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("interaction_id", "text", (c) => c.notNull())
          .addColumn("period_id", "text", (c) => c.notNull())
          .addColumn("reviewer_id", "text", (c) => c.notNull())
          .addColumn("grant_id", "text", (c) => c.notNull())
          .addColumn("rating", t.int)
          .addColumn("tags", t.json, (c) => c.notNull())
          // The note may quote content, so it is sealed with the interaction's data key.
          .addColumn("note", t.bytes)
          .addColumn("created_at", t.time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("labels_interaction")
          .on("labels")
          .columns(["tenant_id", "interaction_id"])
          .execute();
        await db.schema
          .createIndex("labels_period")
          .on("labels")
          .columns(["tenant_id", "period_id"])
          .execute();
        await db.schema
          .createTable("datasets")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("purpose", "text", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("grant_id", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("dataset_items")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("dataset_id", "text", (c) => c.notNull())
          .addColumn("interaction_id", "text", (c) => c.notNull())
          .addColumn("period_id", "text", (c) => c.notNull())
          .addColumn("added_by", "text", (c) => c.notNull())
          .addColumn("added_at", t.time, (c) => c.notNull())
          .addPrimaryKeyConstraint("dataset_items_pk", ["tenant_id", "dataset_id", "interaction_id"])
          .execute();
        await db.schema
          .createIndex("dataset_items_dataset")
          .on("dataset_items")
          .columns(["dataset_id", "added_at"])
          .execute();
        await db.schema
          .createIndex("dataset_items_period")
          .on("dataset_items")
          .columns(["tenant_id", "period_id"])
          .execute();
      },
    },
    "003_deletion": {
      async up(db: AnyDb) {
        // Deletion receipts of every kind (withdrawal, delete-now, retention), kept after the data
        // is gone. A row with completed_at null is a purge in progress: its counters grow in the
        // same transactions as the deletes they count, so a crash loses neither data nor counts.
        await db.schema
          .createTable("deletion_receipts")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("period_id", "text")
          .addColumn("cutoff", t.time)
          .addColumn("started_at", t.time, (c) => c.notNull())
          .addColumn("updated_at", t.time, (c) => c.notNull())
          .addColumn("keys_destroyed_at", t.time)
          .addColumn("completed_at", t.time)
          .addColumn("interactions", t.time, (c) => c.notNull().defaultTo(0))
          .addColumn("labels", t.time, (c) => c.notNull().defaultTo(0))
          .addColumn("dataset_items", t.time, (c) => c.notNull().defaultTo(0))
          .addColumn("keys_destroyed", t.time, (c) => c.notNull().defaultTo(0))
          .addColumn("receipt", t.json)
          .addColumn("hash", "text")
          .execute();
        await db.schema
          .createIndex("deletion_receipts_tenant")
          .on("deletion_receipts")
          .columns(["tenant_id", "id"])
          .execute();
        await db.schema
          .createIndex("deletion_receipts_open")
          .on("deletion_receipts")
          .columns(["completed_at", "period_id"])
          .execute();
        // Retention deletes an expired interaction's dataset items by interaction id.
        await db.schema
          .createIndex("dataset_items_interaction")
          .on("dataset_items")
          .columns(["tenant_id", "interaction_id"])
          .execute();
        await db.schema
          .createIndex("sharing_periods_delete_by")
          .on("sharing_periods")
          .columns(["deleted_at", "delete_by"])
          .execute();
      },
    },
    "004_purge_order": {
      async up(db: AnyDb) {
        // A purge deletes a period's interactions as id ranges on this index, each batch starting
        // after the last: no long id lists to bind and plan, no rereading of the index entries of
        // rows already deleted (PostgreSQL keeps them until VACUUM). 1M rows on PostgreSQL took
        // 165 s as lists of 5,000 ids, 7 s as ranges (bench/deletion). Replaces the
        // (tenant_id, period_id) index, which is its prefix.
        await db.schema
          .createIndex("interactions_period_id")
          .on("interactions")
          .columns(["tenant_id", "period_id", "id"])
          .execute();
        await db.schema.dropIndex("interactions_period").execute();
      },
    },
    "005_consent_via": {
      async up(db: AnyDb) {
        // A change made by a vendor's console on behalf of a named tenant admin records, next to
        // the person (opted_in_by / opted_out_by), the API token it came through.
        await db.schema.alterTable("sharing_periods").addColumn("opted_in_via", t.json).execute();
        await db.schema.alterTable("sharing_periods").addColumn("opted_out_via", t.json).execute();
      },
    },
    // The region's change log of sharing settings, written in the transaction of each change:
    // every process tails it by sequence, so a change made anywhere reaches every stream
    // (ADR 0007). Rows are ordered by seq, not tenant: it is a log, read in order.
    "005b_sharing_changes": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("sharing_changes")
          .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("enabled", t.int, (c) => c.notNull())
          .addColumn("since", t.time, (c) => c.notNull())
          .addColumn("version", t.int, (c) => c.notNull())
          .execute();
      },
    },
    "006_rollups": {
      async up(db: AnyDb) {
        // Aggregates per (tenant, feature, UTC day), kept in step with the rows by capture,
        // labelling and every purge; insights and "how much is held" read only these.
        await db.schema
          .createTable("feature_rollups")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("feature", "text", (c) => c.notNull())
          .addColumn("day", t.int, (c) => c.notNull())
          .addColumn("interactions", t.time, (c) => c.notNull())
          .addColumn("latency", t.bytes, (c) => c.notNull())
          .addColumn("tokens_in", t.time, (c) => c.notNull())
          .addColumn("tokens_out", t.time, (c) => c.notNull())
          .addColumn("finish_reasons", "text", (c) => c.notNull())
          .addColumn("feedback_positive", t.time, (c) => c.notNull())
          .addColumn("feedback_negative", t.time, (c) => c.notNull())
          .addColumn("feedback_count", t.time, (c) => c.notNull())
          .addColumn("feedback_sum", t.time, (c) => c.notNull())
          .addColumn("labels", t.time, (c) => c.notNull())
          .addColumn("rated", t.time, (c) => c.notNull())
          .addColumn("rating_sum", t.time, (c) => c.notNull())
          .addPrimaryKeyConstraint("feature_rollups_pk", ["tenant_id", "feature", "day"])
          .execute();
        // Distinct tenants per feature over a window, read from this index alone.
        await db.schema
          .createIndex("feature_rollups_day")
          .on("feature_rollups")
          .columns(["day", "feature", "tenant_id", "interactions"])
          .execute();
        // Rows stored before this migration are folded in once, at the next start (the fold needs
        // the histogram's bucketing, which is application code a migration must not import).
        await db.schema
          .createTable("rollups_pending")
          .addColumn("id", t.int, (c) => c.primaryKey())
          .execute();
        await db.insertInto("rollups_pending").values({ id: 1 }).execute();
      },
    },
    "007_hardening": {
      async up(db: AnyDb) {
        // Which master key wraps each data key, so `keys rotate-master` knows what is left to
        // re-wrap after a crash (null: wrapped before key ids were recorded).
        await db.schema.alterTable("data_keys").addColumn("master_key_id", "text").execute();
        await auditCheckpointTable(db, t);
      },
    },
    "007_keyset_pages": {
      async up(db: AnyDb) {
        // Review-queue pages seek with (occurred_at, id) < (?, ?) on an index that ends in
        // (occurred_at, id) after the filter's equality columns: page 100 costs what page 1 costs.
        await db.schema
          .createIndex("interactions_occurred_id")
          .on("interactions")
          .columns(["occurred_at", "id"])
          .execute();
        await db.schema.dropIndex("interactions_occurred").execute();
        await db.schema
          .createIndex("interactions_tenant_occurred_id")
          .on("interactions")
          .columns(["tenant_id", "occurred_at", "id"])
          .execute();
        await db.schema.dropIndex("interactions_tenant_occurred").execute();
        await db.schema
          .createIndex("interactions_tenant_feature_occurred_id")
          .on("interactions")
          .columns(["tenant_id", "feature", "occurred_at", "id"])
          .execute();
        await db.schema
          .createIndex("interactions_feature_occurred_id")
          .on("interactions")
          .columns(["feature", "occurred_at", "id"])
          .execute();
      },
    },
    "008_evidence": {
      async up(db: AnyDb) {
        // Signed consent records: one chain per tenant (seq from 1), each row the whole record
        // with its JWS, written in the transaction of the change it records.
        await db.schema
          .createTable("consent_records")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("seq", t.int, (c) => c.notNull())
          .addColumn("id", "text", (c) => c.notNull().unique())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("period_id", "text")
          .addColumn("record", t.json, (c) => c.notNull())
          .addPrimaryKeyConstraint("consent_records_pk", ["tenant_id", "seq"])
          .execute();
        // A tenant admin's webhooks for access and deletion events, and their deliveries.
        await db.schema
          .createTable("webhooks")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("url", "text", (c) => c.notNull())
          .addColumn("secret", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("failures", t.int, (c) => c.notNull())
          .addColumn("disabled_at", t.time)
          .addColumn("disabled_reason", "text")
          .execute();
        await db.schema.createIndex("webhooks_tenant").on("webhooks").columns(["tenant_id"]).execute();
        await db.schema
          .createTable("webhook_deliveries")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("hook_id", "text", (c) => c.notNull())
          .addColumn("event_id", "text", (c) => c.notNull())
          .addColumn("event_type", "text", (c) => c.notNull())
          .addColumn("body", "text", (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("attempts", t.int, (c) => c.notNull())
          .addColumn("next_attempt_at", t.time, (c) => c.notNull())
          .addColumn("last_status", t.int)
          .addColumn("last_error", "text")
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("delivered_at", t.time)
          .addUniqueConstraint("webhook_deliveries_event", ["hook_id", "event_id"])
          .execute();
        await db.schema
          .createIndex("webhook_deliveries_due")
          .on("webhook_deliveries")
          .columns(["state", "next_attempt_at"])
          .execute();
        await db.schema
          .createIndex("webhook_deliveries_hook")
          .on("webhook_deliveries")
          .columns(["tenant_id", "hook_id", "created_at"])
          .execute();
        // How far the webhook dispatcher has read the region's audit chain.
        await db.schema
          .createTable("webhook_cursor")
          .addColumn("id", t.int, (c) => c.primaryKey())
          .addColumn("seq", t.int, (c) => c.notNull())
          .execute();
      },
    },
    "009_scopes_features_subjects": {
      async up(db: AnyDb) {
        // Consent scopes (issue 13): the features a tenant chose (JSON list; null = every feature),
        // carried by the change log too so streams can tell capturing clients.
        await db.schema.alterTable("sharing_state").addColumn("features", "text").execute();
        await db.schema.alterTable("sharing_changes").addColumn("features", "text").execute();
        // The keyed hash of the end user an interaction is about (never the raw id).
        await db.schema.alterTable("interactions").addColumn("subject_hash", "text").execute();
        // Erasure finds a subject's rows through this index. Its key is the time-ordered id, so
        // captures append to it (a (tenant_id, subject_hash) index dirtied a page per row: ~20 %
        // of ingest throughput on SQLite); subject_hash is in the key, so erasure reads only this
        // index, never the rows' content. Partial: tenants not sending subjects pay nothing.
        await sql`create index interactions_tenant_subject on interactions
          (tenant_id, id, subject_hash) where subject_hash is not null`.execute(db);
        // One HMAC key per tenant, wrapped by the master key like data keys (never shredded by a
        // purge: exclusions must keep matching after a period's data is gone).
        await db.schema
          .createTable("subject_keys")
          .addColumn("tenant_id", "text", (c) => c.primaryKey())
          .addColumn("wrapped", t.bytes, (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("master_key_id", "text")
          .execute();
        await db.schema
          .createTable("subject_exclusions")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("subject_hash", "text", (c) => c.notNull())
          .addColumn("sdk_check", "text", (c) => c.notNull())
          .addColumn("excluded_at", t.time, (c) => c.notNull())
          .addColumn("excluded_by", "text", (c) => c.notNull())
          .addColumn("reason", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("subject_exclusions_pk", ["tenant_id", "subject_hash"])
          .execute();
        // Every scope change (features, exclusions, erasures): the setting's history next to periods.
        await db.schema
          .createTable("scope_changes")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("id", "text", (c) => c.notNull())
          .addColumn("at", t.time, (c) => c.notNull())
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("actor_role", "text", (c) => c.notNull())
          .addColumn("via", "text")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("details", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("scope_changes_pk", ["tenant_id", "id"])
          .execute();
        await db.schema
          .createIndex("scope_changes_tenant_at")
          .on("scope_changes")
          .columns(["tenant_id", "at"])
          .execute();
      },
    },
    "010_scale_unread_index": {
      async up(db: AnyDb) {
        // No read looks interactions up by data key (purges go by period, the sweep by tenant and
        // time, content reads by id): the key_id b-tree was written on every insert for nothing
        // (issue 10; docs/reads.md lists the indexes each read uses).
        await db.schema.dropIndex("interactions_key").execute();
      },
    },
    "011_review_queues": {
      async up(db: AnyDb) {
        // A label may carry a corrected output, sealed with the interaction's data key like the note.
        await db.schema.alterTable("labels").addColumn("corrected_output", t.bytes).execute();
        await db.schema
          .createTable("review_queues")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("filter", t.json, (c) => c.notNull())
          .addColumn("sample_per_feature", t.int)
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("grant_id", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .execute();
        // Ids and review states only, never content. The foreign key deletes an item with its
        // interaction, so every purge (withdrawal, delete-now, retention, subject erasure) takes
        // queue items along in its own transaction without knowing about queues.
        await db.schema
          .createTable("review_queue_items")
          .addColumn("tenant_id", "text", (c) => c.notNull())
          .addColumn("queue_id", "text", (c) => c.notNull())
          .addColumn("interaction_id", "text", (c) => c.notNull())
          .addColumn("feature", "text", (c) => c.notNull())
          .addColumn("position", t.int, (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("assignee_id", "text")
          .addColumn("updated_at", t.time, (c) => c.notNull())
          .addPrimaryKeyConstraint("review_queue_items_pk", ["tenant_id", "queue_id", "interaction_id"])
          .addForeignKeyConstraint(
            "review_queue_items_interaction",
            ["tenant_id", "interaction_id"],
            "interactions",
            ["tenant_id", "id"],
            (fk) => fk.onDelete("cascade"),
          )
          .execute();
        await db.schema
          .createIndex("review_queue_items_queue")
          .on("review_queue_items")
          .columns(["queue_id", "state", "position"])
          .execute();
        await db.schema
          .createIndex("review_queue_items_interaction")
          .on("review_queue_items")
          .columns(["tenant_id", "interaction_id"])
          .execute();
      },
    },
    "012_preference_labels": {
      async up(db: AnyDb) {
        // A label is a rating (as before) or a preference between two interactions of one tenant
        // and feature: compared_with names the other one (an id, never content), preference is
        // a / b / tie. Subject erasure finds comparisons by compared_with as well.
        await db.schema
          .alterTable("labels")
          .addColumn("kind", "text", (c) => c.notNull().defaultTo("rating"))
          .execute();
        await db.schema.alterTable("labels").addColumn("compared_with", "text").execute();
        await db.schema.alterTable("labels").addColumn("preference", "text").execute();
        await db.schema
          .createIndex("labels_compared_with")
          .on("labels")
          .columns(["tenant_id", "compared_with"])
          .execute();
      },
    },
    "013_scale_content_inline": {
      async up(db: AnyDb) {
        if (dialect !== "postgres") return;
        // Content is sealed (AEAD ciphertext), so it never compresses: PostgreSQL's attempt to
        // compress a row over ~2 KB was wasted, and the content then went to the TOAST table (a
        // second heap row and index entry per interaction). EXTERNAL: never try to compress;
        // toast_tuple_target: rows up to ~8 KB stay in the heap page (issue 10, ADR 0010).
        // Both only change how new rows are stored: processes of the previous release keep working.
        await sql`alter table interactions alter column content set storage external`.execute(db);
        await sql`alter table interactions set (toast_tuple_target = 8160)`.execute(db);
      },
    },
  };
};
