import { describe, expect, it } from "vitest";
import type { AssentEvent } from "../src/index.js";
import { storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

/**
 * The server's own rate limit (2 requests per window per key) answers 429 with Retry-After; the
 * SDK must not send that batch again before the time it names, then deliver it. The window is a
 * minute in production; here 4 seconds, so the test waits seconds, not a minute.
 */
describe("the SDK on 429 Too Many Requests", () => {
  const live = liveSuite({
    config: { ingest: { rateLimitPerMinute: 2 } },
    app: { rateLimitWindowMs: 4_000 },
  });

  it("waits for Retry-After before sending the batch again, then delivers it", async () => {
    const t = await live.tenant(true);
    const events: AssentEvent[] = [];
    const c = live.client(t.key, {
      maxBatchItems: 5,
      retryDelayMs: 10, // without Retry-After the retry would come almost at once
      onEvent: (e) => events.push(e),
    });
    expect((await c.ready(5000)).sharing).toBe("on");
    for (let i = 0; i < 15; i++) c.capture({ feature: "sales.email-draft", input: `p${i}`, output: `a${i}` });

    await until(() => live.server.ingests(t.key).some((r) => r.status === 429), 5000, "a 429");
    const limited = live.server.ingests(t.key).find((r) => r.status === 429)!;
    const retryAfterMs = Number(limited.retryAfter) * 1000;
    expect(retryAfterMs).toBeGreaterThan(1000);
    // The server has answered; the client handles the answer a moment later.
    await until(
      () => events.some((e) => e.kind === "http" && e.status === 429),
      5000,
      "the client to see the 429",
    );
    expect(c.counters.sent).toBe(10);
    expect(c.queue.inFlight).toBe(5);

    await until(() => c.counters.sent === 15, retryAfterMs + 10_000, "the limited batch to be delivered");
    const after = live.server.ingests(t.key).filter((r) => r.at > limited.at);
    expect(after.length).toBe(1);
    expect(after[0]!.status).toBe(200);
    expect(after[0]!.at - limited.at).toBeGreaterThanOrEqual(retryAfterMs);
    expect(live.server.ingests(t.key).filter((r) => r.status === 429)).toHaveLength(1);
    expect(c.counters.failed).toBe(0);
    expect(c.counters.duplicates).toBe(0);
    expect(await storedCount(live.server.ctx, t)).toBe(15);
  }, 120_000);
});
