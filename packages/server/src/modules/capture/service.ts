import { type Clock, DAY_MS } from "../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../config.js";
import { open, seal } from "../../crypto/aead.js";
import type { KeyWrapper } from "../../crypto/data-keys.js";
import type { InteractionTable, RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";

import { readJson, type Store } from "../../stores/store.js";
import type { ConsentService } from "../consent/service.js";

import type { TenantRef } from "../consent/types.js";
import { rollupRepo } from "../insights/rollup-repo.js";
import type { SubjectHasher } from "../scopes/subject-keys.js";
import { batchItems, tenantField } from "./batch.js";
import { openContent } from "./content.js";
import { captureRepo } from "./repo.js";
import { type StoredCounts, storeInRegion } from "./store.js";
import type {
  IngestResult,
  InteractionInput,
  InteractionMeta,
  InteractionWithContent,
  RejectedItem,
  Telemetry,
  TenantIngestResult,
} from "./types.js";
import { validateItem, validationContext } from "./validate.js";

export type IngestOutcome = "accepted" | "dropped" | "rejected" | "duplicate";

export interface CaptureMetrics {
  ingested(region: string, outcome: IngestOutcome, count: number): void;
}

export interface CaptureService {
  /** POST /v1/interactions: validates the batch, then stores the valid items through the gate. */
  ingestBatch(
    tenant: TenantRef & { readonly externalId?: string | null },
    body: unknown,
  ): Promise<IngestResult>;
  /**
   * Stores already-validated interactions of several tenants of ONE region, each through its
   * own tenant's gate, in one transaction of that region's store (a service key's batch).
   */
  ingestTenants(
    region: string,
    groups: ReadonlyMap<string, readonly InteractionInput[]>,
  ): Promise<Map<string, TenantIngestResult>>;
  /** Stores already-validated interactions (OTLP mapping) through the gate. */
  ingest(
    tenant: TenantRef,
    items: readonly InteractionInput[],
    rejected: RejectedItem[],
  ): Promise<IngestResult>;
  /** One interaction with its content decrypted, or null when absent, expired or shredded. */
  readInteraction(tenant: TenantRef, id: string): Promise<InteractionWithContent | null>;
  /** How many interactions of the tenant its region holds (read from the rollups). */
  countInteractions(tenant: TenantRef): Promise<number>;
  /**
   * Seals and opens reviewers' label notes (which may quote content) with the data key of the
   * interaction they are about, so a note is shredded with it. Null when the interaction is gone.
   */
  labelNoteCipher(tenant: TenantRef, interactionId: string): Promise<LabelNoteCipher | null>;
}

export interface LabelNoteCipher {
  seal(labelId: string, note: string): Buffer;
  open(labelId: string, sealed: Buffer): string;
}

const labelNoteAad = (tenantId: string, interactionId: string, labelId: string) =>
  `assent:label-note:${tenantId}:${interactionId}:${labelId}`;

export interface CaptureDeps {
  readonly consent: Pick<ConsentService, "withinSharingOf" | "getState">;
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly keys: Pick<KeyWrapper, "create" | "unwrap">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxBatchItems" | "maxContentBytes" | "maxContentDepth">;
  readonly metrics: CaptureMetrics;
  /** Hashes items' subjects before the gate: raw subject ids never reach a store. */
  readonly subjects: Pick<SubjectHasher, "hashAll">;
}

export function toTelemetry(row: InteractionTable): Telemetry {
  return {
    model: row.model,
    provider: row.provider,
    latencyMs: row.latency_ms ?? null,
    tokensIn: row.tokens_in ?? null,
    tokensOut: row.tokens_out ?? null,
    finishReason: row.finish_reason,
    feedback: row.feedback ?? null,
    attributes: row.attributes === null ? {} : readJson(row.attributes),
  };
}

export function toInteractionMeta(region: string, row: InteractionTable): InteractionMeta {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    region,
    clientId: row.client_id,
    periodId: row.period_id,
    feature: row.feature,
    conversationId: row.conversation_id,
    occurredAt: row.occurred_at,
    capturedAt: row.captured_at,
    telemetry: toTelemetry(row),
  };
}

export function createCaptureService(deps: CaptureDeps): CaptureService {
  const { metrics } = deps;

  /**
   * A tenant's interaction within the retention period, with its data key; null when absent,
   * expired, another tenant's, or shredded (its key destroyed, whatever rows remain).
   */
  async function liveInteraction(tenant: TenantRef, id: string) {
    const store = regionStore(deps.regions, tenant.region);
    const notBefore = deps.clock.now() - deps.program.retentionDays * DAY_MS;
    const row = await captureRepo.findInteraction(store.db, id, notBefore);
    if (!row || row.tenant_id !== tenant.id) return null;
    const keyRow = await captureRepo.findDataKeyById(store.db, row.key_id);
    if (!keyRow) return null;
    const key = deps.keys.unwrap(
      { id: keyRow.id, tenantId: keyRow.tenant_id, periodId: keyRow.period_id, day: Number(keyRow.day) },
      keyRow.wrapped,
    );
    return { row, key };
  }

  /** Each item's subject replaced by its keyed hash (items without one are passed as they are). */
  async function hashSubjects(
    region: string,
    groups: ReadonlyMap<string, readonly InteractionInput[]>,
  ): Promise<ReadonlyMap<string, readonly InteractionInput[]>> {
    const out = new Map<string, readonly InteractionInput[]>();
    for (const [tenantId, items] of groups) {
      const subjects = items.flatMap((i) => (i.subject ? [i.subject] : []));
      if (subjects.length === 0) {
        out.set(tenantId, items);
        continue;
      }
      const hashes = await deps.subjects.hashAll({ id: tenantId, region }, subjects);
      out.set(
        tenantId,
        items.map((i) =>
          i.subject ? { ...i, subject: null, subjectHash: hashes.get(i.subject) as string } : i,
        ),
      );
    }
    return out;
  }

  const service: CaptureService = {
    async ingestBatch(tenant, body) {
      const list = batchItems(body, deps.ingest.maxBatchItems);
      const ctx = validationContext(deps);
      const valid: InteractionInput[] = [];
      const rejected: RejectedItem[] = [];
      list.forEach((item, index) => {
        const named = tenantField(item);
        const r = validateItem(item, ctx);
        if (!named.ok) rejected.push({ index, error: named.error });
        else if (named.ref !== null && named.ref !== tenant.id && named.ref !== tenant.externalId) {
          rejected.push({ index, error: "tenant is not the key's tenant (use a service key for others)" });
        } else if (r.ok) valid.push(r.value);
        else rejected.push({ index, error: r.error });
      });
      return service.ingest(tenant, valid, rejected);
    },

    async ingestTenants(region, raw) {
      // Only batches with subjects wait for hashing: the others enter the gate at once.
      const hasSubjects = [...raw.values()].some((items) => items.some((i) => i.subject));
      const groups = hasSubjects ? await hashSubjects(region, raw) : raw;
      const stored =
        (await deps.consent.withinSharingOf(region, [...groups.keys()], (gate) =>
          storeInRegion(deps.keys, gate, groups),
        )) ?? new Map<string, StoredCounts>();
      const results = new Map<string, TenantIngestResult>();
      const total = { accepted: 0, dropped: 0, duplicates: 0 };
      for (const [tenantId, items] of groups) {
        const r: TenantIngestResult = stored.get(tenantId)
          ? { sharing: "on", ...(stored.get(tenantId) as Omit<TenantIngestResult, "sharing">) }
          : { sharing: "off", accepted: 0, dropped: items.length, duplicates: 0 };
        results.set(tenantId, r);
        total.accepted += r.accepted;
        total.dropped += r.dropped;
        total.duplicates += r.duplicates;
      }
      metrics.ingested(region, "accepted", total.accepted);
      metrics.ingested(region, "dropped", total.dropped);
      metrics.ingested(region, "duplicate", total.duplicates);
      return results;
    },

    async ingest(tenant, items, rejected) {
      metrics.ingested(tenant.region, "rejected", rejected.length);
      if (items.length === 0) {
        const { sharing } = await deps.consent.getState(tenant);
        return { sharing, accepted: 0, dropped: 0, duplicates: 0, rejected };
      }
      const results = await service.ingestTenants(tenant.region, new Map([[tenant.id, items]]));
      const r = results.get(tenant.id) as TenantIngestResult;
      return { ...r, rejected };
    },

    async readInteraction(tenant, id) {
      const found = await liveInteraction(tenant, id);
      if (!found) return null;
      const { row, key } = found;
      return {
        ...toInteractionMeta(tenant.region, row),
        ...openContent(key, row.tenant_id, row.id, row.content),
      };
    },

    async labelNoteCipher(tenant, interactionId) {
      const found = await liveInteraction(tenant, interactionId);
      if (!found) return null;
      const { key } = found;
      return {
        seal: (labelId, note) =>
          seal(key, Buffer.from(note, "utf8"), labelNoteAad(tenant.id, interactionId, labelId)),
        open: (labelId, sealed) =>
          open(key, sealed, labelNoteAad(tenant.id, interactionId, labelId)).toString("utf8"),
      };
    },

    async countInteractions(tenant) {
      return rollupRepo.interactionsHeld(regionStore(deps.regions, tenant.region).db, tenant.id);
    },
  };
  return service;
}
