import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../src/actor.js";
import {
  decideRequest,
  requestAccess,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

/** What a page on another origin can send without CORS permission: text/plain, its own Origin. */
const crossSite = (cookie: string) => ({
  cookie,
  "content-type": "text/plain",
  origin: "https://evil.example",
  "sec-fetch-site": "cross-site",
});

describe.each(dialects())("cross-site request forgery on %s", (dialect) => {
  let ctx: TestContext;
  let t: TenantFixture;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    t = await tenantWithAdmin(ctx);
  });
  afterAll(async () => ctx?.close());

  const post = (url: string, headers: Record<string, string>, payload?: string) =>
    ctx.app.inject({ method: "POST", url, headers, ...(payload !== undefined ? { payload } : {}) });

  it("refuses a text/plain delete-now, and takes the web app's", async () => {
    const url = "/api/tenant/sharing/delete-now";
    const forged = await post(url, crossSite(t.adminCookie), "{}");
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toBe("cross_site_request");
    // The same change from the app: JSON or the custom header, its own origin.
    const own = await post(url, {
      cookie: t.adminCookie,
      "x-assent-request": "1",
      origin: "http://localhost:80",
    });
    expect(own.statusCode).toBe(200);
  });

  it("refuses a forged approval of an access request", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const created = await requestAccess(ctx, reviewer.cookie, { region: "us", tenantId: t.id });
    const url = `/api/access-requests/${created.json().id}/approve`;
    expect((await post(url, crossSite(approver.cookie), "")).statusCode).toBe(403);
    // JSON from another origin is refused as well (Origin, then Sec-Fetch-Site).
    const json = { cookie: approver.cookie, "content-type": "application/json" };
    expect((await post(url, { ...json, origin: "https://evil.example" }, "{}")).statusCode).toBe(403);
    expect((await post(url, { ...json, "sec-fetch-site": "same-site" }, "{}")).statusCode).toBe(403);
    expect((await post(url, { ...json, origin: "null" }, "{}")).statusCode).toBe(403);
    const state = await ctx.app.inject({
      method: "GET",
      url: `/api/access-requests/${created.json().id}`,
      headers: { cookie: approver.cookie },
    });
    expect(state.json().state).toBe("pending");
    expect((await decideRequest(ctx, approver.cookie, created.json().id, "approve", {})).statusCode).toBe(
      200,
    );
  });

  it("refuses a forged key revocation", async () => {
    const operator = await staffMember(ctx, ["operator"]);
    const { id } = await ctx.services.tenants.createKey(t.id, CLI_ACTOR);
    const url = `/api/keys/${id}/revoke`;
    expect((await post(url, crossSite(operator.cookie), "")).statusCode).toBe(403);
    expect(
      (await post(url, { ...crossSite(operator.cookie), "sec-fetch-site": "same-origin" }, "")).statusCode,
    ).toBe(403);
    const own = await post(url, {
      cookie: operator.cookie,
      "x-assent-request": "1",
      "sec-fetch-site": "same-origin",
    });
    expect(own.statusCode).toBe(200);
    expect(own.json().revokedAt).not.toBeNull();
  });

  it("refuses a forged sign-out-everywhere; a request without the session cookie is not checked", async () => {
    const url = "/api/session/sign-out-everywhere";
    expect((await post(url, crossSite(t.adminCookie), "")).statusCode).toBe(403);
    const me = await ctx.app.inject({
      method: "GET",
      url: "/api/session",
      headers: { cookie: t.adminCookie },
    });
    expect(me.statusCode).toBe(200);
    // Sign-in carries no session: it is not a forged change (its body must be JSON anyway).
    expect((await post("/api/session", { "content-type": "text/plain" }, "x")).statusCode).not.toBe(403);
  });
});
