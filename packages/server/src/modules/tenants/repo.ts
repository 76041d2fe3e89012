import type { Kysely } from "kysely";
import type { ControlDb, IngestionKeyTable, TenantTable } from "../../stores/control-schema.js";

export interface TenantRow {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly externalId: string | null;
  readonly createdAt: number;
}

const toTenant = (r: TenantTable): TenantRow => ({
  id: r.id,
  name: r.name,
  region: r.region,
  externalId: r.external_id,
  createdAt: Number(r.created_at),
});

export interface IngestionKeyRow {
  readonly id: string;
  readonly tenantId: string;
  readonly prefix: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

const toKey = (r: IngestionKeyTable): IngestionKeyRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  prefix: r.prefix,
  label: r.label,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export const tenantsRepo = {
  async insertTenant(db: Kysely<ControlDb>, row: TenantTable): Promise<void> {
    await db.insertInto("tenants").values(row).execute();
  },
  async findTenant(db: Kysely<ControlDb>, id: string): Promise<TenantRow | null> {
    const r = await db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toTenant(r) : null;
  },
  async findTenantByExternalId(db: Kysely<ControlDb>, externalId: string): Promise<TenantRow | null> {
    const r = await db
      .selectFrom("tenants")
      .selectAll()
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    return r ? toTenant(r) : null;
  },
  /** The tenants named by `refs`, each ref an id or an external id: one statement per 500 refs. */
  async findTenantsByRefs(db: Kysely<ControlDb>, refs: readonly string[]): Promise<TenantRow[]> {
    const rows: TenantRow[] = [];
    for (let i = 0; i < refs.length; i += 500) {
      const chunk = refs.slice(i, i + 500);
      const found = await db
        .selectFrom("tenants")
        .selectAll()
        .where((eb) => eb.or([eb("id", "in", chunk), eb("external_id", "in", chunk)]))
        .execute();
      rows.push(...found.map(toTenant));
    }
    return rows;
  },
  /** tenant id → external id, for the tenants of `ids` (or of `regions`) that have one. */
  async externalIds(
    db: Kysely<ControlDb>,
    where: { ids: readonly string[] } | { regions: readonly string[] },
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const lists = "ids" in where ? where.ids : where.regions;
    for (let i = 0; i < lists.length; i += 500) {
      const chunk = lists.slice(i, i + 500);
      const rows = await db
        .selectFrom("tenants")
        .select(["id", "external_id"])
        .where("external_id", "is not", null)
        .where("ids" in where ? "id" : "region", "in", chunk)
        .execute();
      for (const r of rows) out.set(r.id, r.external_id as string);
    }
    return out;
  },
  async listTenants(db: Kysely<ControlDb>): Promise<TenantRow[]> {
    const rows = await db.selectFrom("tenants").selectAll().orderBy("name").orderBy("id").execute();
    return rows.map(toTenant);
  },
  /** Keyset page in id order: the tenants after `after`, at most `limit`. */
  async listTenantsPage(db: Kysely<ControlDb>, after: string | null, limit: number): Promise<TenantRow[]> {
    let q = db.selectFrom("tenants").selectAll().orderBy("id").limit(limit);
    if (after !== null) q = q.where("id", ">", after);
    return (await q.execute()).map(toTenant);
  },
  async renameTenant(db: Kysely<ControlDb>, id: string, name: string): Promise<void> {
    await db.updateTable("tenants").set({ name }).where("id", "=", id).execute();
  },
  async insertKey(db: Kysely<ControlDb>, row: IngestionKeyTable): Promise<void> {
    await db.insertInto("ingestion_keys").values(row).execute();
  },
  async listKeys(db: Kysely<ControlDb>, tenantId: string): Promise<IngestionKeyRow[]> {
    const rows = await db
      .selectFrom("ingestion_keys")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at", "desc")
      .execute();
    return rows.map(toKey);
  },
  async findKey(db: Kysely<ControlDb>, id: string): Promise<IngestionKeyRow | null> {
    const r = await db.selectFrom("ingestion_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toKey(r) : null;
  },
  async revokeKey(db: Kysely<ControlDb>, id: string, at: number, by: string): Promise<boolean> {
    const res = await db
      .updateTable("ingestion_keys")
      .set({ revoked_at: at, revoked_by: by })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
  async liveKeyIds(db: Kysely<ControlDb>, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom("ingestion_keys")
      .select("id")
      .where("id", "in", ids)
      .where("revoked_at", "is", null)
      .execute();
    return new Set(rows.map((r) => r.id));
  },
  /** The live key with this hash and its tenant's home region. */
  async findActiveKeyByHash(
    db: Kysely<ControlDb>,
    keyHash: string,
  ): Promise<{ keyId: string; tenantId: string; region: string; externalId: string | null } | null> {
    const r = await db
      .selectFrom("ingestion_keys as k")
      .innerJoin("tenants as t", "t.id", "k.tenant_id")
      .select([
        "k.id as keyId",
        "k.tenant_id as tenantId",
        "t.region as region",
        "t.external_id as externalId",
      ])
      .where("k.key_hash", "=", keyHash)
      .where("k.revoked_at", "is", null)
      .executeTakeFirst();
    return r ?? null;
  },
};
