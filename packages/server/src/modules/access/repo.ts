import type { Kysely } from "kysely";
import type { ControlDb, UserTable } from "../../stores/control-schema.js";

export const usersRepo = {
  async insertUser(db: Kysely<ControlDb>, row: UserTable): Promise<void> {
    await db.insertInto("users").values(row).execute();
  },
  async findByEmail(db: Kysely<ControlDb>, email: string): Promise<UserTable | null> {
    return (await db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst()) ?? null;
  },
  async findById(db: Kysely<ControlDb>, id: string): Promise<UserTable | null> {
    return (await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
  },
  async findByIds(db: Kysely<ControlDb>, ids: readonly string[]): Promise<UserTable[]> {
    if (ids.length === 0) return [];
    return db
      .selectFrom("users")
      .selectAll()
      .where("id", "in", [...ids])
      .execute();
  },
  async list(db: Kysely<ControlDb>): Promise<UserTable[]> {
    return db.selectFrom("users").selectAll().orderBy("email").execute();
  },
  async count(db: Kysely<ControlDb>): Promise<number> {
    const r = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  async setPassword(db: Kysely<ControlDb>, id: string, hash: string): Promise<void> {
    await db
      .updateTable("users")
      .set({ password_hash: hash, must_change_password: 0 })
      .where("id", "=", id)
      .execute();
  },
  async insertSession(
    db: Kysely<ControlDb>,
    row: { id: string; user_id: string; created_at: number; expires_at: number },
  ): Promise<void> {
    await db.insertInto("sessions").values(row).execute();
  },
  async findSession(db: Kysely<ControlDb>, id: string, now: number) {
    return (
      (await db
        .selectFrom("sessions as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .selectAll("u")
        .select(["s.expires_at as session_expires_at"])
        .where("s.id", "=", id)
        .where("s.expires_at", ">", now)
        .where("u.disabled_at", "is", null)
        .executeTakeFirst()) ?? null
    );
  },
  async deleteSession(db: Kysely<ControlDb>, id: string): Promise<void> {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
  },
  async deleteUserSessions(db: Kysely<ControlDb>, userId: string): Promise<number> {
    const r = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  async deleteExpiredSessions(db: Kysely<ControlDb>, now: number): Promise<number> {
    const r = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
