import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../../clock.js";
import type { DataKeyRef, KeyWrapper } from "../../crypto/data-keys.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import type { TenantRef } from "../consent/types.js";

/**
 * Subjects (the vendor's pseudonymous ids of end users) are never stored: only a keyed hash,
 * HMAC-SHA256 under a per-tenant key that is itself stored wrapped by the master key. The same
 * subject hashes differently in two tenants, and a store read alone cannot test a guess.
 *
 * Capturing clients get a second, derived key (`sdkKey`) and the excluded subjects' check values
 * under it, so they can drop an excluded person's items before sending; that key cannot compute
 * the stored hashes.
 */
export interface SubjectHashes {
  /** The stored hash: 32 hex characters (128 bits). */
  readonly hash: string;
  /** The check value a capturing client computes with the SDK key. */
  readonly check: string;
}

export interface SubjectHasher {
  /** The stored hash of each distinct subject (the tenant's key is made on first use): capture's path. */
  hashAll(tenant: TenantRef, subjects: Iterable<string>): Promise<Map<string, string>>;
  hash(tenant: TenantRef, subject: string): Promise<SubjectHashes>;
  /** The key capturing clients check subjects with (base64url). */
  sdkKey(tenant: TenantRef): Promise<string>;
}

const keyRef = (tenantId: string): DataKeyRef => ({
  id: `subject-key:${tenantId}`,
  tenantId,
  periodId: "subjects",
  day: 0,
});

const mac = (key: Buffer | KeyObject, text: string) =>
  createHmac("sha256", key).update(text, "utf8").digest();

/** The check value of a subject under an SDK key (what the SDK computes too). */
export const subjectCheck = (sdkKey: Buffer, subject: string): string =>
  mac(sdkKey, subject).subarray(0, 16).toString("hex");

export const deriveSdkKey = (tenantKey: Buffer): Buffer => mac(tenantKey, "assent:sdk-subject-check");

export interface SubjectHasherDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly keys: Pick<KeyWrapper, "create" | "unwrap">;
  readonly clock: Clock;
}

async function readKey(db: Kysely<RegionDb>, tenantId: string) {
  return db.selectFrom("subject_keys").selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
}

export function createSubjectHasher(deps: SubjectHasherDeps): SubjectHasher {
  interface TenantKey {
    /** A KeyObject: HMAC setup from it is cheaper than from raw bytes, per subject. */
    readonly key: KeyObject;
    readonly sdk: Buffer;
  }
  const cache = new Map<string, TenantKey>();

  const tenantKey = async (tenant: TenantRef) => {
    const hit = cache.get(tenant.id);
    if (hit) return hit;
    const { db } = regionStore(deps.regions, tenant.region);
    const ref = keyRef(tenant.id);
    let row = await readKey(db, tenant.id);
    if (!row) {
      const made = deps.keys.create(ref);
      await db
        .insertInto("subject_keys")
        .values({
          tenant_id: tenant.id,
          wrapped: made.wrapped,
          created_at: deps.clock.now(),
          master_key_id: made.masterKeyId,
        })
        .onConflict((oc) => oc.column("tenant_id").doNothing())
        .execute();
      // Another writer may have made it first: whichever row is stored is the key.
      row = await readKey(db, tenant.id);
      if (!row) throw new Error("subject key vanished");
    }
    const key = deps.keys.unwrap(ref, row.wrapped);
    const entry: TenantKey = { key: createSecretKey(key), sdk: deriveSdkKey(key) };
    cache.set(tenant.id, entry);
    return entry;
  };

  const hashOf = (k: TenantKey, subject: string) =>
    mac(k.key, `subject\u0000${subject}`).subarray(0, 16).toString("hex");

  return {
    async hashAll(tenant, subjects) {
      const out = new Map<string, string>();
      let k: TenantKey | null = null;
      for (const s of subjects) {
        if (out.has(s)) continue;
        k ??= await tenantKey(tenant);
        out.set(s, hashOf(k, s));
      }
      return out;
    },
    async hash(tenant, subject) {
      const k = await tenantKey(tenant);
      return { hash: hashOf(k, subject), check: subjectCheck(k.sdk, subject) };
    },
    async sdkKey(tenant) {
      return (await tenantKey(tenant)).sdk.toString("base64url");
    },
  };
}
