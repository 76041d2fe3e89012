import { type Clock, HOUR_MS, MINUTE_MS } from "../../../clock.js";
import type { AccessConfig } from "../../../config.js";
import { conflict, forbidden, notFound } from "../../../errors.js";
import { newId } from "../../../ids.js";
import type { AccessRequestTable, ControlDb } from "../../../stores/control-schema.js";
import type { Store } from "../../../stores/store.js";
import { appendAudit } from "../../audit/chain.js";
import type { User } from "../service.js";
import { type GrantRow, grantsRepo, type RequestRow } from "./repo.js";
import {
  type AccessRequest,
  type Grant,
  isGrantActive,
  type NewAccessRequest,
  type RequestState,
} from "./types.js";
import { validateRequest } from "./validate.js";

export interface RequestList {
  readonly items: AccessRequest[];
  readonly nextCursor: string | null;
}

export interface ListRequestsOptions {
  /** A request state, or `active` for approved requests whose grant is running now. */
  readonly state?: RequestState | "active";
  readonly cursor?: string;
  readonly limit?: number;
}

export interface GrantsService {
  createRequest(user: User, input: NewAccessRequest): Promise<AccessRequest>;
  /** Approvers see every request; everyone else sees their own. */
  listRequests(user: User, opts?: ListRequestsOptions): Promise<RequestList>;
  getRequest(user: User, id: string): Promise<AccessRequest>;
  approve(user: User, id: string): Promise<AccessRequest>;
  deny(user: User, id: string, note?: string | null): Promise<AccessRequest>;
  cancel(user: User, id: string): Promise<AccessRequest>;
  /** Ends a request's grant at once (its requester or an approver). */
  revoke(user: User, id: string): Promise<AccessRequest>;
  /** The user's grants active now, narrowest scope first. */
  activeGrants(userId: string): Promise<Grant[]>;
  grantsByIds(ids: readonly string[]): Promise<Map<string, Grant>>;
  countActiveGrants(): Promise<number>;
  /** Marks pending requests past their deadline expired (also done lazily on every read). */
  expireDue(): Promise<number>;
}

export interface GrantsDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
  readonly settings: Pick<
    AccessConfig,
    "grantMaxMinutes" | "grantDefaultMinutes" | "requestExpiryHours" | "approvalsRequired"
  >;
  readonly regions: () => readonly string[];
  readonly findTenant: (id: string) => Promise<{ id: string; region: string } | null>;
}

export const toGrant = (r: GrantRow): Grant => ({
  id: r.id,
  requestId: r.request_id,
  userId: r.user_id,
  region: r.region,
  tenantId: r.tenant_id,
  reasonCode: r.reason_code,
  justification: r.justification,
  ticket: r.ticket,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  revokedAt: r.revoked_at === null ? null : r.revoked_at,
  revokedBy: r.revoked_by,
});

const isApprover = (u: User) => u.roles.includes("approver");

/** A pending request past its deadline is expired, whether or not that was written yet. */
const effectiveState = (row: AccessRequestTable, now: number): RequestState =>
  row.state === "pending" && now >= row.decide_by ? "expired" : row.state;

export function createGrantsService(deps: GrantsDeps): GrantsService {
  const { control, clock, settings } = deps;
  const db = control.db;

  async function assemble(rows: RequestRow[], now: number): Promise<AccessRequest[]> {
    const ids = rows.map((r) => r.id);
    const [approvals, grants] = await Promise.all([
      grantsRepo.approvals(db, ids),
      grantsRepo.grantsOfRequests(db, ids),
    ]);
    const grantOf = new Map(grants.map((g) => [g.request_id, toGrant(g)]));
    return rows.map((r) => ({
      id: r.id,
      requesterId: r.requester_id,
      requesterEmail: r.requester_email,
      region: r.region,
      tenantId: r.tenant_id,
      reasonCode: r.reason_code,
      justification: r.justification,
      ticket: r.ticket,
      durationMinutes: Number(r.duration_minutes),
      approvalsRequired: Number(r.approvals_required),
      state: effectiveState(r, now),
      createdAt: r.created_at,
      decideBy: r.decide_by,
      decidedAt: r.decided_at === null ? null : r.decided_at,
      decidedBy: r.decided_by,
      decisionNote: r.decision_note,
      approvals: approvals
        .filter((a) => a.request_id === r.id)
        .map((a) => ({ approverId: a.approver_id, at: a.at })),
      grant: grantOf.get(r.id) ?? null,
    }));
  }

  async function load(id: string): Promise<AccessRequest> {
    const row = await grantsRepo.findRequest(db, id);
    if (!row) throw notFound(`access request ${id}`);
    const emails = await grantsRepo.requesterEmails(db, [row.requester_id]);
    const [view] = await assemble(
      [{ ...row, requester_email: emails.get(row.requester_id) ?? "" }],
      clock.now(),
    );
    return view as AccessRequest;
  }

  /**
   * Runs a decision on one request inside a transaction holding its row. A request found past
   * its deadline is marked expired (committed), and the caller is told so afterwards.
   */
  async function decideOn(
    id: string,
    run: (trx: typeof db, row: AccessRequestTable, now: number) => Promise<void>,
  ): Promise<AccessRequest> {
    const now = clock.now();
    const expiredAt = await db.transaction().execute(async (trx) => {
      const row = await grantsRepo.findRequest(trx, id, control.dialect);
      if (!row) throw notFound(`access request ${id}`);
      if (row.state === "pending" && now >= row.decide_by) {
        await expire(trx, row, now);
        return row.decide_by;
      }
      await run(trx, row, now);
      return null;
    });
    if (expiredAt !== null) {
      throw conflict(
        "request_expired",
        `access request ${id} expired undecided at ${new Date(expiredAt).toISOString()}; decisions are final, ask again`,
      );
    }
    return load(id);
  }

  async function expire(trx: typeof db, row: AccessRequestTable, now: number): Promise<boolean> {
    if (!(await grantsRepo.decide(trx, row.id, "expired", now, null))) return false;
    await appendAudit(trx, control.dialect, now, {
      actorId: null,
      actorRole: "system",
      action: "access-request.expire",
      tenantId: row.tenant_id,
      targetType: "access-request",
      targetId: row.id,
      reason: row.reason_code,
      details: { region: row.region, decideBy: row.decide_by },
    });
    return true;
  }

  const notPending = (row: AccessRequestTable) =>
    conflict("decision_final", `access request ${row.id} is already ${row.state}; decisions are final`);

  const service: GrantsService = {
    async createRequest(user, input) {
      const { region, tenantId, justification, ticket, duration } = await validateRequest(input, {
        regions: deps.regions(),
        findTenant: deps.findTenant,
        settings,
      });
      const now = clock.now();
      const row: AccessRequestTable = {
        id: newId(),
        requester_id: user.id,
        region,
        tenant_id: tenantId,
        reason_code: input.reasonCode,
        justification,
        ticket,
        duration_minutes: duration,
        approvals_required: settings.approvalsRequired,
        state: "pending",
        created_at: now,
        decide_by: now + settings.requestExpiryHours * HOUR_MS,
        decided_at: null,
        decided_by: null,
        decision_note: null,
      };
      await db.transaction().execute(async (trx) => {
        await grantsRepo.insertRequest(trx, row);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: "reviewer",
          action: "access-request.create",
          tenantId,
          targetType: "access-request",
          targetId: row.id,
          reason: row.reason_code,
          details: { region, durationMinutes: duration, ticket, approvalsRequired: row.approvals_required },
        });
      });
      return load(row.id);
    },

    async listRequests(user, opts = {}) {
      await service.expireDue();
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
      const now = clock.now();
      const state = opts.state;
      const rows = await grantsRepo.listRequests(db, {
        ...(isApprover(user) ? {} : { requesterId: user.id }),
        ...(state === "active" ? { states: ["approved"], activeAt: now } : state ? { states: [state] } : {}),
        ...(opts.cursor ? { beforeId: opts.cursor } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        items: await assemble(page, now),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      };
    },

    async getRequest(user, id) {
      await service.expireDue();
      const request = await load(id);
      // Other reviewers' requests are not theirs to see: not found, rather than forbidden.
      if (!isApprover(user) && request.requesterId !== user.id) throw notFound(`access request ${id}`);
      return request;
    },

    approve: (user, id) =>
      decideOn(id, async (trx, row, now) => {
        if (row.requester_id === user.id) {
          throw forbidden("nobody can approve their own access request; another approver must decide");
        }
        if (row.state !== "pending") throw notPending(row);
        const given = await grantsRepo.approvals(trx, [row.id]);
        if (given.some((a) => a.approver_id === user.id)) {
          throw conflict("already_approved", "you approved this request already; it needs another approver");
        }
        await grantsRepo.insertApproval(trx, row.id, user.id, now);
        const count = given.length + 1;
        const required = Number(row.approvals_required);
        let grantId: string | null = null;
        let endsAt: number | null = null;
        if (count >= required) {
          await grantsRepo.decide(trx, row.id, "approved", now, user.id);
          grantId = newId();
          endsAt = now + Number(row.duration_minutes) * MINUTE_MS;
          await grantsRepo.insertGrant(trx, {
            id: grantId,
            request_id: row.id,
            user_id: row.requester_id,
            region: row.region,
            tenant_id: row.tenant_id,
            starts_at: now,
            ends_at: endsAt,
            revoked_at: null,
            revoked_by: null,
          });
        }
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: "approver",
          action: "access-request.approve",
          tenantId: row.tenant_id,
          targetType: "access-request",
          targetId: row.id,
          grantId,
          reason: row.reason_code,
          details: { approvals: count, required, requesterId: row.requester_id, grantEndsAt: endsAt },
        });
      }),

    deny: (user, id, note) =>
      decideOn(id, async (trx, row, now) => {
        if (row.requester_id === user.id) {
          throw forbidden("a request is decided by someone else; cancel your own request instead");
        }
        if (row.state !== "pending") throw notPending(row);
        const trimmed = note?.trim() || null;
        await grantsRepo.decide(trx, row.id, "denied", now, user.id, trimmed);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: "approver",
          action: "access-request.deny",
          tenantId: row.tenant_id,
          targetType: "access-request",
          targetId: row.id,
          reason: row.reason_code,
          details: { requesterId: row.requester_id },
        });
      }),

    cancel: (user, id) =>
      decideOn(id, async (trx, row, now) => {
        if (row.requester_id !== user.id) throw forbidden("only the requester can cancel an access request");
        if (row.state !== "pending") throw notPending(row);
        await grantsRepo.decide(trx, row.id, "cancelled", now, user.id);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: "reviewer",
          action: "access-request.cancel",
          tenantId: row.tenant_id,
          targetType: "access-request",
          targetId: row.id,
          reason: row.reason_code,
        });
      }),

    revoke: (user, id) =>
      decideOn(id, async (trx, row, now) => {
        const own = row.requester_id === user.id;
        if (!own && !isApprover(user)) {
          throw forbidden("only the requester or an approver can revoke a grant");
        }
        const [grant] = await grantsRepo.grantsOfRequests(trx, [row.id]);
        if (!grant) throw conflict("no_grant", `access request ${row.id} is ${row.state}; it has no grant`);
        const g = toGrant(grant);
        if (g.revokedAt !== null) throw conflict("grant_revoked", `grant ${g.id} is already revoked`);
        if (!isGrantActive(g, now)) {
          throw conflict("grant_ended", `grant ${g.id} already ended at ${new Date(g.endsAt).toISOString()}`);
        }
        await grantsRepo.revokeGrant(trx, g.id, now, user.id);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: own ? "reviewer" : "approver",
          action: "grant.revoke",
          tenantId: row.tenant_id,
          targetType: "access-request",
          targetId: row.id,
          grantId: g.id,
          reason: row.reason_code,
          details: { endsAt: g.endsAt },
        });
      }),

    async activeGrants(userId) {
      const rows = await grantsRepo.activeGrants(db, userId, clock.now());
      // Narrowest first: a read is attributed to the tenant-scoped grant when one covers it.
      return rows.map(toGrant).sort((a, b) => Number(a.tenantId === null) - Number(b.tenantId === null));
    },

    async grantsByIds(ids) {
      const unique = [...new Set(ids)];
      const rows = await grantsRepo.grantsByIds(db, unique);
      return new Map(rows.map((r) => [r.id, toGrant(r)]));
    },

    countActiveGrants: () => grantsRepo.countActiveGrants(db, clock.now()),

    async expireDue() {
      const now = clock.now();
      const due = await grantsRepo.duePending(db, now);
      if (due.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        let n = 0;
        for (const row of due) if (await expire(trx, row, now)) n += 1;
        return n;
      });
    },
  };
  return service;
}
