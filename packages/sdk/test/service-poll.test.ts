import { describe, expect, it } from "vitest";
import { serviceKey, share } from "../../server/test/service-fixtures.js";
import { storedCount, until } from "./live-server.js";
import { liveSuite, manyTenants } from "./support.js";

/** A proxy that does not pass Server-Sent Events: a service key's client learns by polling. */
describe("a service key's client when the sharing stream is unavailable", () => {
  const live = liveSuite({
    setup: (app) =>
      app.addHook("onRequest", async (request, reply) => {
        if (request.url === "/v1/sharing/stream") {
          await reply.status(503).send({ error: "unavailable", message: "no event streams here" });
        }
      }),
  });

  it("polls GET /v1/sharing with ETags, sends for the tenants that share, and stops one after its opt-out", async () => {
    const { tenants, sharing } = await manyTenants(live.server.ctx, { us: 10, eu: 10 }, 2);
    const { key } = await serviceKey(live.server.ctx);
    const c = live.client(key, { pollIntervalMs: 100, flushIntervalMs: 20 });
    expect((await c.ready(5000)).tenants).toMatchObject({ known: true, sharingTenants: 10, confirmed: true });
    const [leaving, staying] = [sharing[0], sharing[1]] as [(typeof sharing)[0], (typeof sharing)[0]];
    for (const t of tenants)
      c.capture({ tenant: t.externalId, feature: "sales.email-draft", input: "p", output: "a" });
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters).toMatchObject({ sent: 10, dropped: { consentOff: 10 } });

    const polls = () => live.server.requests.filter((r) => r.key === key && r.path === "/v1/sharing");
    await until(() => polls().filter((r) => r.status === 304).length >= 2, 3000, "polls answered 304");

    await share(live.server.ctx, leaving, false);
    await until(() => !c.isSharing(leaving.id), 1000, "the client to see the opt-out by polling");
    expect(c.isSharing(staying.externalId)).toBe(true);
    expect(c.capture({ tenant: leaving.id, feature: "sales.email-draft", input: "p", output: "a" })).toBe(
      false,
    );
    expect(c.capture({ tenant: staying.id, feature: "sales.email-draft", input: "p", output: "a" })).toBe(
      true,
    );
    expect(await c.flush(5000)).toBe(true);
    expect(await storedCount(live.server.ctx, leaving)).toBe(1);
    expect(await storedCount(live.server.ctx, staying)).toBe(2);
  });
});
