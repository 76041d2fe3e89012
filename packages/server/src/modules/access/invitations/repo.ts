import type { Kysely } from "kysely";
import type { ControlDb, InvitationTable, UserTable } from "../../../stores/control-schema.js";

type Db = Kysely<ControlDb>;

export const invitationsRepo = {
  async insert(db: Db, row: InvitationTable): Promise<void> {
    await db.insertInto("invitations").values(row).execute();
  },
  async findByTokenHash(db: Db, tokenHash: string): Promise<InvitationTable | null> {
    return (
      (await db
        .selectFrom("invitations")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst()) ?? null
    );
  },
  /** Marks an invitation accepted unless it already was (two tabs racing): true when this call won. */
  async markAccepted(db: Db, id: string, userId: string, at: number): Promise<boolean> {
    const res = await db
      .updateTable("invitations")
      .set({ accepted_at: at, user_id: userId })
      .where("id", "=", id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
  async openForEmail(db: Db, email: string, now: number): Promise<InvitationTable[]> {
    return db
      .selectFrom("invitations")
      .selectAll()
      .where("email", "=", email)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .execute();
  },
  async listByTenant(db: Db, tenantId: string): Promise<InvitationTable[]> {
    return db
      .selectFrom("invitations")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at", "desc")
      .limit(500)
      .execute();
  },
  /** Every account with admin rights over the tenant (tenant admins are the only such role). */
  async adminsOfTenant(db: Db, tenantId: string): Promise<UserTable[]> {
    return db
      .selectFrom("users")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at")
      .execute();
  },
  async byIds(db: Db, ids: readonly string[]): Promise<InvitationTable[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom("invitations")
      .selectAll()
      .where("id", "in", [...ids])
      .execute();
  },
};
