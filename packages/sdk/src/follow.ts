import { backoffDelay, sleep, unrefTimer } from "./backoff.js";
import { authHeaders, describeFetchError, endpoint, withTimeout } from "./http.js";
import { type SseEvent, SseParser } from "./sse.js";
import type { AssentEvent } from "./types.js";

export interface FollowOptions {
  readonly url: string;
  readonly key: string;
  readonly fetch: typeof fetch;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly streamIdleTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly onEvent?: ((event: AssentEvent) => void) | undefined;
}

/** What the state kept by a watcher (one tenant's, or every tenant's) does with what arrives. */
export interface FollowHandlers {
  /** One stream event; true when it carried the state (the stream is live from then on). */
  event(ev: SseEvent): boolean;
  /** The body of a `200` from `GET /v1/sharing`; false when it is unreadable. */
  polled(body: string): boolean;
  /** The service refused the key: forget the state. */
  refused(): void;
  /** The state, its confirmation or the key's refusal may have changed. */
  changed(): void;
  /** The id of the last event taken, sent as `Last-Event-ID` when the stream reconnects. */
  lastEventId?(): string | null;
}

/**
 * The transport under both sharing watchers: `GET /v1/sharing/stream` (Server-Sent Events),
 * reconnected with backoff, with `GET /v1/sharing` polling (ETag) while the stream is down.
 */
export interface Follower {
  /** The state is confirmed: the stream is live, or a poll answered recently. */
  confirmed(): boolean;
  readonly keyRefused: boolean;
  /** Polls now; `fresh` asks in full (no ETag), for an answer that contradicts what we know. */
  poll(fresh?: boolean): Promise<void>;
  /** An ingest answer refused the key: reconnect the stream so it answers for the key as it is now. */
  refuseKey(): void;
  readonly closed: boolean;
  close(): void;
}

export function follow(o: FollowOptions, h: FollowHandlers): Follower {
  const closing = new AbortController();
  let keyRefused = false;
  let streamLive = false;
  let lastPollOkAt = 0;
  let etag: string | null = null;
  let polling = false;
  let pollTimer: NodeJS.Timeout | null = null;
  /** Aborting it cuts the stream's reconnect wait short (a poll found the service back). */
  let wake = new AbortController();
  /** The last stream attempt or poll could not reach the service at all. */
  let unreachable = false;
  let stream: AbortController | null = null;

  const report = (event: AssentEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // A diagnostics callback must not break the client.
    }
  };
  const refuse = (status: number) => {
    keyRefused = true;
    h.refused();
    report({ kind: "key-refused", status, message: "the service refused the key" });
  };

  async function poll(): Promise<void> {
    if (polling || closing.signal.aborted) return;
    polling = true;
    try {
      const res = await o.fetch(endpoint(o.url, "v1/sharing"), {
        headers: {
          ...authHeaders(o.key),
          accept: "application/json",
          ...(etag ? { "if-none-match": etag } : {}),
        },
        signal: withTimeout(closing.signal, o.requestTimeoutMs),
      });
      if (res.status === 304) {
        lastPollOkAt = Date.now();
        await res.body?.cancel();
      } else if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        refuse(res.status);
      } else if (res.ok) {
        if (h.polled(await res.text())) {
          keyRefused = false;
          etag = res.headers.get("etag");
          lastPollOkAt = Date.now();
        } else {
          report({
            kind: "poll",
            status: res.status,
            message: "GET /v1/sharing answered an unreadable body",
          });
        }
      } else {
        await res.body?.cancel();
        report({ kind: "poll", status: res.status, message: `GET /v1/sharing answered ${res.status}` });
      }
      if (unreachable) {
        // The service is back: reconnect the stream now rather than at the end of its backoff.
        unreachable = false;
        wake.abort();
      }
    } catch (err) {
      unreachable = true;
      if (!closing.signal.aborted) report({ kind: "poll", message: describeFetchError(err) });
    } finally {
      polling = false;
    }
    if (closing.signal.aborted) return;
    h.changed();
  }

  /** Polls every interval while the stream is not live; a no-op tick otherwise. */
  const schedulePoll = (ms: number) => {
    if (closing.signal.aborted) return;
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = unrefTimer(async () => {
      pollTimer = null;
      if (!streamLive) await poll();
      schedulePoll(o.pollIntervalMs);
    }, ms);
  };

  async function readStream(res: Response, ac: AbortController, parser: SseParser): Promise<boolean> {
    let gotEvent = false;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let idle = unrefTimer(() => ac.abort(), o.streamIdleTimeoutMs);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(idle);
        idle = unrefTimer(() => ac.abort(), o.streamIdleTimeoutMs);
        for (const ev of parser.feed(decoder.decode(value, { stream: true }))) {
          if (!h.event(ev)) continue;
          keyRefused = false;
          if (!gotEvent) {
            gotEvent = true;
            streamLive = true;
          }
          h.changed();
        }
      }
    } finally {
      clearTimeout(idle);
      reader.releaseLock();
    }
    return gotEvent;
  }

  async function streamLoop(): Promise<void> {
    let failures = 0;
    let retryMs: number | null = null;
    while (!closing.signal.aborted) {
      const ac = new AbortController();
      stream = ac;
      const parser = new SseParser();
      let gotEvent = false;
      try {
        const lastId = h.lastEventId?.() ?? null;
        const res = await o.fetch(endpoint(o.url, "v1/sharing/stream"), {
          headers: {
            ...authHeaders(o.key),
            accept: "text/event-stream",
            "cache-control": "no-cache",
            ...(lastId !== null ? { "last-event-id": lastId } : {}),
          },
          signal: AbortSignal.any([ac.signal, closing.signal]),
        });
        if (res.status === 401 || res.status === 403) {
          await res.body?.cancel();
          refuse(res.status);
        } else if (!res.ok || !res.body) {
          await res.body?.cancel();
          report({
            kind: "stream",
            status: res.status,
            message: `GET /v1/sharing/stream answered ${res.status}`,
          });
        } else {
          gotEvent = await readStream(res, ac, parser);
          retryMs = parser.retryMs ?? retryMs;
          if (!closing.signal.aborted) report({ kind: "stream", message: "the sharing stream ended" });
        }
      } catch (err) {
        retryMs = parser.retryMs ?? retryMs;
        // Cut off before any answer: the service is out of reach (not a stream the proxy refuses).
        if (!streamLive && !ac.signal.aborted) unreachable = true;
        if (!closing.signal.aborted) report({ kind: "stream", message: describeFetchError(err) });
      }
      stream = null;
      const wasLive = gotEvent || streamLive;
      streamLive = false;
      if (closing.signal.aborted) break;
      h.changed();
      // Fall back to polling at once, and reconnect: quickly after a live stream, slower on failures.
      schedulePoll(0);
      failures = wasLive ? 1 : failures + 1;
      wake = new AbortController();
      const base = retryMs ?? o.reconnectDelayMs;
      await sleep(
        backoffDelay(failures, Math.max(1, base), Math.max(base, o.maxReconnectDelayMs)),
        AbortSignal.any([wake.signal, closing.signal]),
      );
    }
  }

  void streamLoop();
  schedulePoll(o.pollIntervalMs);

  return {
    confirmed: () =>
      !keyRefused &&
      (streamLive || (lastPollOkAt > 0 && Date.now() - lastPollOkAt <= 2 * o.pollIntervalMs + 1000)),
    get keyRefused() {
      return keyRefused;
    },
    get closed() {
      return closing.signal.aborted;
    },
    poll(fresh = false) {
      if (fresh) etag = null;
      return poll();
    },
    refuseKey() {
      if (keyRefused) return;
      refuse(401);
      h.changed();
      stream?.abort();
    },
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = null;
    },
  };
}
