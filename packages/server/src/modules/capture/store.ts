import type { Kysely } from "kysely";
import { dayOf } from "../../clock.js";
import type { KeyWrapper } from "../../crypto/data-keys.js";
import { newId } from "../../ids.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { writeJson } from "../../stores/store.js";
import type { RegionGate } from "../consent/service.js";
import { sealContent } from "./content.js";
import type { InteractionRow } from "./insert-statement.js";
import { captureRepo } from "./repo.js";
import type { InteractionInput } from "./types.js";

/** What became of one sharing tenant's items in the store. */
export interface StoredCounts {
  readonly accepted: number;
  readonly duplicates: number;
  /** Items not consented to: before the period's opt-in, of an unshared feature, of an excluded subject. */
  readonly dropped: number;
}

interface KeyNeed {
  readonly tenantId: string;
  readonly periodId: string;
  readonly day: number;
}

const needKey = (n: KeyNeed) => `${n.tenantId}\u0000${n.periodId}\u0000${n.day}`;

/**
 * The data keys of (tenant, period, day) for every need, made on first use: one read, one
 * insert of the missing ones, and a second read only for keys another writer made meanwhile.
 */
async function dataKeys(
  keys: Pick<KeyWrapper, "create" | "unwrap">,
  trx: Kysely<RegionDb>,
  needs: readonly KeyNeed[],
  now: number,
): Promise<Map<string, { id: string; key: Buffer }>> {
  const found = new Map<string, { id: string; key: Buffer }>();
  const wanted = new Set(needs.map(needKey));
  const read = async () => {
    const rows = await captureRepo.findDataKeys(
      trx,
      [...new Set(needs.map((n) => n.periodId))],
      [...new Set(needs.map((n) => n.day))],
    );
    for (const r of rows) {
      const ref = { id: r.id, tenantId: r.tenant_id, periodId: r.period_id, day: Number(r.day) };
      const k = needKey(ref);
      if (wanted.has(k) && !found.has(k)) found.set(k, { id: r.id, key: keys.unwrap(ref, r.wrapped) });
    }
  };
  await read();
  const missing = needs.filter((n) => !found.has(needKey(n)));
  if (missing.length === 0) return found;
  const made = missing.map((n) => {
    const ref = { id: newId(), ...n };
    return { ref, ...keys.create(ref) };
  });
  const inserted = await captureRepo.insertDataKeys(
    trx,
    made.map(({ ref, wrapped, masterKeyId }) => ({
      id: ref.id,
      tenant_id: ref.tenantId,
      period_id: ref.periodId,
      day: ref.day,
      wrapped,
      created_at: now,
      master_key_id: masterKeyId,
    })),
  );
  for (const m of made) if (inserted.has(m.ref.id)) found.set(needKey(m.ref), { id: m.ref.id, key: m.key });
  // Another writer made some of these days' keys between our read and insert: use theirs.
  if (found.size < wanted.size) await read();
  if (found.size < wanted.size) throw new Error("data key vanished during capture");
  return found;
}

/** `tenant\0hash` of the taken items' subjects that their tenant excluded. */
async function excludedSubjects(
  gate: RegionGate,
  taken: readonly { tenantId: string; item: InteractionInput }[],
): Promise<Set<string>> {
  const hashes = new Set<string>();
  const tenants = new Set<string>();
  for (const t of taken) {
    if (!t.item.subjectHash) continue;
    hashes.add(t.item.subjectHash);
    tenants.add(t.tenantId);
  }
  if (hashes.size === 0) return new Set();
  const rows = await gate.trx
    .selectFrom("subject_exclusions")
    .select(["tenant_id", "subject_hash"])
    .where("tenant_id", "in", [...tenants])
    .where("subject_hash", "in", [...hashes])
    .execute();
  return new Set(rows.map((r) => `${r.tenant_id}\u0000${r.subject_hash}`));
}

/**
 * Stores the items of the tenants that share, in the gate's transaction of their region: every
 * data key in one read (and one insert), every row in one insert per 500. The per-region insert
 * under both a tenant key's and a service key's batch.
 */
export async function storeInRegion(
  keys: Pick<KeyWrapper, "create" | "unwrap">,
  gate: RegionGate,
  groups: ReadonlyMap<string, readonly InteractionInput[]>,
): Promise<Map<string, StoredCounts>> {
  let taken: { tenantId: string; periodId: string; item: InteractionInput }[] = [];
  const dropped = new Map<string, number>();
  const drop = (tenantId: string) => dropped.set(tenantId, (dropped.get(tenantId) ?? 0) + 1);
  for (const [tenantId, items] of groups) {
    const period = gate.periods.get(tenantId);
    if (!period) continue;
    dropped.set(tenantId, 0);
    for (const item of items) {
      // Interactions that happened before this period's opt-in were not consented to, nor are
      // those of a feature the tenant did not choose (read with the state, in this transaction).
      if (item.occurredAt < period.optedInAt) drop(tenantId);
      else if (period.features !== null && !period.features.has(item.feature)) drop(tenantId);
      else taken.push({ tenantId, periodId: period.id, item });
    }
  }
  // Excluded subjects: one indexed read of the batch's subjects, in the gate's transaction.
  const excluded = await excludedSubjects(gate, taken);
  if (excluded.size > 0) {
    taken = taken.filter((t) => {
      const out = excluded.has(`${t.tenantId}\u0000${t.item.subjectHash}`);
      if (out) drop(t.tenantId);
      return !out;
    });
  }
  const needs = new Map<string, KeyNeed>();
  for (const t of taken) {
    const n = { tenantId: t.tenantId, periodId: t.periodId, day: dayOf(t.item.occurredAt) };
    needs.set(needKey(n), n);
  }
  const dayKeys = await dataKeys(keys, gate.trx, [...needs.values()], gate.now);
  const rows: InteractionRow[] = [];
  const sent = new Map<string, number>();
  for (const { tenantId, periodId, item: it } of taken) {
    const k = dayKeys.get(needKey({ tenantId, periodId, day: dayOf(it.occurredAt) })) as {
      id: string;
      key: Buffer;
    };
    const id = newId();
    const t = it.telemetry;
    sent.set(tenantId, (sent.get(tenantId) ?? 0) + 1);
    rows.push({
      tenant_id: tenantId,
      id,
      client_id: it.clientId,
      period_id: periodId,
      key_id: k.id,
      feature: it.feature,
      conversation_id: it.conversationId,
      occurred_at: it.occurredAt,
      captured_at: gate.now,
      content: sealContent(k.key, tenantId, id, it.content),
      model: t.model,
      provider: t.provider,
      latency_ms: t.latencyMs,
      tokens_in: t.tokensIn,
      tokens_out: t.tokensOut,
      finish_reason: t.finishReason,
      feedback: t.feedback,
      attributes: Object.keys(t.attributes).length ? writeJson(t.attributes) : null,
      subject_hash: it.subjectHash ?? null,
    });
  }
  const inserted = await captureRepo.insertInteractions(gate.trx, gate.dialect, rows);
  const counts = new Map<string, StoredCounts>();
  for (const [tenantId, gone] of dropped) {
    const accepted = inserted.get(tenantId) ?? 0;
    counts.set(tenantId, { accepted, duplicates: (sent.get(tenantId) ?? 0) - accepted, dropped: gone });
  }
  return counts;
}
