import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Actor } from "../../actor.js";
import { currentKey, type Guards, tenantAdminOf } from "../../http/auth.js";
import { ErrorSchema } from "../../http/schemas.js";
import { namingUnknownProperties } from "../../http/strict-body.js";
import { iso } from "../../http/time.js";
import { currentToken, type ManagementGuards } from "../../http/token-auth.js";
import { TenantRefParams } from "../management/schemas.js";
import { onBehalfActor } from "../management/service.js";
import { ReceiptSchema } from "../retention/schemas.js";
import type { TenantRow } from "../tenants/repo.js";
import {
  ExclusionListSchema,
  ExclusionSchema,
  LiftBody,
  LiftResultSchema,
  OnBehalfSubjectBody,
  SubjectBody,
} from "./schemas.js";
import type { Exclusion, ScopesService } from "./service.js";

export interface ScopesRoutesDeps {
  readonly scopes: ScopesService;
  readonly guards: Guards;
  readonly scoped: ManagementGuards["scoped"];
  readonly resolveTenant: (ref: string) => Promise<TenantRow>;
}

const exclusionView = (e: Exclusion) => ({
  ref: e.ref,
  excludedAt: iso(e.excludedAt),
  excludedBy: e.excludedBy,
  reason: e.reason,
});

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

/** Consent scopes below the tenant: excluded subjects and erasure of one subject's data. */
export const scopesRoutes: FastifyPluginAsyncTypebox<ScopesRoutesDeps> = async (app, deps) => {
  const { scopes, guards } = deps;
  const admin = { onRequest: guards.tenantAdmin, schemaErrorFormatter: namingUnknownProperties };

  app.get(
    "/api/tenant/exclusions",
    {
      onRequest: guards.tenantAdmin,
      schema: {
        tags: ["admin center"],
        summary: "Excluded people (subjects) of the tenant, newest first: their items are dropped",
        response: { 200: ExclusionListSchema, ...errors },
      },
    },
    async (request) => ({
      items: (await scopes.exclusions(tenantAdminOf(request).tenant)).map(exclusionView),
    }),
  );

  app.post(
    "/api/tenant/exclusions",
    {
      ...admin,
      schema: {
        tags: ["admin center"],
        summary: "Exclude a person: from the next write on, items with this subject are dropped",
        body: SubjectBody,
        response: { 200: ExclusionSchema, ...errors },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      return exclusionView(await scopes.exclude(tenant, request.body.subject, actor, "admin"));
    },
  );

  app.delete(
    "/api/tenant/exclusions",
    {
      ...admin,
      schema: {
        tags: ["admin center"],
        summary: "Lift an exclusion, by subject id or by the reference the list shows",
        body: LiftBody,
        response: { 200: LiftResultSchema, ...errors },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      return { lifted: await scopes.lift(tenant, request.body, actor) };
    },
  );

  app.post(
    "/api/tenant/subjects/erase",
    {
      ...admin,
      schema: {
        tags: ["admin center"],
        summary:
          "Erase one person's data: excludes the subject, deletes their interactions, labels and dataset items; answers the receipt",
        body: SubjectBody,
        response: { 200: ReceiptSchema, ...errors },
      },
    },
    async (request) => {
      const { tenant, actor } = tenantAdminOf(request);
      return scopes.erase(tenant, request.body.subject, actor);
    },
  );

  app.post(
    "/v1/subjects/objections",
    {
      onRequest: guards.ingestKey,
      schemaErrorFormatter: namingUnknownProperties,
      schema: {
        tags: ["ingestion"],
        summary: "Tell Assent a subject objects: their items are dropped from now on (tenant ingestion key)",
        security: [{ ingestionKey: [] }],
        body: SubjectBody,
        response: { 200: ExclusionSchema, ...errors },
      },
    },
    async (request) => {
      const key = currentKey(request);
      const actor: Actor = {
        id: `key:${key.keyId}`,
        role: "ingestion-key",
        label: `ingestion key ${key.keyId}`,
      };
      return exclusionView(
        await scopes.exclude(
          { id: key.tenantId, region: key.region },
          request.body.subject,
          actor,
          "objection",
        ),
      );
    },
  );

  const onBehalf = async (
    request: { params: { id: string }; body: { actor: { email: string; name?: string } } },
    token: { id: string; name: string },
  ) => ({
    tenant: await deps.resolveTenant(request.params.id),
    actor: onBehalfActor(request.body.actor, token),
  });
  const mgmt = <R>(summary: string, response: R) => ({
    onRequest: deps.scoped("sharing:write"),
    schemaErrorFormatter: namingUnknownProperties,
    schema: {
      tags: ["management"],
      summary,
      security: [{ apiToken: [] }],
      params: TenantRefParams,
      body: OnBehalfSubjectBody,
      response: { 200: response, ...errors },
    },
  });

  app.post(
    "/api/tenants/:id/exclusions",
    mgmt("Exclude a subject on behalf of a named tenant admin", ExclusionSchema),
    async (request) => {
      const { tenant, actor } = await onBehalf(request, currentToken(request));
      return exclusionView(await scopes.exclude(tenant, request.body.subject, actor, "admin"));
    },
  );

  app.post(
    "/api/tenants/:id/subjects/erase",
    mgmt("Erase one subject's data on behalf of a named tenant admin; answers the receipt", ReceiptSchema),
    async (request) => {
      const { tenant, actor } = await onBehalf(request, currentToken(request));
      return scopes.erase(tenant, request.body.subject, actor);
    },
  );
};
