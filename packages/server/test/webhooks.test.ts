import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBody } from "../src/modules/webhooks/signature.js";
import {
  grantAccess,
  sharedInteractions,
  signIn,
  staffMember,
  type TenantFixture,
  tenantWithAdmin,
} from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A receiver on loopback that records every delivery and answers `status`. */
async function receiver() {
  const received: Received[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/assent`;
  return { url, received, state, close: () => new Promise((r) => server.close(r)) };
}

const MARKER = `webhook-content-${Math.random().toString(36).slice(2)}`;

describe.each(dialects())("tenant webhooks on %s", (dialect) => {
  let ctx: TestContext;
  let t: TenantFixture;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    rx = await receiver();
    t = await tenantWithAdmin(ctx);
    ids = await sharedInteractions(ctx, t, 2, (i) => ({
      input: `${MARKER} in ${i}`,
      output: `${MARKER} out ${i}`,
    }));
  });
  afterAll(async () => {
    await rx?.close();
    await ctx?.close();
  });

  const admin = (method: "GET" | "POST" | "DELETE", url: string, payload?: Record<string, unknown>) =>
    ctx.app.inject({
      method,
      url,
      headers: { cookie: t.adminCookie, "x-assent-request": "1" },
      ...(payload ? { payload } : {}),
    });
  const dispatch = () => ctx.services.webhooks.dispatch("us");

  it("pushes signed access and deletion events with ids and metadata only", async () => {
    const bad = await admin("POST", "/api/tenant/webhooks", { url: "ftp://example.com/x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "invalid_url" });
    const created = await admin("POST", "/api/tenant/webhooks", { url: rx.url });
    expect(created.statusCode).toBe(201);
    const { secret, webhook } = created.json();
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toMatchObject({ url: rx.url, failures: 0, disabledAt: null, deliveries: [] });
    expect(JSON.stringify((await admin("GET", "/api/tenant/webhooks")).json())).not.toContain(secret);

    // An access: a reviewer with a grant reads one interaction's content.
    const reviewer = await staffMember(ctx, ["reviewer"]);
    const approver = await staffMember(ctx, ["approver"]);
    const { grantId } = await grantAccess(ctx, reviewer, approver, { region: "us", tenantId: t.id });
    const read = await ctx.app.inject({
      method: "GET",
      url: `/api/review/interactions/${ids[0]}`,
      headers: { cookie: reviewer.cookie },
    });
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain(MARKER);
    // A deletion: opt-out and delete now.
    expect(
      (
        await ctx.app.inject({
          method: "PUT",
          url: "/api/tenant/sharing",
          headers: { cookie: t.adminCookie },
          payload: { enabled: false },
        })
      ).statusCode,
    ).toBe(200);
    expect((await admin("POST", "/api/tenant/sharing/delete-now")).statusCode).toBe(200);

    const report = await dispatch();
    expect(report).toMatchObject({ enqueued: 2, delivered: 2, failed: 0, disabled: [] });
    expect(rx.received).toHaveLength(2);
    for (const r of rx.received) {
      expect(verifyBody(secret, r.body, r.headers["assent-signature"] as string)).toBe(true);
      expect(verifyBody("whsec_other", r.body, r.headers["assent-signature"] as string)).toBe(false);
      expect(r.body).not.toContain(MARKER);
      expect(r.headers["content-type"]).toBe("application/json");
    }
    const bodies = rx.received.map((r) => JSON.parse(r.body));
    expect(bodies[0]).toMatchObject({
      type: "access.interaction.read",
      tenant: t.id,
      actor: { id: reviewer.id, role: "reviewer" },
      grantId,
      target: { type: "interaction", id: ids[0] },
    });
    expect(bodies[1]).toMatchObject({
      type: "deletion.delete-now",
      tenant: t.id,
      target: { type: "deletion-receipt" },
      details: { kind: "delete-now", interactions: 2 },
    });
    expect(rx.received[0]?.headers["assent-event"]).toBe("access.interaction.read");
    // Nothing twice: the next run has nothing new.
    expect(await dispatch()).toMatchObject({ enqueued: 0, delivered: 0 });
    const log = (await admin("GET", "/api/tenant/webhooks")).json().items[0].deliveries;
    expect(log.map((d: { state: string; attempts: number }) => [d.state, d.attempts])).toEqual([
      ["delivered", 1],
      ["delivered", 1],
    ]);
  });

  it("retries a failing receiver with backoff, then disables the hook", async () => {
    rx.state.status = 500;
    rx.received.length = 0;
    t = { ...t, adminCookie: await signIn(ctx, t.adminEmail) };
    await sharedInteractions(ctx, t, 1);
    expect(
      (
        await ctx.app.inject({
          method: "PUT",
          url: "/api/tenant/sharing",
          headers: { cookie: t.adminCookie },
          payload: { enabled: false },
        })
      ).statusCode,
    ).toBe(200);
    expect((await admin("POST", "/api/tenant/sharing/delete-now")).statusCode).toBe(200);

    expect(await dispatch()).toMatchObject({ enqueued: 1, delivered: 0, failed: 1 });
    // Not due yet: the backoff holds the retry back.
    expect(await dispatch()).toMatchObject({ failed: 0 });
    expect(rx.received).toHaveLength(1);
    let disabled: string[] = [];
    for (let i = 0; i < 10 && disabled.length === 0; i++) {
      ctx.clock.advance(2 * 3_600_000);
      disabled = (await dispatch()).disabled;
    }
    expect(disabled).toHaveLength(1);
    // Five attempts of the same event, each signed, none with content.
    expect(rx.received).toHaveLength(5);
    expect(new Set(rx.received.map((r) => JSON.parse(r.body).id)).size).toBe(1);
    for (const r of rx.received) expect(r.body).not.toContain(MARKER);
    t = { ...t, adminCookie: await signIn(ctx, t.adminEmail) };
    const hook = (await admin("GET", "/api/tenant/webhooks")).json().items[0];
    expect(hook.disabledAt).not.toBeNull();
    expect(hook.disabledReason).toContain("5 failed deliveries in a row (last: HTTP 500)");
    expect(hook.deliveries[0]).toMatchObject({ state: "failed", attempts: 5, lastStatus: 500 });
    // A disabled hook is not called again; turned on again, it hears of new events.
    ctx.clock.advance(2 * 3_600_000);
    await dispatch();
    expect(rx.received).toHaveLength(5);
    const enabled = await admin("POST", `/api/tenant/webhooks/${hook.id}/enable`);
    expect(enabled.json()).toMatchObject({ disabledAt: null, failures: 0 });
    expect((await admin("DELETE", `/api/tenant/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await admin("GET", "/api/tenant/webhooks")).json().items).toEqual([]);
  });
});
