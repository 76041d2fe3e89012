import { sql } from "kysely";
import { type Actor, JOBS_ACTOR } from "../../actor.js";
import { type Clock, DAY_MS } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import type { KeyWrapper } from "../../crypto/data-keys.js";
import { conflict } from "../../errors.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import type { Store } from "../../stores/store.js";
import type { ConsentService } from "../consent/service.js";
import type { TenantRef } from "../consent/types.js";
import {
  finishRetentionReceipt,
  type PurgeDeps,
  type PurgeTarget,
  purgePeriod,
  sweepTenant,
} from "./purge.js";
import { purgeRepo } from "./repo.js";
import {
  addCounts,
  type DeletionGauge,
  type DeletionReceipt,
  NO_COUNTS,
  type PurgeCounts,
  type PurgeHooks,
  type PurgeMetrics,
} from "./types.js";

/** What one purge run did in one region. */
export interface RegionPurgeReport {
  readonly region: string;
  /** Receipts this run completed. */
  readonly receipts: DeletionReceipt[];
  /** What this run destroyed (a purge finished by another runner counts in its receipt there). */
  readonly deleted: PurgeCounts;
  /** Purges left for a later run (another runner in flight, or stopped half-way). */
  readonly unfinished: number;
  /** SQLite: whether the WAL was checkpointed and truncated after the purge. */
  readonly walTruncated: boolean | null;
}

export interface ReceiptPage {
  readonly items: DeletionReceipt[];
  readonly nextCursor: string | null;
}

export interface RetentionService {
  /** The regions purges run in. */
  regions(): string[];
  /** Purges every closed sharing period of the region whose deadline falls before the next run. */
  purgeDueWithdrawals(region: string, hooks?: PurgeHooks): Promise<RegionPurgeReport>;
  /** Deletes what is older than the retention period, day keys first; a receipt per tenant. */
  sweepRetention(region: string, hooks?: PurgeHooks): Promise<RegionPurgeReport>;
  /** The tenant admin's "delete now": purges every closed, unpurged period at once (409 while on). */
  deleteNow(tenant: TenantRef, actor: Actor): Promise<RegionPurgeReport>;
  /** A tenant's completed receipts of every kind, newest first. */
  listReceipts(tenant: TenantRef, opts: { limit: number; cursor: string | null }): Promise<ReceiptPage>;
  /** Oldest stored interaction and purge lag, per region (read at scrape time). */
  gauges(): Promise<DeletionGauge[]>;
}

export interface RetentionDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly keys: Pick<KeyWrapper, "forget">;
  readonly metrics: PurgeMetrics;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly consent: Pick<ConsentService, "getState">;
  /**
   * How far ahead of a deadline a withdrawal purge may run: one job interval, so that a purge
   * run on schedule always meets `deleteBy` instead of running up to an interval after it.
   */
  readonly withdrawalLeadMs: number;
  /** A retention receipt left open longer than this by a stopped run is completed by the next. */
  readonly staleReceiptMs: number;
  readonly batchSize?: number;
  /** Signs every completed receipt (modules/evidence). */
  readonly signer: PurgeDeps["signer"];
}

export const DEFAULT_PURGE_BATCH = 5000;

/**
 * SQLite keeps old page images in the WAL until a checkpoint; truncating it after a purge means
 * the deleted rows and destroyed keys survive neither there nor (with secure_delete) in the file.
 */
async function truncateWal(store: Store<RegionDb>): Promise<boolean | null> {
  if (store.dialect !== "sqlite") return null;
  const res = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  return Number(res.rows[0]?.busy ?? 1) === 0;
}

const sumOf = (c: PurgeCounts) => c.interactions + c.labels + c.datasetItems + c.dataKeys;

export function createRetentionService(deps: RetentionDeps): RetentionService {
  const purgeDeps: PurgeDeps = {
    clock: deps.clock,
    keys: deps.keys,
    metrics: deps.metrics,
    batchSize: deps.batchSize ?? DEFAULT_PURGE_BATCH,
    signer: deps.signer,
  };
  const targetOf = (region: string): PurgeTarget => {
    return { region, store: regionStore(deps.regions, region) };
  };

  async function purgePeriods(
    target: PurgeTarget,
    periodIds: readonly string[],
    kind: "withdrawal" | "delete-now",
    actor: Actor,
    hooks: PurgeHooks,
  ): Promise<RegionPurgeReport> {
    const receipts: DeletionReceipt[] = [];
    let deleted = NO_COUNTS;
    let unfinished = 0;
    for (const id of periodIds) {
      const out = await purgePeriod(purgeDeps, target, id, kind, actor, hooks);
      if (out.receipt) receipts.push(out.receipt);
      if (!out.finished) unfinished += 1;
      deleted = addCounts(deleted, out.deleted);
    }
    const walTruncated = sumOf(deleted) > 0 ? await truncateWal(target.store) : null;
    return { region: target.region, receipts, deleted, unfinished, walTruncated };
  }

  return {
    regions: () => [...deps.regions.keys()],

    async purgeDueWithdrawals(region, hooks = {}) {
      const target = targetOf(region);
      const due = await purgeRepo.dueWithdrawals(target.store.db, deps.clock.now() + deps.withdrawalLeadMs);
      return purgePeriods(
        target,
        due.map((p) => p.id),
        "withdrawal",
        JOBS_ACTOR,
        hooks,
      );
    },

    async sweepRetention(region, hooks = {}) {
      const target = targetOf(region);
      const now = deps.clock.now();
      const receipts: DeletionReceipt[] = [];
      for (const stale of await purgeRepo.staleRetentionReceipts(
        target.store.db,
        now - deps.staleReceiptMs,
      )) {
        const r = await finishRetentionReceipt(purgeDeps, target, stale.id, JOBS_ACTOR);
        if (r) receipts.push(r);
      }
      // Interactions that occurred at or before the cutoff are past retention (reads already hide them).
      const cutoff = now - deps.program.retentionDays * DAY_MS;
      const tenants = await purgeRepo.tenantsWithExpiredData(
        target.store.db,
        cutoff,
        Math.floor(cutoff / DAY_MS),
      );
      let deleted = NO_COUNTS;
      for (const tenantId of tenants) {
        const out = await sweepTenant(purgeDeps, target, tenantId, cutoff, JOBS_ACTOR, hooks);
        if (out.receipt) receipts.push(out.receipt);
        deleted = addCounts(deleted, out.deleted);
      }
      const walTruncated = sumOf(deleted) > 0 ? await truncateWal(target.store) : null;
      return { region, receipts, deleted, unfinished: 0, walTruncated };
    },

    async deleteNow(tenant, actor) {
      const state = await deps.consent.getState(tenant);
      if (state.sharing === "on") {
        throw conflict(
          "sharing_on",
          "sharing is on: turn sharing off first; delete-now deletes the data of closed sharing periods",
        );
      }
      const target = targetOf(tenant.region);
      const periods = await purgeRepo.closedUnpurged(target.store.db, tenant.id);
      return purgePeriods(
        target,
        periods.map((p) => p.id),
        "delete-now",
        actor,
        {},
      );
    },

    async listReceipts(tenant, opts) {
      const { store } = targetOf(tenant.region);
      const rows = await purgeRepo.listReceipts(store.db, tenant.id, opts.limit + 1, opts.cursor);
      const page = rows.slice(0, opts.limit);
      return {
        items: page.map((r) => r.receipt),
        nextCursor: rows.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    async gauges() {
      const now = deps.clock.now();
      const out: DeletionGauge[] = [];
      for (const [region, store] of deps.regions) {
        const [oldest, overdue] = await Promise.all([
          purgeRepo.oldestOccurredAt(store.db),
          purgeRepo.oldestOverdueDeleteBy(store.db, now),
        ]);
        out.push({
          region,
          oldestInteractionAgeSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
          purgeLagSeconds: overdue === null ? 0 : Math.max(0, (now - overdue) / 1000),
        });
      }
      return out;
    },
  };
}
