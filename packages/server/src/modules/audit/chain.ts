import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { newId } from "../../ids.js";
import type { AuditEventTable, AuditTables } from "../../stores/audit-schema.js";
import type { ControlDb } from "../../stores/control-schema.js";
import type { RegionDb } from "../../stores/region-schema.js";
import { type Dialect, forUpdate } from "../../stores/store.js";

/** Metadata only: ids, codes, counts. Never input or output content. */
export type AuditDetails = Record<string, string | number | boolean | null | readonly string[]>;

export interface AuditEntry {
  readonly actorId: string | null;
  readonly actorRole: string | null;
  readonly action: string;
  readonly tenantId?: string | null;
  readonly targetType?: string | null;
  readonly targetId?: string | null;
  readonly grantId?: string | null;
  readonly reason?: string | null;
  readonly details?: AuditDetails;
}

export const GENESIS_HASH = "0".repeat(64);

/** The hash of an event covers every column but itself, in a fixed order. */
export function hashEvent(e: Omit<AuditEventTable, "hash">): string {
  const canonical = JSON.stringify([
    e.seq,
    e.id,
    e.at,
    e.actor_id,
    e.actor_role,
    e.action,
    e.tenant_id,
    e.target_type,
    e.target_id,
    e.grant_id,
    e.reason,
    e.details,
    e.prev_hash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** Every store holds a chain: the control store and each region's store. */
export type AuditDb = Kysely<ControlDb> | Kysely<RegionDb>;

export function asAuditDb(db: AuditDb): Kysely<AuditTables> {
  return db as unknown as Kysely<AuditTables>;
}

/**
 * Appends one event to the store's chain. Must run inside the transaction that makes the change
 * it records, so the change and its audit event commit or fail together.
 */
export async function appendAudit(
  trx: AuditDb,
  dialect: Dialect,
  at: number,
  entry: AuditEntry,
): Promise<AuditEventTable> {
  const db = asAuditDb(trx);
  const head = await forUpdate(
    dialect,
    db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1),
  ).executeTakeFirstOrThrow();
  const base: Omit<AuditEventTable, "hash"> = {
    seq: Number(head.seq) + 1,
    id: newId(),
    at,
    actor_id: entry.actorId,
    actor_role: entry.actorRole,
    action: entry.action,
    tenant_id: entry.tenantId ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    grant_id: entry.grantId ?? null,
    reason: entry.reason ?? null,
    details: JSON.stringify(entry.details ?? {}),
    prev_hash: head.hash,
  };
  const row: AuditEventTable = { ...base, hash: hashEvent(base) };
  await db.insertInto("audit_events").values(row).execute();
  await db.updateTable("audit_head").set({ seq: row.seq, hash: row.hash }).where("id", "=", 1).execute();
  return row;
}

export interface ChainBreak {
  readonly seq: number;
  /** The event's id and action as stored now (null when the event is missing). */
  readonly id: string | null;
  readonly action: string | null;
  readonly problem: string;
}

export interface ChainReport {
  readonly events: number;
  readonly head: string;
  readonly broken: ChainBreak | null;
}

/** Recomputes the whole chain in order; reports the first event whose link does not hold. */
export async function verifyChain(trx: AuditDb, pageSize = 5000): Promise<ChainReport> {
  const db = asAuditDb(trx);
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  let after = 0;
  /** The report at the first break: the events and head verified before it. */
  const stop = (broken: ChainBreak): ChainReport => ({ events: count, head: prev, broken });
  for (;;) {
    const page = await db
      .selectFrom("audit_events")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const raw of page) {
      const e = { ...raw, seq: Number(raw.seq), at: Number(raw.at) };
      if (e.seq !== expectedSeq) {
        return stop({
          seq: expectedSeq,
          id: null,
          action: null,
          problem: `event ${expectedSeq} is missing (next is ${e.seq})`,
        });
      }
      if (e.prev_hash !== prev) {
        return stop({
          seq: e.seq,
          id: e.id,
          action: e.action,
          problem: "its previous-hash does not match the event before it (removed, inserted or reordered)",
        });
      }
      const { hash, ...rest } = e;
      if (hashEvent(rest) !== hash) {
        return stop({
          seq: e.seq,
          id: e.id,
          action: e.action,
          problem: "its content does not match its hash (edited)",
        });
      }
      prev = hash;
      expectedSeq += 1;
      count += 1;
      after = e.seq;
    }
    if (page.length < pageSize) break;
  }
  const head = await db
    .selectFrom("audit_head")
    .select(["seq", "hash"])
    .where("id", "=", 1)
    .executeTakeFirst();
  if (!head || Number(head.seq) !== count || head.hash !== prev) {
    return stop({
      seq: count + 1,
      id: null,
      action: null,
      problem: `the chain head records event ${head ? Number(head.seq) : "none"} but the log ends at ${count} (events removed from the end)`,
    });
  }
  return { events: count, head: prev, broken: null };
}
