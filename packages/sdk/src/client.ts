import { backoffDelay, unrefTimer } from "./backoff.js";
import { newCounters, settled, snapshot } from "./counters.js";
import { type PostOutcome, postBatch } from "./delivery.js";
import { type SentUnder, serviceGate, tenantGate } from "./gate.js";
import { type AssentClientOptions, resolveOptions } from "./options.js";
import { batchBody, CaptureQueue, ENVELOPE_BYTES } from "./queue.js";
import { isTenantRef, type ReadyItem } from "./serialize.js";
import type { AssentClient, AssentEvent } from "./types.js";

export type { AssentClient } from "./types.js";

interface InFlight {
  items: ReadyItem[];
  /** Service keys: the tenants' states the batch was taken under. */
  under: SentUnder;
  attempt: number;
}

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
  const gate = (o.service ? serviceGate : tenantGate)({ ...o, onEvent: o.onEvent });

  let closed = false;
  let shutDown = false;
  let closing: Promise<void> | null = null;
  let prepareScheduled = false;
  let sweepScheduled = false;
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

  /** Drops the batch waiting to be retried, or (with `mayGo`) those of its items that may not go. */
  const dropInFlight = (reason: "consentOff" | "keyRefused" | "failed", mayGo = gate.mayGo) => {
    if (!inFlight || onWire) return;
    const gone = inFlight.items.length;
    if (mayGo && reason === "consentOff")
      inFlight.items = inFlight.items.filter((r) => mayGo(r.tenant, r.feature));
    else inFlight.items = [];
    const n = gone - inFlight.items.length;
    if (reason === "failed") counters.failed += n;
    else counters.dropped[reason] += n;
    if (inFlight.items.length > 0) return;
    inFlight = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  };

  /** Some tenants stopped sharing: drop what is queued for them, once per tick however many. */
  const scheduleSweep = () => {
    if (sweepScheduled) return;
    sweepScheduled = true;
    setImmediate(() => {
      sweepScheduled = false;
      if (!gate.mayGo || shutDown) return;
      queue.discardWhereNot(gate.mayGo);
      dropInFlight("consentOff");
      checkWaiters();
    });
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
    if (!gate.canSend()) return; // resumed by the next change of the sharing state
    const full = queue.readyCount >= o.maxBatchItems || queue.bytes + ENVELOPE_BYTES >= maxBatchBytes;
    if (!full && !draining) {
      flushTimer ??= unrefTimer(() => {
        flushTimer = null;
        draining = true;
        pump();
      }, o.flushIntervalMs);
      return;
    }
    const items = queue.take(o.maxBatchItems, maxBatchBytes, gate.mayGo);
    if (items.length === 0) {
      checkWaiters(); // every item taken belonged to a tenant that stopped sharing
      pump();
      return;
    }
    inFlight = { items, under: gate.sentUnder(items), attempt: 0 };
    void send();
  }

  async function send(): Promise<void> {
    const batch = inFlight;
    if (!batch || onWire) return;
    if (batch.attempt > 0 && gate.mayGo) {
      // A retry: leave out the items of tenants that stopped sharing meanwhile.
      dropInFlight("consentOff");
      if (inFlight !== batch) {
        pump();
        return;
      }
      batch.under = gate.sentUnder(batch.items);
    }
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
        gate.answered(a, batch.under);
        return;
      }
      case "key-refused":
        counters.dropped.keyRefused += n;
        inFlight = null;
        gate.keyRefused();
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
          if (gate.canSend()) void send();
        }, delay);
        return;
      }
    }
  }

  gate.onChange((c) => {
    if (c.kind === "discard") {
      prepareNow();
      queue.discard(c.reason);
      dropInFlight(c.reason, null);
      checkWaiters();
      return;
    }
    if (c.kind === "sweep") return scheduleSweep();
    if (inFlight && !onWire && !retryTimer && gate.canSend()) void send();
    else pump();
  });

  const client: AssentClient = {
    capture(x) {
      counters.captured += 1;
      if (closed) {
        counters.dropped.closed += 1;
        return false;
      }
      // With a service key, the tenant (and the feature, for tenants sharing only some) decide.
      let tenant: string | undefined;
      let feature = "";
      let subject: string | undefined;
      try {
        feature = typeof x.feature === "string" ? x.feature : "";
        subject = typeof x.subject === "string" ? x.subject : undefined;
        if (o.service) tenant = x.tenant;
      } catch {
        tenant = undefined;
      }
      if (o.service) {
        if (!isTenantRef(tenant)) {
          counters.invalid += 1;
          return false;
        }
      }
      const admitted = gate.admit(tenant, feature, subject);
      if (admitted !== "on") {
        if (admitted === "excluded") {
          counters.dropped.excluded += 1;
          return false;
        }
        if (admitted === "off") {
          counters.dropped.consentOff += 1;
          return false;
        }
        if (admitted === "refused") {
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
            subject,
            telemetry: x.telemetry,
            tenant,
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
      if (inFlight && !onWire && retryTimer === null && gate.canSend()) void send();
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
        gate.close();
        for (const w of [...waiters]) w.done(settled(counters) >= w.target);
      })();
      return closing;
    },

    isExcluded: (subject, tenant) => gate.excludes(subject, tenant),
    isSharing: (tenant, feature) => gate.sharingOf(tenant, feature) === "on",
    sharingOf: (tenant, feature) => gate.sharingOf(tenant, feature),
    onTenantSharingChange: (listener) => gate.onTenantChange(listener),
    ready: (timeoutMs = o.requestTimeoutMs) => gate.ready(timeoutMs),
    onSharingChange: (listener) => gate.onSnapshot(listener),
    get sharing() {
      return gate.snapshot.sharing;
    },
    get sharingState() {
      return gate.snapshot;
    },
    get counters() {
      return snapshot(counters);
    },
    get queue() {
      return { items: queue.length, bytes: queue.bytes, inFlight: inFlight?.items.length ?? 0 };
    },
  };

  if (o.onSharingChange) gate.onSnapshot(o.onSharingChange);
  return client;
}
