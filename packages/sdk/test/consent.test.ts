import { describe, expect, it } from "vitest";
import { setSharing } from "../../server/test/fixtures.js";
import { settled } from "../src/counters.js";
import { sleep, storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

const interaction = (i: number) => ({
  feature: "sales.email-draft",
  input: `prompt ${i}`,
  output: `answer ${i}`,
  telemetry: { model: "gpt-4o", latencyMs: 840, tokensIn: 312, tokensOut: 190, finishReason: "stop" },
});

describe("the SDK follows the tenant's sharing setting", () => {
  const live = liveSuite();

  it("drops interactions in the process while sharing is off: nothing with content reaches the server", async () => {
    const t = await live.tenant(false);
    const c = live.client(t.key);
    expect((await c.ready(5000)).sharing).toBe("off");
    for (let i = 0; i < 50; i++) expect(c.capture(interaction(i))).toBe(false);
    expect(await c.flush(1000)).toBe(true);
    await sleep(1200); // longer than the flush interval
    expect(live.server.ingests(t.key).length).toBe(0);
    expect(c.counters.dropped.consentOff).toBe(50);
    expect(c.queue.items).toBe(0);
    expect(await storedCount(live.server.ctx, t)).toBe(0);
  });

  it("drops before the first answer by default, and never sends those later", async () => {
    const t = await live.tenant(true);
    const c = live.client(t.key);
    // No answer can have arrived yet: capture() runs before any I/O of the client.
    expect(c.sharing).toBe("unknown");
    expect(c.capture(interaction(0))).toBe(false);
    expect(c.counters.dropped.consentUnknown).toBe(1);
    expect((await c.ready(5000)).sharing).toBe("on");
    expect(c.capture(interaction(1))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(1);
    expect(await storedCount(live.server.ctx, t)).toBe(1);
  });

  it("with whileUnknown: buffer, discards what it held when the answer is off", async () => {
    const t = await live.tenant(false);
    const c = live.client(t.key, { whileUnknown: "buffer" });
    expect(c.capture(interaction(0))).toBe(true);
    expect(c.capture(interaction(1))).toBe(true);
    expect((await c.ready(5000)).sharing).toBe("off");
    await until(() => c.counters.dropped.consentOff === 2, 1000, "the buffered interactions to be discarded");
    expect(c.queue.items).toBe(0);
    await sleep(700);
    expect(live.server.ingests(t.key).length).toBe(0);
  });

  it("starts sending within a second of an opt-in and stops within a second of an opt-out", async () => {
    const t = await live.tenant(false);
    const c = live.client(t.key); // default options: flush every 500 ms
    expect((await c.ready(5000)).sharing).toBe("off");

    let i = 0;
    const feature = setInterval(() => c.capture(interaction(i++)), 10);
    try {
      await sleep(300);
      await setSharing(live.server.ctx, t, true);
      const optedIn = Date.now();
      await until(() => live.server.ingests(t.key).length > 0, 1500, "the first batch after the opt-in");
      const first = live.server.ingests(t.key)[0]!;
      expect(first.at - optedIn).toBeLessThan(1000);
      await sleep(1500);
      expect(c.counters.sent).toBeGreaterThan(0);

      await setSharing(live.server.ctx, t, false);
      const optedOut = Date.now();
      await until(() => c.sharing === "off", 1000, "the SDK to report sharing off");
      await sleep(optedOut + 1000 - Date.now());
      const sentAtOptOut = c.counters.sent;
      await sleep(1000);
      const late = live.server.ingests(t.key).filter((r) => r.at > optedOut + 1000);
      expect(late).toEqual([]);
      // Nothing more was sent (and so stored) once the second after the opt-out was over.
      expect(c.counters.sent).toBe(sentAtOptOut);
      expect(c.sharing).toBe("off");
    } finally {
      clearInterval(feature);
    }
    await c.flush(2000);
    const counters = c.counters;
    expect(counters.dropped.consentOff).toBeGreaterThan(50);
    expect(await storedCount(live.server.ctx, t)).toBe(counters.sent);
    expect(settled(counters)).toBe(counters.captured);
  });

  it("discards what is still queued when sharing turns off", async () => {
    const t = await live.tenant(true);
    const c = live.client(t.key, { flushIntervalMs: 60_000 });
    expect((await c.ready(5000)).sharing).toBe("on");
    for (let i = 0; i < 20; i++) c.capture(interaction(i));
    await sleep(50);
    expect(c.queue.items).toBe(20);
    await setSharing(live.server.ctx, t, false);
    await until(() => c.counters.dropped.consentOff === 20, 1000, "the queue to be discarded");
    expect(c.queue.items).toBe(0);
    expect(await c.flush(100)).toBe(true);
    expect(live.server.ingests(t.key).length).toBe(0);
    expect(await storedCount(live.server.ctx, t)).toBe(0);
  });
});
