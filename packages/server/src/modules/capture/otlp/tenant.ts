import type { Attributes } from "./types.js";

/**
 * The tenant a span or log record of a service key's export is for: the first of `names`
 * (config `otlp.tenantAttributes`, default `assent.tenant`) set on the record itself, else on
 * its resource. A string, or a whole number written as one; null when none is set.
 */
export function telemetryTenant(
  record: { readonly attributes: Attributes; readonly resource: Attributes },
  names: readonly string[],
): string | null {
  for (const attrs of [record.attributes, record.resource]) {
    for (const name of names) {
      const v = attrs.get(name);
      if (typeof v === "string" && v.length > 0) return v;
      if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
    }
  }
  return null;
}
