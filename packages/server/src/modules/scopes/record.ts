import type { Kysely } from "kysely";
import { type Actor, onBehalfDetails } from "../../actor.js";
import { newId } from "../../ids.js";
import type { RegionDb, ScopeChangeTable, SharingStateTable } from "../../stores/region-schema.js";
import { type Dialect, readJson, writeJson } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { consentRepo } from "../consent/repo.js";
import type { ConsentRecorder } from "../evidence/records.js";

/**
 * One change of a tenant's consent scopes, as the setting's history, the audit chain and (later)
 * a signed consent record carry it. Never holds a raw subject id: `subjectRef` is the first 12
 * characters of the subject's keyed hash.
 */
export type ScopeChange =
  | {
      readonly kind: "features";
      /** null: every feature. */
      readonly before: readonly string[] | null;
      readonly after: readonly string[] | null;
    }
  | { readonly kind: "exclude"; readonly subjectRef: string; readonly reason: string }
  | { readonly kind: "lift"; readonly subjectRef: string }
  | { readonly kind: "erase"; readonly subjectRef: string; readonly receiptId: string };

export type ScopeChangeKind = ScopeChange["kind"];

export interface ScopeChangeRecord {
  readonly id: string;
  readonly at: number;
  readonly by: string;
  readonly role: string;
  readonly via: Actor["via"] | null;
  readonly change: ScopeChange;
}

export const subjectRef = (hash: string) => hash.slice(0, 12);

const auditDetails = (c: ScopeChange): Record<string, string | readonly string[] | null> => {
  switch (c.kind) {
    case "features":
      return { featuresBefore: c.before, featuresAfter: c.after };
    case "exclude":
      return { subjectRef: c.subjectRef, reason: c.reason };
    case "lift":
      return { subjectRef: c.subjectRef };
    case "erase":
      return { subjectRef: c.subjectRef, receiptId: c.receiptId };
  }
};

/** Records a scope change in the tenant's history and the region's audit chain, in `trx`. */
export async function recordScopeChange(
  trx: Kysely<RegionDb>,
  dialect: Dialect,
  tenantId: string,
  actor: Actor,
  at: number,
  change: ScopeChange,
  evidence?: ScopeEvidence,
): Promise<ScopeChangeRecord> {
  const id = newId();
  const { kind, ...details } = change;
  await trx
    .insertInto("scope_changes")
    .values({
      tenant_id: tenantId,
      id,
      at,
      actor: actor.label ?? actor.id,
      actor_role: actor.role,
      via: actor.via ? writeJson(actor.via) : null,
      kind,
      details: writeJson(details),
    })
    .execute();
  await appendAudit(trx, dialect, at, {
    actorId: actor.id,
    actorRole: actor.role,
    action: `scope.${kind}`,
    tenantId,
    targetType: "scope-change",
    targetId: id,
    details: { ...auditDetails(change), ...onBehalfDetails(actor) },
  });
  if (evidence)
    await signScopeChange(
      trx,
      dialect,
      { id: tenantId, region: evidence.region },
      actor,
      at,
      change,
      evidence,
    );
  return { id, at, by: actor.label ?? actor.id, role: actor.role, via: actor.via ?? null, change };
}

/** Where a scope change's signed consent record goes (modules/evidence). */
export interface ScopeEvidence {
  readonly recorder: ConsentRecorder;
  readonly region: string;
}

/**
 * The signed consent record of a scope change, in its transaction: the features shared and every
 * excluded subject by reference (never the id), so each record states the whole scope in force.
 */
async function signScopeChange(
  trx: Kysely<RegionDb>,
  dialect: Dialect,
  tenant: { readonly id: string; readonly region: string },
  actor: Actor,
  at: number,
  change: ScopeChange,
  evidence: ScopeEvidence,
): Promise<void> {
  const state = await consentRepo.getState(trx, dialect, tenant.id, "update");
  const excluded = await trx
    .selectFrom("subject_exclusions")
    .select("subject_hash")
    .where("tenant_id", "=", tenant.id)
    .execute();
  const on = Number(state?.enabled ?? 0) === 1;
  await evidence.recorder.record(trx, dialect, {
    kind: `scope.${change.kind}`,
    tenant,
    actor,
    at,
    sharing: on ? "on" : "off",
    periodId: state?.period_id ?? null,
    ...(change.kind === "features" ? { features: change.after } : {}),
    // An erasure's own evidence is its signed receipt; its record states the scope after it.
    scope: { excluded: excluded.map((e) => subjectRef(e.subject_hash)).sort() },
  });
}

export const toScopeChangeRecord = (row: ScopeChangeTable): ScopeChangeRecord => ({
  id: row.id,
  at: Number(row.at),
  by: row.actor,
  role: row.actor_role,
  via: row.via === null ? null : readJson(row.via),
  change: { kind: row.kind, ...readJson<object>(row.details) } as ScopeChange,
});

export async function listScopeChanges(db: Kysely<RegionDb>, tenantId: string, limit = 200) {
  const rows = await db
    .selectFrom("scope_changes")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toScopeChangeRecord);
}

/**
 * Bumps the tenant's state version (and writes `patch`) with a change-log entry, in the
 * transaction that holds the state row for update: capturing clients and streams see the new
 * scopes, and the gate's next write reads them.
 */
export async function touchState(
  trx: Kysely<RegionDb>,
  dialect: Dialect,
  current: SharingStateTable,
  patch: Partial<Pick<SharingStateTable, "features">> = {},
): Promise<SharingStateTable> {
  const next: SharingStateTable = { ...current, ...patch, version: Number(current.version) + 1 };
  await consentRepo.updateState(trx, next);
  await consentRepo.appendChange(trx, dialect, {
    tenant_id: next.tenant_id,
    enabled: next.enabled,
    since: next.since,
    version: next.version,
    features: next.features ?? null,
  });
  return next;
}
