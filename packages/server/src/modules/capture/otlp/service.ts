import type { Clock } from "../../../clock.js";
import type { IngestConfig, OtlpConfig, ProgramConfig } from "../../../config.js";
import type { TenantRef } from "../../consent/types.js";
import type { ServiceKeyIdentity } from "../../service-keys/service.js";
import type { CaptureService } from "../service.js";
import type { ServiceCaptureService, TenantItem } from "../service-capture.js";
import type { RejectedItem } from "../types.js";
import { validateItem, validationContext } from "../validate.js";
import { mapSpan } from "./map-span.js";
import { readExportRequest } from "./read.js";
import { telemetryTenant } from "./tenant.js";
import type { TraceExportOutcome } from "./types.js";

export interface OtlpMetrics {
  /** Spans of an export that were not model calls and so not interactions. */
  spansIgnored(region: string, count: number): void;
}

export interface OtlpService {
  /**
   * POST /v1/traces: maps the GenAI spans of an OTLP export (its JSON form; see decode.ts for
   * protobuf) to interactions and stores them through the consent gate like /v1/interactions.
   * With a service key each span names its tenant (see tenant.ts) and passes that tenant's gate.
   */
  ingestTraces(caller: OtlpCaller, request: unknown): Promise<TraceExportOutcome>;
}

/** Whom an export captures for: the tenant of its key, or (service key) the tenant of each span. */
export type OtlpCaller =
  | { readonly kind: "tenant"; readonly tenant: TenantRef }
  | { readonly kind: "service"; readonly key: ServiceKeyIdentity };

export interface OtlpDeps {
  readonly capture: Pick<CaptureService, "ingest">;
  readonly serviceCapture: Pick<ServiceCaptureService, "ingest">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes">;
  readonly otlp: Pick<OtlpConfig, "tenantAttributes">;
  readonly metrics: OtlpMetrics;
}

export function createOtlpService(deps: OtlpDeps): OtlpService {
  return {
    async ingestTraces(caller, request) {
      const spans = readExportRequest(request);
      const ctx = validationContext(deps);
      const valid: TenantItem[] = [];
      const rejected: RejectedItem[] = [];
      let ignored = 0;
      spans.forEach((span, index) => {
        const mapped = mapSpan(span);
        const name = `span ${index}${span.spanId ? ` (${span.spanId})` : ""}`;
        if (mapped.kind === "ignored") {
          ignored += 1;
          return;
        }
        if (mapped.kind === "invalid") {
          rejected.push({ index, error: `${name}: ${mapped.reason}` });
          return;
        }
        const ref = caller.kind === "service" ? telemetryTenant(span, deps.otlp.tenantAttributes) : "";
        if (ref === null) {
          rejected.push({
            index,
            error: `${name}: no tenant (attribute ${deps.otlp.tenantAttributes.join(" or ")} on the span or its resource)`,
          });
          return;
        }
        const r = validateItem(mapped.item, ctx);
        if (r.ok) {
          valid.push({ index, ref, item: r.value });
          return;
        }
        // The rules are /v1/interactions'; say where a derived field came from.
        const error = r.error.startsWith("feature")
          ? `${r.error} (taken from ${mapped.featureFrom})`
          : r.error;
        rejected.push({ index, error: `${name}: ${error}` });
      });
      if (caller.kind === "service") {
        deps.metrics.spansIgnored("none", ignored);
        const result = await deps.serviceCapture.ingest(caller.key, valid, rejected);
        // An index in this list is a span's; unknown tenants and regions outside the key say whose.
        const reasons = result.rejected.map((r) =>
          r.error.startsWith("span ") ? r.error : `span ${r.index}: ${r.error}`,
        );
        return {
          sharing: Object.values(result.tenants).some((t) => t.sharing === "on") ? "on" : "off",
          multiTenant: true,
          spans: spans.length,
          accepted: result.accepted,
          duplicates: result.duplicates,
          dropped: result.dropped,
          rejected: reasons,
          ignored,
        };
      }
      deps.metrics.spansIgnored(caller.tenant.region, ignored);
      const result = await deps.capture.ingest(
        caller.tenant,
        valid.map((v) => v.item),
        rejected,
      );
      return {
        sharing: result.sharing,
        spans: spans.length,
        accepted: result.accepted,
        duplicates: result.duplicates,
        dropped: result.dropped,
        rejected: result.rejected.map((r) => r.error),
        ignored,
      };
    },
  };
}
