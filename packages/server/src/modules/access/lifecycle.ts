import type { Actor } from "../../actor.js";
import type { Clock } from "../../clock.js";
import { badRequest, conflict, notFound } from "../../errors.js";
import { newSecret } from "../../ids.js";
import type { ControlDb, UserTable } from "../../stores/control-schema.js";
import { forUpdate, readJson, type Store } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { hashPassword } from "./passwords.js";
import { usersRepo } from "./repo.js";
import { isRole, STAFF_ROLES } from "./roles.js";

/**
 * An operator's part in a user's life after creation (SPEC, Operations): disable or enable (a
 * disabled user's sessions end at once), change a staff member's roles, reset a password to a
 * one-time one. Every change is audited; the deployment never loses its last operator.
 */
export interface UserLifecycle {
  setDisabled(userId: string, disabled: boolean, actor: Actor): Promise<void>;
  setRoles(userId: string, roles: readonly string[], actor: Actor): Promise<void>;
  /** A new one-time password (answered once, never stored in clear); every session ends. */
  resetPassword(userId: string, actor: Actor): Promise<{ password: string }>;
}

export interface UserLifecycleDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
}

type Trx = Parameters<Parameters<ReturnType<Store<ControlDb>["db"]["transaction"]>["execute"]>[0]>[0];

const rolesOf = (row: UserTable) => readJson<string[]>(row.roles);
const isOperator = (row: UserTable) => row.disabled_at === null && rolesOf(row).includes("operator");

export function createUserLifecycle(deps: UserLifecycleDeps): UserLifecycle {
  const { control, clock } = deps;

  /**
   * The target row, and whether a change that takes the operator role from it (or disables it)
   * would leave no operator. On PostgreSQL every enabled staff row is locked first, so two
   * operators disabling each other at once cannot both succeed.
   */
  async function load(trx: Trx, userId: string) {
    const staff = await forUpdate(
      control.dialect,
      trx.selectFrom("users").selectAll().where("tenant_id", "is", null).where("disabled_at", "is", null),
    ).execute();
    const row = staff.find((r) => r.id === userId) ?? (await usersRepo.findById(trx, userId));
    if (!row) throw notFound(`user ${userId}`);
    const othersOperating = staff.filter((r) => r.id !== userId && isOperator(r)).length;
    return { row, lastOperator: isOperator(row) && othersOperating === 0 };
  }

  const refuseLast = () =>
    conflict("last_operator", "this is the last operator: make someone else an operator first");

  return {
    async setDisabled(userId, disabled, actor) {
      const now = clock.now();
      await control.db.transaction().execute(async (trx) => {
        const { row, lastOperator } = await load(trx, userId);
        if (disabled && lastOperator) throw refuseLast();
        if ((row.disabled_at !== null) === disabled) return;
        await trx
          .updateTable("users")
          .set({ disabled_at: disabled ? now : null })
          .where("id", "=", userId)
          .execute();
        // Sessions end at once: the guard also refuses a disabled user's session on its next request.
        const sessions = disabled ? await usersRepo.deleteUserSessions(trx, userId) : 0;
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: disabled ? "user.disable" : "user.enable",
          tenantId: row.tenant_id,
          targetType: "user",
          targetId: userId,
          details: disabled ? { sessions } : {},
        });
      });
    },

    async setRoles(userId, input, actor) {
      const roles = [...new Set(input)];
      if (roles.length === 0) throw badRequest("invalid_roles", "a user needs at least one role");
      const unknown = roles.find((r) => !isRole(r));
      if (unknown !== undefined) {
        throw badRequest("invalid_roles", `unknown role "${unknown}" (${STAFF_ROLES.join(", ")})`);
      }
      if (roles.includes("tenant-admin")) {
        throw badRequest("invalid_roles", "staff roles only: tenant admins join their tenant by invitation");
      }
      const now = clock.now();
      await control.db.transaction().execute(async (trx) => {
        const { row, lastOperator } = await load(trx, userId);
        if (row.tenant_id !== null) {
          throw badRequest("invalid_roles", "a tenant admin's role is fixed: it belongs to their tenant");
        }
        if (lastOperator && !roles.includes("operator")) throw refuseLast();
        const before = rolesOf(row);
        await trx
          .updateTable("users")
          .set({ roles: JSON.stringify(roles) })
          .where("id", "=", userId)
          .execute();
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "user.roles-change",
          tenantId: null,
          targetType: "user",
          targetId: userId,
          details: { from: before, to: roles },
        });
      });
    },

    async resetPassword(userId, actor) {
      const row = await usersRepo.findById(control.db, userId);
      if (!row) throw notFound(`user ${userId}`);
      // Consent is the tenant's: an operator who knew a tenant admin's password could switch its
      // sharing on, so tenant admins choose their own (a new invitation), as when they joined.
      if (row.tenant_id !== null) {
        throw badRequest("use_invitation", "a tenant admin sets their own password: invite them again");
      }
      const password = newSecret("", 15);
      const hash = await hashPassword(password);
      const now = clock.now();
      await control.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ password_hash: hash, must_change_password: 1 })
          .where("id", "=", userId)
          .execute();
        const sessions = await usersRepo.deleteUserSessions(trx, userId);
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "user.password-reset",
          tenantId: null,
          targetType: "user",
          targetId: userId,
          details: { sessions },
        });
      });
      return { password };
    },
  };
}
