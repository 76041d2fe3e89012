import type { Actor } from "../../../actor.js";
import { type Clock, HOUR_MS } from "../../../clock.js";
import { AppError, badRequest, conflict, notFound } from "../../../errors.js";
import { newId, newSecret, sha256Hex } from "../../../ids.js";
import type { ControlDb, InvitationTable, UserTable } from "../../../stores/control-schema.js";
import { readJson, type Store } from "../../../stores/store.js";
import { appendAudit } from "../../audit/chain.js";
import { hashPassword, passwordProblem } from "../passwords.js";
import { usersRepo } from "../repo.js";
import type { UsersService } from "../service.js";
import { invitationsRepo } from "./repo.js";

/**
 * Tenant admins join by invitation (issue 16, defect 6): consent is the tenant's to give, so the
 * operator who sets a tenant up must never know a password that can switch its sharing on. The
 * operator invites an email; the person sets their own password through a one-time link (the
 * token is stored hashed and expires); the account records who invited it and when it was
 * accepted, and the control audit chain says so.
 */
export const INVITATION_HOURS = 72;
const EMAIL = /^[^\s@]{1,128}@[^\s@]{1,128}$/;

export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly tenantId: string | null;
  readonly roles: readonly string[];
  readonly invitedBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly acceptedAt: number | null;
}

/** An account with admin rights over a tenant, and how it came to be. */
export interface TenantAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly createdAt: number;
  /** Who made it: the inviting operator, or whoever created it directly (demo, older versions). */
  readonly createdBy: string | null;
  readonly origin: "invitation" | "direct";
  readonly invitation: {
    readonly id: string;
    readonly invitedAt: number;
    readonly acceptedAt: number | null;
  } | null;
  readonly disabled: boolean;
}

export interface InvitationsService {
  /** Invites a tenant admin; returns the invitation and its one-time token (shown once). */
  invite(
    input: { email: string; tenantId: string; name?: string | null },
    actor: Actor,
  ): Promise<{ invitation: Invitation; token: string }>;
  /** Sets the invited person's own password, makes the account and signs them in. */
  accept(
    token: string,
    password: string,
    address: string | null,
  ): Promise<Awaited<ReturnType<UsersService["signIn"]>>>;
  /** Every admin account of the tenant and every invitation to become one. */
  tenantAccounts(tenantId: string): Promise<{ accounts: TenantAccount[]; invitations: Invitation[] }>;
}

export interface InvitationsDeps {
  readonly control: Store<ControlDb>;
  readonly clock: Clock;
  readonly users: Pick<UsersService, "signIn">;
  readonly tenantExists: (tenantId: string) => Promise<boolean>;
}

function toInvitation(row: InvitationTable): Invitation {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    tenantId: row.tenant_id,
    roles: readJson<string[]>(row.roles),
    invitedBy: row.created_by_label,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
  };
}

const invalidToken = () =>
  new AppError(400, "invalid_invitation", "this invitation link is unknown, used, revoked or expired");

export function createInvitationsService(deps: InvitationsDeps): InvitationsService {
  const { control, clock } = deps;
  return {
    async invite(input, actor) {
      const email = input.email.trim().toLowerCase();
      if (!EMAIL.test(email)) throw badRequest("invalid_email", "email must look like name@domain");
      if (!(await deps.tenantExists(input.tenantId))) throw notFound(`tenant ${input.tenantId}`);
      const now = clock.now();
      const token = newSecret("asi_");
      const row: InvitationTable = {
        id: newId(),
        token_hash: sha256Hex(token),
        email,
        name: input.name ?? null,
        roles: JSON.stringify(["tenant-admin"]),
        tenant_id: input.tenantId,
        created_by: actor.id,
        created_by_label: actor.label ?? actor.id,
        created_at: now,
        expires_at: now + INVITATION_HOURS * HOUR_MS,
        accepted_at: null,
        user_id: null,
        revoked_at: null,
      };
      await control.db.transaction().execute(async (trx) => {
        if (await usersRepo.findByEmail(trx, email))
          throw conflict("user_exists", "a user with this email exists");
        await invitationsRepo.insert(trx, row);
        await appendAudit(trx, control.dialect, now, {
          actorId: actor.id,
          actorRole: actor.role,
          action: "invitation.create",
          tenantId: input.tenantId,
          targetType: "invitation",
          targetId: row.id,
          details: { roles: ["tenant-admin"], expiresAt: row.expires_at },
        });
      });
      return { invitation: toInvitation(row), token };
    },

    async accept(token, password, address) {
      if (!token.startsWith("asi_") || token.length > 128) throw invalidToken();
      const problem = passwordProblem(password);
      if (problem) throw badRequest("weak_password", problem);
      const now = clock.now();
      const found = await invitationsRepo.findByTokenHash(control.db, sha256Hex(token));
      if (
        !found ||
        found.accepted_at !== null ||
        found.revoked_at !== null ||
        Number(found.expires_at) <= now
      )
        throw invalidToken();
      const hash = await hashPassword(password);
      const user: UserTable = {
        id: newId(),
        email: found.email,
        name: found.name,
        password_hash: hash,
        roles: JSON.stringify(readJson<string[]>(found.roles)),
        tenant_id: found.tenant_id,
        must_change_password: 0,
        created_at: now,
        disabled_at: null,
        created_by: found.created_by,
        created_by_label: found.created_by_label,
        invitation_id: found.id,
      };
      await control.db.transaction().execute(async (trx) => {
        if (await usersRepo.findByEmail(trx, found.email))
          throw conflict("user_exists", "a user with this email exists");
        if (!(await invitationsRepo.markAccepted(trx, found.id, user.id, now))) throw invalidToken();
        await usersRepo.insertUser(trx, user);
        await appendAudit(trx, control.dialect, now, {
          actorId: user.id,
          actorRole: null,
          action: "user.create",
          tenantId: found.tenant_id,
          targetType: "user",
          targetId: user.id,
          details: {
            roles: readJson<string[]>(found.roles),
            via: "invitation",
            invitationId: found.id,
            invitedBy: found.created_by,
          },
        });
      });
      return deps.users.signIn(found.email, password, address);
    },

    async tenantAccounts(tenantId) {
      const [users, invitations] = await Promise.all([
        invitationsRepo.adminsOfTenant(control.db, tenantId),
        invitationsRepo.listByTenant(control.db, tenantId),
      ]);
      const byId = new Map(invitations.map((i) => [i.id, i]));
      const accounts = users.map((u): TenantAccount => {
        const inv = u.invitation_id ? byId.get(u.invitation_id) : undefined;
        return {
          id: u.id,
          email: u.email,
          name: u.name,
          createdAt: Number(u.created_at),
          createdBy: u.created_by_label ?? u.created_by ?? null,
          origin: u.invitation_id ? "invitation" : "direct",
          invitation: inv
            ? {
                id: inv.id,
                invitedAt: Number(inv.created_at),
                acceptedAt: inv.accepted_at === null ? null : Number(inv.accepted_at),
              }
            : null,
          disabled: u.disabled_at !== null,
        };
      });
      return { accounts, invitations: invitations.map(toInvitation) };
    },
  };
}
