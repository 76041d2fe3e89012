import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { badRequest } from "../../errors.js";
import { currentUser, type Guards, SESSION_COOKIE, sessionToken } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { iso } from "../../http/time.js";
import {
  ChangePasswordSchema,
  CreateUserSchema,
  SessionSchema,
  SignInSchema,
  UserSchema,
} from "./schemas.js";
import { actorOf, type User, type UsersService } from "./service.js";

export interface AccessRoutesDeps {
  readonly users: UsersService;
  readonly guards: Guards;
  /** Send the cookie with `Secure` (behind TLS). */
  readonly secureCookies: boolean;
  /** Route config for the sign-in rate limit. */
  readonly signInRateLimit: Record<string, unknown>;
}

export const userView = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  roles: [...u.roles],
  tenantId: u.tenantId,
  mustChangePassword: u.mustChangePassword,
  createdAt: iso(u.createdAt),
  disabled: u.disabled,
});

export const accessRoutes: FastifyPluginAsyncTypebox<AccessRoutesDeps> = async (app, deps) => {
  const { users, guards } = deps;
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };
  const anyUser = guards.user([], { allowPasswordChange: true });

  app.post(
    "/api/session",
    {
      config: deps.signInRateLimit,
      schema: {
        tags: ["session"],
        summary: "Sign in",
        body: SignInSchema,
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { token, user, expiresAt } = await users.signIn(
        request.body.email,
        request.body.password,
        request.ip,
      );
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "strict",
        secure: deps.secureCookies,
        path: "/",
        expires: new Date(expiresAt),
      });
      return { user: userView(user), expiresAt: iso(expiresAt) };
    },
  );
  app.get(
    "/api/session",
    { onRequest: anyUser, schema: { tags: ["session"], response: { 200: SessionSchema, ...errors } } },
    async (request) => ({ user: userView(currentUser(request)) }),
  );
  app.delete(
    "/api/session",
    { schema: { tags: ["session"], summary: "Sign out" } },
    async (request, reply) => {
      const token = sessionToken(request);
      if (token) await users.signOut(token);
      void reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send();
    },
  );
  app.post(
    "/api/session/sign-out-everywhere",
    {
      onRequest: anyUser,
      schema: { tags: ["session"], response: { 200: Type.Object({ sessions: Type.Integer() }), ...errors } },
    },
    async (request, reply) => {
      const sessions = await users.signOutEverywhere(currentUser(request));
      void reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return { sessions };
    },
  );
  app.post(
    "/api/session/password",
    {
      onRequest: anyUser,
      schema: {
        tags: ["session"],
        summary: "Change the password",
        body: ChangePasswordSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await users.changePassword(
        currentUser(request),
        request.body.currentPassword,
        request.body.newPassword,
      );
      return reply.status(204).send(null);
    },
  );

  const operator = guards.user(["operator"]);
  app.get(
    "/api/users",
    {
      onRequest: operator,
      schema: { tags: ["operations"], response: { 200: Type.Array(UserSchema), ...errors } },
    },
    async () => (await users.listUsers()).map(userView),
  );
  app.post(
    "/api/users",
    {
      onRequest: operator,
      schema: {
        tags: ["operations"],
        body: CreateUserSchema,
        response: { 201: UserSchema, 404: ErrorSchema, ...errors },
      },
    },
    async (request, reply) => {
      // Consent is the tenant's: an operator who knew a tenant admin's password could switch its
      // sharing on. Tenant admins join by invitation and choose their own password.
      if (request.body.roles.includes("tenant-admin"))
        throw badRequest(
          "use_invitation",
          "tenant admins join by invitation (POST /api/invitations): they set their own password",
        );
      // The operator chose the password, so by default it only opens the door to choosing one's own.
      const user = await users.createUser(
        { ...request.body, mustChangePassword: request.body.mustChangePassword ?? true },
        actorOf(currentUser(request), "operator"),
      );
      return reply.status(201).send(userView(user));
    },
  );
};
