import { describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../server/src/actor.js";
import { settled } from "../src/counters.js";
import type { AssentEvent, Interaction } from "../src/index.js";
import { sleep, storedCount, until } from "./live-server.js";
import { liveSuite } from "./support.js";

const ok = (i: number): Interaction => ({ feature: "sales.email-draft", input: `p${i}`, output: `a${i}` });

describe("capture()", () => {
  /** The first answer to each tenant's first POST is held back past the client's timeout. */
  const slowFirstAnswer = new Set<string>();
  const live = liveSuite({
    setup: (app) =>
      app.addHook("onSend", async (request) => {
        const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
        if (request.url === "/v1/interactions" && key && slowFirstAnswer.delete(key)) {
          await sleep(800); // stored already: the answer is what gets lost
        }
      }),
  });

  it("returns at once, never throws, and counts what it cannot take", async () => {
    const t = await live.tenant(true);
    const events: AssentEvent[] = [];
    const c = live.client(t.key, { maxItemBytes: 10_000, onEvent: (e: AssentEvent) => events.push(e) });
    expect((await c.ready(5000)).sharing).toBe("on");
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const throwing = Object.defineProperty({}, "feature", {
      get() {
        throw new Error("boom");
      },
    });
    const bad: unknown[] = [
      null,
      undefined,
      42,
      "text",
      throwing,
      { feature: "", input: "x", output: "y" },
      { feature: "has space", input: "x", output: "y" },
      { feature: "f", output: "y" },
      { feature: "f", input: "x" },
      { feature: "f", input: cyclic, output: "y" },
      { feature: "f", input: { n: 10n }, output: "y" },
      { feature: "f", input: () => "x", output: "y" },
      { feature: "f", input: "x".repeat(20_000), output: "y" },
      { feature: "f", input: "x", output: "y", id: "not allowed!" },
      { feature: "f", input: "x", output: "y", occurredAt: Number.NaN },
    ];
    for (const x of bad) {
      const r = c.capture(x as Interaction);
      expect(typeof r).toBe("boolean"); // not a promise: nothing to await
    }
    // Passes the SDK's checks; the service rejects it by name (feedback is -1..5).
    expect(c.capture({ ...ok(0), telemetry: { feedback: 9 } })).toBe(true);
    expect(c.capture(ok(1))).toBe(true);
    expect(await c.flush(5000)).toBe(true);
    const counters = c.counters;
    expect(counters.invalid).toBe(bad.length);
    expect(counters.rejected).toBe(1);
    expect(counters.sent).toBe(1);
    expect(settled(counters)).toBe(counters.captured);
    expect(events.find((e) => e.kind === "rejected")?.message).toMatch(/telemetry.feedback/);
    expect(await storedCount(live.server.ctx, t)).toBe(1);
  });

  it("keeps the caller's occurredAt, conversation and telemetry, and its own id when given", async () => {
    const t = await live.tenant(true);
    const c = live.client(t.key);
    await c.ready(5000);
    // The test server's clock stands still at the opt-in time while the client's runs on: the
    // opt-in time is a valid occurredAt that differs from the time of capture().
    const occurredAt = new Date(live.server.ctx.clock.now());
    c.capture({
      ...ok(0),
      id: "call-1",
      occurredAt,
      conversationId: "conv-9",
      telemetry: { model: "gpt-4o", tokensIn: 3, tokensOut: 4, attributes: { tier: "pro" } },
    });
    c.capture({ ...ok(1), id: "call-1" }); // the same client id: the service keeps one
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.sent).toBe(1);
    expect(c.counters.duplicates).toBe(1);
    const store = live.server.ctx.services.stores.regions.get("us")!;
    const row = await store.db
      .selectFrom("interactions")
      .selectAll()
      .where("tenant_id", "=", t.id)
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe("call-1");
    expect(Number(row.occurred_at)).toBe(occurredAt.getTime());
    expect(row.conversation_id).toBe("conv-9");
    expect(row.model).toBe("gpt-4o");
    const read = await live.server.ctx.services.capture.readInteraction({ id: t.id, region: "us" }, row.id);
    expect(read?.input).toBe("p0");
    expect(read?.telemetry.attributes).toEqual({ tier: "pro" });
  });

  it("gives every interaction a client id, so a retry after a lost answer stores nothing twice", async () => {
    const t = await live.tenant(true);
    slowFirstAnswer.add(t.key);
    const c = live.client(t.key, { requestTimeoutMs: 300, retryDelayMs: 20 });
    await c.ready(5000);
    for (let i = 0; i < 5; i++) c.capture(ok(i));
    expect(await c.flush(5000)).toBe(true);
    expect(live.server.ingests(t.key).length).toBe(2);
    expect(c.counters.duplicates).toBe(5);
    expect(c.counters.sent).toBe(0);
    expect(c.counters.failed).toBe(0);
    expect(await storedCount(live.server.ctx, t)).toBe(5);
  });

  it("stops taking interactions at close(), after delivering what it held", async () => {
    const t = await live.tenant(true);
    const c = live.client(t.key, { flushIntervalMs: 60_000 });
    await c.ready(5000);
    for (let i = 0; i < 7; i++) c.capture(ok(i));
    await c.close(5000);
    expect(c.capture(ok(8))).toBe(false);
    expect(c.counters).toMatchObject({ captured: 8, sent: 7, dropped: { closed: 1 } });
    expect(await storedCount(live.server.ctx, t)).toBe(7);
  });

  it("drops everything when the service refuses the key, and says so", async () => {
    const t = await live.tenant(true);
    const events: AssentEvent[] = [];
    const c = live.client(t.key, { onEvent: (e: AssentEvent) => events.push(e), flushIntervalMs: 60_000 });
    await c.ready(5000);
    c.capture(ok(0));
    await sleep(20);
    const [key] = await live.server.ctx.services.tenants.listKeys(t.id);
    await live.server.ctx.services.tenants.revokeKey(key!.id, CLI_ACTOR);
    expect(await c.flush(5000)).toBe(true);
    expect(c.counters.dropped.keyRefused).toBe(1);
    expect(c.sharingState.keyRefused).toBe(true);
    expect(c.capture(ok(1))).toBe(false);
    expect(c.counters.dropped.keyRefused).toBe(2);
    expect(events.some((e) => e.kind === "key-refused")).toBe(true);
    await until(() => c.sharing === "unknown", 1000, "the state to be unknown");
    expect(await storedCount(live.server.ctx, t)).toBe(0);
  });
});
