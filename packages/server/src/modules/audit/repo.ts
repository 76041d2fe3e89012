import type { AuditEventTable } from "../../stores/audit-schema.js";
import { type AuditDb, asAuditDb } from "./chain.js";

export interface EventFilter {
  readonly tenantId?: string;
  readonly actions?: readonly string[];
  readonly actorId?: string;
  /** Inclusive lower and exclusive upper bound on the event time. */
  readonly from?: number;
  readonly to?: number;
  /** Events before this sequence number (paging newest first). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export const auditRepo = {
  /** Events of one chain, newest first. */
  async list(trx: AuditDb, f: EventFilter): Promise<AuditEventTable[]> {
    let q = asAuditDb(trx).selectFrom("audit_events").selectAll();
    if (f.tenantId !== undefined) q = q.where("tenant_id", "=", f.tenantId);
    if (f.actions?.length) q = q.where("action", "in", [...f.actions]);
    if (f.actorId !== undefined) q = q.where("actor_id", "=", f.actorId);
    if (f.from !== undefined) q = q.where("at", ">=", f.from);
    if (f.to !== undefined) q = q.where("at", "<", f.to);
    if (f.beforeSeq !== undefined) q = q.where("seq", "<", f.beforeSeq);
    const rows = await q.orderBy("seq", "desc").limit(f.limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  },
};
