import type { Insertable, Kysely } from "kysely";
import { type Clock, DAY_MS, dayOf } from "../../clock.js";
import type { IngestConfig, ProgramConfig } from "../../config.js";
import { open, seal } from "../../crypto/aead.js";
import type { KeyWrapper } from "../../crypto/data-keys.js";
import { badRequest } from "../../errors.js";
import { newId } from "../../ids.js";
import type { InteractionTable, RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import { readJson, type Store, writeJson } from "../../stores/store.js";
import type { ConsentService, GateContext } from "../consent/service.js";
import type { TenantRef } from "../consent/types.js";
import { rollupRepo } from "../insights/rollup-repo.js";
import { openContent, sealContent } from "./content.js";
import { captureRepo } from "./repo.js";
import type {
  IngestResult,
  InteractionInput,
  InteractionMeta,
  InteractionWithContent,
  RejectedItem,
  Telemetry,
} from "./types.js";
import { validateItem, validationContext } from "./validate.js";

export type IngestOutcome = "accepted" | "dropped" | "rejected" | "duplicate";

export interface CaptureMetrics {
  ingested(region: string, outcome: IngestOutcome, count: number): void;
}

export interface CaptureService {
  /** POST /v1/interactions: validates the batch, then stores the valid items through the gate. */
  ingestBatch(tenant: TenantRef, body: unknown): Promise<IngestResult>;
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
  readonly consent: Pick<ConsentService, "withinSharing" | "getState">;
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly keys: Pick<KeyWrapper, "create" | "unwrap">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
  readonly ingest: Pick<IngestConfig, "maxBatchItems" | "maxContentBytes" | "maxContentDepth">;
  readonly metrics: CaptureMetrics;
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

  /** The data key of (tenant, period, day), made on first use. */
  async function dataKey(
    trx: Kysely<RegionDb>,
    tenantId: string,
    periodId: string,
    day: number,
    now: number,
  ) {
    const existing = await captureRepo.findDataKey(trx, tenantId, periodId, day);
    if (existing) {
      return {
        id: existing.id,
        key: deps.keys.unwrap({ id: existing.id, tenantId, periodId, day }, existing.wrapped),
      };
    }
    const ref = { id: newId(), tenantId, periodId, day };
    const { key, wrapped, masterKeyId } = deps.keys.create(ref);
    const row = {
      id: ref.id,
      tenant_id: tenantId,
      period_id: periodId,
      day,
      wrapped,
      created_at: now,
      master_key_id: masterKeyId,
    };
    if (await captureRepo.insertDataKey(trx, row)) {
      return { id: ref.id, key };
    }
    // Another writer made this day's key between our read and insert: use theirs.
    const theirs = await captureRepo.findDataKey(trx, tenantId, periodId, day);
    if (!theirs) throw new Error("data key vanished during capture");
    return {
      id: theirs.id,
      key: deps.keys.unwrap({ id: theirs.id, tenantId, periodId, day }, theirs.wrapped),
    };
  }

  async function store(ctx: GateContext, tenantId: string, items: readonly InteractionInput[]) {
    // Interactions that happened before this period's opt-in were not consented to.
    const inPeriod = items.filter((it) => it.occurredAt >= ctx.period.optedInAt);
    const keys = new Map<number, { id: string; key: Buffer }>();
    const rows: Insertable<InteractionTable>[] = [];
    for (const it of inPeriod) {
      const day = dayOf(it.occurredAt);
      let k = keys.get(day);
      if (!k) {
        k = await dataKey(ctx.trx, tenantId, ctx.period.id, day, ctx.now);
        keys.set(day, k);
      }
      const id = newId();
      const t = it.telemetry;
      rows.push({
        tenant_id: tenantId,
        id,
        client_id: it.clientId,
        period_id: ctx.period.id,
        key_id: k.id,
        feature: it.feature,
        conversation_id: it.conversationId,
        occurred_at: it.occurredAt,
        captured_at: ctx.now,
        content: sealContent(k.key, tenantId, id, it.content),
        model: t.model,
        provider: t.provider,
        latency_ms: t.latencyMs,
        tokens_in: t.tokensIn,
        tokens_out: t.tokensOut,
        finish_reason: t.finishReason,
        feedback: t.feedback,
        attributes: Object.keys(t.attributes).length ? writeJson(t.attributes) : null,
      });
    }
    const inserted = await captureRepo.insertInteractions(ctx.trx, rows);
    return {
      accepted: inserted,
      duplicates: rows.length - inserted,
      dropped: items.length - inPeriod.length,
    };
  }

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

  const service: CaptureService = {
    async ingestBatch(tenant, body) {
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw badRequest("invalid_body", 'body must be a JSON object with an "interactions" array');
      }
      const extra = Object.keys(body).filter((k) => k !== "interactions");
      if (extra.length) throw badRequest("invalid_body", 'body may only hold "interactions"');
      const list = (body as { interactions?: unknown }).interactions;
      if (!Array.isArray(list)) throw badRequest("invalid_body", '"interactions" must be an array');
      if (list.length < 1 || list.length > deps.ingest.maxBatchItems) {
        throw badRequest(
          "invalid_batch_size",
          `"interactions" must hold 1-${deps.ingest.maxBatchItems} items`,
        );
      }
      const ctx = validationContext(deps);
      const valid: InteractionInput[] = [];
      const rejected: RejectedItem[] = [];
      list.forEach((item, index) => {
        const r = validateItem(item, ctx);
        if (r.ok) valid.push(r.value);
        else rejected.push({ index, error: r.error });
      });
      return service.ingest(tenant, valid, rejected);
    },

    async ingest(tenant, items, rejected) {
      let result: IngestResult;
      if (items.length === 0) {
        const { sharing } = await deps.consent.getState(tenant);
        result = { sharing, accepted: 0, dropped: 0, duplicates: 0, rejected };
      } else {
        const stored = await deps.consent.withinSharing(tenant, (ctx) => store(ctx, tenant.id, items));
        result = stored
          ? { sharing: "on", ...stored, rejected }
          : { sharing: "off", accepted: 0, dropped: items.length, duplicates: 0, rejected };
      }
      metrics.ingested(tenant.region, "accepted", result.accepted);
      metrics.ingested(tenant.region, "dropped", result.dropped);
      metrics.ingested(tenant.region, "duplicate", result.duplicates);
      metrics.ingested(tenant.region, "rejected", rejected.length);
      return result;
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
