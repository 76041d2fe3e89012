import { randomUUID } from "node:crypto";

/**
 * A UUIDv7: 48 bits of Unix milliseconds, then 74 random bits (RFC 9562). Time-ordered, so the
 * service's unique index on client ids grows at its end. Built from `randomUUID()`, whose
 * entropy Node batches, by overwriting the time and version fields.
 */
export function uuidv7(now = Date.now()): string {
  const ts = now.toString(16).padStart(12, "0");
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep its last 3 hex of the third group on.
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
