import type { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import type { FastifyError, FastifyInstance } from "fastify";
import { AppError } from "../errors.js";
import { isStoreUnavailable, storeUnavailable } from "../stores/unavailable.js";
import { createDrainSlots, drainRequest } from "./drain.js";

interface ErrorBody {
  error: string;
  message: string;
}

/**
 * One place turns every failure into `{"error": code, "message": text}` with the right status.
 * Fastify's own messages (validation, limits) name fields and rules, never values; anything
 * unexpected becomes a bare 500 so no stack trace or content leaves the process.
 */
export function installErrorHandler(
  app: FastifyInstance,
  maxBodyBytes: number,
  maxConcurrentDrains = 8,
): void {
  const drains = createDrainSlots(maxConcurrentDrains);
  app.setErrorHandler((raw: FastifyError | AppError, request, reply) => {
    if (isUploadAborted(raw, request.raw)) {
      // The client went away mid-body: not a store failure and not a bug. Nobody reads the answer.
      request.log.info({ code: "upload_aborted" }, "client aborted the upload");
      void reply.status(400).send({ error: "upload_aborted", message: "the client aborted the upload" });
      return;
    }
    // A busy or unreachable store is not a bug: clients retry after Retry-After.
    const err = isStoreUnavailable(raw) ? storeUnavailable() : raw;
    let status = 500;
    let body: ErrorBody = { error: "internal", message: "internal error" };
    if (err instanceof AppError) {
      status = err.status;
      body = { error: err.code, message: err.message };
      for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
    } else if ((err as FastifyError).validation) {
      status = 400;
      body = { error: "invalid_request", message: err.message };
    } else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      status = 413;
      body = {
        error: "payload_too_large",
        message: `body exceeds the limit of ${maxBodyBytes} bytes for this route`,
      };
    } else if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      status = 415;
      body = { error: "unsupported_media_type", message: "send the body as application/json" };
    } else if (err.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      status = 400;
      body = { error: "invalid_json", message: "body is empty; send a JSON object" };
    } else if (err.statusCode === 429) {
      status = 429;
      body = { error: "rate_limited", message: "too many requests; retry after the time in Retry-After" };
    } else if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = { error: "bad_request", message: "the request could not be processed" };
    }
    if (status >= 500) {
      // The message of an internal error may come from a driver and quote data: log the error's
      // kind, code and stack frames, never its message (the stack's first line repeats it).
      request.log.error(
        { err: { type: err.name, code: err.code, frames: stackFrames(err) } },
        "request failed",
      );
    }
    const send = () => void reply.status(status).send(body);
    const incoming = request.raw;
    const socket = incoming.socket;
    if (incoming.complete || incoming.readableEnded || incoming.destroyed) return send();
    if (!(socket instanceof Socket)) {
      // Not a network connection (app.inject): nothing to close, only the 413's body to read.
      if (reply.getHeader("connection") === "close") void drainRequest(incoming).then(send);
      else send();
      return;
    }
    // The body is not (all) read: a refusal before it (429 back-pressure, 401) or while reading
    // it (413). Past a few such bodies at once, answer and close without reading the rest, so
    // the refused uploads of an overload do not starve the admitted requests (drain.ts).
    // A body that timed out (408) is not read further: its client is too slow to wait for.
    if (status === 408 || !drains.take()) {
      void reply.header("connection", "close");
      // Stop reading the body now: what is read of a refused body is only garbage to collect.
      socket.pause();
      reply.raw.once("finish", () => socket.destroy());
      return send();
    }
    const drained = () =>
      drainRequest(incoming).finally(() => {
        drains.release();
        // The bound was hit before the body ended: the connection cannot be reused.
        if (!incoming.complete) socket.destroy();
      });
    // Fastify closes the connection after an error met while reading the body (413): read the
    // rest first, up to a bound, so the client gets to read the answer. Otherwise answer now and
    // read the rest after, so the connection can be reused.
    if (reply.getHeader("connection") === "close") void drained().then(send);
    else {
      send();
      void drained();
    }
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` });
  });
}

/** Whether a failure is the request body cut off by the client (Node reports it as ECONNRESET). */
export function isUploadAborted(err: { code?: unknown }, raw: IncomingMessage): boolean {
  return (
    (err.code === "ECONNRESET" || err.code === "ERR_STREAM_PREMATURE_CLOSE") &&
    (raw.readableAborted || raw.destroyed)
  );
}

/** The "at …" lines of an error's stack, without the message line(s) that precede them. */
export function stackFrames(err: Error): string[] {
  return (err.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim());
}

/**
 * JSON bodies are parsed here instead of by Fastify's parser so a syntax error is reported by
 * position only: V8's messages quote the text around the error, which may be content.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new AppError(400, "invalid_json", "body is empty; send a JSON object"), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const at = /position (\d+)/.exec((err as Error).message)?.[1];
      const where = at
        ? ` (at position ${at})`
        : /end of JSON/.test((err as Error).message)
          ? " (it ends early)"
          : "";
      done(new AppError(400, "invalid_json", `body is not valid JSON${where}`), undefined);
    }
  });
}
