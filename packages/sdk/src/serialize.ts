import { uuidv7 } from "./ids.js";
import type { Interaction } from "./types.js";

/** An interaction as `capture()` took it: the caller's fields and the time of the call. */
export interface PendingItem {
  readonly item: Interaction;
  readonly at: number;
}

/** An interaction serialized for the wire, with its size (and, with a service key, whose it is). */
export interface ReadyItem {
  readonly json: string;
  readonly bytes: number;
  readonly tenant?: string;
  readonly feature?: string;
}

/** The same rules as the service for the fields the SDK fills or relies on. */
const FEATURE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
/** A tenant id or external id, as the service bounds it. */
export const isTenantRef = (v: unknown): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= 128;

const jsonable = (v: unknown) => typeof v !== "function" && typeof v !== "symbol";

function isoTime(v: Date | string | number | undefined, at: number): string | null {
  if (v === undefined || v === null) return new Date(at).toISOString();
  if (typeof v === "string") return v;
  const t = typeof v === "number" ? v : v instanceof Date ? v.getTime() : Number.NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/**
 * Builds the wire form of one interaction, or null when the service could not take it (the
 * caller counts it `invalid`). Runs after `capture()` has returned, off the caller's path.
 * Everything else (telemetry ranges, occurredAt bounds) the service checks and names.
 */
export function serializeItem(p: PendingItem, maxItemBytes: number): ReadyItem | null {
  const x = p.item;
  if (typeof x.feature !== "string" || !FEATURE.test(x.feature)) return null;
  if (x.input === undefined || x.input === null || x.output === undefined) return null;
  // JSON.stringify would silently leave these out, and the service would see no input/output.
  if (!jsonable(x.input) || !jsonable(x.output)) return null;
  if (x.id !== undefined && (typeof x.id !== "string" || !CLIENT_ID.test(x.id))) return null;
  if (x.tenant !== undefined && !isTenantRef(x.tenant)) return null;
  if (
    x.subject !== undefined &&
    (typeof x.subject !== "string" || x.subject.length < 1 || x.subject.length > 256)
  )
    return null;
  const occurredAt = isoTime(x.occurredAt, p.at);
  if (occurredAt === null) return null;
  let json: string;
  try {
    json = JSON.stringify({
      id: x.id ?? uuidv7(p.at),
      tenant: x.tenant,
      feature: x.feature,
      input: x.input,
      output: x.output,
      occurredAt,
      conversationId: x.conversationId,
      subject: x.subject,
      telemetry: x.telemetry,
    });
  } catch {
    // A cycle or a BigInt: not JSON.
    return null;
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxItemBytes) return null;
  return x.tenant === undefined ? { json, bytes } : { json, bytes, tenant: x.tenant, feature: x.feature };
}
