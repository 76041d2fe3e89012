import { badRequest } from "../../errors.js";
import { EXTERNAL_ID } from "../tenants/service.js";

/** The items of a POST /v1/interactions body, once its shape is right (else 400 naming the problem). */
export function batchItems(body: unknown, maxBatchItems: number): unknown[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("invalid_body", 'body must be a JSON object with an "interactions" array');
  }
  const extra = Object.keys(body).filter((k) => k !== "interactions");
  if (extra.length) throw badRequest("invalid_body", 'body may only hold "interactions"');
  const list = (body as { interactions?: unknown }).interactions;
  if (!Array.isArray(list)) throw badRequest("invalid_body", '"interactions" must be an array');
  if (list.length < 1 || list.length > maxBatchItems) {
    throw badRequest("invalid_batch_size", `"interactions" must hold 1-${maxBatchItems} items`);
  }
  return list;
}

export type TenantField = { ok: true; ref: string | null } | { ok: false; error: string };

/** An item's `tenant` field: the tenant's id or the vendor's external id for it (absent = null). */
export function tenantField(item: unknown): TenantField {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return { ok: true, ref: null };
  const v = (item as { tenant?: unknown }).tenant;
  if (v === undefined || v === null) return { ok: true, ref: null };
  if (typeof v !== "string" || !EXTERNAL_ID.test(v)) {
    return { ok: false, error: "tenant must be a tenant id or external id of 1-128 printable characters" };
  }
  return { ok: true, ref: v };
}
