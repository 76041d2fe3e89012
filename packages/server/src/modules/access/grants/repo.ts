import type { Kysely } from "kysely";
import type { AccessGrantTable, AccessRequestTable, ControlDb } from "../../../stores/control-schema.js";
import { type Dialect, forUpdate } from "../../../stores/store.js";
import type { RequestState } from "./types.js";

export interface RequestRow extends AccessRequestTable {
  requester_email: string;
}

export interface GrantRow extends AccessGrantTable {
  reason_code: string;
  justification: string;
  ticket: string | null;
}

export interface RequestFilter {
  readonly requesterId?: string;
  readonly states?: readonly RequestState[];
  /** Only requests whose grant is active at this time. */
  readonly activeAt?: number;
  /** Requests created before this (request id) for paging, newest first. */
  readonly beforeId?: string;
  readonly limit: number;
}

const grantColumns = [
  "g.id",
  "g.request_id",
  "g.user_id",
  "g.region",
  "g.tenant_id",
  "g.starts_at",
  "g.ends_at",
  "g.revoked_at",
  "g.revoked_by",
  "r.reason_code",
  "r.justification",
  "r.ticket",
] as const;

export const grantsRepo = {
  async insertRequest(db: Kysely<ControlDb>, row: AccessRequestTable): Promise<void> {
    await db.insertInto("access_requests").values(row).execute();
  },

  async findRequest(
    db: Kysely<ControlDb>,
    id: string,
    dialect?: Dialect,
  ): Promise<AccessRequestTable | null> {
    const q = db.selectFrom("access_requests").selectAll().where("id", "=", id);
    return (await (dialect ? forUpdate(dialect, q) : q).executeTakeFirst()) ?? null;
  },

  async listRequests(db: Kysely<ControlDb>, f: RequestFilter): Promise<RequestRow[]> {
    let q = db
      .selectFrom("access_requests as r")
      .innerJoin("users as u", "u.id", "r.requester_id")
      .selectAll("r")
      .select("u.email as requester_email");
    if (f.requesterId) q = q.where("r.requester_id", "=", f.requesterId);
    if (f.states?.length) q = q.where("r.state", "in", [...f.states]);
    if (f.activeAt !== undefined) {
      const at = f.activeAt;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("access_grants as g")
            .select("g.id")
            .whereRef("g.request_id", "=", "r.id")
            .where("g.revoked_at", "is", null)
            .where("g.starts_at", "<=", at)
            .where("g.ends_at", ">", at),
        ),
      );
    }
    if (f.beforeId) q = q.where("r.id", "<", f.beforeId);
    return q.orderBy("r.id", "desc").limit(f.limit).execute();
  },

  async requesterEmails(db: Kysely<ControlDb>, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom("users")
      .select(["id", "email"])
      .where("id", "in", [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.email]));
  },

  /** Pending requests whose decision deadline has passed (to be marked expired). */
  async duePending(db: Kysely<ControlDb>, now: number): Promise<AccessRequestTable[]> {
    return db
      .selectFrom("access_requests")
      .selectAll()
      .where("state", "=", "pending")
      .where("decide_by", "<=", now)
      .orderBy("id")
      .limit(1000)
      .execute();
  },

  /** Moves a pending request to a final state; false when it was no longer pending. */
  async decide(
    db: Kysely<ControlDb>,
    id: string,
    state: RequestState,
    at: number,
    by: string | null,
    note: string | null = null,
  ): Promise<boolean> {
    const res = await db
      .updateTable("access_requests")
      .set({ state, decided_at: at, decided_by: by, decision_note: note })
      .where("id", "=", id)
      .where("state", "=", "pending")
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  async insertApproval(db: Kysely<ControlDb>, requestId: string, approverId: string, at: number) {
    await db
      .insertInto("access_approvals")
      .values({ request_id: requestId, approver_id: approverId, at })
      .execute();
  },

  async approvals(
    db: Kysely<ControlDb>,
    requestIds: readonly string[],
  ): Promise<{ request_id: string; approver_id: string; at: number }[]> {
    if (requestIds.length === 0) return [];
    return db
      .selectFrom("access_approvals")
      .selectAll()
      .where("request_id", "in", [...requestIds])
      .orderBy("at")
      .execute();
  },

  async insertGrant(db: Kysely<ControlDb>, row: AccessGrantTable): Promise<void> {
    await db.insertInto("access_grants").values(row).execute();
  },

  async grantsOfRequests(db: Kysely<ControlDb>, requestIds: readonly string[]): Promise<GrantRow[]> {
    if (requestIds.length === 0) return [];
    return db
      .selectFrom("access_grants as g")
      .innerJoin("access_requests as r", "r.id", "g.request_id")
      .select(grantColumns)
      .where("g.request_id", "in", [...requestIds])
      .execute();
  },

  async grantsByIds(db: Kysely<ControlDb>, ids: readonly string[]): Promise<GrantRow[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom("access_grants as g")
      .innerJoin("access_requests as r", "r.id", "g.request_id")
      .select(grantColumns)
      .where("g.id", "in", [...ids])
      .execute();
  },

  /** A user's grants active at `now`. */
  async activeGrants(db: Kysely<ControlDb>, userId: string, now: number): Promise<GrantRow[]> {
    return db
      .selectFrom("access_grants as g")
      .innerJoin("access_requests as r", "r.id", "g.request_id")
      .select(grantColumns)
      .where("g.user_id", "=", userId)
      .where("g.revoked_at", "is", null)
      .where("g.starts_at", "<=", now)
      .where("g.ends_at", ">", now)
      .orderBy("g.ends_at")
      .execute();
  },

  async countActiveGrants(db: Kysely<ControlDb>, now: number): Promise<number> {
    const r = await db
      .selectFrom("access_grants")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("revoked_at", "is", null)
      .where("starts_at", "<=", now)
      .where("ends_at", ">", now)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Ends a grant early; false when it was already revoked. */
  async revokeGrant(db: Kysely<ControlDb>, id: string, at: number, by: string): Promise<boolean> {
    const res = await db
      .updateTable("access_grants")
      .set({ revoked_at: at, revoked_by: by })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
};
