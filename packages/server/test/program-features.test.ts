import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import { createServices } from "../src/wiring.js";
import { auditEvents, ingest, item, staffMember, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const CONFIGURED = [
  { id: "sales.email-draft", name: "Sales email drafts", description: "Drafts follow-up emails" },
  { id: "hr.summary", name: "HR case summaries", description: "Summarises HR cases" },
];

/** Program features through the management API: declared, merged with the configuration's, retired. */
describe.each(dialects())("program features through the management API on %s", (dialect) => {
  let ctx: TestContext;
  let operator: { cookie: string; email: string };
  let writer: string;
  let reader: string;
  beforeAll(async () => {
    ctx = await createTestContext(dialect, { config: { program: { features: CONFIGURED } } });
    operator = await staffMember(ctx, ["operator"]);
    const token = async (scopes: string[]) =>
      (await ctx.services.tokens.createToken({ name: "features", scopes }, CLI_ACTOR)).token;
    writer = await token(["program:write", "sharing:read"]);
    reader = await token(["sharing:read", "sharing:write"]);
  });
  afterAll(async () => ctx?.close());

  const call = (token: string, method: "GET" | "PUT" | "DELETE", url: string, payload?: object) =>
    ctx.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
  const listed = async () =>
    (await call(reader, "GET", "/api/program/features")).json().items as Array<{
      id: string;
      name: string;
      description: string;
      source: string;
    }>;
  const adminSharing = async (t: TenantFixture) =>
    (
      await ctx.app.inject({ method: "GET", url: "/api/tenant/sharing", headers: { cookie: t.adminCookie } })
    ).json();
  const later = () => {
    ctx.clock.advance(1000);
    return new Date(ctx.clock.now()).toISOString();
  };
  const auditOf = (action: string) => auditEvents(ctx, operator.cookie, "control", action);

  it("declares a feature (201), changes it (200), lists it after the configured ones, and audits both", async () => {
    const made = await call(writer, "PUT", "/api/program/features/support.reply", {
      name: "Support replies",
      description: "Suggests replies to tickets",
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ id: "support.reply", source: "api", name: "Support replies" });
    const same = await call(writer, "PUT", "/api/program/features/support.reply", {
      name: "Support replies",
      description: "Suggests replies to tickets",
    });
    expect(same.statusCode).toBe(200);
    const renamed = await call(writer, "PUT", "/api/program/features/support.reply", {
      name: "Support ticket replies",
      description: "Suggests replies to support tickets",
    });
    expect(renamed.statusCode).toBe(200);
    const items = await listed();
    expect(items.map((f) => [f.id, f.source])).toEqual([
      ["sales.email-draft", "configuration"],
      ["hr.summary", "configuration"],
      ["support.reply", "api"],
    ]);
    expect(items[2]).toMatchObject({ description: "Suggests replies to support tickets" });

    const declared = (await auditOf("program.feature.declare")).filter((e) => e.targetId === "support.reply");
    expect(declared).toHaveLength(1);
    expect(declared[0]).toMatchObject({ actorRole: "api-token", details: { name: "Support replies" } });
    const updated = (await auditOf("program.feature.update")).filter((e) => e.targetId === "support.reply");
    // The unchanged PUT recorded nothing; the rename one event naming what changed.
    expect(updated).toHaveLength(1);
    expect(updated[0]?.details).toMatchObject({ changed: ["name", "description"] });
  });

  it("two first declarations of one id at once: one creates it, the other updates it, neither fails", async () => {
    const answers = await Promise.all(
      ["A", "B", "C"].map((n) =>
        call(writer, "PUT", "/api/program/features/race.same", { name: `Race ${n}` }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 201]);
    const declared = (await auditOf("program.feature.declare")).filter((e) => e.targetId === "race.same");
    expect(declared).toHaveLength(1);
  });

  it("the configuration wins: a configured feature cannot be changed or retired through the API (409)", async () => {
    for (const res of [
      await call(writer, "PUT", "/api/program/features/hr.summary", { name: "Renamed" }),
      await call(writer, "DELETE", "/api/program/features/hr.summary"),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: "configured_feature" });
      expect(res.json().message).toMatch(/hr\.summary.*configuration/);
    }
    expect((await listed()).find((f) => f.id === "hr.summary")?.name).toBe("HR case summaries");
  });

  it("refuses without program:write (403), bad ids and bodies (400), unknown features (404)", async () => {
    const denied = await call(reader, "PUT", "/api/program/features/x.y", { name: "X" });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ error: "missing_scope" });
    expect(denied.json().message).toMatch(/program:write/);
    expect((await call(reader, "DELETE", "/api/program/features/x.y")).statusCode).toBe(403);
    const badId = await call(writer, "PUT", "/api/program/features/-bad", { name: "Bad" });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().message).toMatch(/featureId/);
    const extra = await call(writer, "PUT", "/api/program/features/x.y", { name: "X", colour: "red" });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toMatch(/colour/);
    const blank = await call(writer, "PUT", "/api/program/features/x.y", { name: "  " });
    expect(blank.statusCode).toBe(400);
    const unknown = await call(writer, "DELETE", "/api/program/features/no.such");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/no\.such/);
    // An id with a slash, URL-encoded, is one path segment.
    const slashed = await call(writer, "PUT", "/api/program/features/copilot%2Fsearch", { name: "Search" });
    expect(slashed.statusCode, slashed.body).toBe(201);
    expect(slashed.json().id).toBe("copilot/search");
  });

  it("a feature declared later is not shared by a tenant that chose features; a tenant sharing every feature shares it", async () => {
    const chooser = await tenantWithAdmin(ctx);
    const everything = await tenantWithAdmin(ctx);
    for (const [t, payload] of [
      [chooser, { enabled: true, features: ["sales.email-draft"] }],
      [everything, { enabled: true }],
    ] as const) {
      const res = await ctx.app.inject({
        method: "PUT",
        url: "/api/tenant/sharing",
        headers: { cookie: t.adminCookie },
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const made = await call(writer, "PUT", "/api/program/features/finance.forecast", {
      name: "Finance forecasts",
      description: "Forecasts the quarter's revenue",
    });
    expect(made.statusCode).toBe(201);

    // The admin center offers it, with its description; the chooser's choice is unchanged.
    const view = await adminSharing(chooser);
    expect(view.features).toEqual(["sales.email-draft"]);
    expect(view.program.features).toContainEqual({
      id: "finance.forecast",
      name: "Finance forecasts",
      description: "Forecasts the quarter's revenue",
    });

    const at = later();
    const items = [item({ occurredAt: at }), item({ occurredAt: at, feature: "finance.forecast" })];
    expect((await ingest(ctx, chooser.key, items)).json()).toMatchObject({ accepted: 1, dropped: 1 });
    expect((await ingest(ctx, everything.key, items)).json()).toMatchObject({ accepted: 2, dropped: 0 });

    // Its admin adds it: from the next write on, it is shared.
    const added = await ctx.app.inject({
      method: "PUT",
      url: "/api/tenant/sharing",
      headers: { cookie: chooser.adminCookie },
      payload: { enabled: true, features: ["sales.email-draft", "finance.forecast"] },
    });
    expect(added.statusCode, added.body).toBe(200);
    const next = later();
    const again = [item({ occurredAt: next, feature: "finance.forecast" })];
    expect((await ingest(ctx, chooser.key, again)).json()).toMatchObject({ accepted: 1, dropped: 0 });
  });

  it("retires a feature: no longer offered or choosable, kept by the tenants that chose it, audited, idempotent", async () => {
    await call(writer, "PUT", "/api/program/features/legal.review", { name: "Legal review" });
    const keeper = await tenantWithAdmin(ctx);
    const put = (features: string[]) =>
      ctx.app.inject({
        method: "PUT",
        url: "/api/tenant/sharing",
        headers: { cookie: keeper.adminCookie },
        payload: { enabled: true, features },
      });
    expect((await put(["legal.review"])).statusCode).toBe(200);

    const retired = await call(writer, "DELETE", "/api/program/features/legal.review");
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json()).toMatchObject({ id: "legal.review", retiredBy: "token 'features'" });
    const twice = await call(writer, "DELETE", "/api/program/features/legal.review");
    expect(twice.statusCode).toBe(200);
    expect(twice.json().retiredAt).toBe(retired.json().retiredAt);
    expect(
      (await auditOf("program.feature.retire")).filter((e) => e.targetId === "legal.review"),
    ).toHaveLength(1);
    expect((await listed()).map((f) => f.id)).not.toContain("legal.review");

    // The tenant that had it keeps it (saving its choice again works); another cannot choose it.
    expect((await adminSharing(keeper)).features).toEqual(["legal.review"]);
    expect((await put(["legal.review", "hr.summary"])).statusCode).toBe(200);
    const other = await tenantWithAdmin(ctx);
    const refused = await ctx.app.inject({
      method: "PUT",
      url: "/api/tenant/sharing",
      headers: { cookie: other.adminCookie },
      payload: { enabled: true, features: ["legal.review"] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: "unknown_feature" });

    // Declared again, it is back.
    expect(
      (await call(writer, "PUT", "/api/program/features/legal.review", { name: "Legal review" })).statusCode,
    ).toBe(200);
    expect((await listed()).map((f) => f.id)).toContain("legal.review");
  });

  it("an operator's session lists, declares and retires too (the Operations screen)", async () => {
    const headers = { cookie: operator.cookie, "x-assent-request": "1" };
    const made = await ctx.app.inject({
      method: "PUT",
      url: "/api/program/features/ops.feature",
      headers,
      payload: { name: "Ops feature", description: "Declared from Operations" },
    });
    expect(made.statusCode, made.body).toBe(201);
    const list = await ctx.app.inject({ method: "GET", url: "/api/program/features", headers });
    expect(list.json().items).toContainEqual(
      expect.objectContaining({
        id: "ops.feature",
        description: "Declared from Operations",
        updatedBy: operator.email,
      }),
    );
    const gone = await ctx.app.inject({
      method: "DELETE",
      url: "/api/program/features/ops.feature",
      headers,
    });
    expect(gone.statusCode).toBe(200);
  });

  it("another process over the same stores sees a declared feature at once", async () => {
    const second = await createServices(ctx.services.config);
    try {
      await call(writer, "PUT", "/api/program/features/shared.across", { name: "Across processes" });
      expect((await second.programFeatures.list()).map((f) => f.id)).toContain("shared.across");
    } finally {
      await second.close();
    }
  });
});
