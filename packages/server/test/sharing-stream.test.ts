import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { createServices, type Services } from "../src/wiring.js";
import { setSharing, tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { openEventStream } from "./sse.js";

describe.each(dialects())("sharing change stream on %s", (dialect) => {
  let ctx: TestContext;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext(dialect);
    base = await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => ctx?.close());

  it("sends the state at once and every change within a second", async () => {
    const t = await tenantWithAdmin(ctx);
    const stream = openEventStream(`${base}/v1/sharing/stream`, { authorization: `Bearer ${t.key}` });
    try {
      const [first] = await stream.waitFor(1);
      expect(first?.event).toBe("sharing");
      expect(JSON.parse(first!.data)).toMatchObject({ tenant: t.id, sharing: "off", region: "us" });
      const toggledAt = Date.now();
      await setSharing(ctx, t, true);
      const events = await stream.waitFor(2, 1000);
      expect(JSON.parse(events[1]!.data).sharing).toBe("on");
      await setSharing(ctx, t, false);
      const after = await stream.waitFor(3, 1000);
      expect(JSON.parse(after[2]!.data).sharing).toBe("off");
      expect(Date.now() - toggledAt).toBeLessThan(2000);
    } finally {
      await stream.close();
    }
  });

  it("gives every stream of a tenant each change once, in order", async () => {
    const t = await tenantWithAdmin(ctx);
    const streams = Array.from({ length: 3 }, () =>
      openEventStream(`${base}/v1/sharing/stream`, { authorization: `Bearer ${t.key}` }),
    );
    try {
      for (const s of streams) await s.waitFor(1);
      await setSharing(ctx, t, true);
      await setSharing(ctx, t, false);
      for (const s of streams) {
        const events = await s.waitFor(3, 1000);
        expect(events.map((e) => JSON.parse(e.data).sharing)).toEqual(["off", "on", "off"]);
        const versions = events.map((e) => Number(e.id));
        expect(versions[0]).toBeLessThan(versions[1] as number);
        expect(versions[1]).toBeLessThan(versions[2] as number);
      }
      // A stream opened now starts at the current state.
      const late = openEventStream(`${base}/v1/sharing/stream`, { authorization: `Bearer ${t.key}` });
      try {
        const [first] = await late.waitFor(1);
        expect(JSON.parse(first!.data).sharing).toBe("off");
      } finally {
        await late.close();
      }
    } finally {
      for (const s of streams) await s.close();
    }
  });

  it("ends an open stream once its key is revoked", async () => {
    const t = await tenantWithAdmin(ctx);
    const { id, key } = await ctx.services.tenants.createKey(t.id, { id: "test", role: "system" });
    const stream = openEventStream(`${base}/v1/sharing/stream`, { authorization: `Bearer ${key}` });
    try {
      await stream.waitFor(1);
      await ctx.services.tenants.revokeKey(id, { id: "test", role: "system" });
      const events = await stream.waitFor(2, 3000);
      expect(events[1]?.event).toBe("revoked");
      expect(await stream.ended(3000)).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it("pushes every change of the setting to the tenant admin's session, and ends with the session", async () => {
    const t = await tenantWithAdmin(ctx);
    const stream = openEventStream(`${base}/api/tenant/sharing/stream`, { cookie: t.adminCookie });
    try {
      const [first] = await stream.waitFor(1);
      expect(first?.event).toBe("sharing");
      expect(JSON.parse(first!.data)).toEqual({ sharing: "off", version: expect.any(Number) });
      await setSharing(ctx, t, true);
      const events = await stream.waitFor(2, 1000);
      expect(JSON.parse(events[1]!.data).sharing).toBe("on");
      // Signing out ends the stream at its next session check.
      await ctx.app.inject({
        method: "DELETE",
        url: "/api/session",
        headers: { cookie: t.adminCookie, "x-assent-request": "1" },
      });
      const ended = await stream.waitFor(3, 5000);
      expect(ended[2]?.event).toBe("ended");
      expect(await stream.ended(3000)).toBe(true);
    } finally {
      await stream.close();
    }
    const refused = await fetch(`${base}/api/tenant/sharing/stream`, { headers: { cookie: t.adminCookie } });
    expect(refused.status).toBe(401);
  });

  it("rejects a stream without a valid key", async () => {
    const res = await fetch(`${base}/v1/sharing/stream`, {
      headers: { authorization: "Bearer ask_unknown" },
    });
    expect(res.status).toBe(401);
  });

  it("pushes a change made by another process on the same stores", async () => {
    // A second service process (same stores, its own app and in-memory subscribers).
    let other: Services | null = null;
    let otherApp: FastifyInstance | null = null;
    const t = await tenantWithAdmin(ctx);
    try {
      other = await createServices(ctx.services.config, { clock: ctx.clock });
      otherApp = await buildApp(other, { logger: false });
      const otherBase = await otherApp.listen({ port: 0, host: "127.0.0.1" });
      const stream = openEventStream(`${otherBase}/v1/sharing/stream`, { authorization: `Bearer ${t.key}` });
      try {
        await stream.waitFor(1);
        await setSharing(ctx, t, true); // through the first process
        const events = await stream.waitFor(2, 1500);
        expect(JSON.parse(events[1]!.data).sharing).toBe("on");
      } finally {
        await stream.close();
      }
    } finally {
      await otherApp?.close();
      await other?.close();
    }
  });
});
