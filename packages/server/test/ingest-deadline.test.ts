import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext } from "./harness.js";
import { keyedTenant } from "./otlp-support.js";
import { upload } from "./upload-support.js";

const small = '{"interactions":[{"feature":"f","input":"hello","output":null}]}';

async function listening(config: Record<string, unknown>) {
  const ctx = await createTestContext("sqlite", { config: { ingest: config } });
  const key = (await keyedTenant(ctx, { sharing: true })).key;
  await ctx.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (ctx.app.server.address() as AddressInfo).port;
  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    ...extra,
  });
  const rejected = async (reason: string) => {
    const metric = ctx.services.metrics.registry.getSingleMetric("assent_ingest_rejected_total");
    return (await metric?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };
  return { ctx, port, headers, rejected };
}

describe("an admitted body that does not arrive in time", () => {
  let s: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    s = await listening({ maxInFlightRequests: 1, bodyTimeoutMs: 1000 });
  });
  afterAll(async () => s?.ctx.close());

  it("is answered 408 with Connection: close, and its share of the budget is given back", async () => {
    // Declares 1,000 bytes, sends 10 and never the rest: it holds the only request slot.
    const slow = upload(s.port, "/v1/interactions", s.headers({ "content-length": "1000" }), '{"interact');
    const answer = await slow.answer;
    expect(answer.status).toBe(408);
    expect(answer.connection).toBe("close");
    expect(JSON.parse(answer.body)).toMatchObject({ error: "body_timeout" });
    expect(answer.body).not.toContain("interact");
    await slow.closed;
    // The slot is free again: the next request is taken.
    const next = upload(s.port, "/v1/interactions", s.headers({ "content-length": String(small.length) }));
    next.finish(small);
    expect((await next.answer).status).toBe(200);
  });

  it("a request answered before its body is read leaves no deadline behind to fail later", async () => {
    // 415 goes before the body is read. Its deadline used to fire a second later on a body
    // nobody read any more: an uncaught exception that ended the process (and this test file).
    const wrongType = upload(
      s.port,
      "/v1/interactions",
      s.headers({ "content-type": "application/xml", "content-length": String(small.length) }),
    );
    wrongType.finish(small);
    expect((await wrongType.answer).status).toBe(415);
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
    const next = upload(s.port, "/v1/interactions", s.headers({ "content-length": String(small.length) }));
    next.finish(small);
    expect((await next.answer).status).toBe(200);
  });

  it("holds chunked and gzip bodies to the same deadline", async () => {
    const chunked = upload(
      s.port,
      "/v1/interactions",
      s.headers({ "transfer-encoding": "chunked" }),
      '{"interactions":',
    );
    expect((await chunked.answer).status).toBe(408);
    const gz = gzipSync(Buffer.from(small));
    const half = upload(
      s.port,
      "/v1/traces",
      s.headers({ "content-encoding": "gzip", "content-length": String(gz.length) }),
    );
    // Not a byte of it is sent.
    expect((await half.answer).status).toBe(408);
  });
});

describe("the event-loop bound (ingest.maxLoopUtilization)", () => {
  let s: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    s = await listening({ maxLoopUtilization: 10 });
  });
  afterAll(async () => s?.ctx.close());

  /** Keeps this process's event loop busy (50 ms spins between I/O) until `stop` is called. */
  function busyLoop() {
    let on = true;
    const spin = () => {
      if (!on) return;
      const until = performance.now() + 50;
      while (performance.now() < until) {
        // busy
      }
      setImmediate(spin);
    };
    setImmediate(spin);
    return () => {
      on = false;
    };
  }

  it("refuses a new ingest request while the loop is busy and one is in flight, never the only one", async () => {
    const held = upload(
      s.port,
      "/v1/interactions",
      s.headers({ "transfer-encoding": "chunked" }),
      '{"interactions":',
    );
    const stop = busyLoop();
    try {
      // Half a second of samples, all busy.
      await new Promise((r) => setTimeout(r, 700));
      const refused = upload(
        s.port,
        "/v1/interactions",
        s.headers({ "content-length": String(small.length) }),
      );
      const answer = await refused.answer;
      expect(answer.status).toBe(429);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      refused.abort();
      expect(await s.rejected("loop")).toBeGreaterThanOrEqual(1);
      held.finish('[{"feature":"f","input":"x","output":null}]}');
      expect((await held.answer).status).toBe(200);
      // Nothing in flight: taken although the loop is still busy (refusals alone cannot starve ingestion).
      const alone = upload(s.port, "/v1/interactions", s.headers({ "content-length": String(small.length) }));
      alone.finish(small);
      expect((await alone.answer).status).toBe(200);
    } finally {
      stop();
    }
  });
});
