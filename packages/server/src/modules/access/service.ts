import type { Actor } from "../../actor.js";
import { type Clock, HOUR_MS } from "../../clock.js";
import { AppError, badRequest, conflict, notFound, unauthorized } from "../../errors.js";
import { newId, newSecret, sha256Hex } from "../../ids.js";
import type { ControlDb, UserTable } from "../../stores/control-schema.js";
import { readJson, type Store } from "../../stores/store.js";
import { appendAudit } from "../audit/chain.js";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.js";
import { usersRepo } from "./repo.js";
import { isRole, type Role, STAFF_ROLES } from "./roles.js";
import { accountKey, type ThrottleSettings, throttleKeys, throttleRepo } from "./throttle.js";

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly roles: readonly Role[];
  readonly tenantId: string | null;
  readonly mustChangePassword: boolean;
  readonly createdAt: number;
  readonly disabled: boolean;
}

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly string[];
  readonly tenantId?: string | null;
  readonly name?: string | null;
  readonly mustChangePassword?: boolean;
}

export interface UsersService {
  createUser(input: NewUser, actor: Actor): Promise<User>;
  listUsers(): Promise<User[]>;
  countUsers(): Promise<number>;
  /**
   * Checks the password and opens a session. Failed attempts are counted per account and per
   * client `address`; past the limit sign-in answers 429 with Retry-After until the lock ends.
   */
  signIn(
    email: string,
    password: string,
    address?: string | null,
  ): Promise<{ token: string; user: User; expiresAt: number }>;
  /** Staff and admins by id, for views that name who did something (audit, access log). */
  describeUsers(ids: readonly string[]): Promise<Map<string, User>>;
  /** The user behind a session cookie's token, or null when unknown or expired. */
  authenticate(token: string): Promise<User | null>;
  signOut(token: string): Promise<void>;
  signOutEverywhere(user: User): Promise<number>;
  changePassword(user: User, current: string, next: string): Promise<void>;
}

export interface UsersDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
  readonly sessionHours: number;
  readonly throttle: ThrottleSettings;
  readonly tenantExists: (tenantId: string) => Promise<boolean>;
}

const EMAIL = /^[^\s@]{1,128}@[^\s@]{1,128}$/;
export const actorOf = (user: User, role?: Role): Actor => ({
  id: user.id,
  role: role ?? user.roles[0] ?? "user",
  label: user.email,
});

function toUser(row: UserTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: readJson<string[]>(row.roles).filter(isRole),
    tenantId: row.tenant_id,
    mustChangePassword: Number(row.must_change_password) === 1,
    createdAt: Number(row.created_at),
    disabled: row.disabled_at !== null,
  };
}

// A real scrypt verification even for unknown emails, so timing does not reveal which exist.
let decoyHash: Promise<string> | null = null;

export function createUsersService(deps: UsersDeps): UsersService {
  const { control, clock } = deps;
  return {
    async createUser(input, actor) {
      const email = input.email.trim().toLowerCase();
      if (!EMAIL.test(email)) throw badRequest("invalid_email", "email must look like name@domain");
      const roles = [...new Set(input.roles)];
      if (roles.length === 0) throw badRequest("invalid_roles", "a user needs at least one role");
      for (const r of roles) {
        if (!isRole(r))
          throw badRequest(
            "invalid_roles",
            `unknown role "${r}" (tenant-admin, reviewer, approver, operator)`,
          );
      }
      const isTenantAdmin = roles.includes("tenant-admin");
      if (isTenantAdmin && roles.length > 1) {
        throw badRequest("invalid_roles", "a tenant admin cannot also hold staff roles");
      }
      const tenantId = input.tenantId ?? null;
      if (isTenantAdmin && !tenantId)
        throw badRequest("tenant_required", "a tenant admin must belong to a tenant");
      if (!isTenantAdmin && tenantId)
        throw badRequest("invalid_tenant", "staff users do not belong to a tenant");
      if (tenantId && !(await deps.tenantExists(tenantId))) throw notFound(`tenant ${tenantId}`);
      const problem = passwordProblem(input.password);
      if (problem) throw badRequest("weak_password", problem);
      const now = clock.now();
      const row: UserTable = {
        id: newId(),
        email,
        name: input.name ?? null,
        password_hash: await hashPassword(input.password),
        roles: JSON.stringify(roles),
        tenant_id: tenantId,
        must_change_password: input.mustChangePassword ? 1 : 0,
        created_at: now,
        disabled_at: null,
        created_by: actor.id,
        created_by_label: actor.label ?? actor.id,
      };
      try {
        await control.db.transaction().execute(async (trx) => {
          if (await usersRepo.findByEmail(trx, email))
            throw conflict("user_exists", "a user with this email exists");
          await usersRepo.insertUser(trx, row);
          await appendAudit(trx, control.dialect, now, {
            actorId: actor.id,
            actorRole: actor.role,
            action: "user.create",
            tenantId,
            targetType: "user",
            targetId: row.id,
            details: { roles },
          });
        });
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (/unique|duplicate/i.test((err as Error).message))
          throw conflict("user_exists", "a user with this email exists");
        throw err;
      }
      return toUser(row);
    },

    listUsers: async () => (await usersRepo.list(control.db)).map(toUser),
    async describeUsers(ids) {
      const rows = await usersRepo.findByIds(control.db, [...new Set(ids)]);
      return new Map(rows.map((r) => [r.id, toUser(r)]));
    },
    countUsers: () => usersRepo.count(control.db),

    async signIn(email, password, address = null) {
      const normalized = email.trim().toLowerCase();
      const keys = throttleKeys(deps.throttle, normalized, address);
      // The attempt takes its slot (counted as a failure) before any password is checked, so N
      // concurrent guesses cannot all be checked: past the limit they are refused unchecked.
      const reservation = await throttleRepo.reserve(
        control.db,
        control.dialect,
        keys,
        deps.throttle,
        clock.now(),
      );
      const row = await usersRepo.findByEmail(control.db, normalized);
      const known = row !== null && row.disabled_at === null;
      if (!known) {
        decoyHash ??= hashPassword("decoy password for timing");
        await verifyPassword(password, await decoyHash);
      }
      if (!row || !known || !(await verifyPassword(password, row.password_hash))) {
        if (row) {
          const now = clock.now();
          await control.db.transaction().execute(async (trx) => {
            await appendAudit(trx, control.dialect, now, {
              actorId: row.id,
              actorRole: null,
              action: "session.sign-in-failed",
              tenantId: row.tenant_id,
              targetType: "user",
              targetId: row.id,
            });
            if (reservation.locked.length > 0) {
              await appendAudit(trx, control.dialect, now, {
                actorId: row.id,
                actorRole: null,
                action: "session.sign-in-locked",
                tenantId: row.tenant_id,
                targetType: "user",
                targetId: row.id,
                details: {
                  by: reservation.locked.map((k) => k.split(":")[0] ?? k),
                  minutes: deps.throttle.signInLockMinutes,
                },
              });
            }
          });
        }
        throw unauthorized("email or password is wrong");
      }
      const token = newSecret("ass_");
      const now = clock.now();
      const expiresAt = now + deps.sessionHours * HOUR_MS;
      await control.db.transaction().execute(async (trx) => {
        await throttleRepo.refund(trx, keys, reservation, accountKey(normalized), now);
        await usersRepo.insertSession(trx, {
          id: sha256Hex(token),
          user_id: row.id,
          created_at: now,
          expires_at: expiresAt,
        });
        await appendAudit(trx, control.dialect, now, {
          actorId: row.id,
          actorRole: null,
          action: "session.sign-in",
          tenantId: row.tenant_id,
          targetType: "user",
          targetId: row.id,
        });
      });
      return { token, user: toUser(row), expiresAt };
    },

    async authenticate(token) {
      if (!token.startsWith("ass_") || token.length > 128) return null;
      const row = await usersRepo.findSession(control.db, sha256Hex(token), clock.now());
      return row ? toUser(row) : null;
    },

    async signOut(token) {
      await usersRepo.deleteSession(control.db, sha256Hex(token));
    },

    async signOutEverywhere(user) {
      const now = clock.now();
      return control.db.transaction().execute(async (trx) => {
        const n = await usersRepo.deleteUserSessions(trx, user.id);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: null,
          action: "session.sign-out-everywhere",
          tenantId: user.tenantId,
          targetType: "user",
          targetId: user.id,
          details: { sessions: n },
        });
        return n;
      });
    },

    async changePassword(user, current, next) {
      const row = await usersRepo.findById(control.db, user.id);
      if (!row || !(await verifyPassword(current, row.password_hash))) {
        throw new AppError(403, "wrong_password", "the current password is wrong");
      }
      const problem = passwordProblem(next);
      if (problem) throw badRequest("weak_password", problem);
      if (current === next)
        throw badRequest("weak_password", "the new password must differ from the current one");
      const hash = await hashPassword(next);
      const now = clock.now();
      await control.db.transaction().execute(async (trx) => {
        await usersRepo.setPassword(trx, user.id, hash);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: null,
          action: "user.password-change",
          tenantId: user.tenantId,
          targetType: "user",
          targetId: user.id,
        });
      });
    },
  };
}

export { STAFF_ROLES };
