import { QUEUE_LIMITS, type ReviewState } from "@assent/sdk/contract";
import { type Clock, DAY_MS, dayOf } from "../../../clock.js";
import type { ProgramConfig } from "../../../config.js";
import { badRequest, conflict, forbidden, notFound } from "../../../errors.js";
import { newId } from "../../../ids.js";
import type { RegionDb, ReviewQueueItemTable, ReviewQueueTable } from "../../../stores/region-schema.js";
import { regionStore } from "../../../stores/regions.js";
import { readJson, type Store, writeJson } from "../../../stores/store.js";
import { coveringGrant, findCovering, noGrantAtAll, scopesOf } from "../../access/grants/coverage.js";
import type { GrantsService } from "../../access/grants/service.js";
import type { User } from "../../access/service.js";
import { appendAudit } from "../../audit/chain.js";
import { toInteractionMeta } from "../../capture/service.js";
import type { TenantRef } from "../../consent/types.js";
import { reviewRepo } from "../repo.js";
import { queuesRepo } from "./repo.js";
import type { NewQueue, Queue, QueueFilter, QueueItem, QueueProgress } from "./types.js";

export interface QueuesService {
  /** Samples the filter's interactions into a new queue; needs a grant covering the filter. */
  create(user: User, input: NewQueue): Promise<Queue>;
  /** Queues of the regions the user's grants cover, with their progress. */
  list(user: User): Promise<Queue[]>;
  get(user: User, id: string): Promise<Queue>;
  /** Items in queue order (metadata only), of tenants the user's grants cover. */
  items(
    user: User,
    id: string,
    opts: { state?: ReviewState; after?: number; limit?: number },
  ): Promise<{ items: QueueItem[]; nextAfter: number | null }>;
  /** The user's item in review, else the next new one (now in review, assigned to them); null when none is left. */
  next(user: User, id: string): Promise<{ item: QueueItem | null; progress: QueueProgress }>;
  /** Marks an item new (released), skipped or done. */
  setState(user: User, id: string, interactionId: string, state: ReviewState): Promise<QueueItem>;
}

export interface QueuesDeps {
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  readonly grants: Pick<GrantsService, "activeGrants">;
  readonly findTenant: (id: string) => Promise<TenantRef | null>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._:()/-]{0,119}$/u;
const EMPTY = Buffer.alloc(0);

/** Interleaves the features' samples so a reviewer meets every feature early, not one after another. */
function interleave<T>(groups: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...groups.map((g) => g.length));
  for (let i = 0; i < longest; i++) for (const g of groups) if (i < g.length) out.push(g[i] as T);
  return out;
}

function progressOf(counts: Map<ReviewState, number> | undefined): QueueProgress {
  const n = (s: ReviewState) => counts?.get(s) ?? 0;
  const p = { new: n("new"), inReview: n("in-review"), done: n("done"), skipped: n("skipped") };
  return { total: p.new + p.inReview + p.done + p.skipped, ...p };
}

export function createQueuesService(deps: QueuesDeps): QueuesService {
  const storeOf = (region: string) => regionStore(deps.regions, region);
  const notBefore = () => deps.clock.now() - deps.program.retentionDays * DAY_MS;

  const toQueue = (region: string, r: ReviewQueueTable, progress: QueueProgress): Queue => ({
    id: r.id,
    region,
    name: r.name,
    filter: readJson<QueueFilter>(r.filter),
    samplePerFeature: r.sample_per_feature === null ? null : Number(r.sample_per_feature),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    progress,
  });

  /** The queue and the tenants of its region the user's grants open (null: all of them). */
  async function open(user: User, id: string, what: string) {
    const grants = await deps.grants.activeGrants(user.id);
    if (grants.length === 0) throw noGrantAtAll(what);
    for (const [region, store] of deps.regions) {
      const row = await queuesRepo.find(store.db, id);
      if (!row) continue;
      const scope = scopesOf(grants).get(region);
      if (!scope) throw forbidden(`${what} needs an active access grant for region ${region}`);
      return { region, store, row, grants, tenantIds: scope === "all" ? null : [...scope] };
    }
    throw notFound(`queue ${id}`);
  }

  async function withMeta(store: Store<RegionDb>, region: string, rows: readonly ReviewQueueItemTable[]) {
    const cutoff = notBefore();
    return Promise.all(
      rows.map(async (r): Promise<QueueItem> => {
        const meta = await reviewRepo.findMeta(store.db, r.interaction_id, cutoff);
        return {
          interactionId: r.interaction_id,
          tenantId: r.tenant_id,
          feature: r.feature,
          position: Number(r.position),
          state: r.state,
          assigneeId: r.assignee_id,
          updatedAt: Number(r.updated_at),
          interaction: meta ? toInteractionMeta(region, { ...meta, content: EMPTY }) : null,
        };
      }),
    );
  }

  async function progress(store: Store<RegionDb>, id: string) {
    return progressOf((await queuesRepo.progress(store.db, [id])).get(id));
  }

  const service: QueuesService = {
    async create(user, input) {
      const name = input.name.trim();
      if (!NAME.test(name)) {
        throw badRequest(
          "invalid_name",
          "name must be 1-120 letters, digits, spaces and ._:()/- starting alphanumeric",
        );
      }
      const sample = input.sample;
      if (
        sample !== undefined &&
        (!Number.isInteger(sample) || sample < 1 || sample > QUEUE_LIMITS.maxSample)
      ) {
        throw badRequest(
          "invalid_sample",
          `sample must be a whole number from 1 to ${QUEUE_LIMITS.maxSample} per feature`,
        );
      }
      if (input.from !== undefined && input.to !== undefined && input.from >= input.to) {
        throw badRequest("invalid_window", "from must be before to");
      }
      const store = storeOf(input.region);
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll("building an annotation queue");
      const scope = scopesOf(grants).get(input.region);
      if (!scope)
        throw forbidden(
          `building an annotation queue in region ${input.region} needs an active access grant there`,
        );
      let tenantIds: readonly string[] | null = scope === "all" ? null : [...scope];
      let grant =
        grants.find((g) => g.region === input.region && g.tenantId === null) ??
        grants.find((g) => g.region === input.region);
      if (input.tenantId !== undefined) {
        const tenant = await deps.findTenant(input.tenantId);
        if (!tenant || tenant.region !== input.region)
          throw notFound(`tenant ${input.tenantId} in region ${input.region}`);
        grant = coveringGrant(
          grants,
          input.region,
          tenant.id,
          "building an annotation queue for this tenant",
        );
        tenantIds = [tenant.id];
      }
      if (!grant) throw forbidden("building an annotation queue needs an active access grant");
      const cutoff = Math.max(notBefore(), input.from ?? Number.MIN_SAFE_INTEGER);
      const features =
        input.feature !== undefined
          ? [input.feature]
          : await queuesRepo.features(store.db, tenantIds, dayOf(cutoff));
      const filter: QueueFilter = {
        ...(input.tenantId !== undefined ? { tenantId: input.tenantId } : {}),
        ...(input.feature !== undefined ? { feature: input.feature } : {}),
        ...(input.from !== undefined ? { from: input.from } : {}),
        ...(input.to !== undefined ? { to: input.to } : {}),
      };
      const perFeature =
        sample ?? Math.max(1, Math.floor(QUEUE_LIMITS.maxItems / Math.max(1, features.length)));
      const groups = await Promise.all(
        features.map((feature) =>
          queuesRepo.sample(store.db, feature, {
            ...filter,
            tenantIds,
            notBefore: notBefore(),
            limit: perFeature,
            random: sample !== undefined,
          }),
        ),
      );
      const picked = interleave(groups).slice(0, QUEUE_LIMITS.maxItems);
      if (picked.length === 0)
        throw conflict("empty_queue", "no interaction within retention matches this filter");
      const now = deps.clock.now();
      const row: ReviewQueueTable = {
        id: newId(),
        name,
        filter: writeJson(filter),
        sample_per_feature: sample ?? null,
        created_by: user.id,
        grant_id: grant.id,
        created_at: now,
      };
      const items: ReviewQueueItemTable[] = picked.map((p, position) => ({
        tenant_id: p.tenant_id,
        queue_id: row.id,
        interaction_id: p.id,
        feature: p.feature,
        position,
        state: "new",
        assignee_id: null,
        updated_at: now,
      }));
      await store.db.transaction().execute(async (trx) => {
        await queuesRepo.insert(trx, row, items);
        await appendAudit(trx, store.dialect, now, {
          actorId: user.id,
          actorRole: "reviewer",
          action: "review.queue-create",
          targetType: "queue",
          targetId: row.id,
          grantId: grant.id,
          reason: grant.reasonCode,
          details: { items: items.length, features: features.length, sample: sample ?? null },
        });
      });
      return toQueue(input.region, row, {
        total: items.length,
        new: items.length,
        inReview: 0,
        done: 0,
        skipped: 0,
      });
    },

    async list(user) {
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll("the annotation queues");
      const out: Queue[] = [];
      for (const region of scopesOf(grants).keys()) {
        const store = deps.regions.get(region);
        if (!store) continue;
        const rows = await queuesRepo.list(store.db);
        const counts = await queuesRepo.progress(
          store.db,
          rows.map((r) => r.id),
        );
        out.push(...rows.map((r) => toQueue(region, r, progressOf(counts.get(r.id)))));
      }
      return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    },

    async get(user, id) {
      const { region, store, row } = await open(user, id, "this annotation queue");
      return toQueue(region, row, await progress(store, id));
    },

    async items(user, id, opts) {
      const { region, store, tenantIds } = await open(user, id, "this annotation queue");
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
      const rows = await queuesRepo.items(store.db, id, {
        ...(opts.state ? { state: opts.state } : {}),
        ...(opts.after !== undefined ? { afterPosition: opts.after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const visible = tenantIds === null ? page : page.filter((r) => tenantIds.includes(r.tenant_id));
      const last = page[page.length - 1];
      return {
        items: await withMeta(store, region, visible),
        nextAfter: rows.length > limit && last ? Number(last.position) : null,
      };
    },

    async next(user, id) {
      const { region, store, tenantIds } = await open(user, id, "this annotation queue");
      // A few rounds: another reviewer may take the same item between the read and the claim.
      for (let round = 0; round < 5; round++) {
        const candidates = await queuesRepo.candidates(store.db, id, user.id, tenantIds);
        if (candidates.length === 0) break;
        for (const c of candidates) {
          const claimed = await store.db
            .transaction()
            .execute((trx) => queuesRepo.claim(trx, c, user.id, deps.clock.now()));
          if (!claimed) continue;
          const [item] = await withMeta(store, region, [{ ...c, state: "in-review", assignee_id: user.id }]);
          return { item: item ?? null, progress: await progress(store, id) };
        }
      }
      return { item: null, progress: await progress(store, id) };
    },

    async setState(user, id, interactionId, state) {
      const { region, store, grants } = await open(user, id, "this annotation queue");
      const current = await queuesRepo.item(store.db, id, interactionId);
      if (!current) throw notFound(`interaction ${interactionId} in queue ${id}`);
      if (!findCovering(grants, region, current.tenant_id)) {
        coveringGrant(grants, region, current.tenant_id, "working on this item");
      }
      const assignee = state === "new" ? null : user.id;
      await store.db
        .transaction()
        .execute((trx) =>
          queuesRepo.setState(
            trx,
            { queueId: id, tenantId: current.tenant_id, interactionId },
            state,
            assignee,
            deps.clock.now(),
          ),
        );
      const [item] = await withMeta(store, region, [{ ...current, state, assignee_id: assignee }]);
      return item as QueueItem;
    },
  };
  return service;
}
