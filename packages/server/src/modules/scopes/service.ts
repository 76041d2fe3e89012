import type { Kysely } from "kysely";
import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { notFound } from "../../errors.js";
import type { RegionDb, SharingStateTable } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Dialect, Store } from "../../stores/store.js";
import type { SharingNotifier } from "../consent/notifier.js";
import { consentRepo } from "../consent/repo.js";
import { toSharingState } from "../consent/service.js";
import type { TenantRef } from "../consent/types.js";
import type { ConsentRecorder } from "../evidence/records.js";
import type { EvidenceSigner } from "../evidence/sign.js";
import { purgeRepo } from "../retention/repo.js";
import { eraseSubjectBatch, finishErasure, startErasureReceipt } from "../retention/subject-erasure.js";
import type { DeletionReceipt, PurgeCounts, PurgeMetrics } from "../retention/types.js";
import {
  listScopeChanges,
  recordScopeChange,
  type ScopeChangeRecord,
  subjectRef,
  touchState,
} from "./record.js";
import type { SdkExclusions, SdkExclusionsReader } from "./sdk-exclusions.js";
import type { SubjectHasher } from "./subject-keys.js";

export type { SdkExclusions } from "./sdk-exclusions.js";

export type ExclusionReason = "admin" | "objection" | "erasure";

export interface Exclusion {
  /** The start of the subject's keyed hash: how the admin center tells exclusions apart. */
  readonly ref: string;
  readonly excludedAt: number;
  readonly excludedBy: string;
  readonly reason: ExclusionReason;
}

/** How to name an excluded subject to lift: its id, or the reference the list shows. */
export type SubjectSelector = { readonly subject: string } | { readonly ref: string };

export interface ScopesService {
  exclusions(tenant: TenantRef): Promise<Exclusion[]>;
  /** Excludes a subject (idempotent): the gate drops their items from the next write on. */
  exclude(tenant: TenantRef, subject: string, actor: Actor, reason: ExclusionReason): Promise<Exclusion>;
  /** Lifts an exclusion; false when the subject was not excluded. */
  lift(tenant: TenantRef, which: SubjectSelector, actor: Actor): Promise<boolean>;
  /** Excludes the subject, then deletes their interactions, labels and dataset items: the receipt. */
  erase(tenant: TenantRef, subject: string, actor: Actor): Promise<DeletionReceipt>;
  sdkExclusions(tenant: TenantRef): Promise<SdkExclusions>;
  history(tenant: TenantRef): Promise<ScopeChangeRecord[]>;
}

export interface ScopesDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly subjects: SubjectHasher;
  readonly sdkExclusions: Pick<SdkExclusionsReader, "of">;
  readonly notifier: Pick<SharingNotifier, "publish">;
  readonly changeFeed?: { poke(): void };
  readonly metrics?: PurgeMetrics;
  /** Signs a consent record of every scope change and the erasure receipts (modules/evidence). */
  readonly recorder: ConsentRecorder;
  readonly signer: EvidenceSigner;
}

/** Runs `fn` holding the tenant's sharing state for update: serialized with every capture's gate. */
async function withStateLocked<T>(
  store: Store<RegionDb>,
  tenantId: string,
  now: number,
  fn: (trx: Kysely<RegionDb>, dialect: Dialect, state: SharingStateTable) => Promise<T>,
): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    await consentRepo.ensureState(trx, tenantId, now);
    const state = await consentRepo.getState(trx, store.dialect, tenantId, "update");
    if (!state) throw notFound(`sharing state of tenant ${tenantId}`);
    return fn(trx, store.dialect, state);
  });
}

export function createScopesService(deps: ScopesDeps): ScopesService {
  const storeOf = (region: string) => regionStore(deps.regions, region);
  const announce = (tenant: TenantRef, state: SharingStateTable | null) => {
    if (!state) return;
    deps.notifier.publish(toSharingState(tenant.region, state));
    deps.changeFeed?.poke();
  };

  /** Adds the exclusion in `trx` (state row held); the new state when it was not there yet. */
  const addExclusion = async (
    trx: Kysely<RegionDb>,
    dialect: Dialect,
    state: SharingStateTable,
    tenant: TenantRef,
    hashes: { hash: string; check: string },
    actor: Actor,
    reason: ExclusionReason,
    now: number,
  ): Promise<SharingStateTable | null> => {
    const res = await trx
      .insertInto("subject_exclusions")
      .values({
        tenant_id: tenant.id,
        subject_hash: hashes.hash,
        sdk_check: hashes.check,
        excluded_at: now,
        excluded_by: actor.label ?? actor.id,
        reason,
      })
      .onConflict((oc) => oc.columns(["tenant_id", "subject_hash"]).doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    const next = await touchState(trx, dialect, state);
    await recordScopeChange(
      trx,
      dialect,
      tenant.id,
      actor,
      now,
      {
        kind: "exclude",
        subjectRef: subjectRef(hashes.hash),
        reason,
      },
      { recorder: deps.recorder, region: tenant.region },
    );
    return next;
  };

  const service: ScopesService = {
    async exclusions(tenant) {
      const rows = await storeOf(tenant.region)
        .db.selectFrom("subject_exclusions")
        .selectAll()
        .where("tenant_id", "=", tenant.id)
        .orderBy("excluded_at", "desc")
        .execute();
      return rows.map((r) => ({
        ref: subjectRef(r.subject_hash),
        excludedAt: Number(r.excluded_at),
        excludedBy: r.excluded_by,
        reason: r.reason as ExclusionReason,
      }));
    },

    async exclude(tenant, subject, actor, reason) {
      const hashes = await deps.subjects.hash(tenant, subject);
      const store = storeOf(tenant.region);
      const now = deps.clock.now();
      const next = await withStateLocked(store, tenant.id, now, (trx, dialect, state) =>
        addExclusion(trx, dialect, state, tenant, hashes, actor, reason, deps.clock.now()),
      );
      announce(tenant, next);
      const list = await service.exclusions(tenant);
      return list.find((e) => e.ref === subjectRef(hashes.hash)) as Exclusion;
    },

    async lift(tenant, which, actor) {
      const store = storeOf(tenant.region);
      const hash = "subject" in which ? (await deps.subjects.hash(tenant, which.subject)).hash : null;
      const next = await withStateLocked(store, tenant.id, deps.clock.now(), async (trx, dialect, state) => {
        let q = trx.deleteFrom("subject_exclusions").where("tenant_id", "=", tenant.id);
        // A reference is a prefix of the hash (12 hex characters: unique among a tenant's exclusions).
        q =
          hash !== null
            ? q.where("subject_hash", "=", hash)
            : q.where("subject_hash", "like", `${(which as { ref: string }).ref.replace(/[^0-9a-f]/g, "")}%`);
        const gone = await q.returning("subject_hash").execute();
        if (gone.length === 0) return null;
        const after = await touchState(trx, dialect, state);
        for (const g of gone)
          await recordScopeChange(
            trx,
            dialect,
            tenant.id,
            actor,
            deps.clock.now(),
            {
              kind: "lift",
              subjectRef: subjectRef(g.subject_hash),
            },
            { recorder: deps.recorder, region: tenant.region },
          );
        return after;
      });
      announce(tenant, next);
      return next !== null;
    },

    async erase(tenant, subject, actor) {
      const hashes = await deps.subjects.hash(tenant, subject);
      const ref = subjectRef(hashes.hash);
      const store = storeOf(tenant.region);
      // 1. Exclude (if not yet) and open the receipt, holding the state row: from this commit
      //    on no capture can store a row of this subject, so the batches below see them all.
      const { receiptId, next } = await withStateLocked(
        store,
        tenant.id,
        deps.clock.now(),
        async (trx, dialect, state) => {
          const now = deps.clock.now();
          const after = await addExclusion(trx, dialect, state, tenant, hashes, actor, "erasure", now);
          return { receiptId: await startErasureReceipt(trx, tenant.id, now), next: after };
        },
      );
      announce(tenant, next);
      // 2. Delete in batches, each counted on the receipt in its own transaction.
      for (;;) {
        const counts: PurgeCounts = await store.db.transaction().execute(async (trx) => {
          const c = await eraseSubjectBatch(trx, tenant.id, hashes.hash);
          if (c.interactions > 0) await purgeRepo.addToReceipt(trx, receiptId, c, deps.clock.now());
          return c;
        });
        if (counts.interactions === 0) break;
        deps.metrics?.purged(tenant.region, "subject-erasure", counts);
      }
      // 3. Complete the receipt, audit it and record the erasure in the setting's history.
      return store.db.transaction().execute(async (trx) => {
        const now = deps.clock.now();
        const receipt = await finishErasure(
          trx,
          store.dialect,
          tenant.region,
          receiptId,
          ref,
          actor,
          now,
          deps.signer,
        );
        await recordScopeChange(
          trx,
          store.dialect,
          tenant.id,
          actor,
          now,
          {
            kind: "erase",
            subjectRef: ref,
            receiptId,
          },
          { recorder: deps.recorder, region: tenant.region },
        );
        return receipt;
      });
    },

    sdkExclusions: (tenant) => deps.sdkExclusions.of(tenant),

    history: (tenant) => listScopeChanges(storeOf(tenant.region).db, tenant.id),
  };
  return service;
}
