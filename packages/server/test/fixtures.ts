import { CLI_ACTOR } from "../src/actor.js";
import type { TestContext } from "./harness.js";

export const PASSWORD = "correct horse battery staple";

/** The session cookie header of a freshly signed-in user. */
export async function signIn(ctx: TestContext, email: string, password = PASSWORD): Promise<string> {
  const res = await ctx.app.inject({ method: "POST", url: "/api/session", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === "assent_session");
  if (!cookie) throw new Error("no session cookie");
  return `assent_session=${cookie.value}`;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}-${Math.random().toString(36).slice(2, 8)}`;

export interface TenantFixture {
  readonly id: string;
  readonly region: string;
  readonly key: string;
  readonly adminEmail: string;
  readonly adminCookie: string;
}

/** A tenant with an ingestion key and a signed-in tenant admin. */
export async function tenantWithAdmin(ctx: TestContext, region = "us"): Promise<TenantFixture> {
  const tenant = await ctx.services.tenants.createTenant({ name: unique("Tenant "), region }, CLI_ACTOR);
  const { key } = await ctx.services.tenants.createKey(tenant.id, CLI_ACTOR);
  const adminEmail = `${unique("admin")}@example.com`;
  await ctx.services.users.createUser(
    { email: adminEmail, password: PASSWORD, roles: ["tenant-admin"], tenantId: tenant.id },
    CLI_ACTOR,
  );
  return { id: tenant.id, region, key, adminEmail, adminCookie: await signIn(ctx, adminEmail) };
}

export async function staffUser(
  ctx: TestContext,
  roles: string[],
): Promise<{ id: string; email: string; cookie: string }> {
  const email = `${unique(roles.join("-"))}@vendor.example`;
  const user = await ctx.services.users.createUser({ email, password: PASSWORD, roles }, CLI_ACTOR);
  return { id: user.id, email, cookie: await signIn(ctx, email) };
}

export async function setSharing(ctx: TestContext, t: TenantFixture, enabled: boolean) {
  const res = await ctx.app.inject({
    method: "PUT",
    url: "/api/tenant/sharing",
    headers: { cookie: t.adminCookie },
    payload: { enabled },
  });
  if (res.statusCode !== 200) throw new Error(`PUT sharing failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export interface ItemOverrides {
  readonly [key: string]: unknown;
}

export function item(overrides: ItemOverrides = {}) {
  return {
    feature: "sales.email-draft",
    input: "Write a follow-up email to ACME",
    output: "Dear ACME, …",
    telemetry: { model: "gpt-4o", latencyMs: 840, tokensIn: 312, tokensOut: 190, finishReason: "stop" },
    ...overrides,
  };
}

export async function ingest(ctx: TestContext, key: string, items: unknown[]) {
  return ctx.app.inject({
    method: "POST",
    url: "/v1/interactions",
    headers: { authorization: `Bearer ${key}` },
    payload: { interactions: items },
  });
}

// --- Staff access helpers (access requests, grants, review) ---

/** A session cookie opened through the service: no HTTP sign-in, so no sign-in rate limit. */
/** Events of one audit chain with `action`, as an operator reads them (GET /api/audit). */
export async function auditEvents(ctx: TestContext, cookie: string, chain: string, action: string) {
  const res = await ctx.app.inject({
    method: "GET",
    url: `/api/audit?chain=${chain}&action=${action}&limit=500`,
    headers: { cookie },
  });
  if (res.statusCode !== 200) throw new Error(`GET /api/audit answered ${res.statusCode}: ${res.body}`);
  return res.json().items as Array<{
    actorId: string;
    actorRole: string;
    targetId: string;
    tenantId: string;
    details: Record<string, unknown>;
  }>;
}

export async function sessionCookie(ctx: TestContext, email: string, password = PASSWORD): Promise<string> {
  const { token } = await ctx.services.users.signIn(email, password);
  return `assent_session=${token}`;
}

export interface StaffFixture {
  readonly id: string;
  readonly email: string;
  cookie: string;
}

/** A staff member with a session opened through the service; `relogin()` after moving the clock far. */
export async function staffMember(
  ctx: TestContext,
  roles: string[],
  name?: string,
): Promise<StaffFixture & { relogin(): Promise<string> }> {
  const email = `${unique(roles.join("-"))}@vendor.example`;
  const user = await ctx.services.users.createUser(
    { email, password: PASSWORD, roles, ...(name ? { name } : {}) },
    CLI_ACTOR,
  );
  const staff = {
    id: user.id,
    email,
    cookie: await sessionCookie(ctx, email),
    async relogin() {
      staff.cookie = await sessionCookie(ctx, email);
      return staff.cookie;
    },
  };
  return staff;
}

export const JUSTIFICATION = "Investigating a drop in email-draft ratings reported by support";

/** POST /api/access-requests as `cookie`; returns the raw response. */
export function requestAccess(ctx: TestContext, cookie: string, body: Record<string, unknown>) {
  return ctx.app.inject({
    method: "POST",
    url: "/api/access-requests",
    headers: { cookie },
    payload: { reasonCode: "quality-review", justification: JUSTIFICATION, ...body },
  });
}

/** POST /api/access-requests/:id/<action> as `cookie`. */
export function decideRequest(
  ctx: TestContext,
  cookie: string,
  id: string,
  action: "approve" | "deny" | "cancel" | "revoke",
  payload?: Record<string, unknown>,
) {
  return ctx.app.inject({
    method: "POST",
    url: `/api/access-requests/${id}/${action}`,
    headers: { cookie, "x-assent-request": "1" },
    ...(payload ? { payload } : {}),
  });
}

/** A grant for `reviewer`, requested and approved over HTTP. Returns request and grant ids. */
export async function grantAccess(
  ctx: TestContext,
  reviewer: { cookie: string },
  approver: { cookie: string },
  scope: { region: string; tenantId?: string; durationMinutes?: number },
): Promise<{ requestId: string; grantId: string; endsAt: string }> {
  const created = await requestAccess(ctx, reviewer.cookie, scope);
  if (created.statusCode !== 201) throw new Error(`request failed: ${created.statusCode} ${created.body}`);
  const approved = await decideRequest(ctx, approver.cookie, created.json().id, "approve");
  if (approved.statusCode !== 200) throw new Error(`approve failed: ${approved.statusCode} ${approved.body}`);
  const grant = approved.json().grant;
  return { requestId: created.json().id, grantId: grant.id, endsAt: grant.endsAt };
}

/** Turns sharing on for `t`, ingests `n` interactions and returns their stored ids, newest first. */
export async function sharedInteractions(
  ctx: TestContext,
  t: TenantFixture,
  n: number,
  make: (i: number) => ItemOverrides = () => ({}),
): Promise<string[]> {
  const sharing = await ctx.app.inject({
    method: "GET",
    url: "/api/tenant/sharing",
    headers: { cookie: t.adminCookie },
  });
  if (sharing.json().sharing !== "on") {
    await setSharing(ctx, t, true);
    // Interactions that occurred before the opt-in are not consented to: start after it.
    ctx.clock.advance((n + 1) * 1000);
  }
  const at = ctx.clock.now();
  const items = Array.from({ length: n }, (_, i) =>
    item({ occurredAt: new Date(at - (n - i) * 1000).toISOString(), ...make(i) }),
  );
  const res = await ingest(ctx, t.key, items);
  if (res.statusCode !== 200 || res.json().accepted !== n) {
    throw new Error(`ingest failed: ${res.statusCode} ${res.body}`);
  }
  const store = ctx.services.stores.regions.get(t.region);
  if (!store) throw new Error(`no store for region ${t.region}`);
  const rows = await store.db
    .selectFrom("interactions")
    .select(["id"])
    .where("tenant_id", "=", t.id)
    .orderBy("occurred_at", "desc")
    .orderBy("id", "desc")
    .limit(n)
    .execute();
  return rows.map((r) => r.id);
}
