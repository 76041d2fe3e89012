import { afterEach, describe, expect, it } from "vitest";
import { tenantWithAdmin } from "./fixtures.js";
import { createTestContext, dialects, type TestContext } from "./harness.js";
import { openEventStream } from "./sse.js";

const metric = (body: string, line: string) =>
  body
    .split("\n")
    .find((l) => l.startsWith(line))
    ?.slice(line.length)
    .trim();

describe.each(dialects())("/readyz and /metrics for the stores (%s)", (dialect) => {
  let ctx: TestContext | null = null;
  afterEach(async () => {
    await ctx?.close().catch(() => {});
    ctx = null;
  });

  it("names the store that does not answer", async () => {
    ctx = await createTestContext(dialect);
    const ready = await ctx.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.json()).toEqual({
      ok: true,
      stores: { control: true, "region-us": true, "region-eu": true },
      unreachable: [],
    });
    await ctx.services.stores.regions.get("eu")?.close();
    const down = await ctx.app.inject({ method: "GET", url: "/readyz" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ ok: false, unreachable: ["region-eu"] });
  });

  it.skipIf(dialect !== "postgres")(
    "shows each pool's size and use, and the change listener's state",
    async () => {
      ctx = await createTestContext(dialect, { config: { postgres: { poolSize: 4, pools: { us: 3 } } } });
      const t = await tenantWithAdmin(ctx);
      const address = await ctx.app.listen({ port: 0, host: "127.0.0.1" });
      const stream = openEventStream(`${address}/v1/sharing/stream`, { authorization: `Bearer ${t.key}` });
      try {
        await stream.waitFor(1);
        // The listener starts with the first stream; wait until it reports itself up.
        let body = "";
        const deadline = Date.now() + 5000;
        do {
          body = (await ctx.app.inject({ method: "GET", url: "/metrics" })).body;
          if (metric(body, 'assent_change_listener_up{store="region-us"}') === "1") break;
          await new Promise((r) => setTimeout(r, 50));
        } while (Date.now() < deadline);
        expect(metric(body, 'assent_change_listener_up{store="region-us"}')).toBe("1");
        expect(metric(body, 'assent_store_pool_connections{store="region-us",state="max"}')).toBe("3");
        expect(metric(body, 'assent_store_pool_connections{store="control",state="max"}')).toBe("4");
        // The scrape itself reads the stores (deletion gauges), so requests may be waiting right then.
        expect(metric(body, 'assent_store_pool_connections{store="region-us",state="waiting"}')).toMatch(
          /^\d+$/,
        );
        expect(metric(body, "assent_sharing_streams_open")).toBe("1");
      } finally {
        await stream.close();
      }
    },
  );
});
