import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Clock } from "../../../clock.js";
import { currentUser, type Guards } from "../../../http/auth.js";
import { ErrorSchema } from "../../../http/schemas.js";
import { iso, isoOrNull } from "../../../http/time.js";
import {
  AccessRequestListSchema,
  AccessRequestSchema,
  CreateAccessRequestSchema,
  DenySchema,
  ListRequestsQuery,
  RequestIdParams,
} from "./schemas.js";
import type { GrantsService } from "./service.js";
import { type AccessRequest, grantStatus } from "./types.js";

export interface GrantsRoutesDeps {
  readonly grants: GrantsService;
  readonly guards: Guards;
  readonly clock: Clock;
}

export const accessRequestView = (r: AccessRequest, now: number) => ({
  id: r.id,
  state: r.state,
  requester: { id: r.requesterId, email: r.requesterEmail },
  region: r.region,
  tenantId: r.tenantId,
  reasonCode: r.reasonCode,
  justification: r.justification,
  ticket: r.ticket,
  durationMinutes: r.durationMinutes,
  approvalsRequired: r.approvalsRequired,
  approvals: r.approvals.map((a) => ({ approverId: a.approverId, at: iso(a.at) })),
  createdAt: iso(r.createdAt),
  decideBy: iso(r.decideBy),
  decidedAt: isoOrNull(r.decidedAt),
  decidedBy: r.decidedBy,
  decisionNote: r.decisionNote,
  grant: r.grant
    ? {
        id: r.grant.id,
        region: r.grant.region,
        tenantId: r.grant.tenantId,
        startsAt: iso(r.grant.startsAt),
        endsAt: iso(r.grant.endsAt),
        revokedAt: isoOrNull(r.grant.revokedAt),
        revokedBy: r.grant.revokedBy,
        status: grantStatus(r.grant, now),
      }
    : null,
});

/**
 * Access requests: reviewers ask, approvers decide (never their own), grants end by themselves.
 * Guards run at preValidation, so an anonymous or unentitled caller learns nothing about a body's
 * schema before being turned away.
 */
export const grantsRoutes: FastifyPluginAsyncTypebox<GrantsRoutesDeps> = async (app, deps) => {
  const { grants, guards } = deps;
  const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
  const view = (r: AccessRequest) => accessRequestView(r, deps.clock.now());
  const reviewer = guards.user(["reviewer"]);
  const staff = guards.user(["reviewer", "approver"]);
  const approver = guards.user(["approver"]);
  const tags = ["staff access"];

  app.post(
    "/api/access-requests",
    {
      onRequest: reviewer,
      schema: {
        tags,
        summary: "Ask for time-boxed access to content in a region (optionally one tenant)",
        body: CreateAccessRequestSchema,
        response: { 201: AccessRequestSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await grants.createRequest(currentUser(request), request.body);
      return reply.status(201).send(view(created));
    },
  );

  app.get(
    "/api/access-requests",
    {
      onRequest: staff,
      schema: {
        tags,
        summary: "Access requests, newest first: approvers see all, reviewers their own",
        querystring: ListRequestsQuery,
        response: { 200: AccessRequestListSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const list = await grants.listRequests(currentUser(request), {
        ...(q.state ? { state: q.state as never } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return { items: list.items.map(view), nextCursor: list.nextCursor };
    },
  );

  app.get(
    "/api/access-requests/:id",
    {
      onRequest: staff,
      schema: { tags, params: RequestIdParams, response: { 200: AccessRequestSchema, ...errors } },
    },
    async (request) => view(await grants.getRequest(currentUser(request), request.params.id)),
  );

  app.post(
    "/api/access-requests/:id/approve",
    {
      onRequest: approver,
      schema: {
        tags,
        summary: "Approve (never your own); the grant starts now and ends by itself",
        params: RequestIdParams,
        response: { 200: AccessRequestSchema, ...errors },
      },
    },
    async (request) => view(await grants.approve(currentUser(request), request.params.id)),
  );

  app.post(
    "/api/access-requests/:id/deny",
    {
      onRequest: approver,
      schema: {
        tags,
        params: RequestIdParams,
        body: DenySchema,
        response: { 200: AccessRequestSchema, ...errors },
      },
    },
    async (request) =>
      view(await grants.deny(currentUser(request), request.params.id, request.body?.note ?? null)),
  );

  app.post(
    "/api/access-requests/:id/cancel",
    {
      onRequest: reviewer,
      schema: { tags, params: RequestIdParams, response: { 200: AccessRequestSchema, ...errors } },
    },
    async (request) => view(await grants.cancel(currentUser(request), request.params.id)),
  );

  app.post(
    "/api/access-requests/:id/revoke",
    {
      onRequest: staff,
      schema: {
        tags,
        summary: "End the grant at once (its requester or an approver)",
        params: RequestIdParams,
        response: { 200: AccessRequestSchema, ...errors },
      },
    },
    async (request) => view(await grants.revoke(currentUser(request), request.params.id)),
  );
};
