import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { Actor } from "../actor.js";
import { AppError, unauthorized } from "../errors.js";
import { actorOf } from "../modules/access/service.js";
import type { ApiTokenRow } from "../modules/tokens/repo.js";
import type { Scope } from "../modules/tokens/scopes.js";
import { type TokensService, tokenActor } from "../modules/tokens/service.js";
import type { Guards } from "./auth.js";

declare module "fastify" {
  interface FastifyRequest {
    apiToken: ApiTokenRow | null;
  }
}

export interface ManagementGuards {
  /**
   * The management API: `Authorization: Bearer asmt_…` holding `scope` (401 unknown or revoked,
   * 403 without the scope). With `operatorSession`, a signed-in operator passes too (no token sent).
   */
  scoped(scope: Scope, opts?: { operatorSession?: boolean }): preHandlerAsyncHookHandler;
}

export interface ManagementAuthDeps {
  readonly tokens: Pick<TokensService, "authenticate">;
  readonly guards: Pick<Guards, "user">;
}

const invalidToken = () =>
  new AppError(401, "invalid_token", "an unknown or revoked API token (Authorization: Bearer asmt_…)", {
    "www-authenticate": 'Bearer realm="assent"',
  });

export function currentToken(request: FastifyRequest): ApiTokenRow {
  if (!request.apiToken) throw unauthorized("an API token is required (Authorization: Bearer asmt_…)");
  return request.apiToken;
}

/** Who a management request acts as: its token, or the signed-in operator. */
export function managementActor(request: FastifyRequest): Actor {
  if (request.apiToken) return tokenActor(request.apiToken);
  if (request.user) return actorOf(request.user, "operator");
  throw unauthorized();
}

export function createManagementGuards(deps: ManagementAuthDeps): ManagementGuards {
  return {
    scoped(scope, opts = {}) {
      const operator = deps.guards.user(["operator"]);
      return async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
        const header = request.headers.authorization;
        if (header === undefined && opts.operatorSession) return operator.call(this, request, reply);
        const secret = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
        if (!secret) {
          throw opts.operatorSession
            ? unauthorized("sign in as an operator, or send an API token (Authorization: Bearer asmt_…)")
            : unauthorized("an API token is required (Authorization: Bearer asmt_…)");
        }
        const token = await deps.tokens.authenticate(secret);
        if (!token) throw invalidToken();
        if (!token.scopes.includes(scope)) {
          throw new AppError(403, "missing_scope", `this needs an API token with the scope ${scope}`);
        }
        request.apiToken = token;
      };
    },
  };
}
