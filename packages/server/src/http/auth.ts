import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { AppError, forbidden, unauthorized } from "../errors.js";
import type { Role } from "../modules/access/roles.js";
import type { User, UsersService } from "../modules/access/service.js";
import type { KeyIdentity, TenantsService } from "../modules/tenants/service.js";
import { bearerCredential } from "./credentials.js";

export const SESSION_COOKIE = "assent_session";

declare module "fastify" {
  interface FastifyRequest {
    user: User | null;
    ingestKey: KeyIdentity | null;
  }
}

export interface AuthDeps {
  readonly users: Pick<UsersService, "authenticate">;
  readonly tenants: Pick<TenantsService, "authenticateKey">;
}

export interface Guards {
  /** A signed-in user holding one of `roles` (any role when empty). */
  user(roles?: readonly Role[], opts?: { allowPasswordChange?: boolean }): preHandlerAsyncHookHandler;
  /** A live ingestion key in `Authorization: Bearer`. */
  ingestKey: preHandlerAsyncHookHandler;
}

export function sessionToken(request: FastifyRequest): string | null {
  return request.cookies[SESSION_COOKIE] ?? null;
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw unauthorized();
  return request.user;
}

export function currentKey(request: FastifyRequest): KeyIdentity {
  if (!request.ingestKey) throw unauthorized("a valid ingestion key is required");
  return request.ingestKey;
}

export function createGuards(deps: AuthDeps): Guards {
  return {
    user(roles = [], opts = {}) {
      return async (request: FastifyRequest, _reply: FastifyReply) => {
        const token = sessionToken(request);
        const user = token ? await deps.users.authenticate(token) : null;
        if (!user) throw unauthorized("sign in first (POST /api/session)");
        if (user.mustChangePassword && !opts.allowPasswordChange) {
          throw new AppError(
            403,
            "password_change_required",
            "change the one-time password first (POST /api/session/password)",
          );
        }
        if (roles.length > 0 && !roles.some((r) => user.roles.includes(r))) {
          throw forbidden(`this needs the role ${roles.join(" or ")}`);
        }
        request.user = user;
      };
    },
    async ingestKey(request: FastifyRequest, _reply: FastifyReply) {
      const credential = bearerCredential(request.headers.authorization);
      const identity = credential ? await deps.tenants.authenticateKey(credential) : null;
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
