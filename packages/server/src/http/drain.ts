import type { IncomingMessage } from "node:http";

/** At most this much of a refused body is read and discarded before the answer. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
/** …and for at most this long. */
export const DRAIN_LIMIT_MS = 10_000;

/**
 * Reads and discards the rest of a request body (nothing is kept), up to a bound of bytes and
 * time. An error answered before the body was read (413) closes the connection; closing it while
 * the client is still sending resets it, and clients that write the whole body before reading
 * (fetch) then see EPIPE/ECONNRESET instead of the answer. Draining first lets them read it.
 */
export function drainRequest(
  raw: IncomingMessage,
  maxBytes = DRAIN_LIMIT_BYTES,
  maxMs = DRAIN_LIMIT_MS,
): Promise<void> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let drained = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off("data", onData);
      raw.off("end", finish);
      raw.off("close", finish);
      raw.off("error", finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxBytes) {
        raw.pause();
        finish();
      }
    };
    const timer = setTimeout(finish, maxMs);
    timer.unref();
    // A preParsing stream may have been piped from the request: take it back.
    raw.unpipe();
    raw.on("data", onData);
    raw.once("end", finish);
    raw.once("close", finish);
    raw.once("error", finish);
    raw.resume();
  });
}

/**
 * Bounds how many refused bodies are read and discarded at once. Reading the rest of a refused
 * body lets a client that writes before it reads see the answer, but under overload (hundreds of
 * refused 8 MiB uploads) the reading starves the requests that were admitted: past the bound a
 * refused request is answered with `Connection: close` and its connection closed once the answer
 * is written, its body left unread (the client retries; nothing of it was taken).
 */
export interface DrainSlots {
  /** Takes a slot, or answers false when every slot is in use. */
  take(): boolean;
  release(): void;
  readonly inUse: number;
}

export function createDrainSlots(max: number): DrainSlots {
  let inUse = 0;
  return {
    take() {
      if (inUse >= max) return false;
      inUse += 1;
      return true;
    },
    release() {
      inUse = Math.max(0, inUse - 1);
    },
    get inUse() {
      return inUse;
    },
  };
}
