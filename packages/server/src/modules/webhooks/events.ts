import type { Selectable } from "kysely";
import type { AuditEventTable } from "../../stores/audit-schema.js";
import { readJson } from "../../stores/store.js";
import { ACCESS_ACTION_LIST } from "../audit/actions.js";

/** What a tenant's webhook is told of: accesses to its data, and deletions of it. */
export const isPushedAction = (action: string): boolean =>
  ACCESS_ACTION_LIST.includes(action) || action.startsWith("purge.");

/**
 * Details passed on, by name: ids, codes and counts. Audit details never hold content; the list
 * keeps a future detail from reaching a tenant's endpoint before someone decided it should.
 */
const PASSED_ON = [
  "interactionIds",
  "datasetId",
  "purpose",
  "kind",
  "periodId",
  "interactions",
  "labels",
  "datasetItems",
  "dataKeys",
  "receiptHash",
] as const;

export interface WebhookEvent {
  /** The audit event's id: stable across retries, so a receiver can drop duplicates. */
  readonly id: string;
  readonly type: string;
  readonly tenant: string;
  readonly occurredAt: string;
  readonly actor: { readonly id: string | null; readonly role: string | null };
  readonly grantId: string | null;
  readonly reasonCode: string | null;
  readonly target: { readonly type: string | null; readonly id: string | null };
  readonly details: Readonly<Record<string, unknown>>;
}

export function webhookEvent(e: Selectable<AuditEventTable>): WebhookEvent {
  const raw = readJson<Record<string, unknown>>(e.details);
  const details: Record<string, unknown> = {};
  for (const k of PASSED_ON) if (raw[k] !== undefined) details[k] = raw[k];
  return {
    id: e.id,
    type: e.action.startsWith("purge.") ? `deletion.${e.action.slice(6)}` : `access.${e.action}`,
    tenant: e.tenant_id as string,
    occurredAt: new Date(Number(e.at)).toISOString(),
    actor: { id: e.actor_id, role: e.actor_role },
    grantId: e.grant_id,
    reasonCode: e.reason,
    target: { type: e.target_type, id: e.target_id },
    details,
  };
}
