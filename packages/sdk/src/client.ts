import { backoffDelay, unrefTimer } from "./backoff.js";
import { newCounters, settled, snapshot } from "./counters.js";
import { type PostOutcome, postBatch } from "./delivery.js";
import { type AssentClientOptions, resolveOptions } from "./options.js";
import { batchBody, CaptureQueue, ENVELOPE_BYTES } from "./queue.js";
import type { ReadyItem } from "./serialize.js";
import { createSharingWatcher } from "./sharing.js";
import type {
  AssentEvent,
  Counters,
  Interaction,
  QueueStats,
  SharingSnapshot,
  SharingValue,
} from "./types.js";

export interface AssentClient {
  /**
   * Hands one interaction to the client and returns at once: true when it was queued, false
   * when it was dropped (sharing off or unknown, invalid, closed: see `counters`). Never
   * throws, never waits. The object is serialized on a later tick: do not mutate it after.
   */
  capture(interaction: Interaction): boolean;
  /**
   * Sends what is queued now and waits until everything captured before the call has an
   * outcome, or `timeoutMs` passed. Resolves true when it all did; never rejects.
   */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops capturing, flushes (up to `timeoutMs`), then closes the sharing stream. Never rejects. */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves once the sharing state is known (or after `timeoutMs`) with the state. */
  ready(timeoutMs?: number): Promise<SharingSnapshot>;
  /** Calls `listener` on every change of the sharing state; returns the unsubscribe function. */
  onSharingChange(listener: (s: SharingSnapshot) => void): () => void;
  readonly sharing: SharingValue;
  readonly sharingState: SharingSnapshot;
  readonly counters: Counters;
  readonly queue: QueueStats;
}

interface InFlight {
  readonly items: ReadyItem[];
  attempt: number;
}

type Gate = "on" | "off" | "unknown" | "refused";

export function createAssentClient(options: AssentClientOptions): AssentClient {
  const o = resolveOptions(options);
  const counters = newCounters();
  const queue = new CaptureQueue(o, counters);
  const stopping = new AbortController();
  const report = (event: AssentEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // Diagnostics must not break delivery.
    }
  };
  const watcher = createSharingWatcher({ ...o, onEvent: o.onEvent });

  /** What capture() decides on: a plain variable, kept current by the watcher's changes. */
  let gate: Gate = "unknown";
  let closed = false;
  let shutDown = false;
  let closing: Promise<void> | null = null;
  let prepareScheduled = false;
  let inFlight: InFlight | null = null;
  /** The in-flight batch is on the wire (its answer decides its fate). */
  let onWire = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  /** Send whatever is ready, without waiting for a full batch (interval elapsed, or flush()). */
  let draining = false;
  /** Lowered after a 413: the service takes less than we thought. */
  let maxBatchBytes = o.maxBatchBytes;
  const waiters = new Set<{ target: number; done: (ok: boolean) => void }>();

  const checkWaiters = () => {
    if (waiters.size === 0) return;
    const n = settled(counters);
    for (const w of waiters) if (n >= w.target) w.done(true);
  };

  const dropInFlight = (reason: "consentOff" | "keyRefused" | "failed") => {
    if (!inFlight || onWire) return;
    if (reason === "failed") counters.failed += inFlight.items.length;
    else counters.dropped[reason] += inFlight.items.length;
    inFlight = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  };

  const prepareNow = () => {
    prepareScheduled = false;
    queue.prepare();
  };

  function pump(): void {
    if (shutDown || inFlight) return;
    if (queue.readyCount === 0) {
      draining = false;
      return;
    }
    if (!watcher.canSend()) return; // resumed by the next change of the sharing state
    const full = queue.readyCount >= o.maxBatchItems || queue.bytes + ENVELOPE_BYTES >= maxBatchBytes;
    if (!full && !draining) {
      flushTimer ??= unrefTimer(() => {
        flushTimer = null;
        draining = true;
        pump();
      }, o.flushIntervalMs);
      return;
    }
    inFlight = { items: queue.take(o.maxBatchItems, maxBatchBytes), attempt: 0 };
    void send();
  }

  async function send(): Promise<void> {
    const batch = inFlight;
    if (!batch || onWire) return;
    batch.attempt += 1;
    onWire = true;
    let outcome: PostOutcome;
    try {
      outcome = await postBatch(o, batchBody(batch.items), stopping.signal);
    } catch (err) {
      outcome = { kind: "failed", status: 0, message: err instanceof Error ? err.name : "unexpected error" };
    }
    onWire = false;
    if (inFlight !== batch) return; // closed meanwhile: already counted
    settle(batch, outcome);
    checkWaiters();
    pump();
  }

  function settle(batch: InFlight, outcome: PostOutcome): void {
    const n = batch.items.length;
    switch (outcome.kind) {
      case "answered": {
        const a = outcome.answer;
        const known = a.accepted + a.duplicates + a.dropped + a.rejected.length;
        counters.sent += a.accepted;
        counters.duplicates += a.duplicates;
        counters.dropped.server += a.dropped;
        counters.rejected += a.rejected.length;
        // Keep every interaction counted exactly once even if an answer does not add up.
        if (known !== n) counters.failed += Math.max(0, n - known);
        if (a.rejected.length > 0) {
          report({
            kind: "rejected",
            message: `the service rejected ${a.rejected.length} interaction(s), e.g.: ${a.rejected[0]?.error ?? ""}`,
          });
        }
        inFlight = null;
        if (a.sharing === "off") watcher.reportOff();
        return;
      }
      case "key-refused":
        counters.dropped.keyRefused += n;
        inFlight = null;
        watcher.reportKeyRefused();
        return;
      case "too-large":
        inFlight = null;
        if (n > 1) {
          const bytes = batch.items.reduce((s, r) => s + r.bytes + 1, ENVELOPE_BYTES);
          maxBatchBytes = Math.max(4096, Math.floor(bytes / 2));
          queue.putBack(batch.items);
        } else {
          counters.failed += n;
          report({
            kind: "too-large",
            status: 413,
            message: "the service refused an interaction as too large",
          });
        }
        return;
      case "failed":
        counters.failed += n;
        inFlight = null;
        report({ kind: "http", status: outcome.status, message: outcome.message });
        return;
      case "retry": {
        report({
          kind: outcome.status ? "http" : "network",
          status: outcome.status,
          message: outcome.message,
        });
        if (batch.attempt >= o.maxAttempts) {
          counters.failed += n;
          inFlight = null;
          report({
            kind: "gave-up",
            message: `gave up on ${n} interaction(s) after ${batch.attempt} attempts`,
          });
          return;
        }
        const delay =
          outcome.retryAfterMs !== null
            ? Math.min(outcome.retryAfterMs, o.maxRetryAfterMs) + Math.floor(Math.random() * 250)
            : backoffDelay(batch.attempt, o.retryDelayMs, o.maxRetryDelayMs);
        retryTimer = unrefTimer(() => {
          retryTimer = null;
          // While the service cannot confirm sharing, the batch waits (see the sharing listener).
          if (watcher.canSend()) void send();
        }, delay);
        return;
      }
    }
  }

  watcher.subscribe((s) => {
    gate = s.keyRefused ? "refused" : s.sharing;
    if (s.sharing === "off" || s.keyRefused) {
      const reason = s.keyRefused ? "keyRefused" : "consentOff";
      prepareNow();
      queue.discard(reason);
      dropInFlight(reason);
      checkWaiters();
      return;
    }
    if (inFlight && !onWire && !retryTimer && watcher.canSend()) void send();
    else pump();
  });

  const client: AssentClient = {
    capture(x) {
      counters.captured += 1;
      if (closed) {
        counters.dropped.closed += 1;
        return false;
      }
      if (gate !== "on") {
        if (gate === "off") {
          counters.dropped.consentOff += 1;
          return false;
        }
        if (gate === "refused") {
          counters.dropped.keyRefused += 1;
          return false;
        }
        if (o.whileUnknown === "drop") {
          counters.dropped.consentUnknown += 1;
          return false;
        }
      }
      try {
        if (typeof x !== "object" || x === null) {
          counters.invalid += 1;
          return false;
        }
        // A shallow copy: reassigning the caller's fields later does not change what is sent.
        queue.add({
          item: {
            id: x.id,
            feature: x.feature,
            input: x.input,
            output: x.output,
            occurredAt: x.occurredAt,
            conversationId: x.conversationId,
            telemetry: x.telemetry,
          },
          at: Date.now(),
        });
      } catch {
        counters.invalid += 1;
        return false;
      }
      if (!prepareScheduled) {
        prepareScheduled = true;
        setImmediate(() => {
          if (!prepareScheduled) return;
          prepareNow();
          checkWaiters();
          pump();
        });
      }
      return true;
    },

    flush(timeoutMs = o.shutdownTimeoutMs) {
      const target = counters.captured;
      if (prepareScheduled) prepareNow();
      checkWaiters();
      if (settled(counters) >= target || shutDown) return Promise.resolve(settled(counters) >= target);
      draining = true;
      if (inFlight && !onWire && retryTimer === null && watcher.canSend()) void send();
      else pump();
      return new Promise<boolean>((resolve) => {
        const w = {
          target,
          done: (ok: boolean) => {
            clearTimeout(timer);
            waiters.delete(w);
            resolve(ok);
          },
        };
        const timer = unrefTimer(() => w.done(false), timeoutMs);
        waiters.add(w);
        checkWaiters();
      });
    },

    close(timeoutMs = o.shutdownTimeoutMs) {
      closing ??= (async () => {
        closed = true;
        await client.flush(timeoutMs);
        shutDown = true;
        stopping.abort();
        if (flushTimer) clearTimeout(flushTimer);
        if (retryTimer) clearTimeout(retryTimer);
        flushTimer = null;
        retryTimer = null;
        prepareNow();
        queue.discard("failed");
        if (inFlight) counters.failed += inFlight.items.length;
        inFlight = null;
        watcher.close();
        for (const w of [...waiters]) w.done(settled(counters) >= w.target);
      })();
      return closing;
    },

    ready: (timeoutMs = o.requestTimeoutMs) => watcher.ready(timeoutMs),
    onSharingChange: (listener) => watcher.subscribe(listener),
    get sharing() {
      return watcher.sharing;
    },
    get sharingState() {
      return watcher.snapshot;
    },
    get counters() {
      return snapshot(counters);
    },
    get queue() {
      return { items: queue.length, bytes: queue.bytes, inFlight: inFlight?.items.length ?? 0 };
    },
  };

  if (o.onSharingChange) watcher.subscribe(o.onSharingChange);
  return client;
}
