import {
  AccessLogSchema,
  AccessRequestListSchema,
  AdminSharingSchema,
  AuditPageSchema,
  CoveredTenantSchema,
  DataHeldSchema,
  DatasetItemSchema,
  DatasetSchema,
  InsightsSchema,
  InteractionPageSchema,
  LabelSchema,
  LabelSchemaSchema,
  NextSchema,
  PasswordResetSchema,
  ProgramOverviewSchema,
  QueueSchema,
  ReviewedInteractionSchema,
  SessionSchema,
  TenantAccountsSchema,
  TenantSchema,
  UserSchema,
  VerifyReportSchema,
} from "@assent/sdk/contract";
import { type TSchema, Type } from "typebox";
import { Value } from "typebox/value";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/**
 * The staff API answers with the contract's schemas (`@assent/sdk/contract`, whose static types the
 * web app imports): each real answer the web app reads conforms to its schema, and /openapi.json
 * documents that same schema for the route.
 */
describe.each(dialects())("the staff API answers with the contract's schemas (%s)", (dialect) => {
  let ctx: TestContext;
  let tenant: TenantFixture;
  let operator: Awaited<ReturnType<typeof staffMember>>;
  let reviewer: Awaited<ReturnType<typeof staffMember>>;
  let approver: Awaited<ReturnType<typeof staffMember>>;
  let interactionId: string;

  beforeAll(async () => {
    ctx = await createTestContext(dialect, { regions: ["eu", "us"] });
    tenant = await tenantWithAdmin(ctx, "eu");
    [interactionId = ""] = await sharedInteractions(ctx, tenant, 3);
    operator = await staffMember(ctx, ["operator"], "Olga Operator");
    reviewer = await staffMember(ctx, ["reviewer"], "Rita Reviewer");
    approver = await staffMember(ctx, ["approver"], "Arne Approver");
    await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: tenant.id });
  });
  afterAll(async () => ctx?.close());

  /** Calls the API as `cookie`, expects `status`, and checks the body against `schema`. */
  const answer = async (
    schema: TSchema,
    cookie: string,
    method: "GET" | "POST",
    url: string,
    payload?: Record<string, unknown>,
    status = 200,
  ): Promise<unknown> => {
    const res = await ctx.app.inject({
      method,
      url,
      headers: { cookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    const body: unknown = res.json();
    const problems = [...Value.Errors(schema, body)].map((e) => `${e.instancePath} ${e.message}`);
    expect(problems, `${method} ${url}`).toEqual([]);
    return body;
  };

  it("operators' answers: session, users, password reset, tenants, insights, audit", async () => {
    await answer(SessionSchema, operator.cookie, "GET", "/api/session");
    const users = (await answer(Type.Array(UserSchema), operator.cookie, "GET", "/api/users")) as {
      id: string;
      email: string;
    }[];
    expect(users.map((u) => u.email)).toContain(reviewer.email);
    const someone = await staffMember(ctx, ["reviewer"]);
    const reset = (await answer(
      PasswordResetSchema,
      operator.cookie,
      "POST",
      `/api/users/${someone.id}/reset-password`,
    )) as { user: { id: string } };
    expect(reset.user.id).toBe(someone.id);
    await answer(Type.Array(TenantSchema), operator.cookie, "GET", "/api/tenants");
    await answer(ProgramOverviewSchema, operator.cookie, "GET", "/api/program");
    const insights = (await answer(InsightsSchema, operator.cookie, "GET", "/api/insights/features")) as {
      totals: { interactions: number };
    };
    expect(insights.totals.interactions).toBe(3);
    await answer(AuditPageSchema, operator.cookie, "GET", "/api/audit?chain=control");
    await answer(VerifyReportSchema, operator.cookie, "POST", "/api/audit/verify");
  });

  it("reviewers' answers: requests, tenants, queue, an interaction, a label, queues, datasets", async () => {
    const cookie = reviewer.cookie;
    await answer(AccessRequestListSchema, cookie, "GET", "/api/access-requests");
    const covered = (await answer(Type.Array(CoveredTenantSchema), cookie, "GET", "/api/review/tenants")) as {
      id: string;
    }[];
    expect(covered.map((t) => t.id)).toEqual([tenant.id]);
    await answer(LabelSchemaSchema, cookie, "GET", "/api/review/label-schema");
    await answer(InteractionPageSchema, cookie, "GET", "/api/review/interactions");
    await answer(ReviewedInteractionSchema, cookie, "GET", `/api/review/interactions/${interactionId}`);
    await answer(
      LabelSchema,
      cookie,
      "POST",
      `/api/review/interactions/${interactionId}/labels`,
      { rating: 4, tags: ["tone"] },
      201,
    );
    const queue = (await answer(
      QueueSchema,
      cookie,
      "POST",
      "/api/review/queues",
      { region: "eu", name: "Contract check" },
      201,
    )) as { id: string };
    await answer(NextSchema, cookie, "POST", `/api/review/queues/${queue.id}/next`);
    const program = (await answer(ProgramOverviewSchema, cookie, "GET", "/api/program")) as {
      program: { allowedPurposes: string[] };
    };
    const dataset = (await answer(
      DatasetSchema,
      cookie,
      "POST",
      "/api/datasets",
      { region: "eu", name: "Contract check", purpose: program.program.allowedPurposes[0] },
      201,
    )) as { id: string };
    await answer(Type.Array(DatasetSchema), cookie, "GET", "/api/datasets");
    await answer(Type.Array(DatasetItemSchema), cookie, "GET", `/api/datasets/${dataset.id}/items`);
  });

  it("tenant admins' answers: sharing, access log, accounts, data held", async () => {
    const cookie = tenant.adminCookie;
    await answer(AdminSharingSchema, cookie, "GET", "/api/tenant/sharing");
    await answer(AccessLogSchema, cookie, "GET", "/api/tenant/access-log");
    await answer(TenantAccountsSchema, cookie, "GET", "/api/tenant/accounts");
    const held = (await answer(DataHeldSchema, cookie, "GET", "/api/tenant/data-held")) as {
      interactions: number;
    };
    expect(held.interactions).toBe(3);
  });

  it("/openapi.json documents each route's answer with the contract's schema", async () => {
    const spec = (await ctx.app.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
    };
    const documented = (path: string, method: string, status: string) =>
      spec.paths[path]?.[method]?.responses[status]?.content?.["application/json"]?.schema as
        | { properties?: Record<string, unknown>; items?: { properties?: Record<string, unknown> } }
        | undefined;
    const keys = (o: Record<string, unknown> | undefined) => Object.keys(o ?? {}).sort();
    for (const [path, method, status, schema] of [
      ["/api/insights/features", "get", "200", InsightsSchema],
      ["/api/tenant/sharing", "get", "200", AdminSharingSchema],
      ["/api/users/{id}/reset-password", "post", "200", PasswordResetSchema],
      ["/api/review/interactions/{id}", "get", "200", ReviewedInteractionSchema],
      ["/api/tenant/data-held", "get", "200", DataHeldSchema],
    ] as const) {
      expect(keys(documented(path, method, status)?.properties), `${method} ${path}`).toEqual(
        keys(schema.properties),
      );
    }
    for (const [path, schema] of [
      ["/api/review/tenants", CoveredTenantSchema],
      ["/api/datasets/{id}/items", DatasetItemSchema],
      ["/api/users", UserSchema],
    ] as const) {
      expect(keys(documented(path, "get", "200")?.items?.properties), path).toEqual(keys(schema.properties));
    }
  });
});
