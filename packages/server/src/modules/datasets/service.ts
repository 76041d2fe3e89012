import type { Clock } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { badRequest, conflict, forbidden, notFound } from "../../errors.js";
import { newId } from "../../ids.js";
import { readBudget } from "../../read-budget.js";
import type { DatasetItemTable, DatasetTable, RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import { readJson, type Store } from "../../stores/store.js";
import { describeGrants, findCovering, noGrantAtAll } from "../access/grants/coverage.js";
import type { GrantsService } from "../access/grants/service.js";
import type { Grant } from "../access/grants/types.js";
import type { User } from "../access/service.js";
import { ACCESS_ACTIONS } from "../audit/actions.js";
import { appendAudit } from "../audit/chain.js";
import type { CaptureService } from "../capture/service.js";
import type { ReviewService } from "../review/service.js";
import { datasetsRepo } from "./repo.js";
import {
  type AddItemsResult,
  type Dataset,
  type DatasetItem,
  FORBIDDEN_PURPOSE,
  MAX_DATASET_ITEMS,
  MAX_ITEMS_PER_CALL,
  type NewDataset,
} from "./types.js";

export interface DatasetsService {
  create(user: User, input: NewDataset): Promise<Dataset>;
  list(): Promise<Dataset[]>;
  get(id: string): Promise<Dataset>;
  /** Which interactions a dataset holds (ids, tenant, who added them; never content). */
  items(id: string): Promise<DatasetItem[]>;
  /** Adds interactions of the dataset's region; each needs a grant of the user covering its tenant. */
  addItems(user: User, id: string, interactionIds: readonly string[]): Promise<AddItemsResult>;
  /**
   * The dataset as JSON Lines with content. Needs grants covering every tenant in it and a purpose
   * still allowed; writes one audit event per tenant (with the grant and interaction ids) first.
   */
  exportJsonl(user: User, id: string): Promise<{ dataset: Dataset; body: string; count: number }>;
}

export interface DatasetsDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly grants: Pick<GrantsService, "activeGrants">;
  readonly review: Pick<ReviewService, "locate">;
  readonly capture: Pick<CaptureService, "readInteraction">;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "allowedPurposes">;
  /**
   * The purposes each tenant has accepted (its latest consent record); a tenant absent from the
   * answer has no record (it shared before records existed) and keeps the program's purposes.
   */
  readonly acceptedPurposes: (
    region: string,
    tenantIds: readonly string[],
  ) => Promise<ReadonlyMap<string, readonly string[]>>;
  /** An export running longer answers 503 with Retry-After (default 60 s). */
  readonly exportBudgetMs?: number;
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._:-]{0,119}$/u;

const EXPORT_BUDGET_MS = 60_000;
/** Items read between yields to the event loop during an export. */
const EXPORT_CHUNK = 50;

export function createDatasetsService(deps: DatasetsDeps): DatasetsService {
  const storeOf = (region: string) => regionStore(deps.regions, region);

  function checkPurpose(purpose: string): void {
    if (FORBIDDEN_PURPOSE.test(purpose)) {
      throw forbidden("training foundation models is never an allowed purpose of this program");
    }
    if (!deps.program.allowedPurposes.includes(purpose)) {
      throw forbidden(
        `purpose "${purpose}" is not allowed by the program (allowed: ${deps.program.allowedPurposes.join(", ")})`,
      );
    }
  }

  const toDataset = (region: string, r: DatasetTable, items: number): Dataset => ({
    id: r.id,
    region,
    name: r.name,
    purpose: r.purpose,
    description: r.description,
    createdBy: r.created_by,
    grantId: r.grant_id,
    createdAt: r.created_at,
    items,
  });

  async function find(id: string): Promise<{ region: string; store: Store<RegionDb>; row: DatasetTable }> {
    for (const [region, store] of deps.regions) {
      const row = await datasetsRepo.find(store.db, id);
      if (row) return { region, store, row };
    }
    throw notFound(`dataset ${id}`);
  }

  const service: DatasetsService = {
    async create(user, input) {
      const store = storeOf(input.region);
      const name = input.name.trim();
      if (!NAME.test(name)) {
        throw badRequest(
          "invalid_name",
          "name must be 1-120 letters, digits, spaces and ._:- starting alphanumeric",
        );
      }
      checkPurpose(input.purpose);
      const grants = await deps.grants.activeGrants(user.id);
      const grant = grants.find((g) => g.region === input.region);
      if (!grant) {
        if (grants.length === 0) throw noGrantAtAll("building a dataset");
        throw forbidden(
          `building a dataset in region ${input.region} needs an active access grant there; ` +
            `your active grants cover: ${describeGrants(grants)}`,
        );
      }
      const now = deps.clock.now();
      const row: DatasetTable = {
        id: newId(),
        name,
        purpose: input.purpose,
        description: input.description?.trim() || null,
        created_by: user.id,
        grant_id: grant.id,
        created_at: now,
      };
      await store.db.transaction().execute(async (trx) => {
        await datasetsRepo.insert(trx, row);
        await appendAudit(trx, store.dialect, now, {
          actorId: user.id,
          actorRole: "reviewer",
          action: "dataset.create",
          targetType: "dataset",
          targetId: row.id,
          grantId: grant.id,
          reason: grant.reasonCode,
          details: { purpose: row.purpose },
        });
      });
      return toDataset(input.region, row, 0);
    },

    async list() {
      const out: Dataset[] = [];
      for (const [region, store] of deps.regions) {
        const rows = await datasetsRepo.list(store.db);
        const counts = await datasetsRepo.countItems(
          store.db,
          rows.map((r) => r.id),
        );
        out.push(...rows.map((r) => toDataset(region, r, counts.get(r.id) ?? 0)));
      }
      return out.sort((a, b) => (a.id < b.id ? 1 : -1));
    },

    async get(id) {
      const { region, store, row } = await find(id);
      const counts = await datasetsRepo.countItems(store.db, [id]);
      return toDataset(region, row, counts.get(id) ?? 0);
    },

    async items(id) {
      const { store } = await find(id);
      return (await datasetsRepo.items(store.db, id)).map((r) => ({
        interactionId: r.interaction_id,
        tenantId: r.tenant_id,
        addedBy: r.added_by,
        addedAt: Number(r.added_at),
      }));
    },

    async addItems(user, id, interactionIds) {
      const unique = [...new Set(interactionIds)];
      if (unique.length < 1 || unique.length > MAX_ITEMS_PER_CALL) {
        throw badRequest("invalid_items", `interactionIds must hold 1-${MAX_ITEMS_PER_CALL} ids`);
      }
      const { region, store, row } = await find(id);
      checkPurpose(row.purpose);
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll("adding to a dataset");
      const found = await deps.review.locate(region, unique);
      const missing = unique.filter((i) => !found.has(i));
      if (missing.length) {
        throw notFound(`interactions ${missing.slice(0, 5).join(", ")} in region ${region}`);
      }
      const byTenant = new Map<string, { grant: Grant; ids: string[] }>();
      const rows: DatasetItemTable[] = [];
      const now = deps.clock.now();
      for (const interactionId of unique) {
        const where = found.get(interactionId) as { tenantId: string; periodId: string };
        let entry = byTenant.get(where.tenantId);
        if (!entry) {
          const grant = findCovering(grants, region, where.tenantId);
          if (!grant) {
            throw forbidden(
              `adding interactions of tenant ${where.tenantId} needs an active access grant for region ` +
                `${region} covering that tenant; your active grants cover: ${describeGrants(grants)}`,
            );
          }
          entry = { grant, ids: [] };
          byTenant.set(where.tenantId, entry);
        }
        entry.ids.push(interactionId);
        rows.push({
          tenant_id: where.tenantId,
          dataset_id: id,
          interaction_id: interactionId,
          period_id: where.periodId,
          added_by: user.id,
          added_at: now,
        });
      }
      // A purpose added to the program applies to a tenant only once its admin accepted it.
      const accepted = await deps.acceptedPurposes(region, [...byTenant.keys()]);
      const refusing = [...byTenant.keys()].filter((t) => {
        const purposes = accepted.get(t);
        return purposes !== undefined && !purposes.includes(row.purpose);
      });
      if (refusing.length) {
        throw forbidden(
          `tenant ${refusing.slice(0, 5).join(", ")} has not accepted the purpose "${row.purpose}" ` +
            "(the program's notice changed since its admin opted in): its interactions cannot join this dataset",
        );
      }
      const current = (await datasetsRepo.countItems(store.db, [id])).get(id) ?? 0;
      if (current + rows.length > MAX_DATASET_ITEMS) {
        throw conflict("dataset_full", `a dataset holds at most ${MAX_DATASET_ITEMS} interactions`);
      }
      const added = await store.db.transaction().execute(async (trx) => {
        const n = await datasetsRepo.insertItems(trx, rows);
        for (const [tenantId, { grant, ids }] of byTenant) {
          await appendAudit(trx, store.dialect, now, {
            actorId: user.id,
            actorRole: "reviewer",
            action: ACCESS_ACTIONS.datasetAdd,
            tenantId,
            targetType: "dataset",
            targetId: id,
            grantId: grant.id,
            reason: grant.reasonCode,
            details: { datasetId: id, purpose: row.purpose, interactionIds: ids },
          });
        }
        return n;
      });
      return { added, duplicates: rows.length - added };
    },

    async exportJsonl(user, id) {
      const { region, store, row } = await find(id);
      checkPurpose(row.purpose);
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll("exporting a dataset");
      const items = await datasetsRepo.items(store.db, id);
      const tenants = [...new Set(items.map((i) => i.tenant_id))];
      const uncovered = tenants.filter((t) => !findCovering(grants, region, t));
      if (uncovered.length) {
        throw forbidden(
          `exporting dataset ${id} needs active access grants for region ${region} covering tenants ` +
            `${uncovered.join(", ")}; your active grants cover: ${describeGrants(grants)}`,
        );
      }
      const lines: string[] = [];
      const exported = new Map<string, string[]>();
      // On SQLite every read below runs on the event loop: yield between chunks of items so an
      // export of thousands never holds other requests up, and give up past the budget.
      const budget = readBudget(`exporting dataset ${id}`, deps.exportBudgetMs ?? EXPORT_BUDGET_MS);
      let read = 0;
      for (const tenantId of tenants) {
        const ids = items.filter((i) => i.tenant_id === tenantId).map((i) => i.interaction_id);
        const labels = await datasetsRepo.labels(store.db, tenantId, ids);
        for (const interactionId of ids) {
          // Expired, withdrawn or shredded interactions are simply gone.
          if (++read % EXPORT_CHUNK === 0) await budget.next();
          const it = await deps.capture.readInteraction({ id: tenantId, region }, interactionId);
          if (!it) continue;
          lines.push(
            JSON.stringify({
              id: it.id,
              tenantId,
              feature: it.feature,
              conversationId: it.conversationId,
              occurredAt: new Date(it.occurredAt).toISOString(),
              input: it.input,
              output: it.output,
              telemetry: it.telemetry,
              labels: labels
                .filter((l) => l.interaction_id === interactionId)
                .map((l) => ({
                  rating: l.rating === null ? null : l.rating,
                  tags: readJson<string[]>(l.tags),
                })),
            }),
          );
          exported.set(tenantId, [...(exported.get(tenantId) ?? []), interactionId]);
        }
      }
      // Recorded before any content leaves: one event per tenant, with its grant and interactions.
      const now = deps.clock.now();
      await store.db.transaction().execute(async (trx) => {
        for (const [tenantId, ids] of exported) {
          const grant = findCovering(grants, region, tenantId) as Grant;
          await appendAudit(trx, store.dialect, now, {
            actorId: user.id,
            actorRole: "reviewer",
            action: ACCESS_ACTIONS.export,
            tenantId,
            targetType: "dataset",
            targetId: id,
            grantId: grant.id,
            reason: grant.reasonCode,
            details: { datasetId: id, purpose: row.purpose, interactionIds: ids, count: ids.length },
          });
        }
      });
      const dataset = toDataset(region, row, items.length);
      return { dataset, body: lines.length ? `${lines.join("\n")}\n` : "", count: lines.length };
    },
  };
  return service;
}
