import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "../src/backoff.js";
import { newCounters } from "../src/counters.js";
import { Fifo } from "../src/fifo.js";
import { uuidv7 } from "../src/ids.js";
import { resolveOptions } from "../src/options.js";
import { batchBody, CaptureQueue, ENVELOPE_BYTES } from "../src/queue.js";
import { SseParser } from "../src/sse.js";

describe("SseParser", () => {
  const stream =
    "retry: 1000\n\n" +
    'id: 3\nevent: sharing\ndata: {"sharing":"on"}\n\n' +
    ": ping\r\n\r\n" +
    "event: sharing\r\ndata: line one\r\ndata: line two\r\n\r\n" +
    "data:no space\r\rdata: unterminated";

  it("parses events, comments, CRLF/CR line ends and retry", () => {
    const p = new SseParser();
    expect(p.feed(stream)).toEqual([
      { event: "sharing", data: '{"sharing":"on"}', id: "3" },
      { event: "sharing", data: "line one\nline two", id: "3" },
      { event: "message", data: "no space", id: "3" },
    ]);
    expect(p.retryMs).toBe(1000);
  });

  it("gives the same events however the bytes are split into chunks", () => {
    const whole = new SseParser().feed(stream);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new SseParser();
        const got = [];
        let from = 0;
        for (const at of [...points, stream.length]) {
          got.push(...p.feed(stream.slice(from, at)));
          from = at;
        }
        expect(got).toEqual(whole);
      }),
    );
  });
});

describe("Fifo", () => {
  it("behaves like an array used as a deque", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer(), fc.constant("shift" as const), fc.constant("unshift" as const)), {
          maxLength: 300,
        }),
        (ops) => {
          const fifo = new Fifo<number>();
          const model: number[] = [];
          for (const op of ops) {
            if (op === "shift") expect(fifo.shift()).toBe(model.shift());
            else if (op === "unshift") {
              fifo.unshift(-1);
              model.unshift(-1);
            } else {
              fifo.push(op);
              model.push(op);
            }
            expect(fifo.length).toBe(model.length);
            expect(fifo.peek()).toBe(model[0]);
          }
        },
      ),
    );
  });
});

describe("backoff and Retry-After", () => {
  it("doubles per attempt up to the cap, jittered within the upper half", () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(40, 100, 10_000, () => 0)).toBe(5000);
    expect(backoffDelay(40, 100, 10_000, () => 1)).toBe(10_000);
  });

  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.UTC(2026, 10, 25, 10, 0, 0);
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("uuidv7", () => {
  it("is a version-7 RFC 9562 UUID carrying the time, unique", () => {
    const t = Date.UTC(2026, 10, 25, 10, 0, 0);
    const ids = Array.from({ length: 10_000 }, () => uuidv7(t));
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(t);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("CaptureQueue", () => {
  const item = (i: number) => ({ item: { feature: "f", input: `in ${i}`, output: "out" }, at: Date.now() });

  it("drops the oldest beyond its item bound and counts them", () => {
    const counters = newCounters();
    const q = new CaptureQueue({ maxQueueItems: 3, maxQueueBytes: 1 << 20, maxItemBytes: 1 << 16 }, counters);
    for (let i = 0; i < 5; i++) q.add(item(i));
    q.prepare();
    expect(q.length).toBe(3);
    expect(counters.dropped.overflow).toBe(2);
    const batch = q.take(10, 1 << 20);
    expect(batch.map((r) => JSON.parse(r.json).input)).toEqual(["in 2", "in 3", "in 4"]);
  });

  it("drops the oldest beyond its byte bound, and batches within the byte limit", () => {
    const counters = newCounters();
    const q = new CaptureQueue({ maxQueueItems: 100, maxQueueBytes: 1000, maxItemBytes: 1000 }, counters);
    for (let i = 0; i < 20; i++) q.add(item(i));
    q.prepare();
    expect(q.bytes).toBeLessThanOrEqual(1000);
    expect(counters.dropped.overflow).toBe(20 - q.length);
    const size = q.bytes / q.length;
    const batch = q.take(100, ENVELOPE_BYTES + Math.floor(3.5 * (size + 1)));
    expect(batch).toHaveLength(3);
    const body = JSON.parse(batchBody(batch));
    expect(body.interactions).toHaveLength(3);
    expect(Buffer.byteLength(batchBody(batch))).toBeLessThanOrEqual(ENVELOPE_BYTES + 3 * (size + 1));
  });
});

describe("options", () => {
  it("refuses what the service would not take, at creation", () => {
    const base = { url: "http://127.0.0.1:1", key: "ask_x" };
    expect(() => resolveOptions({ ...base, url: "127.0.0.1" })).toThrow(/url/);
    expect(() => resolveOptions({ ...base, key: "" })).toThrow(/key/);
    expect(() => resolveOptions({ ...base, maxBatchItems: 1001 })).toThrow(/maxBatchItems/);
    expect(() => resolveOptions({ ...base, maxBatchBytes: 9 * 1024 * 1024 })).toThrow(/maxBatchBytes/);
    expect(resolveOptions(base)).toMatchObject({ maxBatchItems: 500, whileUnknown: "drop" });
  });
});
