import { PREFERENCES, type Preference } from "@assent/sdk/contract";
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
import { checkLabel, type LabelSchema, labelSchemaOf } from "./label-schema.js";
import { queuesRepo } from "./queues/repo.js";
import { type InteractionMetaRow, reviewRepo } from "./repo.js";
import type {
  ComparisonInput,
  Label,
  LabelInput,
  QueueFilter,
  QueuePage,
  ReviewedInteraction,
} from "./types.js";

/** A tenant a reviewer's grants open, for pickers (name and region, no data). */
export interface CoveredTenant {
  readonly id: string;
  readonly name: string;
  readonly region: string;
}

export interface ReviewService {
  /** What a label may hold in this program (rating scale, tag vocabulary, corrected output). */
  labelSchema(): LabelSchema;
  /** Tenants the user's active grants open, by region; empty without grants. */
  coveredTenants(user: User): Promise<CoveredTenant[]>;
  /** Every tenant by name and region (no data): what a reviewer picks from when asking for access. */
  tenantDirectory(): Promise<CoveredTenant[]>;
  /** Metadata of interactions the user's grants cover, newest first. Never content. */
  queue(user: User, filter: QueueFilter): Promise<QueuePage>;
  /** One interaction with content and labels; writes exactly one audit event carrying the grant. */
  read(user: User, id: string): Promise<ReviewedInteraction>;
  addLabel(user: User, id: string, input: LabelInput): Promise<Label>;
  /**
   * A preference between two interactions of one tenant and feature, stored as a label of `a`
   * (audited like any label: ids and the choice, never content; the note sealed with a's key).
   */
  compare(user: User, input: ComparisonInput): Promise<Label>;
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
  ): Promise<{ tenant: TenantRef; grant: Grant; periodId: string; feature: string; occurredAt: number }>;
}

export interface ReviewDeps {
  readonly grants: Pick<GrantsService, "activeGrants">;
  readonly capture: Pick<CaptureService, "readInteraction" | "labelNoteCipher">;
  readonly regions: ReadonlyMap<string, Store<RegionDb>>;
  /** A tenant's home region, to check a tenant filter against the grants. */
  readonly findTenant: (id: string) => Promise<TenantRef | null>;
  readonly listTenants: () => Promise<readonly CoveredTenant[]>;
  readonly clock: Clock;
  readonly program: Pick<ProgramConfig, "retentionDays" | "labels">;
}

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

/** The corrected output is sealed under its own associated data, apart from the note. */
const correctedId = (labelId: string) => `${labelId}/corrected-output`;

const isPreference = (v: unknown): v is Preference => (PREFERENCES as readonly unknown[]).includes(v);
const FLIPPED: Record<Preference, Preference> = { a: "b", b: "a", tie: "tie" };

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
      correctedOutput:
        row.corrected_output && cipher
          ? cipher.open(correctedId(row.id), Buffer.from(row.corrected_output))
          : null,
      kind: row.kind === "preference" ? "preference" : "rating",
      comparedWith: row.compared_with ?? null,
      preference: isPreference(row.preference) ? row.preference : null,
      createdAt: row.created_at,
    };
  }

  /** Seals the label's note and corrected output, inserts it and audits it, in one transaction. */
  async function saveLabel(
    user: User,
    at: { tenant: TenantRef; grant: Grant },
    row: LabelTable,
    text: { note: string | null; correctedOutput: string | null },
    cipher: LabelNoteCipher,
    details: Record<string, unknown>,
    queueId?: string,
  ): Promise<Label> {
    const { tenant, grant } = at;
    if (text.note !== null) row.note = cipher.seal(row.id, text.note);
    if (text.correctedOutput !== null) {
      row.corrected_output = cipher.seal(correctedId(row.id), text.correctedOutput);
    }
    const store = storeOf(tenant.region);
    await store.db.transaction().execute(async (trx) => {
      await reviewRepo.insertLabel(trx, row);
      // Labelled from a queue: the item is done, in the same transaction (save & next).
      if (queueId)
        await queuesRepo.finish(trx, queueId, tenant.id, row.interaction_id, user.id, row.created_at);
      await appendAudit(trx, store.dialect, row.created_at, {
        actorId: user.id,
        actorRole: "reviewer",
        action: ACCESS_ACTIONS.label,
        tenantId: tenant.id,
        targetType: "interaction",
        targetId: row.interaction_id,
        grantId: grant.id,
        reason: grant.reasonCode,
        details: { labelId: row.id, requestId: grant.requestId, ...details, withNote: text.note !== null },
      });
    });
    return { ...toLabel({ ...row, note: null, corrected_output: null }, null), ...text };
  }

  function newRow(
    user: User,
    interactionId: string,
    at: { tenant: TenantRef; grant: Grant; periodId: string },
    fields: Pick<LabelTable, "rating" | "tags"> & Partial<LabelTable>,
  ): LabelTable {
    return {
      tenant_id: at.tenant.id,
      id: newId(),
      interaction_id: interactionId,
      period_id: at.periodId,
      reviewer_id: user.id,
      grant_id: at.grant.id,
      note: null,
      created_at: deps.clock.now(),
      ...fields,
    };
  }

  const service: ReviewService = {
    labelSchema: () => labelSchemaOf(deps.program),

    async tenantDirectory() {
      return (await deps.listTenants())
        .map((t) => ({ id: t.id, name: t.name, region: t.region }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async coveredTenants(user) {
      const scopes = scopesOf(await deps.grants.activeGrants(user.id));
      if (scopes.size === 0) return [];
      return (await deps.listTenants())
        .filter((t) => {
          const scope = scopes.get(t.region);
          return scope !== undefined && (scope === "all" || scope.has(t.id));
        })
        .map((t) => ({ id: t.id, name: t.name, region: t.region }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async authorize(user, id, what) {
      const grants = await deps.grants.activeGrants(user.id);
      if (grants.length === 0) throw noGrantAtAll(what);
      const cutoff = notBefore();
      for (const [region, store] of deps.regions) {
        const row = await reviewRepo.findMeta(store.db, id, cutoff);
        if (!row) continue;
        const grant = coveringGrant(grants, region, row.tenant_id, what);
        return {
          tenant: { id: row.tenant_id, region },
          grant,
          periodId: row.period_id,
          feature: row.feature,
          occurredAt: Number(row.occurred_at),
        };
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
      const cipher = rows.some((r) => r.note || r.corrected_output)
        ? await deps.capture.labelNoteCipher(tenant, id)
        : null;
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
      const { rating, tags, note, correctedOutput } = checkLabel(labelSchemaOf(deps.program), input);
      const at = await service.authorize(user, id, `labelling interaction ${id}`);
      const cipher = await deps.capture.labelNoteCipher(at.tenant, id);
      if (!cipher) throw notFound(`interaction ${id}`);
      const row = newRow(user, id, at, { rating, tags: writeJson(tags) });
      return saveLabel(
        user,
        at,
        row,
        { note, correctedOutput },
        cipher,
        {
          rating,
          withCorrectedOutput: correctedOutput !== null,
          ...(input.queueId ? { queueId: input.queueId } : {}),
        },
        input.queueId,
      );
    },

    async compare(user, input) {
      if (input.a === input.b) {
        throw badRequest("same_interaction", "a and b are the same interaction: compare two different ones");
      }
      const note = input.note?.trim() ? input.note : null;
      const a = await service.authorize(user, input.a, `comparing interaction ${input.a}`);
      const b = await service.authorize(user, input.b, `comparing interaction ${input.b}`);
      if (a.tenant.id !== b.tenant.id || a.feature !== b.feature || a.periodId !== b.periodId) {
        throw badRequest(
          "not_comparable",
          "a and b must be interactions of one tenant and one feature, shared in the same sharing period",
        );
      }
      // Kept on the older of the two, so that no purge (by period, by age) leaves a comparison
      // naming an interaction that is gone; the preference is turned round to match.
      const swap = b.occurredAt < a.occurredAt;
      const [on, other] = swap ? [input.b, input.a] : [input.a, input.b];
      const preference = swap ? FLIPPED[input.preference] : input.preference;
      const at = swap ? b : a;
      const cipher = await deps.capture.labelNoteCipher(at.tenant, on);
      if (!cipher) throw notFound(`interaction ${on}`);
      const row = newRow(user, on, at, {
        rating: null,
        tags: writeJson([]),
        kind: "preference",
        compared_with: other,
        preference,
      });
      return saveLabel(user, at, row, { note, correctedOutput: null }, cipher, {
        kind: "preference",
        comparedWith: other,
        preference,
      });
    },
  };
  return service;
}
