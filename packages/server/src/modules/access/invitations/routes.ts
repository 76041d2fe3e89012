import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { currentUser, type Guards, SESSION_COOKIE } from "../../../http/auth.js";
import { ErrorSchema } from "../../../http/schemas.js";
import { iso } from "../../../http/time.js";
import { userView } from "../routes.js";
import { SessionSchema } from "../schemas.js";
import { actorOf } from "../service.js";
import {
  AcceptInvitationSchema,
  CreatedInvitationSchema,
  InviteSchema,
  TenantAccountsSchema,
} from "./schemas.js";
import type { Invitation, InvitationsService } from "./service.js";

export interface InvitationRoutesDeps {
  readonly invitations: InvitationsService;
  readonly guards: Guards;
  readonly secureCookies: boolean;
  readonly signInRateLimit: Record<string, unknown>;
}

export const acceptPathOf = (token: string) => `/accept-invitation#token=${token}`;

const invitationView = (i: Invitation) => ({
  id: i.id,
  email: i.email,
  name: i.name,
  tenantId: i.tenantId,
  invitedBy: i.invitedBy,
  createdAt: iso(i.createdAt),
  expiresAt: iso(i.expiresAt),
  acceptedAt: i.acceptedAt === null ? null : iso(i.acceptedAt),
});

export const invitationRoutes: FastifyPluginAsyncTypebox<InvitationRoutesDeps> = async (app, deps) => {
  const { invitations, guards } = deps;
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

  app.post(
    "/api/invitations",
    {
      onRequest: guards.user(["operator"]),
      schema: {
        tags: ["operations"],
        summary: "Invite a tenant admin: they set their own password through a one-time link",
        body: InviteSchema,
        response: { 201: CreatedInvitationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { invitation, token } = await invitations.invite(
        request.body,
        actorOf(currentUser(request), "operator"),
      );
      return reply
        .status(201)
        .send({ invitation: invitationView(invitation), token, acceptPath: acceptPathOf(token) });
    },
  );

  app.post(
    "/api/invitations/accept",
    {
      config: deps.signInRateLimit,
      schema: {
        tags: ["session"],
        summary: "Accept an invitation: set your password and sign in",
        body: AcceptInvitationSchema,
        response: { 200: SessionSchema, ...errors, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { token, user, expiresAt } = await invitations.accept(
        request.body.token,
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
    "/api/tenant/accounts",
    {
      onRequest: guards.user(["tenant-admin"]),
      schema: {
        tags: ["tenant"],
        summary: "Every account with admin rights over this tenant, who created it and how",
        response: { 200: TenantAccountsSchema, ...errors },
      },
    },
    async (request) => {
      const tenantId = currentUser(request).tenantId as string;
      const { accounts, invitations: pending } = await invitations.tenantAccounts(tenantId);
      return {
        accounts: accounts.map((a) => ({
          ...a,
          createdAt: iso(a.createdAt),
          invitation: a.invitation && {
            id: a.invitation.id,
            invitedAt: iso(a.invitation.invitedAt),
            acceptedAt: a.invitation.acceptedAt === null ? null : iso(a.invitation.acceptedAt),
          },
        })),
        invitations: pending.map(invitationView),
      };
    },
  );
};
