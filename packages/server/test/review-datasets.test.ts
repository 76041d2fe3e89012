import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  grantAccess,
  sharedInteractions,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

describe.each(dialects())("datasets on %s", (dialect) => {
  let ctx: TestContext;
  let t1: TenantFixture;
  let t2: TenantFixture;
  let ids1: string[];
  let ids2: string[];
  const marker = `dataset-marker-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ctx = await createTestContext(dialect, {
      config: { program: { allowedPurposes: ["quality-evaluation", "debugging"] } },
    });
    t1 = await tenantWithAdmin(ctx, "eu");
    t2 = await tenantWithAdmin(ctx, "eu");
    ids1 = await sharedInteractions(ctx, t1, 3, (i) => ({ input: `${marker} ${i}` }));
    ids2 = await sharedInteractions(ctx, t2, 1);
  });
  afterAll(async () => ctx?.close());

  const call = (cookie: string, method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
    ctx.app.inject({
      method,
      url,
      headers: { cookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });

  it("allows only the program's purposes, never training foundation models", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: t1.id });
    const create = (purpose: string) =>
      call(reviewer.cookie, "POST", "/api/datasets", { region: "eu", name: "Evaluation set", purpose });
    const foundation = await create("foundation-model-training");
    expect(foundation.statusCode).toBe(403);
    expect(foundation.json().message).toMatch(/training foundation models is never an allowed purpose/);
    const other = await create("feature-improvement");
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toMatch(
      /not allowed by the program \(allowed: quality-evaluation, debugging\)/,
    );
    const ok = await create("quality-evaluation");
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ region: "eu", purpose: "quality-evaluation", items: 0 });
    const wrongRegion = await call(reviewer.cookie, "POST", "/api/datasets", {
      region: "us",
      name: "US set",
      purpose: "debugging",
    });
    expect(wrongRegion.statusCode).toBe(403);
    expect(wrongRegion.json().message).toMatch(/needs an active access grant there/);
  });

  it("adds items and exports JSONL only under grants covering their tenants; audited per tenant", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const g1 = await grantAccess(ctx, reviewer, approver, { region: "eu", tenantId: t1.id });
    const dataset = (
      await call(reviewer.cookie, "POST", "/api/datasets", {
        region: "eu",
        name: "Set A",
        purpose: "debugging",
      })
    ).json();
    const url = `/api/datasets/${dataset.id}`;

    const notCovered = await call(reviewer.cookie, "POST", `${url}/items`, { interactionIds: [ids2[0]] });
    expect(notCovered.statusCode).toBe(403);
    expect(notCovered.json().message).toMatch(new RegExp(`tenant ${t2.id}`));
    const added = await call(reviewer.cookie, "POST", `${url}/items`, { interactionIds: ids1 });
    expect(added.json()).toEqual({ added: 3, duplicates: 0 });
    const listed = await call(reviewer.cookie, "GET", `${url}/items`);
    expect(listed.statusCode).toBe(200);
    expect(
      listed
        .json()
        .map((i: { interactionId: string }) => i.interactionId)
        .sort(),
    ).toEqual([...ids1].sort());
    expect(listed.json()[0]).toMatchObject({ tenantId: t1.id, addedBy: reviewer.id });
    expect(listed.body).not.toContain(marker);
    const again = await call(reviewer.cookie, "POST", `${url}/items`, { interactionIds: [ids1[0]] });
    expect(again.json()).toEqual({ added: 0, duplicates: 1 });
    const unknown = await call(reviewer.cookie, "POST", `${url}/items`, { interactionIds: ["nope"] });
    expect(unknown.statusCode).toBe(404);

    const exported = await call(reviewer.cookie, "GET", `${url}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers["content-type"]).toMatch(/application\/x-ndjson/);
    const lines = exported.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual([...ids1].sort());
    expect(lines[0]).toMatchObject({ tenantId: t1.id, feature: "sales.email-draft" });
    expect(exported.body).toContain(marker);

    const events = await ctx.services.stores.regions
      .get("eu")!
      .db.selectFrom("audit_events")
      .selectAll()
      .where("target_id", "=", dataset.id)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      "dataset.create",
      "dataset.add-items",
      "dataset.add-items",
      "dataset.export",
    ]);
    const exportEvent = events[3]!;
    expect(exportEvent).toMatchObject({ tenant_id: t1.id, grant_id: g1.grantId, actor_id: reviewer.id });
    expect(exportEvent.details).not.toContain(marker);

    const log = (
      await ctx.app.inject({
        method: "GET",
        url: "/api/tenant/access-log",
        headers: { cookie: t1.adminCookie },
      })
    ).json();
    const exportEntry = log.items.find((e: { action: string }) => e.action === "dataset.export");
    expect(exportEntry).toMatchObject({ grantId: g1.grantId, datasetId: dataset.id });
    expect([...exportEntry.interactionIds].sort()).toEqual([...ids1].sort());
    const other = await ctx.app.inject({
      method: "GET",
      url: "/api/tenant/access-log",
      headers: { cookie: t2.adminCookie },
    });
    expect(other.body).not.toContain(dataset.id);

    // Once the grant is revoked, nothing more leaves.
    await call(approver.cookie, "POST", `/api/access-requests/${g1.requestId}/revoke`);
    const revoked = await call(reviewer.cookie, "GET", `${url}/export`);
    expect(revoked.statusCode).toBe(403);
    expect(revoked.body).not.toContain(marker);
  });

  it("refuses an export that a grant does not fully cover", async () => {
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    await grantAccess(ctx, reviewer, approver, { region: "eu" });
    const dataset = (
      await call(reviewer.cookie, "POST", "/api/datasets", {
        region: "eu",
        name: "Mixed",
        purpose: "debugging",
      })
    ).json();
    await call(reviewer.cookie, "POST", `/api/datasets/${dataset.id}/items`, {
      interactionIds: [ids1[0], ids2[0]],
    });
    const narrow = await staffMember(ctx, ["reviewer"]);
    await grantAccess(ctx, narrow, approver, { region: "eu", tenantId: t1.id });
    const res = await call(narrow.cookie, "GET", `/api/datasets/${dataset.id}/export`);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(new RegExp(`covering tenants ${t2.id}`));
    expect(res.body).not.toContain(marker);
    const wide = await call(reviewer.cookie, "GET", `/api/datasets/${dataset.id}/export`);
    expect(wide.body.trim().split("\n")).toHaveLength(2);
    const list = (await call(narrow.cookie, "GET", "/api/datasets")).json();
    expect(list.find((d: { id: string }) => d.id === dataset.id)).toMatchObject({ items: 2, region: "eu" });
  });
});
