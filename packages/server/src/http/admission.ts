import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { Transform, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import type { IngestConfig } from "../config.js";
import { AppError } from "../errors.js";
import { createRetryAfter } from "./retry-after.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The share of the ingest budget this request holds (ingest routes only). */
    ingestTicket: IngestTicket | null;
  }
}

/** The longest wait a refused client is told (Retry-After; retry-after.ts adapts it to the load). */
export const MAX_RETRY_AFTER_SECONDS = 60;

export type RejectReason = "requests" | "bytes" | "loop";

export interface IngestTicket {
  /**
   * The body has reached `total` bytes (as buffered: after decompression). Takes more of the
   * budget when that passes what was reserved; throws the 429 when the budget is spent.
   */
  grow(total: number): void;
}

/**
 * Back-pressure on ingestion: one budget of requests and body bytes in flight across every ingest
 * route (POST /v1/…), from the moment the request arrives until its answer is sent. A request
 * over the budget is answered 429 with Retry-After at once — before authentication, before its
 * body is read (from Content-Length), or as soon as a chunked or compressed body grows past the
 * budget — instead of waiting in a queue, so memory stays bounded whatever the concurrency.
 * An admitted body must arrive within `bodyTimeoutMs`, else 408: a slow upload does not hold
 * the budget.
 */
export function installIngestAdmission(
  app: FastifyInstance,
  limits: Pick<
    IngestConfig,
    "maxInFlightRequests" | "maxInFlightBytes" | "bodyTimeoutMs" | "maxLoopUtilization"
  >,
  registry: Registry,
): void {
  const retryAfter = createRetryAfter(MAX_RETRY_AFTER_SECONDS);
  const loop = loopLoad(limits.maxLoopUtilization / 100);
  app.addHook("onClose", async () => loop.stop());
  let requests = 0;
  let bytes = 0;
  // Several apps may be built on one set of services (tests): one counter, the last app's gauges.
  for (const name of ["assent_ingest_in_flight_requests", "assent_ingest_in_flight_bytes"]) {
    registry.removeSingleMetric(name);
  }
  const rejected =
    (registry.getSingleMetric("assent_ingest_rejected_total") as Counter<"reason"> | undefined) ??
    new Counter({
      name: "assent_ingest_rejected_total",
      help: "Ingest requests answered 429 because too many requests or bytes were in flight (back-pressure).",
      labelNames: ["reason"],
      registers: [registry],
    });
  new Gauge({
    name: "assent_ingest_in_flight_requests",
    help: "Ingest requests being received or processed now.",
    registers: [registry],
    collect() {
      this.set(requests);
    },
  });
  new Gauge({
    name: "assent_ingest_in_flight_bytes",
    help: "Ingest body bytes held now (declared or received, decompressed).",
    registers: [registry],
    collect() {
      this.set(bytes);
    },
  });
  const refuse = (reason: RejectReason) => {
    rejected.inc({ reason });
    return new AppError(
      429,
      "overloaded",
      `the service is taking as much ingest work as it can (${reason} in flight); retry after Retry-After seconds`,
      { "retry-after": String(retryAfter.refused()) },
    );
  };

  app.decorateRequest("ingestTicket", null);
  app.addHook("onRequest", async (request, reply) => {
    if (!isIngest(request)) return;
    const declared = Number(request.headers["content-length"] ?? 0);
    const reserve = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
    if (requests >= limits.maxInFlightRequests) throw refuse("requests");
    // One request is always taken when none is in flight, so a loop kept busy by refusals alone
    // (clients that ignore Retry-After) does not starve ingestion.
    if (requests > 0 && loop.busy()) throw refuse("loop");
    if (bytes + reserve > limits.maxInFlightBytes) throw refuse("bytes");
    requests += 1;
    bytes += reserve;
    let held = reserve;
    let released = false;
    request.ingestTicket = {
      grow(total) {
        if (released || total <= held) return;
        if (bytes + (total - held) > limits.maxInFlightBytes) throw refuse("bytes");
        bytes += total - held;
        held = total;
      },
    };
    // "close" follows the answer, an abort, or a reset: the budget is always given back once.
    reply.raw.once("close", () => {
      if (released) return;
      released = true;
      requests -= 1;
      bytes -= held;
      if (reply.raw.writableFinished) retryAfter.completed();
    });
  });
  // The body passes through one stream that holds it to its deadline and, when it is plain and
  // has no Content-Length (chunked), counts it as it streams; a compressed one is counted after
  // decompression (see compression.ts), which is what is buffered.
  app.addHook("preParsing", async (request, reply, payload) => {
    const ticket = request.ingestTicket;
    if (!ticket) return payload;
    const encoding = String(request.headers["content-encoding"] ?? "identity")
      .trim()
      .toLowerCase();
    const counts =
      request.headers["content-length"] === undefined && (encoding === "identity" || encoding === "");
    const body = new AdmittedBody(counts ? ticket : null, limits.bodyTimeoutMs);
    payload.on("error", (err: Error) => body.destroy(err));
    // An answer sent before the body was read (a refusal, an abort) ends the deadline with it.
    reply.raw.once("close", () => body.settle());
    return payload.pipe(body);
  });
}

const isIngest = (request: FastifyRequest) => request.method === "POST" && request.url.startsWith("/v1/");

/**
 * An admitted body on its way in: failed with 408 when it has not all arrived `timeoutMs` after
 * it began, and counted against the budget as it streams when `ticket` is given.
 */
class AdmittedBody extends Transform {
  private seen = 0;
  private readonly deadline: NodeJS.Timeout;
  constructor(
    private readonly ticket: IngestTicket | null,
    timeoutMs: number,
  ) {
    super();
    this.deadline = setTimeout(() => {
      this.destroy(
        new AppError(
          408,
          "body_timeout",
          `the request body did not arrive within ${timeoutMs} ms; send smaller batches or retry`,
        ),
      );
    }, timeoutMs);
    this.deadline.unref();
    // Whoever reads the body sees the 408 through its own listener; once nobody reads it (the
    // answer went first), a late failure must not become an uncaught exception.
    this.on("error", () => {});
  }
  /** The request is over: the body's deadline no longer applies. */
  settle(): void {
    clearTimeout(this.deadline);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    try {
      this.ticket?.grow(this.seen);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    clearTimeout(this.deadline);
    done();
  }
  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.deadline);
    done(err);
  }
}

/** How busy the event loop was over the last half second, sampled every 100 ms. */
function loopLoad(max: number): { busy(): boolean; stop(): void } {
  if (max >= 1) return { busy: () => false, stop: () => {} };
  const samples: EventLoopUtilization[] = [performance.eventLoopUtilization()];
  let busy = false;
  const timer = setInterval(() => {
    samples.push(performance.eventLoopUtilization());
    if (samples.length > 6) samples.shift();
    const first = samples[0] as EventLoopUtilization;
    busy = performance.eventLoopUtilization(samples.at(-1), first).utilization > max;
  }, 100);
  timer.unref();
  return { busy: () => busy, stop: () => clearInterval(timer) };
}
