import { LABEL_LIMITS } from "@assent/sdk/contract";
import { type Clock, DAY_MS } from "../../clock.js";
import type { ProgramConfig } from "../../config.js";
import { badRequest, forbidden, notFound } from "../../errors.js";
import { newId } from "../../ids.js";
import type { LabelTable, RegionDb } from "../../stores/region-schema.js";
import { regionStore } from "../../stores/regions.js";
import { readJson, type Store, writeJson } from "../../stores/store.js";
import { coveringGrant, noGrantAtAll, scopesOf } from "../access/grants/coverage.js";
import type { GrantsService } from "../access/grants/service.js";
import type { Grant } from "../access/grants/types.js";
import type { User } from "../access/service.js";
import { ACCESS_ACTIONS } from "../audit/actions.js";
import { appendAudit } from "../audit/chain.js";
import { type CaptureService, type LabelNoteCipher, toInteractionMeta } from "../capture/service.js";
import type { InteractionMeta } from "../capture/types.js";
import type { TenantRef } from "../consent/types.js";
import { type InteractionMetaRow, reviewRepo } from "./repo.js";
import type { Label, LabelInput, QueueFilter, QueuePage, ReviewedInteraction } from "./types.js";

export interface ReviewService {
  /** Metadata of interactions the user's grants cover, newest first. Never content. */
  queue(user: User, filter: QueueFilter): Promise<QueuePage>;
  /** One interaction with content and labels; writes exactly one audit event carrying the grant. */
  read(user: User, id: string): Promise<ReviewedInteraction>;
  addLabel(user: User, id: string, input: LabelInput): Promise<Label>;
  /** Tenant and sharing period of interactions in one region still within retention (metadata only). */
  locate(
    region: string,
    ids: readonly string[],
  ): Promise<Map<string, { tenantId: string; periodId: string }>>;
  /** Where an interaction lives and the grant that opens it for the user, or a 403/404. */
  authorize(
    user: User,
    id: string,
    what: string,
  ): Promise<{ tenant: TenantRef; grant: Grant; periodId: string }>;
}

export interface ReviewDeps {
  readonly grants: Pick<GrantsService, "activeGrants">;
  readonly capture: Pick<CaptureService, "readInteraction" | "labelNoteCipher">;
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  /** A tenant's home region, to check a tenant filter against the grants. */
  readonly findTenant: (id: string) => Promise<TenantRef | null>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays">;
}

export const TAG = new RegExp(`^[a-z0-9][a-z0-9._:-]{0,${LABEL_LIMITS.tagLength - 1}}$`);

const EMPTY = Buffer.alloc(0);
// The queue's rows carry no ciphertext; the mapping below never reads it.
const metaOf = (region: string, row: InteractionMetaRow): InteractionMeta =>
  toInteractionMeta(region, { ...row, content: EMPTY });

function encodeCursor(m: InteractionMeta): string {
  return Buffer.from(JSON.stringify([m.occurredAt, m.id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { occurredAt: number; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && typeof v[0] === "number" && typeof v[1] === "string" && v[1].length <= 64) {
      return { occurredAt: v[0], id: v[1] };
    }
  } catch {
    // reported below
  }
  throw badRequest("invalid_cursor", "cursor must be a nextCursor from an earlier page");
}

const newestFirst = (a: InteractionMeta, b: InteractionMeta) =>
  b.occurredAt - a.occurredAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function createReviewService(deps: ReviewDeps): ReviewService {
  const notBefore = () => deps.clock.now() - deps.program.retentionDays * DAY_MS;
  const storeOf = (region: string) => regionStore(deps.regions, region);

  function toLabel(row: LabelTable, cipher: LabelNoteCipher | null): Label {
    return {
      id: row.id,
      interactionId: row.interaction_id,
      tenantId: row.tenant_id,
      reviewerId: row.reviewer_id,
      grantId: row.grant_id,
      rating: row.rating === null ? null : row.rating,
      tags: readJson<string[]>(row.tags),
      note: row.note && cipher ? cipher.open(row.id, Buffer.from(row.note)) : null,
      createdAt: row.created_at,
    };
  }

  const service: ReviewService = {
    async authorize(user, id, what) {
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll(what);
      const cutoff = notBefore();
      for (const [region, store] of deps.regions) {
        const row = await reviewRepo.findMeta(store.db, id, cutoff);
        if (!row) continue;
        const grant = coveringGrant(grants, region, row.tenant_id, what);
        return { tenant: { id: row.tenant_id, region }, grant, periodId: row.period_id };
      }
      throw notFound(`interaction ${id}`);
    },

    async locate(region, ids) {
      const rows = await reviewRepo.findMetaMany(storeOf(region).db, ids, notBefore());
      return new Map(rows.map((r) => [r.id, { tenantId: r.tenant_id, periodId: r.period_id }]));
    },

    async queue(user, filter) {
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll("the review queue");
      let scopes = scopesOf(grants);
      if (filter.region !== undefined) {
        const scope = scopes.get(filter.region);
        if (!scope) throw forbidden(`no active access grant of yours covers region ${filter.region}`);
        scopes = new Map([[filter.region, scope]]);
      }
      const perRegion: [string, readonly string[] | null][] = [];
      if (filter.tenantId !== undefined) {
        const tenant = await deps.findTenant(filter.tenantId);
        const scope = tenant ? scopes.get(tenant.region) : undefined;
        if (!tenant || !scope || (scope !== "all" && !scope.has(tenant.id))) {
          throw forbidden(`no active access grant of yours covers tenant ${filter.tenantId}`);
        }
        perRegion.push([tenant.region, [tenant.id]]);
      } else {
        for (const [region, scope] of scopes) perRegion.push([region, scope === "all" ? null : [...scope]]);
      }
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
      const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
      const cutoff = notBefore();
      // Keyset paging over the union of regions: each region gives its next limit+1, merged.
      const pages = await Promise.all(
        perRegion.map(async ([region, tenantIds]) => {
          const rows = await reviewRepo.queue(storeOf(region).db, {
            tenantIds,
            ...(filter.feature !== undefined ? { feature: filter.feature } : {}),
            ...(filter.from !== undefined ? { from: filter.from } : {}),
            ...(filter.to !== undefined ? { to: filter.to } : {}),
            notBefore: cutoff,
            ...(after ? { after } : {}),
            limit: limit + 1,
          });
          return rows.map((r) => metaOf(region, r));
        }),
      );
      const merged = pages.flat().sort(newestFirst);
      const items = merged.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: merged.length > limit && last ? encodeCursor(last) : null };
    },

    async read(user, id) {
      const { tenant, grant } = await service.authorize(user, id, `reading interaction ${id}`);
      const content = await deps.capture.readInteraction(tenant, id);
      if (!content) throw notFound(`interaction ${id}`);
      const store = storeOf(tenant.region);
      const rows = await reviewRepo.labels(store.db, tenant.id, id);
      const cipher = rows.some((r) => r.note) ? await deps.capture.labelNoteCipher(tenant, id) : null;
      const labels = rows.map((r) => toLabel(r, cipher));
      // The read is recorded before any content leaves: no audit event, no answer.
      await store.db.transaction().execute((trx) =>
        appendAudit(trx, store.dialect, deps.clock.now(), {
          actorId: user.id,
          actorRole: "reviewer",
          action: ACCESS_ACTIONS.read,
          tenantId: tenant.id,
          targetType: "interaction",
          targetId: id,
          grantId: grant.id,
          reason: grant.reasonCode,
          details: { requestId: grant.requestId },
        }),
      );
      return { ...content, grantId: grant.id, labels };
    },

    async addLabel(user, id, input) {
      const rating = input.rating ?? null;
      if (rating !== null && (!Number.isInteger(rating) || rating < 1 || rating > 5)) {
        throw badRequest("invalid_rating", "rating must be a whole number from 1 to 5");
      }
      const tags = [...new Set(input.tags ?? [])];
      if (tags.length > LABEL_LIMITS.maxTags || tags.some((t) => !TAG.test(t))) {
        throw badRequest(
          "invalid_tags",
          `tags: at most ${LABEL_LIMITS.maxTags}, each 1-${LABEL_LIMITS.tagLength} characters of a-z, 0-9 and ._:- starting alphanumeric`,
        );
      }
      const note = input.note?.trim() || null;
      if (note !== null && note.length > LABEL_LIMITS.noteMax) {
        throw badRequest("invalid_note", `note must be at most ${LABEL_LIMITS.noteMax} characters`);
      }
      if (rating === null && tags.length === 0 && note === null) {
        throw badRequest("empty_label", "a label needs a rating, tags or a note");
      }
      const { tenant, grant, periodId } = await service.authorize(user, id, `labelling interaction ${id}`);
      const cipher = await deps.capture.labelNoteCipher(tenant, id);
      if (!cipher) throw notFound(`interaction ${id}`);
      const now = deps.clock.now();
      const row: LabelTable = {
        tenant_id: tenant.id,
        id: newId(),
        interaction_id: id,
        period_id: periodId,
        reviewer_id: user.id,
        grant_id: grant.id,
        rating,
        tags: writeJson(tags),
        note: null,
        created_at: now,
      };
      if (note !== null) row.note = cipher.seal(row.id, note);
      const store = storeOf(tenant.region);
      await store.db.transaction().execute(async (trx) => {
        await reviewRepo.insertLabel(trx, row);
        await appendAudit(trx, store.dialect, now, {
          actorId: user.id,
          actorRole: "reviewer",
          action: ACCESS_ACTIONS.label,
          tenantId: tenant.id,
          targetType: "interaction",
          targetId: id,
          grantId: grant.id,
          reason: grant.reasonCode,
          details: { labelId: row.id, requestId: grant.requestId, rating, withNote: note !== null },
        });
      });
      return { ...toLabel({ ...row, note: null }, null), note };
    },
  };
  return service;
}
