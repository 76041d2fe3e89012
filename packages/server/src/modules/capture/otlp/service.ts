import type { Clock } from "../../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../../config.js";
import type { TenantRef } from "../../consent/types.js";
import type { CaptureService } from "../service.js";
import type { InteractionInput, RejectedItem } from "../types.js";
import { validateItem, validationContext } from "../validate.js";
import { mapSpan } from "./map-span.js";
import { readExportRequest } from "./read.js";
import type { TraceExportOutcome } from "./types.js";

export interface OtlpMetrics {
  /** Spans of an export that were not model calls and so not interactions. */
  spansIgnored(region: string, count: number): void;
}

export interface OtlpService {
  /**
   * POST /v1/traces: maps the GenAI spans of an OTLP export (its JSON form; see decode.ts for
   * protobuf) to interactions and stores them through the consent gate like /v1/interactions.
   */
  ingestTraces(tenant: TenantRef, request: unknown): Promise<TraceExportOutcome>;
}

export interface OtlpDeps {
  readonly capture: Pick<CaptureService, "ingest">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxContentBytes" | "maxContentDepth">;
  readonly metrics: OtlpMetrics;
}

export function createOtlpService(deps: OtlpDeps): OtlpService {
  return {
    async ingestTraces(tenant, request) {
      const spans = readExportRequest(request);
      const ctx = validationContext(deps);
      const valid: InteractionInput[] = [];
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
        const r = validateItem(mapped.item, ctx);
        if (r.ok) {
          valid.push(r.value);
          return;
        }
        // The rules are /v1/interactions'; say where a derived field came from.
        const error = r.error.startsWith("feature")
          ? `${r.error} (taken from ${mapped.featureFrom})`
          : r.error;
        rejected.push({ index, error: `${name}: ${error}` });
      });
      deps.metrics.spansIgnored(tenant.region, ignored);
      const result = await deps.capture.ingest(tenant, valid, rejected);
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
