import { backoffDelay, sleep, unrefTimer } from "./backoff.js";
import { authHeaders, describeFetchError, endpoint, withTimeout } from "./http.js";
import { SseParser } from "./sse.js";
import type { AssentEvent, SharingSnapshot, SharingValue } from "./types.js";

export interface SharingWatcherOptions {
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

/**
 * The tenant's sharing state, kept current from `GET /v1/sharing/stream` (Server-Sent Events),
 * with `GET /v1/sharing` polling (ETag) while the stream is down. It only ever decides to hold
 * back: the service's gate decides what is stored.
 */
export interface SharingWatcher {
  readonly snapshot: SharingSnapshot;
  readonly sharing: SharingValue;
  /** Sharing is on, the state is confirmed and the key accepted: interactions may be sent. */
  canSend(): boolean;
  subscribe(listener: (s: SharingSnapshot) => void): () => void;
  /** Resolves with the first known state, or the current one after `timeoutMs`. */
  ready(timeoutMs: number): Promise<SharingSnapshot>;
  /** An ingest answer said sharing is off: act on it now, and re-check with a poll. */
  reportOff(): void;
  /** The service refused the ingestion key. */
  reportKeyRefused(): void;
  close(): void;
}

interface SharingMessage {
  tenant: string;
  sharing: "on" | "off";
  since: string;
  region: string;
}

function parseMessage(text: string): SharingMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const m = v as Record<string, unknown>;
  if (m.sharing !== "on" && m.sharing !== "off") return null;
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  return { sharing: m.sharing, tenant: str(m.tenant), since: str(m.since), region: str(m.region) };
}

export function createSharingWatcher(o: SharingWatcherOptions): SharingWatcher {
  const closing = new AbortController();
  const listeners = new Set<(s: SharingSnapshot) => void>();
  let sharing: SharingValue = "unknown";
  let tenant: string | null = null;
  let region: string | null = null;
  let since: string | null = null;
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
  let last: SharingSnapshot | null = null;

  const report = (event: AssentEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // A diagnostics callback must not break the client.
    }
  };

  const confirmed = () =>
    !keyRefused &&
    (streamLive || (lastPollOkAt > 0 && Date.now() - lastPollOkAt <= 2 * o.pollIntervalMs + 1000));

  const current = (): SharingSnapshot => ({
    sharing,
    tenant,
    region,
    since,
    confirmed: confirmed(),
    keyRefused,
  });

  const emit = () => {
    const s = current();
    if (
      last &&
      last.sharing === s.sharing &&
      last.confirmed === s.confirmed &&
      last.keyRefused === s.keyRefused &&
      last.since === s.since
    ) {
      return;
    }
    last = s;
    for (const l of [...listeners]) {
      try {
        l(s);
      } catch {
        // One listener's failure must not keep the others from learning an opt-out.
      }
    }
  };

  const apply = (m: SharingMessage) => {
    sharing = m.sharing;
    tenant = m.tenant || tenant;
    region = m.region || region;
    since = m.since || since;
    keyRefused = false;
  };

  const refuseKey = () => {
    keyRefused = true;
    sharing = "unknown";
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
        refuseKey();
        report({ kind: "key-refused", status: res.status, message: "the service refused the ingestion key" });
      } else if (res.ok) {
        const m = parseMessage(await res.text());
        if (m) {
          apply(m);
          etag = res.headers.get("etag");
          lastPollOkAt = Date.now();
        } else
          report({
            kind: "poll",
            status: res.status,
            message: "GET /v1/sharing answered an unreadable body",
          });
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
    emit();
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
    const body = res.body as ReadableStream<Uint8Array>;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let idle = unrefTimer(() => ac.abort(), o.streamIdleTimeoutMs);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(idle);
        idle = unrefTimer(() => ac.abort(), o.streamIdleTimeoutMs);
        for (const ev of parser.feed(decoder.decode(value, { stream: true }))) {
          if (ev.event !== "sharing") continue;
          const m = parseMessage(ev.data);
          if (!m) {
            report({ kind: "stream", message: "a sharing event had an unreadable body" });
            continue;
          }
          apply(m);
          if (!gotEvent) {
            gotEvent = true;
            streamLive = true;
          }
          emit();
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
        const res = await o.fetch(endpoint(o.url, "v1/sharing/stream"), {
          headers: { ...authHeaders(o.key), accept: "text/event-stream", "cache-control": "no-cache" },
          signal: AbortSignal.any([ac.signal, closing.signal]),
        });
        if (res.status === 401 || res.status === 403) {
          await res.body?.cancel();
          refuseKey();
          report({
            kind: "key-refused",
            status: res.status,
            message: "the service refused the ingestion key",
          });
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
      emit();
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

  const watcher: SharingWatcher = {
    get snapshot() {
      return current();
    },
    get sharing() {
      return sharing;
    },
    canSend: () => sharing === "on" && confirmed(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready(timeoutMs) {
      if (sharing !== "unknown" || closing.signal.aborted) return Promise.resolve(current());
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
          resolve(current());
        };
        const timer = unrefTimer(done, timeoutMs);
        const unsubscribe = watcher.subscribe((s) => {
          if (s.sharing !== "unknown") done();
        });
      });
    },
    reportOff() {
      if (sharing !== "off") {
        sharing = "off";
        emit();
      }
      // The answer may be older than an opt-in the stream already reported: ask again, in full.
      etag = null;
      void poll();
    },
    reportKeyRefused() {
      if (!keyRefused) {
        refuseKey();
        report({ kind: "key-refused", status: 401, message: "the service refused the ingestion key" });
        emit();
        // An open stream predates the refusal: reconnect, so it answers for the key as it is now.
        stream?.abort();
      }
    },
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = null;
      listeners.clear();
    },
  };
  return watcher;
}
