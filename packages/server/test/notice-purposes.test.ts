import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createServices, type Services } from "../src/wiring.js";
import { sharedInteractions, signIn, type TenantFixture, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

const FIRST = ["quality-evaluation", "debugging"];
const ADDED = "safety-evaluation";

/**
 * A purpose added to the program (a new configuration, the same stores) applies to a tenant that
 * already shares only once its admin accepts the changed notice; until then datasets of that
 * purpose refuse the tenant's interactions.
 */
describe.each(dialects())("a new purpose on %s", (dialect) => {
  let ctx: TestContext;
  let later: { services: Services; app: FastifyInstance };
  let t: TenantFixture;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext(dialect, { config: { program: { allowedPurposes: FIRST } } });
    t = await tenantWithAdmin(ctx);
    ids = await sharedInteractions(ctx, t, 2);
    const config = parseConfig(
      JSON.parse(
        JSON.stringify({
          ...ctx.services.config,
          program: { ...ctx.services.config.program, allowedPurposes: [...FIRST, ADDED] },
        }),
      ),
    );
    const services = await createServices(config, { clock: ctx.clock });
    later = { services, app: await buildApp(services, { logger: false }) };
  });
  afterAll(async () => {
    await later?.app.close();
    await later?.services.close();
    await ctx?.close();
  });

  const call = (cookie: string, method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
    later.app.inject({
      method,
      url,
      headers: { cookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });

  it("is refused for the tenant's interactions until its admin accepts the changed notice", async () => {
    const staff = async (role: string) => {
      const email = `${role}-${Math.random().toString(36).slice(2, 8)}@vendor.example`;
      await later.services.users.createUser(
        { email, password: "correct horse battery staple", roles: [role] },
        { id: "system:test", role: "system" },
      );
      const res = await later.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { email, password: "correct horse battery staple" },
      });
      return `assent_session=${res.cookies.find((c) => c.name === "assent_session")?.value}`;
    };
    const reviewer = await staff("reviewer");
    const approver = await staff("approver");
    const req = await call(reviewer, "POST", "/api/access-requests", {
      region: "us",
      tenantId: t.id,
      reasonCode: "quality-review",
      justification: "Checking safety of email drafts after a customer report",
    });
    expect(req.statusCode).toBe(201);
    expect((await call(approver, "POST", `/api/access-requests/${req.json().id}/approve`)).statusCode).toBe(
      200,
    );

    const admin = await signIn(ctx, t.adminEmail);
    const notice = (await call(admin, "GET", "/api/tenant/notice")).json();
    expect(notice.purposes).toEqual(FIRST);
    expect(notice.change).toMatchObject({ addedPurposes: [ADDED], removedPurposes: [], textChanged: false });
    expect(notice.accepted.version).not.toBe(notice.current.version);

    const dataset = async (purpose: string) =>
      (
        await call(reviewer, "POST", "/api/datasets", { region: "us", name: `Set ${purpose}`, purpose })
      ).json();
    const safety = await dataset(ADDED);
    const refused = await call(reviewer, "POST", `/api/datasets/${safety.id}/items`, { interactionIds: ids });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain(`tenant ${t.id} has not accepted the purpose "${ADDED}"`);
    // A purpose the tenant did accept works as before.
    const quality = await dataset("quality-evaluation");
    expect(
      (await call(reviewer, "POST", `/api/datasets/${quality.id}/items`, { interactionIds: ids })).json(),
    ).toEqual({
      added: 2,
      duplicates: 0,
    });

    const accepted = await call(admin, "POST", "/api/tenant/notice/accept");
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ purposes: [...FIRST, ADDED], change: null });
    const ok = await call(reviewer, "POST", `/api/datasets/${safety.id}/items`, { interactionIds: ids });
    expect(ok.json()).toEqual({ added: 2, duplicates: 0 });

    const bundle = (await call(admin, "GET", "/api/tenant/evidence")).json();
    expect(bundle.records.map((r: { kind: string }) => r.kind)).toEqual(["sharing.enable", "notice.accept"]);
    expect(bundle.records[1]).toMatchObject({
      purposes: [...FIRST, ADDED],
      notice: { purposes: [...FIRST, ADDED] },
    });
  });

  it("cannot be accepted while sharing is off: opting in accepts the notice shown", async () => {
    const other = await tenantWithAdmin(ctx);
    const res = await later.app.inject({
      method: "POST",
      url: "/api/tenant/notice/accept",
      headers: { cookie: other.adminCookie, "x-assent-request": "1" },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: "sharing_off" });
  });
});
