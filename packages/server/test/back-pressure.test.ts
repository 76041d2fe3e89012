import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "./harness.js";
import { keyedTenant } from "./otlp-support.js";
import { upload } from "./upload-support.js";

const settled = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe("back-pressure on ingestion", () => {
  let ctx: TestContext;
  let port: number;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite", {
      config: { ingest: { maxInFlightRequests: 2, maxInFlightBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 } },
    });
    key = (await keyedTenant(ctx, { sharing: true })).key;
    await ctx.app.listen({ host: "127.0.0.1", port: 0 });
    port = (ctx.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => ctx?.close());

  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    ...extra,
  });
  const small = '{"interactions":[{"feature":"f","input":"hello","output":null}]}';
  const rejected = async (reason: string) => {
    const metric = ctx.services.metrics.registry.getSingleMetric("assent_ingest_rejected_total");
    return (await metric?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };

  it("answers 429 with Retry-After at once past the requests in flight, on every ingest route", async () => {
    const a = upload(
      port,
      "/v1/interactions",
      headers({ "transfer-encoding": "chunked" }),
      '{"interactions":',
    );
    const b = upload(port, "/v1/traces", headers({ "transfer-encoding": "chunked" }), '{"resourceSpans":');
    // Both are in flight (their bodies unfinished): a third is refused before its body is sent.
    for (const path of ["/v1/interactions", "/v1/traces"]) {
      const c = upload(port, path, headers({ "content-length": String(small.length) }));
      const answer = await c.answer;
      expect(answer.status).toBe(429);
      expect(answer.retryAfter).toBe("1");
      expect(answer.body).toMatch(/retry after/);
      c.abort();
    }
    expect(await rejected("requests")).toBeGreaterThanOrEqual(2);
    a.finish('[{"feature":"f","input":"x","output":null}]}');
    b.finish("[]}");
    expect((await a.answer).status).toBe(200);
    expect((await b.answer).status).toBe(200);
    // The budget is given back: the next request is taken.
    const d = upload(port, "/v1/interactions", headers({ "content-length": String(small.length) }));
    d.finish(small);
    expect((await d.answer).status).toBe(200);
  });

  it("refuses a declared body that does not fit in the bytes in flight, before reading it", async () => {
    const big = upload(port, "/v1/interactions", headers({ "content-length": String(100 * 1024) }));
    // Answered although not one byte of the body was sent.
    expect(await settled(big.answer, 5000)).toBe(true);
    expect((await big.answer).status).toBe(429);
    big.abort();
    expect(await rejected("bytes")).toBeGreaterThanOrEqual(1);
  });

  it("counts a chunked body as it streams, and a gzip body as it inflates", async () => {
    const held = upload(
      port,
      "/v1/interactions",
      headers({ "transfer-encoding": "chunked" }),
      "x".repeat(40 * 1024),
    );
    // Wait until the server holds those bytes, then send another 40 KiB chunked body.
    const deadline = Date.now() + 5000;
    const inFlight = async () =>
      (await ctx.services.metrics.registry.getSingleMetric("assent_ingest_in_flight_bytes")?.get())?.values[0]
        ?.value ?? 0;
    while ((await inFlight()) < 40 * 1024 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const chunked = upload(
      port,
      "/v1/interactions",
      headers({ "transfer-encoding": "chunked" }),
      "y".repeat(40 * 1024),
    );
    // The client sends its whole body, then reads the answer (which waits for the body: see drain.ts).
    chunked.finish();
    expect((await chunked.answer).status).toBe(429);
    // 1 KiB of gzip that inflates to 200 KiB.
    const bomb = gzipSync(
      Buffer.from(`{"interactions":[{"feature":"f","input":"${"z".repeat(200 * 1024)}","output":null}]}`),
    );
    const gz = upload(
      port,
      "/v1/traces",
      headers({ "content-encoding": "gzip", "content-length": String(bomb.length) }),
    );
    gz.finish(bomb);
    const gzAnswer = await gz.answer;
    expect(gzAnswer.status).toBe(429);
    held.abort();
    chunked.abort();
    // Once the held upload is gone, its bytes are free again.
    const after = upload(port, "/v1/interactions", headers({ "content-length": String(small.length) }));
    after.finish(small);
    expect((await after.answer).status).toBe(200);
  });
});

describe("refused bodies past the drain bound (overload)", () => {
  let ctx: TestContext;
  let port: number;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("sqlite", {
      config: { ingest: { maxInFlightRequests: 1, maxConcurrentDrains: 1, maxBodyBytes: 1024 * 1024 } },
    });
    key = (await keyedTenant(ctx, { sharing: true })).key;
    await ctx.app.listen({ host: "127.0.0.1", port: 0 });
    port = (ctx.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => ctx?.close());

  const headers = (extra: Record<string, string>) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    ...extra,
  });

  it("reads the rest of a few refused bodies; past them answers with Connection: close and stops reading; the admitted request is stored", async () => {
    const admitted = upload(
      port,
      "/v1/interactions",
      headers({ "transfer-encoding": "chunked" }),
      '{"interactions":',
    );
    // Wait until the server holds the admitted request.
    for (;;) {
      const v = (
        await ctx.services.metrics.registry.getSingleMetric("assent_ingest_in_flight_requests")?.get()
      )?.values[0]?.value;
      if (v === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const declared = { "content-length": String(512 * 1024) };
    // Refused with the one drain slot: answered at once, the connection kept (its body is read).
    const drained = upload(port, "/v1/interactions", headers(declared), "x".repeat(64 * 1024));
    const first = await drained.answer;
    expect(first.status).toBe(429);
    expect(first.connection).not.toBe("close");
    // Refused past the slot: answered, then the connection is closed without reading the body.
    const closed = upload(port, "/v1/interactions", headers(declared), "y".repeat(64 * 1024));
    const second = await closed.answer;
    expect(second.status).toBe(429);
    expect(second.retryAfter).toBe("1");
    expect(second.connection).toBe("close");
    await closed.closed;
    // The admitted request was not disturbed: it completes and is stored.
    admitted.finish('[{"id":"kept-1","feature":"f","input":"x","output":null}]}');
    const taken = await admitted.answer;
    expect(taken.status).toBe(200);
    expect(JSON.parse(taken.body)).toMatchObject({ accepted: 1 });
    // The drained one's body ends: its slot is free again for the next refusal.
    drained.finish("x".repeat(512 * 1024 - 64 * 1024));
    await drained.closed.catch(() => {});
  });
});
