import type { ConsentRecord } from "@assent/sdk/evidence";
import type { Kysely } from "kysely";
import type { RegionDb } from "../../stores/region-schema.js";
import { readJson, writeJson } from "../../stores/store.js";

/** Consent records of a region store: one chain per tenant. */
export const recordsRepo = {
  async last(db: Kysely<RegionDb>, tenantId: string): Promise<ConsentRecord | null> {
    const row = await db
      .selectFrom("consent_records")
      .select("record")
      .where("tenant_id", "=", tenantId)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? readJson<ConsentRecord>(row.record) : null;
  },
  async insert(db: Kysely<RegionDb>, record: ConsentRecord): Promise<void> {
    await db
      .insertInto("consent_records")
      .values({
        tenant_id: record.tenant.id,
        seq: record.seq,
        id: record.id,
        kind: record.kind,
        created_at: Date.parse(record.time),
        period_id: record.periodId,
        record: writeJson(record),
      })
      .execute();
  },
  /** A tenant's records, oldest first. */
  async list(db: Kysely<RegionDb>, tenantId: string): Promise<ConsentRecord[]> {
    const rows = await db
      .selectFrom("consent_records")
      .select("record")
      .where("tenant_id", "=", tenantId)
      .orderBy("seq")
      .execute();
    return rows.map((r) => readJson<ConsentRecord>(r.record));
  },
  /** The latest record of each of several tenants. */
  async latest(db: Kysely<RegionDb>, tenantIds: readonly string[]): Promise<Map<string, ConsentRecord>> {
    if (tenantIds.length === 0) return new Map();
    const rows = await db
      .selectFrom("consent_records as r")
      .select("r.record")
      .where("r.tenant_id", "in", tenantIds)
      .where((eb) =>
        eb(
          "r.seq",
          "=",
          eb
            .selectFrom("consent_records as m")
            .select((m) => m.fn.max("m.seq").as("seq"))
            .whereRef("m.tenant_id", "=", "r.tenant_id"),
        ),
      )
      .execute();
    const out = new Map<string, ConsentRecord>();
    for (const r of rows) {
      const rec = readJson<ConsentRecord>(r.record);
      out.set(rec.tenant.id, rec);
    }
    return out;
  },
};
