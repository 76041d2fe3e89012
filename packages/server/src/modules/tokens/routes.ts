import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso, isoOrNull } from "../../http/time.js";
import { actorOf } from "../access/service.js";
import type { ApiTokenRow } from "./repo.js";
import { ApiTokenSchema, CreateApiTokenSchema, NewApiTokenSchema, TokenIdParams } from "./schemas.js";
import type { TokensService } from "./service.js";

export interface TokensRoutesDeps {
  readonly tokens: TokensService;
  readonly guards: Pick<Guards, "user">;
}

export const apiTokenView = (t: Omit<ApiTokenRow, "createdBy">) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: [...t.scopes],
  createdAt: iso(t.createdAt),
  lastUsedAt: isoOrNull(t.lastUsedAt),
  revokedAt: isoOrNull(t.revokedAt),
});

/**
 * Operator API tokens, managed with an operator's session only: a token never mints or revokes
 * tokens, so a leaked one cannot widen or prolong its own reach.
 */
export const tokensRoutes: FastifyPluginAsyncTypebox<TokensRoutesDeps> = async (app, deps) => {
  const operator = deps.guards.user(["operator"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

  app.get(
    "/api/tokens",
    {
      onRequest: operator,
      schema: { tags: ["operations"], response: { 200: Type.Array(ApiTokenSchema), ...errors } },
    },
    async () => (await deps.tokens.listTokens()).map(apiTokenView),
  );
  app.post(
    "/api/tokens",
    {
      onRequest: operator,
      schema: {
        tags: ["operations"],
        summary: "Issue a management API token (the secret is in this answer only)",
        body: CreateApiTokenSchema,
        response: { 201: NewApiTokenSchema, ...errors },
      },
    },
    async (request, reply) => {
      const t = await deps.tokens.createToken(request.body, actorOf(currentUser(request), "operator"));
      return reply.status(201).send({ ...apiTokenView(t), token: t.token });
    },
  );
  app.post(
    "/api/tokens/:id/revoke",
    {
      onRequest: operator,
      schema: {
        tags: ["operations"],
        summary: "Revoke an API token at once",
        params: TokenIdParams,
        response: { 200: ApiTokenSchema, ...errors },
      },
    },
    async (request) =>
      apiTokenView(
        await deps.tokens.revokeToken(request.params.id, actorOf(currentUser(request), "operator")),
      ),
  );
};
