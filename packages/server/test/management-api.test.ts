import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { createManagementService } from "../src/modules/management/service.js";
import type { Scope } from "../src/modules/tokens/scopes.js";
import { SCOPES } from "../src/modules/tokens/scopes.js";
import { assent } from "./cli-run.js";
import { auditEvents as auditOf, setSharing, staffMember, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/** The management API: operator API tokens and the routes they open (SPEC "Management API"). */
describe.each(dialects())("management API on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { cookie: string };
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    operator = await staffMember(ctx, ["operator"]);
  });
  afterAll(async () => ctx?.close());

  const newToken = async (scopes: readonly Scope[], name = "automation") => {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/tokens",
      headers: { cookie: operator.cookie },
      payload: { name, scopes },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; token: string; name: string; scopes: string[] };
  };
  const call = (token: string, method: "GET" | "PUT" | "POST", url: string, payload?: unknown) =>
    ctx.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const auditEvents = (chain: string, action: string) => auditOf(ctx, operator.cookie, chain, action);

  it("issues a token once, lists it without its secret, records last use, and a revoked token gets 401", async () => {
    const t = await newToken(["tenants:read"], "inventory sync");
    expect(t.token).toMatch(/^asmt_/);
    const listed = await ctx.app.inject({
      method: "GET",
      url: "/api/tokens",
      headers: { cookie: operator.cookie },
    });
    const row = listed.json().find((x: { id: string }) => x.id === t.id);
    expect(row).toMatchObject({
      name: "inventory sync",
      scopes: ["tenants:read"],
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(listed.body).not.toContain(t.token);

    expect((await call(t.token, "GET", "/api/tenants")).statusCode).toBe(200);
    const used = (await ctx.services.tokens.listTokens()).find((x) => x.id === t.id);
    expect(used?.lastUsedAt).toBe(ctx.clock.now());

    const revoked = await ctx.app.inject({
      method: "POST",
      url: `/api/tokens/${t.id}/revoke`,
      headers: { cookie: operator.cookie, "x-assent-request": "1" },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await call(t.token, "GET", "/api/tenants");
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe("invalid_token");
    expect((await call("asmt_unknown", "GET", "/api/tenants")).statusCode).toBe(401);

    const created = await auditEvents("control", "api-token.create");
    expect(created.find((e) => e.targetId === t.id)?.details).toMatchObject({ name: "inventory sync" });
    expect((await auditEvents("control", "api-token.revoke")).some((e) => e.targetId === t.id)).toBe(true);
  });

  it("refuses a token with an unknown scope, and a token cannot mint tokens", async () => {
    const bad = await ctx.app.inject({
      method: "POST",
      url: "/api/tokens",
      headers: { cookie: operator.cookie },
      payload: { name: "x", scopes: ["tenants:admin"] },
    });
    expect(bad.statusCode).toBe(400);
    const all = await newToken(SCOPES);
    expect(
      (await call(all.token, "POST", "/api/tokens", { name: "y", scopes: ["tenants:read"] })).statusCode,
    ).toBe(401);
  });

  it("enforces each route's scope: a token holding every other scope gets 403 naming the missing one", async () => {
    const tenant = await ctx.services.tenants.createTenant(
      { name: "Scoped", region: "us", externalId: "scoped-1" },
      CLI_ACTOR,
    );
    const spare = await ctx.services.tenants.createKey(tenant.id, CLI_ACTOR);
    const routes: Array<{
      scope: Scope;
      method: "GET" | "PUT" | "POST";
      url: string;
      body?: unknown;
      ok: number;
    }> = [
      { scope: "tenants:read", method: "GET", url: "/api/tenants", ok: 200 },
      { scope: "tenants:read", method: "GET", url: `/api/tenants/${tenant.id}`, ok: 200 },
      { scope: "tenants:read", method: "GET", url: `/api/tenants/${tenant.id}/keys`, ok: 200 },
      {
        scope: "tenants:write",
        method: "POST",
        url: "/api/tenants",
        body: { name: "Made by token", region: "eu" },
        ok: 201,
      },
      {
        scope: "tenants:write",
        method: "PUT",
        url: "/api/tenants/by-external-id/scoped-1",
        body: { name: "Scoped", region: "us" },
        ok: 200,
      },
      { scope: "keys:write", method: "POST", url: `/api/tenants/${tenant.id}/keys`, body: {}, ok: 201 },
      { scope: "keys:write", method: "POST", url: `/api/keys/${spare.id}/revoke`, ok: 200 },
      { scope: "sharing:read", method: "GET", url: "/api/tenants/scoped-1/sharing", ok: 200 },
      {
        scope: "sharing:write",
        method: "PUT",
        url: "/api/tenants/scoped-1/sharing",
        body: { enabled: false, actor: { email: "jane@contoso.example" } },
        ok: 200,
      },
    ];
    const failures: string[] = [];
    for (const r of routes) {
      const without = await newToken(SCOPES.filter((s) => s !== r.scope));
      const refused = await call(without.token, r.method, r.url, r.body);
      if (refused.statusCode !== 403 || !refused.json().message.includes(r.scope)) {
        failures.push(`${r.method} ${r.url} without ${r.scope}: ${refused.statusCode} ${refused.body}`);
      }
      const only = await newToken([r.scope]);
      const allowed = await call(only.token, r.method, r.url, r.body);
      if (allowed.statusCode !== r.ok)
        failures.push(`${r.method} ${r.url} with ${r.scope}: ${allowed.statusCode} ${allowed.body}`);
    }
    expect(failures).toEqual([]);
  });

  it("creates a tenant by external id idempotently, renames it, and refuses to move its region", async () => {
    const t = await newToken(["tenants:write", "tenants:read"]);
    const url = `/api/tenants/by-external-id/${encodeURIComponent("crm:org/4711")}`;
    const first = await call(t.token, "PUT", url, { name: "Contoso", region: "eu" });
    expect(first.statusCode).toBe(201);
    const again = await call(t.token, "PUT", url, { name: "Contoso", region: "eu" });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ name: "Contoso", region: "eu", externalId: "crm:org/4711" });
    const all = await ctx.services.tenants.listTenants();
    expect(all.filter((x) => x.externalId === "crm:org/4711")).toHaveLength(1);
    const creates = (await auditEvents("control", "tenant.create")).filter(
      (e) => e.targetId === first.json().id,
    );
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ actorId: t.id, actorRole: "api-token" });

    const renamed = await call(t.token, "PUT", url, { name: "Contoso Ltd", region: "eu" });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: first.json().id, name: "Contoso Ltd" });
    const renames = (await auditEvents("control", "tenant.rename")).filter(
      (e) => e.targetId === first.json().id,
    );
    expect(renames).toHaveLength(1);

    const moved = await call(t.token, "PUT", url, { name: "Contoso Ltd", region: "us" });
    expect(moved.statusCode).toBe(409);
    expect(moved.json()).toMatchObject({ error: "region_fixed" });
    expect(moved.json().message).toMatch(/region is fixed/);
    expect((await ctx.services.tenants.findTenantByRef("crm:org/4711"))?.region).toBe("eu");

    // Concurrent first calls for one external id still make one tenant, created once.
    const racers = await Promise.all(
      [1, 2, 3].map(() =>
        call(t.token, "PUT", "/api/tenants/by-external-id/race-1", { name: "Race", region: "us" }),
      ),
    );
    expect(racers.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(racers.map((r) => r.json().id)).size).toBe(1);
    expect((await ctx.services.tenants.listTenants()).filter((x) => x.externalId === "race-1")).toHaveLength(
      1,
    );

    const unknownRegion = await call(t.token, "PUT", "/api/tenants/by-external-id/new-1", {
      name: "N",
      region: "mars",
    });
    expect(unknownRegion.statusCode).toBe(400);
    const extra = await call(t.token, "PUT", "/api/tenants/by-external-id/new-2", {
      name: "N",
      region: "us",
      id: "x",
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toBe("body/id is not a known property");
  });

  it("pages every tenant exactly once with its sharing state; the operator's session keeps the plain list", async () => {
    const made = [];
    for (let i = 0; i < 7; i++) {
      made.push(
        await ctx.services.tenants.createTenant(
          { name: `Paged ${i}`, region: i % 2 ? "eu" : "us" },
          CLI_ACTOR,
        ),
      );
    }
    const on = new Set([made[0]?.id, made[3]?.id]);
    for (const t of made.slice(0, 5)) await ctx.services.consent.setSharing(t, true, CLI_ACTOR);
    for (const t of made.slice(1, 5))
      if (!on.has(t.id)) await ctx.services.consent.setSharing(t, false, CLI_ACTOR);
    const token = await newToken(["tenants:read"]);
    const total = (await ctx.services.tenants.listTenants()).length;

    const seen: Array<{ id: string; sharing: string; since: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(token.token, "GET", `/api/tenants?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: typeof seen; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(pages).toBe(Math.ceil(total / 3));
    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(total);
    for (const t of made) {
      const listed = seen.find((x) => x.id === t.id);
      expect(listed?.sharing, t.id).toBe(on.has(t.id) ? "on" : "off");
    }
    // A token without limit gets the first page (default size), never the unbounded list.
    const unpaged = await call(token.token, "GET", "/api/tenants");
    expect(unpaged.json().items.length).toBe(Math.min(total, 100));

    const plain = await ctx.app.inject({
      method: "GET",
      url: "/api/tenants",
      headers: { cookie: operator.cookie },
    });
    expect(Array.isArray(plain.json())).toBe(true);
    expect(plain.json()).toHaveLength(total);
    const sessionPaged = await ctx.app.inject({
      method: "GET",
      url: "/api/tenants?limit=5",
      headers: { cookie: operator.cookie },
    });
    expect(sessionPaged.json().items).toHaveLength(5);
    expect((await call(token.token, "GET", "/api/tenants?cursor=%21%21")).statusCode).toBe(400);
  });

  it("reads a page's sharing states with one query per region, not one per tenant", async () => {
    for (let i = 0; i < 6; i++) {
      await ctx.services.tenants.createTenant({ name: `Batch ${i}`, region: i % 2 ? "eu" : "us" }, CLI_ACTOR);
    }
    const calls: Array<{ region: string; ids: number }> = [];
    const management = createManagementService({
      tenants: ctx.services.tenants,
      consent: {
        setSharing: ctx.services.consent.setSharing,
        readStates: (region, ids) => {
          calls.push({ region, ids: ids.length });
          return ctx.services.consent.readStates(region, ids);
        },
      },
    });
    const page = await management.listTenants(undefined, 500);
    expect(page.items.length).toBeGreaterThanOrEqual(6);
    expect(calls.map((c) => c.region).sort()).toEqual(["eu", "us"]);
    expect(calls.reduce((n, c) => n + c.ids, 0)).toBe(page.items.length);
  });

  it("assent token create prints the token once; it works against the service", async () => {
    const { dataDir, controlStore, regions } = ctx.services.config;
    const file = path.join(ctx.dataDir, "cli-config.json");
    writeFileSync(file, JSON.stringify({ dataDir, controlStore, regions }));
    const run = await assent([
      "--config",
      file,
      "token",
      "create",
      "--name",
      "ci",
      "--scopes",
      "tenants:read, sharing:read",
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout) as { token: string; scopes: string[] };
    expect(printed.token).toMatch(/^asmt_/);
    expect(printed.scopes).toEqual(["tenants:read", "sharing:read"]);
    expect((await call(printed.token, "GET", "/api/tenants?limit=1")).statusCode).toBe(200);
    expect(
      (await call(printed.token, "PUT", "/api/tenants/by-external-id/cli-1", { name: "C", region: "us" }))
        .statusCode,
    ).toBe(403);
  });

  it("changes a tenant's setting on behalf of a named admin: history and audit show the person and the token", async () => {
    const tenant = await tenantWithAdmin(ctx, "eu");
    await ctx.services.tenants.upsertTenantByExternalId(
      "contoso-77",
      { name: "Contoso 77", region: "eu" },
      CLI_ACTOR,
    );
    const console = await newToken(["sharing:read", "sharing:write"], "Contoso admin console");
    const on = await call(console.token, "PUT", `/api/tenants/${tenant.id}/sharing`, {
      enabled: true,
      actor: { email: "jane@contoso.example", name: "Jane Doe" },
    });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().sharing).toBe("on");
    ctx.clock.advance(1000);
    const off = await call(console.token, "PUT", `/api/tenants/${tenant.id}/sharing`, {
      enabled: false,
      actor: { email: "raj@contoso.example" },
    });
    expect(off.json().sharing).toBe("off");

    // What the tenant's own admin center shows.
    const history = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/sharing",
      headers: { cookie: tenant.adminCookie },
    });
    const period = history.json().periods[0];
    expect(period).toMatchObject({
      optedInBy: "jane@contoso.example",
      optedInVia: { tokenId: console.id, tokenName: "Contoso admin console", actorName: "Jane Doe" },
      optedOutBy: "raj@contoso.example",
      optedOutVia: { tokenId: console.id, tokenName: "Contoso admin console" },
    });
    const viaGet = await call(console.token, "GET", `/api/tenants/${tenant.id}/sharing`);
    expect(viaGet.json().periods).toEqual(history.json().periods);

    const events = (await auditEvents("region-eu", "sharing.enable")).filter((e) => e.tenantId === tenant.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorId: console.id,
      actorRole: "api-token",
      details: {
        onBehalfOf: "jane@contoso.example",
        onBehalfOfName: "Jane Doe",
        viaToken: console.id,
        viaTokenName: "Contoso admin console",
      },
    });

    // A change by the tenant's own admin carries no token.
    await setSharing(ctx, tenant, true);
    const own = (
      await ctx.app.inject({
        method: "GET",
        url: "/api/tenant/sharing",
        headers: { cookie: tenant.adminCookie },
      })
    ).json();
    expect(own.periods[0]).toMatchObject({ optedInBy: tenant.adminEmail, optedInVia: null });

    // By external id; unknown tenant; unknown properties are refused, not dropped.
    const byExternal = await call(console.token, "GET", "/api/tenants/contoso-77/sharing");
    expect(byExternal.json().tenant.name).toBe("Contoso 77");
    expect((await call(console.token, "GET", "/api/tenants/nobody/sharing")).statusCode).toBe(404);
    const unknownProp = await call(console.token, "PUT", "/api/tenants/contoso-77/sharing", {
      enabled: true,
      purposes: ["debugging"],
      actor: { email: "jane@contoso.example" },
    });
    expect(unknownProp.statusCode).toBe(400);
    expect(unknownProp.json().message).toBe("body/purposes is not a known property");
    // Features are taken (consent scopes), and refused while the program declares none.
    const features = await call(console.token, "PUT", "/api/tenants/contoso-77/sharing", {
      enabled: true,
      features: ["sales.email-draft"],
      actor: { email: "jane@contoso.example" },
    });
    expect(features.statusCode).toBe(400);
    expect(features.json().message).toBe("features: the program declares no features");
    const noActor = await call(console.token, "PUT", "/api/tenants/contoso-77/sharing", { enabled: true });
    expect(noActor.statusCode).toBe(400);
    expect(
      (await ctx.services.consent.getState((await ctx.services.tenants.findTenantByRef("contoso-77"))!))
        .sharing,
    ).toBe("off");
  });
});
