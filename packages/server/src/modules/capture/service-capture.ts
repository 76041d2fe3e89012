import type { Clock } from "../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../config.js";
import { AppError } from "../../errors.js";
import { isStoreUnavailable, storeUnavailable } from "../../stores/unavailable.js";
import type { ServiceKeyIdentity } from "../service-keys/service.js";
import type { TenantResolver } from "../tenants/resolver.js";
import { batchItems, tenantField } from "./batch.js";
import type { CaptureMetrics, CaptureService } from "./service.js";
import type { InteractionInput, RejectedItem, ServiceIngestResult, TenantIngestResult } from "./types.js";
import { validateItem, validationContext } from "./validate.js";

/** A valid item of a service key's batch, with the tenant it names (an id or an external id). */
export interface TenantItem {
  readonly index: number;
  readonly ref: string;
  readonly item: InteractionInput;
}

export interface ServiceCaptureService {
  /** POST /v1/interactions with a service key: every item names its tenant. */
  ingestBatch(key: ServiceKeyIdentity, body: unknown): Promise<ServiceIngestResult>;
  /**
   * Stores valid items of many tenants: grouped by region, then tenant; each region's items go
   * to that region's store in one transaction that passes each tenant's own gate. Items of an
   * unknown tenant or of one outside the key's regions are rejected by index. A region store
   * out of reach makes the whole answer 503 (other regions may have stored theirs).
   */
  ingest(
    key: ServiceKeyIdentity,
    items: readonly TenantItem[],
    rejected: RejectedItem[],
  ): Promise<ServiceIngestResult>;
}

export interface ServiceCaptureDeps {
  readonly capture: Pick<CaptureService, "ingestTenants">;
  readonly resolver: TenantResolver;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxBatchItems" | "maxContentBytes">;
  readonly metrics: CaptureMetrics;
}

export function createServiceCapture(deps: ServiceCaptureDeps): ServiceCaptureService {
  const service: ServiceCaptureService = {
    async ingestBatch(key, body) {
      const list = batchItems(body, deps.ingest.maxBatchItems);
      const ctx = validationContext(deps);
      const items: TenantItem[] = [];
      const rejected: RejectedItem[] = [];
      list.forEach((raw, index) => {
        const named = tenantField(raw);
        const r = validateItem(raw, ctx);
        if (!named.ok) rejected.push({ index, error: named.error });
        else if (named.ref === null) rejected.push({ index, error: "tenant is required with a service key" });
        else if (!r.ok) rejected.push({ index, error: r.error });
        else items.push({ index, ref: named.ref, item: r.value });
      });
      return service.ingest(key, items, rejected);
    },

    async ingest(key, items, rejected) {
      const tenants = await deps.resolver.resolve(items.map((i) => i.ref));
      const byRegion = new Map<string, Map<string, InteractionInput[]>>();
      for (const { index, ref, item } of items) {
        const tenant = tenants.get(ref);
        if (!tenant) {
          rejected.push({ index, error: "unknown tenant" });
          continue;
        }
        if (!key.regions.includes(tenant.region)) {
          rejected.push({
            index,
            error: `the tenant's region (${tenant.region}) is outside the service key's regions`,
          });
          continue;
        }
        const groups = byRegion.get(tenant.region) ?? new Map<string, InteractionInput[]>();
        byRegion.set(tenant.region, groups);
        const list = groups.get(tenant.id) ?? [];
        groups.set(tenant.id, list);
        list.push(item);
      }
      deps.metrics.ingested("none", "rejected", rejected.length);
      const regions = [...byRegion];
      const settled = await Promise.allSettled(
        regions.map(([region, groups]) => deps.capture.ingestTenants(region, groups)),
      );
      const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
      if (failures.length > 0) {
        // Items of the other regions may be stored; a retry with the same ids finds them duplicates.
        const unavailable = failures.every(
          (e) => isStoreUnavailable(e) || (e instanceof AppError && e.status === 503),
        );
        throw unavailable ? storeUnavailable() : failures[0];
      }
      const result = { accepted: 0, dropped: 0, duplicates: 0 };
      const perTenant: Record<string, TenantIngestResult> = {};
      for (const s of settled) {
        if (s.status !== "fulfilled") continue;
        for (const [tenantId, r] of s.value) {
          perTenant[tenantId] = r;
          result.accepted += r.accepted;
          result.dropped += r.dropped;
          result.duplicates += r.duplicates;
        }
      }
      return { ...result, rejected: rejected.sort((a, b) => a.index - b.index), tenants: perTenant };
    },
  };
  return service;
}
