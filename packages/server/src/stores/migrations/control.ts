import type { Kysely } from "kysely";
import { auditCheckpointTable, auditTables } from "./audit-tables.js";
import { columnTypes, type MigrationSet } from "./types.js";

// Frozen in time: a migration never imports application code and is never edited once landed.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then
type AnyDb = Kysely<any>;

export const controlMigrations: MigrationSet = (dialect) => {
  const t = columnTypes(dialect);
  return {
    "001_foundation": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("tenants")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("region", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text")
          .execute();
        await db.schema
          .createTable("ingestion_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
          .addColumn("key_hash", "text", (c) => c.notNull().unique())
          .addColumn("prefix", "text", (c) => c.notNull())
          .addColumn("label", "text")
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text")
          .addColumn("revoked_at", t.time)
          .addColumn("revoked_by", "text")
          .execute();
        await db.schema
          .createIndex("ingestion_keys_tenant")
          .on("ingestion_keys")
          .column("tenant_id")
          .execute();
        await db.schema
          .createTable("users")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("email", "text", (c) => c.notNull().unique())
          .addColumn("name", "text")
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("roles", t.json, (c) => c.notNull())
          .addColumn("tenant_id", "text", (c) => c.references("tenants.id"))
          .addColumn("must_change_password", t.int, (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("disabled_at", t.time)
          .execute();
        await db.schema
          .createTable("sessions")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("expires_at", t.time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
        await db.schema
          .createTable("job_leases")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("holder", "text", (c) => c.notNull())
          .addColumn("expires_at", t.time, (c) => c.notNull())
          .execute();
        await auditTables(db, t);
      },
    },
    "002_access": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("access_requests")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("requester_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("region", "text", (c) => c.notNull())
          .addColumn("tenant_id", "text", (c) => c.references("tenants.id"))
          .addColumn("reason_code", "text", (c) => c.notNull())
          .addColumn("justification", "text", (c) => c.notNull())
          .addColumn("ticket", "text")
          .addColumn("duration_minutes", t.int, (c) => c.notNull())
          .addColumn("approvals_required", t.int, (c) => c.notNull())
          .addColumn("state", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("decide_by", t.time, (c) => c.notNull())
          .addColumn("decided_at", t.time)
          .addColumn("decided_by", "text")
          .addColumn("decision_note", "text")
          .execute();
        await db.schema
          .createIndex("access_requests_requester")
          .on("access_requests")
          .columns(["requester_id", "created_at"])
          .execute();
        await db.schema
          .createIndex("access_requests_state")
          .on("access_requests")
          .columns(["state", "decide_by"])
          .execute();
        await db.schema
          .createTable("access_approvals")
          .addColumn("request_id", "text", (c) => c.notNull().references("access_requests.id"))
          .addColumn("approver_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("at", t.time, (c) => c.notNull())
          .addPrimaryKeyConstraint("access_approvals_pk", ["request_id", "approver_id"])
          .execute();
        await db.schema
          .createTable("access_grants")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("request_id", "text", (c) => c.notNull().unique().references("access_requests.id"))
          .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
          .addColumn("region", "text", (c) => c.notNull())
          .addColumn("tenant_id", "text")
          .addColumn("starts_at", t.time, (c) => c.notNull())
          .addColumn("ends_at", t.time, (c) => c.notNull())
          .addColumn("revoked_at", t.time)
          .addColumn("revoked_by", "text")
          .execute();
        await db.schema
          .createIndex("access_grants_user")
          .on("access_grants")
          .columns(["user_id", "ends_at"])
          .execute();
        await db.schema.createIndex("access_grants_ends").on("access_grants").column("ends_at").execute();
        // Failed sign-ins per account and per client address (both keyed by a hash), shared by
        // every process so a lock holds behind a load balancer.
        await db.schema
          .createTable("sign_in_throttle")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("failures", t.int, (c) => c.notNull())
          .addColumn("window_start", t.time, (c) => c.notNull())
          .addColumn("locked_until", t.time)
          .execute();
      },
    },
    // The vendor's own id for a tenant, so services and automation can name tenants the way
    // the vendor's systems already do (service-key items, the management API).
    "003_external_ids": {
      async up(db: AnyDb) {
        await db.schema.alterTable("tenants").addColumn("external_id", "text").execute();
        await db.schema
          .createIndex("tenants_external_id")
          .on("tenants")
          .column("external_id")
          .unique()
          .execute();
      },
    },
    // Service keys: one key captures for every tenant of the regions it covers (null = all).
    "003b_service_keys": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("service_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("key_hash", "text", (c) => c.notNull().unique())
          .addColumn("prefix", "text", (c) => c.notNull())
          .addColumn("regions", t.json)
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text")
          .addColumn("revoked_at", t.time)
          .addColumn("revoked_by", "text")
          .execute();
      },
    },
    // Operator API tokens for automation (the management API): hashed like ingestion keys,
    // scoped, revocable; last_used_at is refreshed at most once a minute per token.
    "004_api_tokens": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("api_tokens")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("prefix", "text", (c) => c.notNull())
          .addColumn("scopes", t.json, (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text")
          .addColumn("last_used_at", t.time)
          .addColumn("revoked_at", t.time)
          .addColumn("revoked_by", "text")
          .execute();
      },
    },
    "005_invitations": {
      async up(db: AnyDb) {
        // Tenant admins join by invitation: the operator never knows their password. The token
        // is stored hashed; the row says who invited whom, and when it was accepted.
        await db.schema
          .createTable("invitations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("name", "text")
          .addColumn("roles", t.json, (c) => c.notNull())
          .addColumn("tenant_id", "text", (c) => c.references("tenants.id"))
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("created_by_label", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("expires_at", t.time, (c) => c.notNull())
          .addColumn("accepted_at", t.time)
          .addColumn("user_id", "text")
          .addColumn("revoked_at", t.time)
          .execute();
        await db.schema
          .createIndex("invitations_tenant")
          .on("invitations")
          .columns(["tenant_id", "created_at"])
          .execute();
        // How each account came to be: who made it (actor id and label) and through which invitation.
        await db.schema.alterTable("users").addColumn("created_by", "text").execute();
        await db.schema.alterTable("users").addColumn("created_by_label", "text").execute();
        await db.schema.alterTable("users").addColumn("invitation_id", "text").execute();
      },
    },
    "005b_audit_checkpoints": {
      async up(db: AnyDb) {
        await auditCheckpointTable(db, t);
      },
    },
    // The program's AI features declared through the management API (issue 13), beside those
    // of the configuration; a retired one stays as a row so its id is never silently reused.
    "006_program_features": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("program_features")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("description", "text", (c) => c.notNull())
          .addColumn("created_at", t.time, (c) => c.notNull())
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("updated_at", t.time, (c) => c.notNull())
          .addColumn("updated_by", "text", (c) => c.notNull())
          .addColumn("retired_at", t.time)
          .addColumn("retired_by", "text")
          .execute();
      },
    },
  };
};
