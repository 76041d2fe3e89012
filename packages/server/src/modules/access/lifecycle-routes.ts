import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { badRequest, notFound } from "../../errors.js";
import { currentUser, type Guards } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import type { UserLifecycle } from "./lifecycle.js";
import { userView } from "./routes.js";
import { PasswordResetSchema, PatchUserSchema, UserSchema } from "./schemas.js";
import { actorOf, type UsersService } from "./service.js";

export interface LifecycleRoutesDeps {
  readonly lifecycle: UserLifecycle;
  readonly users: Pick<UsersService, "describeUsers">;
  readonly guards: Guards;
}

const UserIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Operators: disable or enable a user, change a staff member's roles, reset a password (audited). */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<LifecycleRoutesDeps> = async (app, deps) => {
  const operator = deps.guards.user(["operator"]);
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
  const tags = ["operations"];

  const fresh = async (id: string) => {
    const user = (await deps.users.describeUsers([id])).get(id);
    if (!user) throw notFound(`user ${id}`);
    return userView(user);
  };

  app.patch(
    "/api/users/:id",
    {
      onRequest: operator,
      schema: {
        tags,
        summary:
          "Disable or enable a user (a disabled user's sessions end at once) or change a staff member's roles; never the last operator",
        params: UserIdParams,
        body: PatchUserSchema,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(currentUser(request), "operator");
      const { disabled, roles } = request.body;
      if (disabled === undefined && roles === undefined) {
        throw badRequest("empty_change", "send disabled or roles");
      }
      if (roles !== undefined) await deps.lifecycle.setRoles(request.params.id, roles, actor);
      if (disabled !== undefined) await deps.lifecycle.setDisabled(request.params.id, disabled, actor);
      return fresh(request.params.id);
    },
  );

  app.post(
    "/api/users/:id/reset-password",
    {
      onRequest: operator,
      schema: {
        tags,
        summary: "Reset a staff member's password to a one-time one, answered once; their sessions end",
        params: UserIdParams,
        response: { 200: PasswordResetSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(currentUser(request), "operator");
      const { password } = await deps.lifecycle.resetPassword(request.params.id, actor);
      void reply.header("cache-control", "no-store");
      return { user: await fresh(request.params.id), password };
    },
  );
};
