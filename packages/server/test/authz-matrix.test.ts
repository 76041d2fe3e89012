import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { webAppBuilt } from "../src/http/web-routes.js";
import { SCOPES } from "../src/modules/tokens/scopes.js";
import {
  grantAccess,
  item,
  JUSTIFICATION,
  PASSWORD,
  requestAccess,
  sessionCookie,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/**
 * Every route × every kind of caller → the status it must get, from one table. A route the app
 * serves without a row here fails the first test, so a new route cannot go unreviewed.
 */
const PRINCIPALS = [
  "anonymous",
  "ingestKey",
  "serviceKey",
  "operator",
  "reviewer",
  "reviewerNoGrant",
  "approver",
  "tenantAdmin",
  "otherTenantAdmin",
  // Management API tokens (Authorization: Bearer asmt_…): every scope, and the two read scopes.
  "token",
  "tokenReadOnly",
] as const;
type Principal = (typeof PRINCIPALS)[number];
type Expect = Record<Principal, number>;

const everyone = (status: number): Expect => Object.fromEntries(PRINCIPALS.map((p) => [p, status])) as Expect;
const SESSIONS = [
  "operator",
  "reviewer",
  "reviewerNoGrant",
  "approver",
  "tenantAdmin",
  "otherTenantAdmin",
] as const;
/** Session routes: no session → 401; a signed-in user without the role → 403. */
const users = (allowed: Partial<Expect>): Expect => ({
  ...everyone(403),
  anonymous: 401,
  ingestKey: 401,
  serviceKey: 401,
  token: 401,
  tokenReadOnly: 401,
  ...allowed,
});
const signedIn = (status: number) =>
  users(Object.fromEntries(SESSIONS.map((p) => [p, status])) as Partial<Expect>);
/** Management routes: an operator's session, or a token with the route's scope (read-only has tenants:read, sharing:read). */
const managed = (status: number, readOnly: number): Expect =>
  users({ operator: status, token: status, tokenReadOnly: readOnly });
/** The web app is public; until `npm run build` has built it, it answers a JSON 503 saying so. */
const WEB_APP = webAppBuilt() ? 200 : 503;
/** Ingestion routes: only the ingestion key. */
const machine = (status: number): Expect => ({ ...everyone(401), ingestKey: status, serviceKey: status });

interface Fixture {
  a: TenantFixture;
  b: TenantFixture;
  interactionIds: string[];
  spareKeyId: string;
  serviceKey: string;
  spareServiceKeyId: string;
  spareTokenId: string;
  tokens: Record<"token" | "tokenReadOnly", string>;
  datasetId: string;
  queueId: string;
  signInEmail: string;
  cookies: Record<Principal, string | null>;
  staff: Record<"operator" | "reviewer" | "reviewerNoGrant" | "approver", { id: string; email: string }>;
}

interface Row {
  /** `METHOD /pattern` exactly as the app registers it. */
  readonly route: string;
  readonly url: string | ((f: Fixture, p: Principal) => Promise<string> | string);
  readonly body?: (f: Fixture, p: Principal) => unknown;
  readonly expect: Expect;
  /** Server-Sent Events: checked over a real connection, closed after the headers. */
  readonly stream?: boolean;
  /** Ends the caller's sessions; everybody signs in again afterwards. */
  readonly endsSessions?: boolean;
}

let uniq = 0;
const next = () => `${Date.now().toString(36)}${++uniq}`;

const pendingRequest = async (ctx: TestContext, f: Fixture) => {
  const res = await requestAccess(ctx, f.cookies.reviewer as string, { region: "eu" });
  return res.json().id as string;
};

function table(ctx: () => TestContext): Row[] {
  return [
    // Operations, public
    { route: "GET /healthz", url: "/healthz", expect: everyone(200) },
    { route: "GET /readyz", url: "/readyz", expect: everyone(200) },
    { route: "GET /metrics", url: "/metrics", expect: everyone(200) },
    { route: "GET /openapi.json", url: "/openapi.json", expect: everyone(200) },
    { route: "GET /docs", url: "/docs", expect: everyone(200) },
    { route: "GET /docs/", url: "/docs/", expect: everyone(200) },
    { route: "GET /docs/static/index.html", url: "/docs/static/index.html", expect: everyone(302) },
    {
      route: "GET /docs/static/swagger-initializer.js",
      url: "/docs/static/swagger-initializer.js",
      expect: everyone(200),
    },
    { route: "GET /docs/*", url: "/docs/static/swagger-ui.css", expect: everyone(200) },
    { route: "GET /docs/json", url: "/docs/json", expect: everyone(200) },
    { route: "GET /docs/yaml", url: "/docs/yaml", expect: everyone(200) },

    // The web app: its files, and index.html for every screen path
    { route: "GET /", url: "/", expect: everyone(WEB_APP) },
    { route: "GET /*", url: "/admin", expect: everyone(WEB_APP) },

    // Sessions
    {
      route: "POST /api/session",
      url: "/api/session",
      body: (f) => ({ email: f.signInEmail, password: PASSWORD }),
      expect: everyone(200),
    },
    { route: "GET /api/session", url: "/api/session", expect: signedIn(200) },
    { route: "GET /api/program", url: "/api/program", expect: signedIn(200) },
    {
      route: "POST /api/session/password",
      url: "/api/session/password",
      // Authorized callers get as far as the rule that the new password must differ.
      body: () => ({ currentPassword: PASSWORD, newPassword: PASSWORD }),
      expect: signedIn(400),
    },

    // Invitations: an unknown token is refused the same way to everyone (no session needed).
    {
      route: "POST /api/invitations/accept",
      url: "/api/invitations/accept",
      body: () => ({ token: "asi_unknown", password: PASSWORD }),
      expect: everyone(400),
    },
    {
      route: "POST /api/invitations",
      url: "/api/invitations",
      body: (f) => ({ email: `inv${next()}@tenant.example`, tenantId: f.a.id }),
      expect: users({ operator: 201 }),
    },
    {
      route: "GET /api/tenant/accounts",
      url: "/api/tenant/accounts",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },

    // Operations: users, tenants, keys, audit
    { route: "GET /api/users", url: "/api/users", expect: users({ operator: 200 }) },
    {
      route: "PATCH /api/users/:id",
      url: (f) => `/api/users/${f.staff.reviewerNoGrant.id}`,
      // Idempotent: the same roles again, so nobody's access changes.
      body: () => ({ roles: ["reviewer"] }),
      expect: users({ operator: 200 }),
    },
    {
      route: "POST /api/users/:id/reset-password",
      url: async () =>
        `/api/users/${(await ctx().services.users.createUser({ email: `r${next()}@vendor.example`, password: PASSWORD, roles: ["approver"] }, CLI_ACTOR)).id}/reset-password`,
      expect: users({ operator: 200 }),
    },
    {
      route: "GET /api/tenant/data-held",
      url: "/api/tenant/data-held",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/users",
      url: "/api/users",
      body: () => ({ email: `m${next()}@vendor.example`, password: PASSWORD, roles: ["reviewer"] }),
      expect: users({ operator: 201 }),
    },
    { route: "GET /api/tenants", url: "/api/tenants", expect: managed(200, 200) },
    {
      route: "POST /api/tenants",
      url: "/api/tenants",
      body: () => ({ name: `Matrix ${next()}`, region: "us" }),
      expect: managed(201, 403),
    },
    { route: "GET /api/tenants/:id", url: (f) => `/api/tenants/${f.a.id}`, expect: managed(200, 200) },
    {
      route: "GET /api/tenants/:id/keys",
      url: (f) => `/api/tenants/${f.a.id}/keys`,
      expect: managed(200, 200),
    },
    {
      route: "POST /api/tenants/:id/keys",
      url: (f) => `/api/tenants/${f.b.id}/keys`,
      body: () => ({ label: "matrix" }),
      expect: managed(201, 403),
    },
    {
      route: "POST /api/keys/:id/revoke",
      url: (f) => `/api/keys/${f.spareKeyId}/revoke`,
      expect: managed(200, 403),
    },

    // Management API: tokens (operators' sessions only) and the token routes
    { route: "GET /api/tokens", url: "/api/tokens", expect: users({ operator: 200 }) },
    {
      route: "POST /api/tokens",
      url: "/api/tokens",
      body: () => ({ name: `matrix ${next()}`, scopes: ["tenants:read"] }),
      expect: users({ operator: 201 }),
    },
    {
      route: "POST /api/tokens/:id/revoke",
      url: (f) => `/api/tokens/${f.spareTokenId}/revoke`,
      expect: users({ operator: 200 }),
    },
    {
      route: "PUT /api/tenants/by-external-id/:externalId",
      url: () => `/api/tenants/by-external-id/matrix-${next()}`,
      body: () => ({ name: "Matrix external", region: "eu" }),
      expect: managed(201, 403),
    },
    {
      route: "GET /api/tenants/:id/sharing",
      url: (f) => `/api/tenants/${f.b.id}/sharing`,
      expect: managed(200, 200),
    },
    {
      route: "PUT /api/tenants/:id/sharing",
      url: (f) => `/api/tenants/${f.b.id}/sharing`,
      // On behalf of a named admin: only a token can say whom for (a session is not asked).
      body: () => ({ enabled: true, actor: { email: "jane@contoso.example" } }),
      expect: {
        ...users({}),
        operator: 401,
        reviewer: 401,
        reviewerNoGrant: 401,
        approver: 401,
        tenantAdmin: 401,
        otherTenantAdmin: 401,
        token: 200,
        tokenReadOnly: 403,
      },
    },
    // Program features (management API): read with sharing:read, change with program:write.
    { route: "GET /api/program/features", url: "/api/program/features", expect: managed(200, 200) },
    {
      route: "PUT /api/program/features/:featureId",
      url: () => `/api/program/features/matrix.${next()}`,
      body: () => ({ name: "Matrix feature", description: "declared by the matrix" }),
      expect: managed(201, 403),
    },
    {
      route: "DELETE /api/program/features/:featureId",
      url: async (_f, p) => {
        // A feature of its own per caller, so every allowed caller retires a live one.
        const id = `matrix.retire.${p}.${next()}`;
        await ctx().services.programFeatures.upsert(id, { name: "Matrix retire" }, CLI_ACTOR);
        return `/api/program/features/${id}`;
      },
      expect: managed(200, 403),
    },
    { route: "GET /api/service-keys", url: "/api/service-keys", expect: users({ operator: 200 }) },
    {
      route: "POST /api/service-keys",
      url: "/api/service-keys",
      body: () => ({ name: `matrix ${next()}` }),
      expect: users({ operator: 201 }),
    },
    {
      route: "POST /api/service-keys/:id/revoke",
      url: (f) => `/api/service-keys/${f.spareServiceKeyId}/revoke`,
      expect: users({ operator: 200 }),
    },
    { route: "GET /api/audit", url: "/api/audit", expect: users({ operator: 200 }) },
    { route: "POST /api/audit/verify", url: "/api/audit/verify", expect: users({ operator: 200 }) },
    { route: "GET /api/insights/features", url: "/api/insights/features", expect: users({ operator: 200 }) },

    // Admin center
    {
      route: "GET /api/tenant/sharing",
      url: "/api/tenant/sharing",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "GET /api/tenant/sharing/stream",
      url: "/api/tenant/sharing/stream",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
      stream: true,
    },
    {
      route: "PUT /api/tenant/sharing",
      url: "/api/tenant/sharing",
      body: () => ({ enabled: true }),
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/tenant/sharing/delete-now",
      url: "/api/tenant/sharing/delete-now",
      // Both tenants share at this point: delete-now refuses while sharing is on.
      expect: users({ tenantAdmin: 409, otherTenantAdmin: 409 }),
    },
    {
      route: "GET /api/tenant/deletion-receipts",
      url: "/api/tenant/deletion-receipts",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    // Consent scopes
    {
      route: "GET /api/tenant/exclusions",
      url: "/api/tenant/exclusions",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/tenant/exclusions",
      url: "/api/tenant/exclusions",
      body: () => ({ subject: `matrix-${next()}` }),
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "DELETE /api/tenant/exclusions",
      url: "/api/tenant/exclusions",
      body: () => ({ subject: `matrix-${next()}` }),
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/tenant/subjects/erase",
      url: "/api/tenant/subjects/erase",
      body: () => ({ subject: `matrix-${next()}` }),
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    ...["POST /api/tenants/:id/exclusions", "POST /api/tenants/:id/subjects/erase"].map((route) => ({
      route,
      url: (f: Fixture) => route.replace("POST ", "").replace(":id", f.b.id),
      body: () => ({ subject: `matrix-${next()}`, actor: { email: "jane@contoso.example" } }),
      // On behalf of a named admin: only a token with sharing:write.
      expect: {
        ...users({}),
        operator: 401,
        reviewer: 401,
        reviewerNoGrant: 401,
        approver: 401,
        tenantAdmin: 401,
        otherTenantAdmin: 401,
        token: 200,
        tokenReadOnly: 403,
      },
    })),
    {
      route: "GET /api/tenant/access-log",
      url: "/api/tenant/access-log",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },

    // Evidence (public keys for anyone; each tenant admin their own tenant's)
    {
      route: "GET /.well-known/assent-keys.json",
      url: "/.well-known/assent-keys.json",
      expect: everyone(200),
    },
    {
      route: "GET /api/tenant/evidence",
      url: "/api/tenant/evidence",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "GET /api/tenant/notice",
      url: "/api/tenant/notice",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/tenant/notice/accept",
      url: "/api/tenant/notice/accept",
      // Both tenants share at this point: accepting the current notice is a new consent record.
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "GET /api/tenant/webhooks",
      url: "/api/tenant/webhooks",
      expect: users({ tenantAdmin: 200, otherTenantAdmin: 200 }),
    },
    {
      route: "POST /api/tenant/webhooks",
      url: "/api/tenant/webhooks",
      body: () => ({ url: "https://siem.tenant.example/assent" }),
      expect: users({ tenantAdmin: 201, otherTenantAdmin: 201 }),
    },
    {
      route: "POST /api/tenant/webhooks/:id/enable",
      url: "/api/tenant/webhooks/0000-0000/enable",
      expect: users({ tenantAdmin: 404, otherTenantAdmin: 404 }),
    },
    {
      route: "DELETE /api/tenant/webhooks/:id",
      url: "/api/tenant/webhooks/0000-0000",
      expect: users({ tenantAdmin: 404, otherTenantAdmin: 404 }),
    },

    // Staff access
    {
      route: "POST /api/access-requests",
      url: "/api/access-requests",
      body: () => ({ region: "eu", reasonCode: "quality-review", justification: JUSTIFICATION }),
      expect: users({ reviewer: 201, reviewerNoGrant: 201 }),
    },
    {
      route: "GET /api/access-requests",
      url: "/api/access-requests",
      expect: users({ reviewer: 200, reviewerNoGrant: 200, approver: 200 }),
    },
    {
      route: "GET /api/access-requests/:id",
      url: (f) => pendingRequest(ctx(), f).then((id) => `/api/access-requests/${id}`),
      // Another reviewer's request is not theirs to see: not found.
      expect: users({ reviewer: 200, reviewerNoGrant: 404, approver: 200 }),
    },
    {
      route: "POST /api/access-requests/:id/approve",
      url: (f) => pendingRequest(ctx(), f).then((id) => `/api/access-requests/${id}/approve`),
      expect: users({ approver: 200 }),
    },
    {
      route: "POST /api/access-requests/:id/deny",
      url: (f) => pendingRequest(ctx(), f).then((id) => `/api/access-requests/${id}/deny`),
      expect: users({ approver: 200 }),
    },
    {
      route: "POST /api/access-requests/:id/cancel",
      url: (f) => pendingRequest(ctx(), f).then((id) => `/api/access-requests/${id}/cancel`),
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "POST /api/access-requests/:id/revoke",
      url: async (f) => {
        const g = await grantAccess(
          ctx(),
          { cookie: f.cookies.reviewer as string },
          { cookie: f.cookies.approver as string },
          { region: "eu" },
        );
        return `/api/access-requests/${g.requestId}/revoke`;
      },
      expect: users({ reviewer: 200, reviewerNoGrant: 403, approver: 200 }),
    },

    // Review: needs the reviewer role and a grant covering the interaction
    {
      route: "GET /api/review/interactions",
      url: "/api/review/interactions",
      expect: users({ reviewer: 200 }),
    },
    {
      route: "GET /api/review/interactions/:id",
      url: (f) => `/api/review/interactions/${f.interactionIds[0]}`,
      expect: users({ reviewer: 200 }),
    },
    {
      route: "POST /api/review/interactions/:id/labels",
      url: (f) => `/api/review/interactions/${f.interactionIds[1]}/labels`,
      body: () => ({ rating: 4, tags: ["matrix"] }),
      expect: users({ reviewer: 201 }),
    },
    {
      route: "POST /api/review/comparisons",
      url: "/api/review/comparisons",
      body: (f) => ({ a: f.interactionIds[0], b: f.interactionIds[1], preference: "tie" }),
      expect: users({ reviewer: 201 }),
    },

    // Annotation queues and the label form: the reviewer role; queues need a grant
    {
      route: "GET /api/review/label-schema",
      url: "/api/review/label-schema",
      expect: users({ reviewer: 200, reviewerNoGrant: 200 }),
    },
    {
      route: "GET /api/review/tenants",
      url: "/api/review/tenants",
      expect: users({ reviewer: 200, reviewerNoGrant: 200 }),
    },
    {
      route: "POST /api/review/queues",
      url: "/api/review/queues",
      body: (f) => ({ region: "us", name: `matrix ${next()}`, tenant: f.a.id, sample: 1 }),
      expect: users({ reviewer: 201, reviewerNoGrant: 403 }),
    },
    {
      route: "GET /api/review/queues",
      url: "/api/review/queues",
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "GET /api/review/queues/:id",
      url: (f) => `/api/review/queues/${f.queueId}`,
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "GET /api/review/queues/:id/items",
      url: (f) => `/api/review/queues/${f.queueId}/items`,
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "POST /api/review/queues/:id/next",
      url: (f) => `/api/review/queues/${f.queueId}/next`,
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "POST /api/review/queues/:id/items/:interactionId",
      url: (f) => `/api/review/queues/${f.queueId}/items/${f.interactionIds[0]}`,
      body: () => ({ state: "new" }),
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },

    // Datasets: the reviewer role, and grants covering what they touch
    {
      route: "POST /api/datasets",
      url: "/api/datasets",
      body: () => ({ region: "us", name: `matrix ${next()}`, purpose: "quality-evaluation" }),
      expect: users({ reviewer: 201, reviewerNoGrant: 403 }),
    },
    {
      route: "GET /api/datasets",
      url: "/api/datasets",
      expect: users({ reviewer: 200, reviewerNoGrant: 200 }),
    },
    {
      route: "GET /api/datasets/:id",
      url: (f) => `/api/datasets/${f.datasetId}`,
      expect: users({ reviewer: 200, reviewerNoGrant: 200 }),
    },
    {
      route: "GET /api/datasets/:id/items",
      url: (f) => `/api/datasets/${f.datasetId}/items`,
      expect: users({ reviewer: 200, reviewerNoGrant: 200 }),
    },
    {
      route: "POST /api/datasets/:id/items",
      url: (f) => `/api/datasets/${f.datasetId}/items`,
      body: (f) => ({ interactionIds: [f.interactionIds[0]] }),
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },
    {
      route: "GET /api/datasets/:id/export",
      url: (f) => `/api/datasets/${f.datasetId}/export`,
      expect: users({ reviewer: 200, reviewerNoGrant: 403 }),
    },

    // Ingestion: the ingestion key only
    { route: "GET /v1/sharing", url: "/v1/sharing", expect: machine(200) },
    { route: "GET /v1/sharing/stream", url: "/v1/sharing/stream", expect: machine(200), stream: true },
    {
      route: "POST /v1/interactions",
      url: "/v1/interactions",
      body: (f) => ({ interactions: [item({ tenant: f.a.id })] }),
      expect: machine(200),
    },
    {
      route: "POST /v1/subjects/objections",
      url: "/v1/subjects/objections",
      body: () => ({ subject: `matrix-${next()}` }),
      // A tenant's objection: the tenant key only (a service key names no one tenant).
      expect: { ...machine(200), serviceKey: 401 },
    },
    {
      route: "POST /v1/traces",
      url: "/v1/traces",
      body: () => ({ resourceSpans: [] }),
      expect: machine(200),
    },
    {
      route: "POST /v1/logs",
      url: "/v1/logs",
      body: () => ({ resourceLogs: [] }),
      // Service keys send logs too: each record names its tenant (service-otlp-logs.test.ts).
      expect: machine(200),
    },

    // Last: these end the caller's sessions.
    { route: "DELETE /api/session", url: "/api/session", expect: everyone(204), endsSessions: true },
    {
      route: "POST /api/session/sign-out-everywhere",
      url: "/api/session/sign-out-everywhere",
      expect: signedIn(200),
      endsSessions: true,
    },
  ];
}

/** The routes the app serves, from Fastify's own route tree. HEAD routes mirror GET ones. */
function servedRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? "").length / 4;
    stack.length = depth;
    const path = (depth > 0 ? (stack[depth - 1] ?? "") : "") + (m[2] ?? "");
    stack[depth] = path;
    for (const method of (m[3] ?? "").split(", ").filter(Boolean)) {
      if (method !== "HEAD") out.push(`${method} ${path}`);
    }
  }
  return [...new Set(out)].sort();
}

describe.each(dialects())("authorization matrix on %s", (dialect) => {
  let ctx: TestContext;
  let f: Fixture;
  let address: string;
  const marker = `matrix-content-${Math.random().toString(36).slice(2)}`;
  const rows = table(() => ctx);

  async function signInAll() {
    const c = f.cookies;
    c.tenantAdmin = await sessionCookie(ctx, f.a.adminEmail);
    c.otherTenantAdmin = await sessionCookie(ctx, f.b.adminEmail);
    for (const p of ["operator", "reviewer", "reviewerNoGrant", "approver"] as const) {
      c[p] = await sessionCookie(ctx, f.staff[p].email);
    }
  }

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    const a = await tenantWithAdmin(ctx, "us");
    const b = await tenantWithAdmin(ctx, "eu");
    const interactionIds = await sharedInteractions(ctx, a, 2, () => ({ input: marker }));
    const spare = await ctx.services.tenants.createKey(a.id, CLI_ACTOR, "spare");
    const spareToken = await ctx.services.tokens.createToken(
      { name: "spare", scopes: ["tenants:read"] },
      CLI_ACTOR,
    );
    const token = async (scopes: string[]) =>
      (await ctx.services.tokens.createToken({ name: "matrix", scopes }, CLI_ACTOR)).token;
    const signer = await staffMember(ctx, ["reviewer"]);
    const staff = {
      operator: await staffMember(ctx, ["operator"]),
      reviewer: await staffMember(ctx, ["reviewer"]),
      reviewerNoGrant: await staffMember(ctx, ["reviewer"]),
      approver: await staffMember(ctx, ["approver"]),
    };
    f = {
      a,
      b,
      interactionIds,
      spareKeyId: spare.id,
      serviceKey: (await ctx.services.serviceKeys.create({ name: "matrix" }, CLI_ACTOR)).key,
      spareServiceKeyId: (await ctx.services.serviceKeys.create({ name: "matrix spare" }, CLI_ACTOR)).id,
      spareTokenId: spareToken.id,
      tokens: {
        token: await token([...SCOPES]),
        tokenReadOnly: await token(["tenants:read", "sharing:read"]),
      },
      datasetId: "",
      queueId: "",
      signInEmail: signer.email,
      staff,
      cookies: {
        anonymous: null,
        ingestKey: null,
        serviceKey: null,
        operator: null,
        reviewer: null,
        reviewerNoGrant: null,
        approver: null,
        tenantAdmin: null,
        otherTenantAdmin: null,
        token: null,
        tokenReadOnly: null,
      },
    };
    await signInAll();
    await grantAccess(
      ctx,
      { cookie: f.cookies.reviewer as string },
      { cookie: f.cookies.approver as string },
      { region: "us", tenantId: a.id },
    );
    const dataset = await ctx.app.inject({
      method: "POST",
      url: "/api/datasets",
      headers: { cookie: f.cookies.reviewer as string },
      payload: { region: "us", name: "matrix", purpose: "quality-evaluation" },
    });
    f.datasetId = dataset.json().id;
    const queue = await ctx.app.inject({
      method: "POST",
      url: "/api/review/queues",
      headers: { cookie: f.cookies.reviewer as string },
      payload: { region: "us", name: "matrix", tenant: a.id },
    });
    f.queueId = queue.json().id;
    address = await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => ctx?.close());

  it("has exactly one row for every route the app serves", () => {
    const served = servedRoutes(ctx.app);
    expect(served.length).toBeGreaterThan(30);
    const listed = rows.map((r) => r.route);
    expect(new Set(listed).size, "a route is listed twice").toBe(listed.length);
    expect(
      served.filter((r) => !listed.includes(r)),
      "routes without a row in the authorization matrix",
    ).toEqual([]);
    expect(
      listed.filter((r) => !served.includes(r)),
      "rows for routes the app does not serve",
    ).toEqual([]);
  });

  /** One test per route × caller, in table order, so a failure names its cell. */
  const cells = rows.flatMap((row) =>
    PRINCIPALS.map((principal, i) => ({
      route: row.route,
      principal,
      row,
      last: i === PRINCIPALS.length - 1,
    })),
  );

  it.each(cells)("$route as $principal", async ({ row, principal: p, last }) => {
    const method = row.route.split(" ")[0] as "GET" | "POST" | "PUT" | "DELETE";
    const url = typeof row.url === "string" ? row.url : await row.url(f, p);
    // The web app's CSRF header: bodiless signed-in changes need it (see csrf.test.ts).
    const headers: Record<string, string> = { "x-assent-request": "1" };
    const cookie = f.cookies[p];
    if (cookie) headers.cookie = cookie;
    if (p === "ingestKey") headers.authorization = `Bearer ${f.a.key}`;
    if (p === "serviceKey") headers.authorization = `Bearer ${f.serviceKey}`;
    if (p === "token" || p === "tokenReadOnly") headers.authorization = `Bearer ${f.tokens[p]}`;
    const body = row.body?.(f, p);
    let status: number;
    let text: string;
    if (row.stream) {
      const abort = new AbortController();
      const res = await fetch(`${address}${url}`, { headers, signal: abort.signal });
      status = res.status;
      text = status === 200 ? "" : await res.text();
      abort.abort();
    } else {
      const res = await ctx.app.inject({
        method,
        url,
        headers,
        ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
      });
      status = res.statusCode;
      text = res.body;
    }
    // The caller's sessions end with this row: sign everybody in again for the next rows.
    if (row.endsSessions && last) await signInAll();
    expect(status, "status").toBe(row.expect[p]);
    if (p !== "reviewer") expect(text.includes(marker), "leaked content").toBe(false);
    if (p === "otherTenantAdmin") expect(text.includes(f.a.id), "showed another tenant's id").toBe(false);
  });
});
