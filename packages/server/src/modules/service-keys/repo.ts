import type { Kysely } from "kysely";
import type { ControlDb, ServiceKeyTable } from "../../stores/control-schema.js";
import { readJson } from "../../stores/store.js";

export interface ServiceKeyRow {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  /** The regions the key covers; null = every configured region. */
  readonly regions: readonly string[] | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

const toServiceKey = (r: ServiceKeyTable): ServiceKeyRow => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  regions: r.regions === null ? null : readJson<string[]>(r.regions),
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export const serviceKeysRepo = {
  async insert(db: Kysely<ControlDb>, row: ServiceKeyTable): Promise<void> {
    await db.insertInto("service_keys").values(row).execute();
  },
  async list(db: Kysely<ControlDb>): Promise<ServiceKeyRow[]> {
    const rows = await db.selectFrom("service_keys").selectAll().orderBy("created_at", "desc").execute();
    return rows.map(toServiceKey);
  },
  async find(db: Kysely<ControlDb>, id: string): Promise<ServiceKeyRow | null> {
    const r = await db.selectFrom("service_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toServiceKey(r) : null;
  },
  async revoke(db: Kysely<ControlDb>, id: string, at: number, by: string): Promise<boolean> {
    const res = await db
      .updateTable("service_keys")
      .set({ revoked_at: at, revoked_by: by })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
  async findActiveByHash(db: Kysely<ControlDb>, keyHash: string): Promise<ServiceKeyRow | null> {
    const r = await db
      .selectFrom("service_keys")
      .selectAll()
      .where("key_hash", "=", keyHash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return r ? toServiceKey(r) : null;
  },
  /** Of `ids`, those still live (one query for every open stream's key). */
  async liveIds(db: Kysely<ControlDb>, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom("service_keys")
      .select("id")
      .where("id", "in", ids)
      .where("revoked_at", "is", null)
      .execute();
    return new Set(rows.map((r) => r.id));
  },
};
