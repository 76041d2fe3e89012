import type { Kysely } from "kysely";
import type { ApiTokenTable, ControlDb } from "../../stores/control-schema.js";
import { readJson } from "../../stores/store.js";
import type { Scope } from "./scopes.js";

export interface ApiTokenRow {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: number;
  readonly createdBy: string | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

const maybe = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const toToken = (r: ApiTokenTable): ApiTokenRow => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: readJson<Scope[]>(r.scopes),
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  lastUsedAt: maybe(r.last_used_at),
  revokedAt: maybe(r.revoked_at),
});

export const tokensRepo = {
  async insert(db: Kysely<ControlDb>, row: ApiTokenTable): Promise<void> {
    await db.insertInto("api_tokens").values(row).execute();
  },
  async list(db: Kysely<ControlDb>): Promise<ApiTokenRow[]> {
    const rows = await db.selectFrom("api_tokens").selectAll().orderBy("created_at", "desc").execute();
    return rows.map(toToken);
  },
  async find(db: Kysely<ControlDb>, id: string): Promise<ApiTokenRow | null> {
    const r = await db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toToken(r) : null;
  },
  async findActiveByHash(db: Kysely<ControlDb>, hash: string): Promise<ApiTokenRow | null> {
    const r = await db
      .selectFrom("api_tokens")
      .selectAll()
      .where("token_hash", "=", hash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return r ? toToken(r) : null;
  },
  async revoke(db: Kysely<ControlDb>, id: string, at: number, by: string): Promise<boolean> {
    const res = await db
      .updateTable("api_tokens")
      .set({ revoked_at: at, revoked_by: by })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
  /** Moves last_used_at forward, only when it is older than `staleBefore` (one write a minute at most). */
  async touch(db: Kysely<ControlDb>, id: string, at: number, staleBefore: number): Promise<void> {
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: at })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", staleBefore)]))
      .execute();
  },
};
