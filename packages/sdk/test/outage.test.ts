import { describe, expect, it } from "vitest";
import { settled } from "../src/counters.js";
import { sleep, storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

const CONTENT = "x".repeat(4000);
const interaction = (i: number) => ({ feature: "support.answer", input: `${i} ${CONTENT}`, output: CONTENT });

describe("the SDK while the service is down", () => {
  const live = liveSuite();

  it("keeps its queue at its bound for 10 s, counts the overflow, and delivers when the service returns", async () => {
    const t = await live.tenant(true);
    const maxQueueItems = 500;
    const maxQueueBytes = 1024 * 1024; // ~250 of these interactions: the byte bound binds first
    const c = live.client(t.key, {
      maxQueueItems,
      maxQueueBytes,
      maxBatchItems: 100,
    });
    expect((await c.ready(5000)).sharing).toBe("on");
    for (let i = 0; i < 50; i++) c.capture(interaction(i));
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(50);

    await live.server.stop();
    const downAt = Date.now();
    let i = 50;
    let maxItems = 0;
    let maxBytes = 0;
    let maxInFlight = 0;
    // Up to 2,500 interactions/s of ~4 KB for 10 s: ~100 MB if nothing were dropped.
    while (Date.now() - downAt < 10_000) {
      for (let k = 0; k < 50; k++) expect(c.capture(interaction(i++))).toBe(true);
      await sleep(20);
      const q = c.queue;
      maxItems = Math.max(maxItems, q.items);
      maxBytes = Math.max(maxBytes, q.bytes);
      maxInFlight = Math.max(maxInFlight, q.inFlight);
    }
    const during = c.counters;
    const queued = c.queue;
    expect(c.sharingState.confirmed).toBe(false);
    expect(live.server.ingests(t.key).filter((r) => r.at > downAt)).toEqual([]);
    expect(maxItems).toBeLessThanOrEqual(maxQueueItems);
    expect(maxBytes).toBeLessThanOrEqual(maxQueueBytes);
    expect(maxInFlight).toBeLessThanOrEqual(100);
    // Everything captured is either still held (within the bounds) or counted as overflow.
    expect(during.captured - settled(during)).toBe(queued.items + queued.inFlight);
    expect(during.dropped.overflow).toBe(i - 50 - queued.items - queued.inFlight);
    expect(i - 50).toBeGreaterThan(10 * maxQueueItems); // far more than the bounds hold
    expect(during.dropped.overflow).toBeGreaterThan((i - 50) * 0.9);
    expect(during.sent).toBe(50);
    expect(during.failed).toBe(0);

    const upAt = Date.now();
    await live.server.start();
    await until(() => c.queue.items === 0 && c.queue.inFlight === 0, 10_000, "the queue to drain");
    const back = live.server.ingests(t.key).filter((r) => r.at >= upAt);
    expect(back.length).toBeGreaterThan(0);
    // The poll fallback (every second) sees the service back before the stream reconnects.
    expect(back[0]!.at - upAt).toBeLessThan(3000);
    expect(back.every((r) => r.status === 200)).toBe(true);

    const after = c.counters;
    expect(after.sent).toBeGreaterThan(50);
    expect(after.failed).toBe(0);
    expect(after.duplicates).toBe(0);
    expect(settled(after)).toBe(after.captured);
    expect(after.captured).toBe(i);
    expect(after.sent + after.dropped.overflow).toBe(i);
    expect(await storedCount(live.server.ctx, t)).toBe(after.sent);
  }, 40_000);
});
