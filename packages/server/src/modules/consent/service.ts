import type { Kysely } from "kysely";
import { type Actor, type ActorVia, onBehalfDetails } from "../../actor.js";
import { type Clock, DAY_MS } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { badRequest, notFound } from "../../errors.js";
import { newId } from "../../ids.js";
import { announce } from "../../stores/change-signals.js";
import type { RegionDb, SharingPeriodTable, SharingStateTable } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import { type Dialect, readJson, type Store, writeJson } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import type { ConsentRecorder } from "../evidence/records.js";
import { recordScopeChange, touchState } from "../scopes/record.js";
import type { SharingNotifier } from "./notifier.js";
import { consentRepo } from "./repo.js";
import type { DeletionReceipt, OpenPeriod, SharingPeriod, SharingState, TenantRef } from "./types.js";

/** What a capture may do inside the gate: write to the region store in the gate's transaction. */
export interface GateContext {
  readonly trx: Kysely<RegionDb>;
  readonly dialect: Dialect;
  /** The capture time: inside the open sharing period. */
  readonly now: number;
  readonly period: OpenPeriod;
}

/** The gate of several tenants of one region: `periods` holds only the tenants that share. */
export interface RegionGate {
  readonly trx: Kysely<RegionDb>;
  readonly dialect: Dialect;
  /** The capture time: inside every open period. */
  readonly now: number;
  readonly periods: ReadonlyMap<string, OpenPeriod>;
}

export interface ConsentService {
  /** Creates the tenant's sharing state (off) in its home region. Idempotent. */
  initTenant(tenant: TenantRef): Promise<void>;
  getState(tenant: TenantRef): Promise<SharingState>;
  /**
   * Turns sharing on or off. With `features` (while turning or staying on) only those features
   * are shared; without, every feature is. A change of features while on is a scope change.
   */
  setSharing(
    tenant: TenantRef,
    enabled: boolean,
    actor: Actor,
    features?: readonly string[] | null,
  ): Promise<SharingState>;
  periods(tenant: TenantRef): Promise<SharingPeriod[]>;
  /**
   * The consent gate. Runs `write` in one transaction with a read of the tenant's sharing state
   * that excludes a concurrent toggle; `write` runs only while sharing is on and receives the
   * open period. Returns null (and writes nothing) while sharing is off.
   */
  withinSharing<T>(tenant: TenantRef, write: (ctx: GateContext) => Promise<T>): Promise<T | null>;
  /**
   * The consent gate for several tenants of one region in ONE transaction (a service key's
   * batch): reads every tenant's state with the same lock as `withinSharing`, then runs `write`
   * once, in that transaction, with the open period of each tenant that shares. Returns null
   * (and writes nothing) when none of them shares.
   */
  withinSharingOf<T>(
    region: string,
    tenantIds: readonly string[],
    write: (gate: RegionGate) => Promise<T>,
  ): Promise<T | null>;
  subscribe(tenant: TenantRef, listener: (state: SharingState) => void, knownVersion?: number): () => void;
  /** Current states of several tenants of one region (for the change stream). */
  readStates(region: string, tenantIds: readonly string[]): Promise<SharingState[]>;
  /** How many tenants of a region there are and how many share (for the opt-in rate). */
  countSharing(region: string): Promise<{ tenants: number; sharing: number }>;
}

export interface ConsentDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "withdrawalDeleteDays">;
  /** The program's features (configuration and management API): what a tenant may choose. */
  readonly features: { list(): Promise<readonly { readonly id: string }[]> };
  readonly notifier: Pick<SharingNotifier, "publish" | "subscribe">;
  /** Writes the signed consent record of every change, in the change's transaction. */
  readonly recorder: ConsentRecorder;
  /** Told of a change made here, so this process's all-tenant streams need not wait for a poll. */
  readonly changeFeed?: { poke(): void };
}

export const toSharingState = (region: string, row: SharingStateTable): SharingState => ({
  tenantId: row.tenant_id,
  region,
  sharing: Number(row.enabled) === 1 ? "on" : "off",
  since: row.since,
  periodId: row.period_id,
  version: Number(row.version),
  features: parseFeatures(row.features),
});

export const parseFeatures = (v: unknown): string[] | null =>
  v === null || v === undefined ? null : readJson<string[]>(v);

/**
 * The chosen features, sorted and checked against `known` (400 naming an unknown one): the
 * program's features, and those the tenant already chose (a feature retired since stays
 * choosable for the tenants that have it, so saving an unchanged choice never fails).
 */
export function checkFeatures(
  known: ReadonlySet<string>,
  features: readonly string[] | null | undefined,
): string[] | null {
  if (features === null || features === undefined) return null;
  if (known.size === 0) throw badRequest("no_features", "features: the program declares no features");
  const unknown = features.find((f) => !known.has(f));
  if (unknown !== undefined)
    throw badRequest(
      "unknown_feature",
      `features: ${JSON.stringify(unknown)} is not a feature of the program`,
    );
  return [...new Set(features)].sort();
}

const sameFeatures = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((x, i) => x === b[i]);
const nullableVia = (v: unknown) => (v === null || v === undefined ? null : readJson<ActorVia>(v));

export const toSharingPeriod = (row: SharingPeriodTable): SharingPeriod => ({
  id: row.id,
  optedInAt: row.opted_in_at,
  optedInBy: row.opted_in_by,
  optedOutAt: row.opted_out_at ?? null,
  optedOutBy: row.opted_out_by,
  optedInVia: nullableVia(row.opted_in_via),
  optedOutVia: nullableVia(row.opted_out_via),
  deleteBy: row.delete_by ?? null,
  deletedAt: row.deleted_at ?? null,
  receipt: row.receipt === null || row.receipt === undefined ? null : readJson<DeletionReceipt>(row.receipt),
});

export function createConsentService(deps: ConsentDeps): ConsentService {
  const storeOf = (region: string): Store<RegionDb> => regionStore(deps.regions, region);
  const offState = (tenant: TenantRef, since: number): SharingState => ({
    tenantId: tenant.id,
    region: tenant.region,
    sharing: "off",
    since,
    periodId: null,
    version: 0,
    features: null,
  });

  const service: ConsentService = {
    async initTenant(tenant) {
      await consentRepo.ensureState(storeOf(tenant.region).db, tenant.id, deps.clock.now());
    },

    async getState(tenant) {
      const store = storeOf(tenant.region);
      const row = await consentRepo.getState(store.db, store.dialect, tenant.id, "none");
      return row ? toSharingState(tenant.region, row) : offState(tenant, 0);
    },

    async setSharing(tenant, enabled, actor, requested) {
      const declared =
        enabled && requested !== null && requested !== undefined
          ? (await deps.features.list()).map((f) => f.id)
          : [];
      const store = storeOf(tenant.region);
      const { state, changed } = await store.db.transaction().execute(async (trx) => {
        await consentRepo.ensureState(trx, tenant.id, deps.clock.now());
        const current = await consentRepo.getState(trx, store.dialect, tenant.id, "update");
        if (!current) throw notFound(`sharing state of tenant ${tenant.id}`);
        // The time of the change is read only once the row is locked: every capture that got in
        // before the lock committed with an earlier capture time, so an opt-out's time is after
        // the last interaction stored under the period it closes.
        const now = deps.clock.now();
        const isOn = Number(current.enabled) === 1;
        const before = parseFeatures(current.features);
        const chosen = enabled ? checkFeatures(new Set([...declared, ...(before ?? [])]), requested) : null;
        if (isOn === enabled) {
          if (!enabled || sameFeatures(before, chosen)) return { state: current, changed: false };
          // A change of features while on: the next write is gated by the new choice.
          const next = await touchState(trx, store.dialect, current, {
            features: chosen === null ? null : writeJson(chosen),
          });
          await recordScopeChange(
            trx,
            store.dialect,
            tenant.id,
            actor,
            now,
            { kind: "features", before, after: chosen },
            { recorder: deps.recorder, region: tenant.region },
          );
          return { state: next, changed: true };
        }
        const who = actor.label ?? actor.id;
        const via = actor.via ? writeJson(actor.via) : null;
        let next: SharingStateTable;
        let deleteBy: number | null = null;
        if (enabled) {
          const periodId = newId();
          await consentRepo.insertPeriod(trx, {
            tenant_id: tenant.id,
            id: periodId,
            opted_in_at: now,
            opted_in_by: who,
            opted_in_via: via,
            opted_out_at: null,
            opted_out_by: null,
            delete_by: null,
            deleted_at: null,
            receipt: null,
          });
          next = {
            ...current,
            enabled: 1,
            since: now,
            period_id: periodId,
            version: Number(current.version) + 1,
            features: chosen === null ? null : writeJson(chosen),
          };
        } else {
          deleteBy = now + deps.program.withdrawalDeleteDays * DAY_MS;
          if (current.period_id)
            await consentRepo.closePeriod(trx, current.period_id, now, who, deleteBy, via);
          next = {
            ...current,
            enabled: 0,
            since: now,
            period_id: null,
            version: Number(current.version) + 1,
            features: null,
          };
        }
        await consentRepo.updateState(trx, next);
        await consentRepo.appendChange(trx, store.dialect, {
          tenant_id: tenant.id,
          enabled: next.enabled,
          since: next.since,
          version: next.version,
          features: next.features ?? null,
        });
        await announce(trx, store, { kind: "sharing", tenantId: tenant.id });
        await appendAudit(trx, store.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: enabled ? "sharing.enable" : "sharing.disable",
          tenantId: tenant.id,
          targetType: "sharing-period",
          targetId: enabled ? next.period_id : current.period_id,
          details: { ...onBehalfDetails(actor), ...(chosen !== null ? { features: chosen } : {}) },
        });
        await deps.recorder.record(trx, store.dialect, {
          kind: enabled ? "sharing.enable" : "sharing.disable",
          tenant,
          actor,
          at: now,
          sharing: enabled ? "on" : "off",
          periodId: enabled ? next.period_id : current.period_id,
          deleteBy,
          acceptsNotice: enabled,
          // Turning on shares every feature (null) or the ones chosen; off keeps the last choice.
          ...(enabled ? { features: chosen } : {}),
        });
        // Turning on with a choice of features is also a scope change (from "every feature").
        if (enabled && chosen !== null)
          await recordScopeChange(trx, store.dialect, tenant.id, actor, now, {
            kind: "features",
            before: null,
            after: chosen,
          });
        return { state: next, changed: true };
      });
      const result = toSharingState(tenant.region, state);
      if (changed) {
        deps.notifier.publish(result);
        deps.changeFeed?.poke();
      }
      return result;
    },

    async periods(tenant) {
      const rows = await consentRepo.listPeriods(storeOf(tenant.region).db, tenant.id);
      return rows.map(toSharingPeriod);
    },

    async withinSharing(tenant, write) {
      return service.withinSharingOf(tenant.region, [tenant.id], async (gate) => {
        const period = gate.periods.get(tenant.id) as OpenPeriod;
        return write({ trx: gate.trx, dialect: gate.dialect, now: gate.now, period });
      });
    },

    async withinSharingOf(region, tenantIds, write) {
      const store = storeOf(region);
      const ids = [...new Set(tenantIds)].sort();
      return store.db.transaction().execute(async (trx) => {
        const states = await consentRepo.getStates(trx, store.dialect, ids, "share");
        const open = states.filter((s) => Number(s.enabled) === 1 && s.period_id !== null);
        if (open.length === 0) return null;
        const rows = await consentRepo.getPeriods(
          trx,
          open.map((s) => s.period_id as string),
        );
        const periods = new Map<string, OpenPeriod>();
        for (const s of open) {
          const p = rows.get(s.period_id as string);
          if (p) {
            const features = parseFeatures(s.features);
            periods.set(s.tenant_id, {
              id: p.id,
              optedInAt: p.opted_in_at,
              features: features === null ? null : new Set(features),
            });
          }
        }
        if (periods.size === 0) return null;
        // The capture time is read once every tenant's state is locked (see setSharing).
        return write({ trx, dialect: store.dialect, now: deps.clock.now(), periods });
      });
    },

    subscribe: (tenant, listener, knownVersion) => deps.notifier.subscribe(tenant, listener, knownVersion),

    countSharing: (region) => consentRepo.countSharing(storeOf(region).db),

    async readStates(region, tenantIds) {
      const store = storeOf(region);
      if (tenantIds.length === 0) return [];
      const rows = await store.db
        .selectFrom("sharing_state")
        .selectAll()
        .where("tenant_id", "in", tenantIds)
        .execute();
      return rows.map((r) => toSharingState(region, r));
    },
  };
  return service;
}
