import type { Clock } from "../../../clock.js";
import type { IngestConfig, OtlpConfig, ProgramConfig } from "../../../config.js";
import type { ServiceKeyIdentity } from "../../service-keys/service.js";
import type { ServiceCaptureService, TenantItem } from "../service-capture.js";
import type { RejectedItem } from "../types.js";
import { validateItem, validationContext } from "../validate.js";
import { mapSpan, NO_CONTENT_REASON } from "./map-span.js";
import { foldNestedCalls } from "./nested.js";
import { readExportRequest } from "./read.js";
import { telemetryTenant } from "./tenant.js";
import type { ExportOutcome, OtlpSpan } from "./types.js";

/**
 * POST /v1/traces with a service key: each model-call span names its tenant (telemetryTenant)
 * and goes through that tenant's gate and region (service-capture.ts). A span without a tenant
 * is rejected. Spans whose content is only in log records are rejected too: the span/log join
 * is per tenant key for now (see ADR 0007).
 */
export interface ServiceTraces {
  ingestTraces(key: ServiceKeyIdentity, request: unknown): Promise<ExportOutcome>;
}

export function createServiceTraces(deps: {
  readonly serviceCapture: Pick<ServiceCaptureService, "ingest">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes" | "maxContentDepth">;
  readonly otlp: Pick<OtlpConfig, "tenantAttributes">;
  readonly metrics: { spansIgnored(region: string, count: number): void };
}): ServiceTraces {
  return {
    async ingestTraces(key, request) {
      const read = readExportRequest(request);
      const index = new Map<OtlpSpan, number>(read.map((s, i) => [s, i]));
      const { spans, folded } = foldNestedCalls(read);
      const ctx = validationContext(deps);
      const items: TenantItem[] = [];
      const rejected: RejectedItem[] = [];
      let ignored = folded;
      for (const span of spans) {
        const i = index.get(span) ?? read.findIndex((s) => s.spanId === span.spanId);
        const name = `span ${i}${span.spanId ? ` (${span.spanId})` : ""}`;
        const mapping = mapSpan(span);
        if (mapping.kind === "ignored") {
          ignored += 1;
          continue;
        }
        if (mapping.kind === "invalid" || mapping.kind === "no-content") {
          rejected.push({
            index: i,
            error: `${name}: ${mapping.kind === "invalid" ? mapping.reason : NO_CONTENT_REASON}`,
          });
          continue;
        }
        const ref = telemetryTenant(span, deps.otlp.tenantAttributes);
        if (ref === null) {
          const names = deps.otlp.tenantAttributes.join(" or ");
          rejected.push({
            index: i,
            error: `${name}: no tenant (attribute ${names} on the span or its resource)`,
          });
          continue;
        }
        const r = validateItem(mapping.item, ctx);
        if (r.ok) items.push({ index: i, ref, item: r.value });
        else rejected.push({ index: i, error: `${name}: ${r.error}` });
      }
      deps.metrics.spansIgnored("none", ignored);
      const result = await deps.serviceCapture.ingest(key, items, rejected);
      return {
        sharing: Object.values(result.tenants).some((t) => t.sharing === "on") ? "on" : "off",
        multiTenant: true,
        items: read.length,
        accepted: result.accepted,
        duplicates: result.duplicates,
        dropped: result.dropped,
        // Unknown tenants and regions outside the key come back by index: say which span.
        rejected: result.rejected.map((r) =>
          r.error.startsWith("span ") ? r.error : `span ${r.index}: ${r.error}`,
        ),
        ignored,
        waiting: 0,
      };
    },
  };
}
