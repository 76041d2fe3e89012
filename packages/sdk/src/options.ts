import type { AssentEvent, SharingSnapshot } from "./types.js";

/** The service's own limits on one `POST /v1/interactions`. */
export const SERVER_MAX_BATCH_ITEMS = 1000;
export const SERVER_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface AssentClientOptions {
  /** Base URL of the Assent service, e.g. `https://assent.example.com`. */
  readonly url: string;
  /** An ingestion key: a tenant key (`ask_…`) or a service key (`assk_…`). */
  readonly key: string;
  /**
   * The key is a service key, capturing for every tenant of its regions: each interaction names
   * its `tenant`, and one stream carries every tenant's sharing state. Default: told by the key's
   * prefix (`assk_`).
   */
  readonly service?: boolean;
  /** Most interactions in one request (1-1000). */
  readonly maxBatchItems?: number;
  /** Most bytes in one request body (at most 8 MiB). */
  readonly maxBatchBytes?: number;
  /** How long an interaction may wait for a batch to fill before it is sent, in ms. */
  readonly flushIntervalMs?: number;
  /** Most interactions waiting in memory; beyond it the oldest are dropped (counted). */
  readonly maxQueueItems?: number;
  /** Most serialized bytes waiting in memory; beyond it the oldest are dropped (counted). */
  readonly maxQueueBytes?: number;
  /** Largest serialized interaction accepted; larger ones are counted `invalid`. */
  readonly maxItemBytes?: number;
  /** Attempts per batch on 429, 5xx and network errors before it is counted `failed`. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter, up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one is cut to this. */
  readonly maxRetryAfterMs?: number;
  /** Timeout of one request, in ms. */
  readonly requestTimeoutMs?: number;
  /** First reconnect delay of the sharing stream; doubles per failure, with jitter, up to the max. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** The stream is considered dead after this long without a byte (the service pings every 15 s). */
  readonly streamIdleTimeoutMs?: number;
  /** Poll interval of `GET /v1/sharing` while the stream is down. */
  readonly pollIntervalMs?: number;
  /**
   * What `capture()` does before the first answer about sharing: `drop` (default: nothing is
   * kept until sharing is known to be on) or `buffer` (kept in the bounded queue, sent once
   * sharing is known on, discarded if it is off). With a service key: until the first snapshot
   * of every tenant's state.
   */
  readonly whileUnknown?: "drop" | "buffer";
  /** Default time `flush()` and `close()` wait for delivery, in ms. */
  readonly shutdownTimeoutMs?: number;
  /** Called on every change of the sharing state (and of its confirmation). */
  readonly onSharingChange?: (sharing: SharingSnapshot) => void;
  /** Diagnostics: problems the client handled by itself. Never carries content. */
  readonly onEvent?: (event: AssentEvent) => void;
  /** The fetch implementation (default: the global fetch of Node 20). */
  readonly fetch?: typeof fetch;
}

/** The prefix of service keys (the server's `SERVICE_KEY_PREFIX`). */
export const SERVICE_KEY_PREFIX = "assk_";

export type ResolvedOptions = Required<Omit<AssentClientOptions, "onSharingChange" | "onEvent">> &
  Pick<AssentClientOptions, "onSharingChange" | "onEvent">;

export const DEFAULTS = {
  maxBatchItems: 500,
  maxBatchBytes: 4 * 1024 * 1024,
  flushIntervalMs: 500,
  maxQueueItems: 10_000,
  maxQueueBytes: 32 * 1024 * 1024,
  maxItemBytes: 1024 * 1024,
  maxAttempts: 8,
  retryDelayMs: 250,
  maxRetryDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 15_000,
  reconnectDelayMs: 250,
  maxReconnectDelayMs: 10_000,
  streamIdleTimeoutMs: 45_000,
  pollIntervalMs: 1_000,
  whileUnknown: "drop",
  shutdownTimeoutMs: 5_000,
} as const;

function int(name: string, v: number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new TypeError(`Assent: option ${name} must be a whole number between ${min} and ${max}`);
  }
  return v;
}

/** Checks the options once, at creation: a bad option is a programming error and throws. */
export function resolveOptions(o: AssentClientOptions): ResolvedOptions {
  if (typeof o?.url !== "string" || !/^https?:\/\//.test(o.url)) {
    throw new TypeError("Assent: option url must be an http(s) URL of the Assent service");
  }
  if (typeof o.key !== "string" || o.key.length === 0 || /\s/.test(o.key)) {
    throw new TypeError("Assent: option key must be an ingestion key");
  }
  const maxBatchBytes = int(
    "maxBatchBytes",
    o.maxBatchBytes,
    DEFAULTS.maxBatchBytes,
    4096,
    SERVER_MAX_BODY_BYTES,
  );
  const whileUnknown = o.whileUnknown ?? DEFAULTS.whileUnknown;
  if (whileUnknown !== "drop" && whileUnknown !== "buffer") {
    throw new TypeError('Assent: option whileUnknown must be "drop" or "buffer"');
  }
  const fetchImpl = o.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new TypeError("Assent: no fetch available (Node 20 or later)");
  return {
    url: o.url.endsWith("/") ? o.url : `${o.url}/`,
    key: o.key,
    service: o.service ?? o.key.startsWith(SERVICE_KEY_PREFIX),
    maxBatchItems: int("maxBatchItems", o.maxBatchItems, DEFAULTS.maxBatchItems, 1, SERVER_MAX_BATCH_ITEMS),
    maxBatchBytes,
    flushIntervalMs: int("flushIntervalMs", o.flushIntervalMs, DEFAULTS.flushIntervalMs, 1, 600_000),
    maxQueueItems: int("maxQueueItems", o.maxQueueItems, DEFAULTS.maxQueueItems, 1, 10_000_000),
    maxQueueBytes: int("maxQueueBytes", o.maxQueueBytes, DEFAULTS.maxQueueBytes, 4096, 2 ** 40),
    // One interaction must fit in one request, with the envelope around it.
    maxItemBytes: int(
      "maxItemBytes",
      o.maxItemBytes,
      Math.min(DEFAULTS.maxItemBytes, maxBatchBytes - 64),
      64,
      maxBatchBytes - 64,
    ),
    maxAttempts: int("maxAttempts", o.maxAttempts, DEFAULTS.maxAttempts, 1, 1000),
    retryDelayMs: int("retryDelayMs", o.retryDelayMs, DEFAULTS.retryDelayMs, 1, 600_000),
    maxRetryDelayMs: int("maxRetryDelayMs", o.maxRetryDelayMs, DEFAULTS.maxRetryDelayMs, 1, 3_600_000),
    maxRetryAfterMs: int("maxRetryAfterMs", o.maxRetryAfterMs, DEFAULTS.maxRetryAfterMs, 0, 3_600_000),
    requestTimeoutMs: int("requestTimeoutMs", o.requestTimeoutMs, DEFAULTS.requestTimeoutMs, 100, 600_000),
    reconnectDelayMs: int("reconnectDelayMs", o.reconnectDelayMs, DEFAULTS.reconnectDelayMs, 1, 600_000),
    maxReconnectDelayMs: int(
      "maxReconnectDelayMs",
      o.maxReconnectDelayMs,
      DEFAULTS.maxReconnectDelayMs,
      1,
      3_600_000,
    ),
    streamIdleTimeoutMs: int(
      "streamIdleTimeoutMs",
      o.streamIdleTimeoutMs,
      DEFAULTS.streamIdleTimeoutMs,
      100,
      3_600_000,
    ),
    pollIntervalMs: int("pollIntervalMs", o.pollIntervalMs, DEFAULTS.pollIntervalMs, 50, 3_600_000),
    whileUnknown,
    shutdownTimeoutMs: int(
      "shutdownTimeoutMs",
      o.shutdownTimeoutMs,
      DEFAULTS.shutdownTimeoutMs,
      0,
      3_600_000,
    ),
    onSharingChange: o.onSharingChange,
    onEvent: o.onEvent,
    fetch: fetchImpl,
  };
}
