import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, item, setSharing, staffUser, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("capture input handling on %s", (dialect) => {
  let ctx: TestContext;
  let t: TenantFixture;
  beforeAll(async () => {
    // A batch limit below the default, to show the route and its docs take it from the configuration.
    ctx = await createTestContext(dialect, {
      config: { ingest: { maxBodyBytes: 64 * 1024, maxBatchItems: 400 } },
    });
    t = await tenantWithAdmin(ctx);
    await setSharing(ctx, t, true);
  });
  afterAll(async () => ctx?.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({
      method: "POST",
      url: "/v1/interactions",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json", ...headers },
      payload,
    });

  it("answers 401 to an unknown, malformed or revoked key", async () => {
    for (const authorization of ["Bearer ask_nope", "Bearer", "Basic abc", ""]) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/v1/interactions",
        headers: authorization ? { authorization } : {},
        payload: { interactions: [item()] },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe("invalid_key");
      expect(res.headers["www-authenticate"]).toMatch(/Bearer/);
    }
    const other = await tenantWithAdmin(ctx);
    const { id, key } = await ctx.services.tenants.createKey(other.id, { id: "test", role: "system" });
    expect((await ingest(ctx, key, [item()])).statusCode).toBe(200);
    await ctx.services.tenants.revokeKey(id, { id: "test", role: "system" });
    expect((await ingest(ctx, key, [item()])).statusCode).toBe(401);
    expect(
      (
        await ctx.app.inject({
          method: "GET",
          url: "/v1/sharing",
          headers: { authorization: `Bearer ${key}` },
        })
      ).statusCode,
    ).toBe(401);
  });

  it("keeps other tenants' admins, staff and anonymous callers away from a tenant's setting", async () => {
    const other = await tenantWithAdmin(ctx);
    // The admin of another tenant only ever reaches its own tenant's setting.
    const res = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/sharing",
      headers: { cookie: other.adminCookie },
    });
    expect(res.json().tenant.id).toBe(other.id);
    const put = await ctx.app.inject({
      method: "PUT",
      url: "/api/tenant/sharing",
      headers: { cookie: other.adminCookie },
      payload: { enabled: false },
    });
    expect(put.json().tenant.id).toBe(other.id);
    expect((await ctx.services.consent.getState(t)).sharing).toBe("on");
    const operator = await staffUser(ctx, ["operator"]);
    for (const method of ["GET", "PUT"] as const) {
      const staff = await ctx.app.inject({
        method,
        url: "/api/tenant/sharing",
        headers: { cookie: operator.cookie },
        payload: method === "PUT" ? { enabled: false } : undefined,
      });
      expect(staff.statusCode).toBe(403);
      const anon = await ctx.app.inject({
        method,
        url: "/api/tenant/sharing",
        payload: method === "PUT" ? { enabled: false } : undefined,
      });
      expect(anon.statusCode).toBe(401);
    }
    expect((await ctx.services.consent.getState(t)).sharing).toBe("on");
  });

  it("answers 401, not 400 or 413, to an unknown key whatever the body", async () => {
    for (const payload of ["{not json", "x".repeat(70 * 1024)]) {
      const res = await ctx.app.inject({
        method: "POST",
        url: "/v1/interactions",
        headers: { authorization: "Bearer ask_unknown", "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode).toBe(401);
    }
    const put = await ctx.app.inject({
      method: "PUT",
      url: "/api/tenant/sharing",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(put.statusCode).toBe(401);
  });

  it("answers 400 naming the problem for malformed JSON, without quoting the body", async () => {
    const secret = "TOPSECRET-PROMPT";
    const res = await post(`{"interactions": [{"feature": "x", "input": "${secret}" oops}]}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("invalid_json");
    expect(res.json().message).toMatch(/not valid JSON/);
    expect(res.body).not.toContain(secret);
    const empty = await post("");
    expect(empty.statusCode).toBe(400);
    const truncated = await post('{"interactions": [');
    expect(truncated.json().message).toMatch(/not valid JSON/);
  });

  it("answers 400 for a body without a batch, or with too many items", async () => {
    expect((await post("[]")).statusCode).toBe(400);
    const missing = await post("{}");
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/interactions/);
    const none = await post(JSON.stringify({ interactions: [] }));
    expect(none.statusCode).toBe(400);
    expect(none.json().message).toMatch(/interactions/);
    const tooMany = await post(JSON.stringify({ interactions: Array.from({ length: 401 }, () => ({})) }));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/400/);
  });

  it("answers 413 to an oversized body and stores nothing of it", async () => {
    const before = await ctx.services.capture.countInteractions(t);
    const big = JSON.stringify({ interactions: [item({ input: "x".repeat(70 * 1024) })] });
    const res = await post(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe("payload_too_large");
    expect(await ctx.services.capture.countInteractions(t)).toBe(before);
  });

  it("answers 415 to a body that is not JSON", async () => {
    const res = await post("interactions=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.statusCode).toBe(415);
  });

  it("stores the valid items of a mixed batch and rejects the others with index and reason", async () => {
    const before = await ctx.services.capture.countInteractions(t);
    const secret = "SECRET-IN-A-BAD-ITEM";
    const res = await ingest(ctx, t.key, [
      item(),
      { input: secret, output: "x" },
      item({ feature: "bad feature!" }),
      item({ telemetry: { tokensIn: -1 } }),
      item({ occurredAt: "yesterday" }),
      item({ occurredAt: new Date(ctx.clock.now() + 3600_000).toISOString() }),
      item({ occurredAt: new Date(ctx.clock.now() - 31 * 86400_000).toISOString() }),
      item({ unknown: secret }),
      "just a string",
      item({ output: null }),
      item({ telemetry: { attributes: { k: "v".repeat(300) } } }),
      item({ input: undefined }),
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
    const reasons = Object.fromEntries(
      body.rejected.map((r: { index: number; error: string }) => [r.index, r.error]),
    );
    expect(reasons[1]).toMatch(/feature is required/);
    expect(reasons[2]).toMatch(/feature/);
    expect(reasons[3]).toMatch(/tokensIn/);
    expect(reasons[4]).toMatch(/occurredAt/);
    expect(reasons[5]).toMatch(/future/);
    expect(reasons[6]).toMatch(/retention/);
    expect(reasons[7]).toMatch(/unknown field "unknown"/);
    expect(reasons[8]).toMatch(/object/);
    expect(reasons[10]).toMatch(/attributes/);
    expect(reasons[11]).toMatch(/input is required/);
    expect(res.body).not.toContain(secret);
    expect(await ctx.services.capture.countInteractions(t)).toBe(before + 2);
  });

  it("names the field and the rule of each bad item, from the item schema", async () => {
    const res = await ingest(ctx, t.key, [
      item({ telemetry: { feedback: 9 } }),
      item({ telemetry: { surprise: 1 } }),
      item({ conversationId: "" }),
      item({ id: 42 }),
      item({ telemetry: { attributes: { ["k".repeat(65)]: 1 } } }),
      item({ occurredAt: true }),
      item({ output: undefined }),
      item({ id: null, conversationId: null, telemetry: { model: null } }),
    ]);
    expect(res.json().rejected).toEqual([
      { index: 0, error: "telemetry.feedback must be between -1 and 5" },
      { index: 1, error: 'telemetry has an unknown field "surprise"' },
      { index: 2, error: "conversationId must be 1-128 characters" },
      { index: 3, error: "id must be a string" },
      { index: 4, error: "telemetry.attributes keys must be 1-64 characters" },
      { index: 5, error: "occurredAt must be an ISO 8601 time or epoch milliseconds" },
      { index: 6, error: "output is required (null when the feature produced none)" },
    ]);
  });

  it("documents the item field by field in /openapi.json, with the configured batch limit", async () => {
    const spec = (await ctx.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const body = spec.paths["/v1/interactions"].post.requestBody.content["application/json"].schema;
    const list = body.properties.interactions;
    expect(list.maxItems).toBe(400);
    expect(Object.keys(list.items.properties)).toEqual([
      "id",
      "tenant",
      "feature",
      "input",
      "output",
      "occurredAt",
      "conversationId",
      "subject",
      "telemetry",
    ]);
    expect(list.items.required).toEqual(["feature", "input", "output"]);
    expect(list.items.properties.telemetry.properties.tokensIn).toMatchObject({
      type: "integer",
      minimum: 0,
    });
  });

  it("rejects content over the per-item cap without failing the batch", async () => {
    const small = await createTestContext(dialect, { config: { ingest: { maxContentBytes: 2048 } } });
    try {
      const s = await tenantWithAdmin(small);
      await setSharing(small, s, true);
      const res = await ingest(small, s.key, [item(), item({ input: "y".repeat(4096) })]);
      expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
      expect(res.json().rejected[0].error).toMatch(/2048 bytes/);
    } finally {
      await small.close();
    }
  });

  it("answers 503 with Retry-After while the store is locked, and stores nothing", async () => {
    const store = ctx.services.stores.regions.get("us")!;
    if (!store.sqlite || !store.file) return; // a SQLite file lock; PostgreSQL's cases are in otlp-errors
    const before = await ctx.services.capture.countInteractions(t);
    const other = new Database(store.file);
    store.sqlite.pragma("busy_timeout = 50");
    try {
      other.exec("begin immediate");
      const busy = await ingest(ctx, t.key, [item()]);
      expect(busy.statusCode).toBe(503);
      expect(busy.headers["retry-after"]).toBe("1");
      expect(busy.json().error).toBe("store_unavailable");
      other.exec("rollback");
      expect((await ingest(ctx, t.key, [item()])).json().accepted).toBe(1);
      expect(await ctx.services.capture.countInteractions(t)).toBe(before + 1);
    } finally {
      store.sqlite.pragma("busy_timeout = 10000");
      other.close();
    }
  });

  it("never writes input or output content to the log", async () => {
    const marker = `LOGMARKER-${Math.random().toString(36).slice(2)}`;
    ctx.logs.length = 0;
    await ingest(ctx, t.key, [
      item({ input: marker, output: marker }),
      item({ input: { deep: [marker] }, feature: "bad!" }),
    ]);
    await post(`{"interactions": [{"input": "${marker}"`);
    await post(JSON.stringify({ interactions: [item({ input: marker.repeat(5000) })] }));
    await ctx.app.inject({
      method: "GET",
      url: `/v1/sharing`,
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(ctx.logs.length).toBeGreaterThan(0);
    const all = ctx.logs.join("\n");
    expect(all).not.toContain(marker);
    // Credentials are not logged either.
    expect(all).not.toContain(t.key);
  });
});
