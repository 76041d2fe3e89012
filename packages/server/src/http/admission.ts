import { Transform, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import type { IngestConfig } from "../config.js";
import { AppError } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The share of the ingest budget this request holds (ingest routes only). */
    ingestTicket: IngestTicket | null;
  }
}

/** Seconds a client is told to wait when the ingest budget is spent. */
const RETRY_AFTER_SECONDS = 1;

export type RejectReason = "requests" | "bytes";

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
 */
export function installIngestAdmission(
  app: FastifyInstance,
  limits: Pick<IngestConfig, "maxInFlightRequests" | "maxInFlightBytes">,
  registry: Registry,
): void {
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
      { "retry-after": String(RETRY_AFTER_SECONDS) },
    );
  };

  app.decorateRequest("ingestTicket", null);
  app.addHook("onRequest", async (request, reply) => {
    if (!isIngest(request)) return;
    const declared = Number(request.headers["content-length"] ?? 0);
    const reserve = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
    if (requests >= limits.maxInFlightRequests) throw refuse("requests");
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
    });
  });
  // A plain body without Content-Length (chunked) is counted as it streams; a compressed one is
  // counted after decompression (see compression.ts), which is what is buffered.
  app.addHook("preParsing", async (request, _reply, payload) => {
    const ticket = request.ingestTicket;
    if (!ticket || request.headers["content-length"] !== undefined) return payload;
    const encoding = String(request.headers["content-encoding"] ?? "identity")
      .trim()
      .toLowerCase();
    if (encoding !== "identity" && encoding !== "") return payload;
    const counted = new CountingBody(ticket);
    payload.on("error", (err: Error) => counted.destroy(err));
    return payload.pipe(counted);
  });
}

const isIngest = (request: FastifyRequest) => request.method === "POST" && request.url.startsWith("/v1/");

class CountingBody extends Transform {
  private seen = 0;
  constructor(private readonly ticket: IngestTicket) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    try {
      this.ticket.grow(this.seen);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, chunk);
  }
}
