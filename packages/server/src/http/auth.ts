import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Actor } from "../actor.js";
import { AppError, forbidden, unauthorized } from "../errors.js";
import type { Role } from "../modules/access/roles.js";
import { actorOf, type User, type UsersService } from "../modules/access/service.js";
import type { ServiceKeyIdentity, ServiceKeysService } from "../modules/service-keys/service.js";
import { SERVICE_KEY_PREFIX } from "../modules/service-keys/service.js";
import type { TenantRow } from "../modules/tenants/repo.js";
import type { KeyIdentity, TenantsService } from "../modules/tenants/service.js";
import { bearerCredential } from "./credentials.js";

export const SESSION_COOKIE = "assent_session";

/** What the tenant-admin guard loaded: the admin, their tenant, and the actor to audit them as. */
export interface TenantAdminContext {
  readonly user: User;
  readonly tenant: TenantRow;
  readonly actor: Actor;
}

/** What the user guard loaded: a signed-in user and the roles they hold (staff, or any user). */
export interface StaffContext {
  readonly user: User;
  readonly roles: readonly Role[];
}

declare module "fastify" {
  interface FastifyRequest {
    user: User | null;
    ingestKey: KeyIdentity | null;
    serviceKey: ServiceKeyIdentity | null;
    tenantAdmin: TenantAdminContext | null;
  }
}

export interface AuthDeps {
  readonly users: Pick<UsersService, "authenticate">;
  readonly tenants: Pick<TenantsService, "authenticateKey" | "getTenant">;
  readonly serviceKeys: Pick<ServiceKeysService, "authenticate">;
}

/** Every guard runs in `onRequest`, before the body is read or validated. */
export interface Guards {
  /** A signed-in user holding one of `roles` (any role when empty): read with `currentUser`/`staffOf`. */
  user(roles?: readonly Role[], opts?: { allowPasswordChange?: boolean }): onRequestAsyncHookHandler;
  /** A signed-in tenant admin and their tenant: read with `tenantAdminOf`. */
  tenantAdmin: onRequestAsyncHookHandler;
  /** A live ingestion key in `Authorization: Bearer` (a tenant's key or a service key): read with `currentCaller`. */
  ingestKey: onRequestAsyncHookHandler;
}

export function sessionToken(request: FastifyRequest): string | null {
  return request.cookies[SESSION_COOKIE] ?? null;
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw unauthorized();
  return request.user;
}

export function staffOf(request: FastifyRequest): StaffContext {
  const user = currentUser(request);
  return { user, roles: user.roles };
}

export function tenantAdminOf(request: FastifyRequest): TenantAdminContext {
  if (!request.tenantAdmin) throw unauthorized();
  return request.tenantAdmin;
}

export function currentKey(request: FastifyRequest): KeyIdentity {
  if (!request.ingestKey) {
    throw unauthorized(
      request.serviceKey
        ? "this route takes a tenant's ingestion key, not a service key"
        : "a valid ingestion key is required",
    );
  }
  return request.ingestKey;
}

/** Who an ingestion route captures for: one tenant (its key) or a service (every tenant of its regions). */
export type IngestCaller =
  | { readonly kind: "tenant"; readonly key: KeyIdentity }
  | { readonly kind: "service"; readonly key: ServiceKeyIdentity };

export function currentCaller(request: FastifyRequest): IngestCaller {
  if (request.serviceKey) return { kind: "service", key: request.serviceKey };
  return { kind: "tenant", key: currentKey(request) };
}

export function createGuards(deps: AuthDeps): Guards {
  const signedIn = async (request: FastifyRequest, roles: readonly Role[], allowPasswordChange = false) => {
    const token = sessionToken(request);
    const user = token ? await deps.users.authenticate(token) : null;
    if (!user) throw unauthorized("sign in first");
    if (user.mustChangePassword && !allowPasswordChange) {
      throw new AppError(403, "password_change_required", "change your one-time password first");
    }
    if (roles.length > 0 && !roles.some((r) => user.roles.includes(r))) {
      throw forbidden(`this needs the role ${roles.join(" or ")}`);
    }
    request.user = user;
    return user;
  };
  return {
    user(roles = [], opts = {}) {
      return async (request: FastifyRequest, _reply: FastifyReply) => {
        await signedIn(request, roles, opts.allowPasswordChange);
      };
    },
    async tenantAdmin(request: FastifyRequest, _reply: FastifyReply) {
      const user = await signedIn(request, ["tenant-admin"]);
      if (user.tenantId === null) throw forbidden("this needs a tenant admin of a tenant");
      const tenant = await deps.tenants.getTenant(user.tenantId);
      request.tenantAdmin = { user, tenant, actor: actorOf(user, "tenant-admin") };
    },
    async ingestKey(request: FastifyRequest, _reply: FastifyReply) {
      const secret = bearerCredential(request.headers.authorization) ?? "";
      if (secret.startsWith(SERVICE_KEY_PREFIX)) {
        const service = await deps.serviceKeys.authenticate(secret);
        if (service) {
          request.serviceKey = service;
          return;
        }
      }
      const identity = secret ? await deps.tenants.authenticateKey(secret) : null;
      if (!identity) {
        throw new AppError(
          401,
          "invalid_key",
          "an unknown or revoked ingestion key (Authorization: Bearer <key>)",
          {
            "www-authenticate": 'Bearer realm="assent"',
          },
        );
      }
      request.ingestKey = identity;
    },
  };
}
