import { Transform, type TransformCallback } from "node:stream";
import zlib from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.js";
import type { IngestTicket } from "./admission.js";

/** Content-Encoding values a request body may use. */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
};

/**
 * Counts the decompressed bytes and stops at the route's body limit, so a small compressed body
 * that expands without end (a zip bomb) costs at most that limit of memory and is answered 413.
 * Fastify enforces the same limit on what it buffers; stopping here also stops the inflating.
 * `receivedEncodedLength` is what Fastify compares with Content-Length.
 */
class BoundedBody extends Transform {
  receivedEncodedLength = 0;
  private decoded = 0;

  constructor(
    private readonly limit: number,
    private readonly encoding: string,
    private readonly ticket: IngestTicket | null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.decoded += chunk.length;
    if (this.decoded > this.limit) {
      done(
        new AppError(
          413,
          "payload_too_large",
          `body exceeds the limit of ${this.limit} bytes for this route once decompressed`,
        ),
      );
      return;
    }
    try {
      // The decompressed body is what is buffered: it takes its share of the ingest budget.
      this.ticket?.grow(this.decoded);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, chunk);
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    // zlib's messages are safe but technical; say what is wrong with the request instead.
    if (err && !(err instanceof AppError) && (err as NodeJS.ErrnoException).code?.startsWith("Z_")) {
      done(new AppError(400, "invalid_encoding", `body is not valid ${this.encoding} data`));
      return;
    }
    done(err);
  }
}

/**
 * A preParsing hook that decompresses request bodies sent with `Content-Encoding: gzip` (or
 * deflate), as OTLP exporters and the SDK do, within the route's body limit.
 */
export async function decompressBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: NodeJS.ReadableStream,
): Promise<NodeJS.ReadableStream> {
  const header = request.headers["content-encoding"];
  const encoding = (typeof header === "string" ? header : "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return payload;
  const decoder = DECODERS[encoding];
  if (!decoder) {
    throw new AppError(415, "unsupported_encoding", "Content-Encoding must be gzip, deflate or identity");
  }
  const inflate = decoder();
  const body = new BoundedBody(request.routeOptions.bodyLimit, encoding, request.ingestTicket);
  payload.on("data", (chunk: Buffer) => {
    body.receivedEncodedLength += chunk.length;
  });
  // The raw request is piped, not put in a pipeline: a failure here must leave the socket open
  // for the error answer.
  payload.pipe(inflate).pipe(body);
  // A failure of the body on its way in (its deadline, the budget) fails the inflated body too.
  payload.on("error", (err: Error) => body.destroy(err));
  inflate.on("error", (err) => body.destroy(err));
  body.on("error", () => {
    inflate.destroy();
    payload.unpipe(inflate);
  });
  return body;
}
