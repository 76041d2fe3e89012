import type { RegionDb } from "../stores/region-schema.js";
import type { Store } from "../stores/store.js";
import { createKeyWrapper } from "./data-keys.js";
import { beginMasterRotation, finishMasterRotation, type MasterKeyring } from "./master-key.js";

/**
 * `assent keys rotate-master`: re-wraps every data key of every region under the current master
 * key, in batches, each batch one transaction that also records the key's new `master_key_id`.
 * Content is never touched: the data keys stay the same, only their wrapping changes.
 * Resumable: a crash leaves each data key wrapped by the old or the new master key, both kept in
 * the keyring until the last batch; the next run carries on with the same new key.
 */
export interface RotationReport {
  /** The master key every data key is wrapped by once finished. */
  readonly masterKeyId: string;
  /** Master keys no data key needs any more (dropped from the key file in the embedded default). */
  readonly retired: readonly string[];
  /** Data keys re-wrapped by this run, per region. */
  readonly rewrapped: Record<string, number>;
}

export interface RotationDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly keyring: MasterKeyring;
  readonly batchSize?: number;
  /** Called after each committed batch (tests stop a rotation half-way here). */
  readonly afterBatch?: (region: string, rewrapped: number) => Promise<void> | void;
}

export async function rotateMasterKey(deps: RotationDeps): Promise<RotationReport> {
  const ring = beginMasterRotation(deps.keyring);
  const wrapper = createKeyWrapper(ring, { cacheSize: 0 });
  const current = ring.current.id;
  const batchSize = deps.batchSize ?? 500;
  const rewrapped: Record<string, number> = {};
  for (const [region, store] of deps.regions) {
    rewrapped[region] = 0;
    for (;;) {
      const n = await store.db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom("data_keys")
          .select(["id", "tenant_id", "period_id", "day", "wrapped"])
          .where((eb) => eb.or([eb("master_key_id", "is", null), eb("master_key_id", "!=", current)]))
          .orderBy("id")
          .limit(batchSize)
          .execute();
        for (const row of rows) {
          const ref = { id: row.id, tenantId: row.tenant_id, periodId: row.period_id, day: Number(row.day) };
          const next = wrapper.rewrap(ref, row.wrapped);
          await trx
            .updateTable("data_keys")
            .set({ wrapped: next.wrapped, master_key_id: next.masterKeyId })
            .where("id", "=", row.id)
            .execute();
        }
        return rows.length;
      });
      if (n === 0) break;
      rewrapped[region] += n;
      await deps.afterBatch?.(region, n);
    }
    // Subject-hashing keys (one per tenant, few): re-wrapped the same way, in one transaction.
    rewrapped[region] += await store.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("subject_keys")
        .select(["tenant_id", "wrapped"])
        .where((eb) => eb.or([eb("master_key_id", "is", null), eb("master_key_id", "!=", current)]))
        .execute();
      for (const row of rows) {
        const ref = {
          id: `subject-key:${row.tenant_id}`,
          tenantId: row.tenant_id,
          periodId: "subjects",
          day: 0,
        };
        const next = wrapper.rewrap(ref, row.wrapped);
        await trx
          .updateTable("subject_keys")
          .set({ wrapped: next.wrapped, master_key_id: next.masterKeyId })
          .where("tenant_id", "=", row.tenant_id)
          .execute();
      }
      return rows.length;
    });
  }
  const retired = ring.previous.map((k) => k.id);
  finishMasterRotation(ring);
  return { masterKeyId: current, retired, rewrapped };
}
