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
