import { describe, expect, it } from "vitest";
import { setSharing } from "../../server/test/fixtures.js";
import { sleep, storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

/**
 * A proxy in front of the service that does not pass Server-Sent Events: the stream answers
 * 503, so the SDK must reconnect with growing delays and meanwhile learn the state by polling
 * `GET /v1/sharing` with If-None-Match.
 */
describe("the SDK when the sharing stream is unavailable", () => {
  const live = liveSuite({
    setup: (app) =>
      app.addHook("onRequest", async (request, reply) => {
        if (request.url === "/v1/sharing/stream") {
          await reply.status(503).send({ error: "unavailable", message: "no event streams here" });
        }
      }),
  });

  it("polls with ETags, sends while the polls confirm sharing on, stops after an opt-out, and backs off reconnecting", async () => {
    const t = await live.tenant(true);
    const startedAt = Date.now();
    const c = live.client(t.key, {
      pollIntervalMs: 200,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 1600,
      flushIntervalMs: 50,
    });
    expect((await c.ready(5000)).sharing).toBe("on");
    c.capture({ feature: "sales.email-draft", input: "p", output: "a" });
    expect(await c.flush(3000)).toBe(true);
    expect(c.counters.sent).toBe(1);

    await sleep(1000);
    const polls = () => live.server.requests.filter((r) => r.key === t.key && r.path === "/v1/sharing");
    const statuses = polls().map((r) => r.status);
    expect(statuses[0]).toBe(200);
    expect(statuses.filter((s) => s === 304).length).toBeGreaterThan(2);

    await setSharing(live.server.ctx, t, false);
    const optedOut = Date.now();
    await until(() => c.sharing === "off", 1000, "the SDK to see the opt-out by polling");
    expect(c.capture({ feature: "sales.email-draft", input: "p", output: "a" })).toBe(false);
    expect(polls().some((r) => r.at > optedOut && r.status === 200)).toBe(true);

    await sleep(Math.max(0, startedAt + 6000 - Date.now()));
    const attempts = live.server.requests.filter((r) => r.key === t.key && r.path === "/v1/sharing/stream");
    expect(attempts.every((r) => r.status === 503)).toBe(true);
    // 100 ms doubling up to 1.6 s, each delay jittered within its upper half: 7 to 11 attempts
    // in 6 s (fewer on a loaded machine), where retrying without backoff would make hundreds.
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.length).toBeLessThanOrEqual(11);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(700);
    expect(await storedCount(live.server.ctx, t)).toBe(1);
  }, 20_000);

  it("takes the service's word when an ingest answer says sharing is off", async () => {
    const t = await live.tenant(true);
    // Polls too rare to see the opt-out before the next batch goes out.
    const c = live.client(t.key, {
      pollIntervalMs: 10_000,
      flushIntervalMs: 20,
    });
    expect((await c.ready(5000)).sharing).toBe("on");
    c.capture({ feature: "sales.email-draft", input: "p", output: "a" });
    expect(await c.flush(3000)).toBe(true);

    await setSharing(live.server.ctx, t, false);
    expect(c.sharing).toBe("on"); // not known here yet
    for (let i = 0; i < 3; i++) c.capture({ feature: "sales.email-draft", input: `p${i}`, output: "a" });
    expect(await c.flush(3000)).toBe(true);
    expect(c.counters.dropped.server).toBe(3);
    expect(c.sharing).toBe("off");
    expect(c.capture({ feature: "sales.email-draft", input: "p", output: "a" })).toBe(false);
    expect(c.counters.dropped.consentOff).toBe(1);
    expect(await storedCount(live.server.ctx, t)).toBe(1);
  });
});
